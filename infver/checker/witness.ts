/**
 * Witnesses: a few lines of consumer code that compile against the old
 * version and not against the new one, as cargo-semver-checks prints for
 * Rust. They use only what a consumer writes (imports from the package, the
 * old types spelled out), so a reader can paste them into a project. Types of
 * the old version are printed by the checker; a witness that would need a
 * type the package does not export is left out rather than made up.
 */
import type * as TS from 'typescript';
import { typescript } from '../typescript.ts';
import type { ExportedName } from './exports.ts';

const ts = typescript();

export interface WitnessContext {
  checker: TS.TypeChecker;
  /** what consumers import: the package name, or name + subpath */
  specifier: string;
  /** how the checker prints the old entry in `import("…")` types: consumers spell it `specifier` */
  oldSpec: string;
}

export interface WitnessRequest {
  rule: string;
  name: string;
  old?: ExportedName;
  property?: string;
  signatures?: readonly TS.Signature[];
  message?: string;
}

const PRINT = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseFullyQualifiedType;

/** `import …` and the expression that names the export in consumer code. */
function importOf(ctx: WitnessContext, name: string, typeOnly: boolean): { line: string; ref: string } {
  const spec = JSON.stringify(ctx.specifier);
  if (name === 'export=' || name === 'default') return { line: `import ${typeOnly ? 'type ' : ''}pkg from ${spec};`, ref: 'pkg' };
  const [head, ...rest] = name.split('.');
  return { line: `import ${typeOnly ? 'type ' : ''}{ ${head} } from ${spec};`, ref: [head, ...rest].join('.') };
}

/** A type argument list that satisfies the old type parameters: each one's constraint, or unknown. */
function typeArgs(old: ExportedName | undefined): string {
  const required = (old?.typeParams ?? []).filter((p) => !p.optional);
  return required.length === 0 ? '' : `<${required.map((p) => p.constraint ?? 'unknown').join(', ')}>`;
}

/** An old type spelled for consumer code: none if it needs a path of the package's files (not importable). */
function spelled(ctx: WitnessContext, text: string): string | undefined {
  const consumer = text.split(`import(${JSON.stringify(ctx.oldSpec)})`).join(`import(${JSON.stringify(ctx.specifier)})`);
  return /import\("\//.test(consumer) ? undefined : consumer;
}

function printType(ctx: WitnessContext, type: TS.Type): string | undefined {
  return spelled(ctx, ctx.checker.typeToString(type, undefined, PRINT));
}

/** The old type's structure (its members), so the witness does not name the type it tests. */
function structureOf(ctx: WitnessContext, symbol: TS.Symbol): string | undefined {
  const { checker } = ctx;
  const type = checker.getDeclaredTypeOfSymbol(symbol);
  if (!(type.flags & ts.TypeFlags.Object) || (symbol.flags & ts.SymbolFlags.TypeAlias)) {
    return spelled(ctx, checker.typeToString(type, undefined, PRINT | ts.TypeFormatFlags.InTypeAlias));
  }
  const members: string[] = [];
  for (const p of checker.getPropertiesOfType(type)) {
    if (p.name.startsWith('#') || p.name.startsWith('__@')) continue;
    const decl = p.declarations?.[0];
    const flags = decl === undefined ? 0 : ts.getCombinedModifierFlags(decl);
    if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return undefined;
    const printed = printType(ctx, checker.getTypeOfSymbol(p));
    if (printed === undefined) return undefined;
    const optional = (p.flags & ts.SymbolFlags.Optional) !== 0;
    members.push(`${flags & ts.ModifierFlags.Readonly ? 'readonly ' : ''}${JSON.stringify(p.name)}${optional ? '?' : ''}: ${printed}`);
  }
  return `{ ${members.join('; ')} }`;
}

export function witnessFor(ctx: WitnessContext, req: WitnessRequest): string | undefined {
  const isType = req.old !== undefined && req.old.type && !req.old.value;
  const tail = req.message === undefined ? [] : [`// against the new version: ${req.message}`];
  switch (req.rule) {
    case 'export-removed':
    case 'value-removed': {
      if (isType && req.rule === 'export-removed') {
        const imp = importOf(ctx, req.name, true);
        return [imp.line, `type Use = ${imp.ref}${typeArgs(req.old)};`].join('\n');
      }
      const imp = importOf(ctx, req.name, false);
      return [imp.line, `const use = ${imp.ref};`].join('\n');
    }
    case 'type-removed': {
      const imp = importOf(ctx, req.name, true);
      return [imp.line, `type Use = ${imp.ref}${typeArgs(req.old)};`].join('\n');
    }
    case 'parameter-removed': {
      const longest = [...(req.signatures ?? [])].sort((a, b) => b.parameters.length - a.parameters.length)[0];
      if (longest === undefined) return undefined;
      const params = longest.parameters.map((p) => printType(ctx, ctx.checker.getTypeOfSymbol(p)));
      if (params.some((p) => p === undefined)) return undefined;
      const imp = importOf(ctx, req.name, false);
      const isConstruct = longest.getDeclaration()?.kind === ts.SyntaxKind.Constructor || longest.getDeclaration()?.kind === ts.SyntaxKind.ConstructSignature;
      return [imp.line, ...params.map((p, i) => `declare const a${i}: ${p};`), `${isConstruct ? 'new ' : ''}${imp.ref}(${params.map((_, i) => `a${i}`).join(', ')});`].join('\n');
    }
    case 'property-removed': {
      if (req.old !== undefined && req.old.type && !req.old.value) {
        const imp = importOf(ctx, req.name, true);
        return [imp.line, `declare const value: ${imp.ref}${typeArgs(req.old)};`, `value[${JSON.stringify(req.property)}];`].join('\n');
      }
      const imp = importOf(ctx, req.name, false);
      return [imp.line, `${imp.ref}[${JSON.stringify(req.property)}];`].join('\n');
    }
    case 'value-incompatible': {
      const old = req.old;
      if (old === undefined) return undefined;
      const printed = printType(ctx, ctx.checker.getTypeOfSymbol(old.symbol));
      if (printed === undefined) return undefined;
      const imp = importOf(ctx, req.name, false);
      return [imp.line, `const asBefore: ${printed} = ${imp.ref};`, ...tail].join('\n');
    }
    case 'type-read-incompatible':
    case 'type-construct-incompatible': {
      const old = req.old;
      if (old === undefined || (old.typeParams.length > 0)) return undefined;
      const structure = structureOf(ctx, old.symbol);
      if (structure === undefined) return undefined;
      const imp = importOf(ctx, req.name, true);
      const lines = req.rule === 'type-read-incompatible'
        ? [imp.line, `declare const received: ${imp.ref};`, `const asBefore: ${structure} = received;`]
        : [imp.line, `declare const built: ${structure};`, `const value: ${imp.ref} = built;`];
      return [...lines, ...tail].join('\n');
    }
    default:
      return undefined;
  }
}
