/**
 * What a module entry exports, as the checker sees it: each name (nested
 * namespace members qualified as `NS.Name`) with its meanings (value, type,
 * namespace), how a probe refers to it, and the type parameters consumers
 * write when they name the type. `export =` is the export `export=`, its
 * merged namespace members are exports of their own.
 */
import type * as TS from 'typescript';
import { typescript } from '../typescript.ts';
import { SHARED_EXPORT_PREFIX } from './share.ts';

const ts = typescript();

export interface ExportedName {
  /** `Foo`, `NS.Foo`, `default`, or `export=` */
  name: string;
  value: boolean;
  type: boolean;
  /** a namespace: its members are listed as exports of their own */
  namespace: boolean;
  /** what the type meaning is, for the rules that differ (classes are never built by consumers, enums are nominal) */
  typeKind: 'class' | 'enum' | 'interface' | 'alias' | 'other';
  /** the resolved symbol (aliases followed) */
  symbol: TS.Symbol;
  /**
   * A type alias defined with `typeof` (`typeof list[number]`, `ReturnType<typeof f>`): semver-ts holds it
   * is not a contract consumers may build on (it follows a value), so its changes are never breaks.
   */
  derived: boolean;
  /** type parameters of the type meaning, as written: name, whether it has a default, its constraint printed fully qualified */
  typeParams: Array<{ name: string; optional: boolean; constraint?: string }>;
}

const PRINT = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseFullyQualifiedType | ts.TypeFormatFlags.InTypeAlias;
const IDENT = /^[A-Za-z_$][\w$]*$/;
const MAX_DEPTH = 6;

function resolved(checker: TS.TypeChecker, symbol: TS.Symbol): TS.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

function typeKindOf(symbol: TS.Symbol): ExportedName['typeKind'] {
  if (symbol.flags & ts.SymbolFlags.Class) return 'class';
  if (symbol.flags & ts.SymbolFlags.Enum) return 'enum';
  if (symbol.flags & ts.SymbolFlags.Interface) return 'interface';
  if (symbol.flags & ts.SymbolFlags.TypeAlias) return 'alias';
  return 'other';
}

function typeParamsOf(checker: TS.TypeChecker, symbol: TS.Symbol): ExportedName['typeParams'] {
  for (const decl of symbol.declarations ?? []) {
    if (!(ts.isInterfaceDeclaration(decl) || ts.isClassDeclaration(decl) || ts.isTypeAliasDeclaration(decl))) continue;
    return (decl.typeParameters ?? []).map((tp) => ({
      name: tp.name.text,
      optional: tp.default !== undefined,
      constraint: tp.constraint === undefined ? undefined : checker.typeToString(checker.getTypeAtLocation(tp.constraint), undefined, PRINT),
    }));
  }
  return [];
}

/** The module symbol of a file (undefined for a script with no exports). */
export function moduleSymbolOf(checker: TS.TypeChecker, file: TS.SourceFile): TS.Symbol | undefined {
  return checker.getSymbolAtLocation(file);
}

export function exportedNames(checker: TS.TypeChecker, moduleSymbol: TS.Symbol): Map<string, ExportedName> {
  const out = new Map<string, ExportedName>();
  const exportEquals = moduleSymbol.exports?.get(ts.InternalSymbolName.ExportEquals);
  if (exportEquals !== undefined) {
    const target = resolved(checker, exportEquals);
    out.set('export=', describe(checker, 'export=', target));
  }
  const walk = (container: TS.Symbol, prefix: string, depth: number): void => {
    for (const member of checker.getExportsOfModule(container)) {
      const name = prefix + member.name;
      if (member.name === ts.InternalSymbolName.ExportEquals || !IDENT.test(member.name) || member.name.startsWith(SHARED_EXPORT_PREFIX) || out.has(name)) continue;
      const symbol = resolved(checker, member);
      const entry = describe(checker, name, symbol);
      out.set(name, entry);
      if (entry.namespace && depth < MAX_DEPTH) walk(symbol, `${name}.`, depth + 1);
    }
  };
  walk(moduleSymbol, '', 0);
  return out;
}

function describe(checker: TS.TypeChecker, name: string, symbol: TS.Symbol): ExportedName {
  const flags = symbol.flags;
  const namespace = (flags & (ts.SymbolFlags.NamespaceModule | ts.SymbolFlags.ValueModule)) !== 0 && (symbol.exports?.size ?? 0) > 0;
  return {
    name,
    value: (flags & ts.SymbolFlags.Value) !== 0,
    type: (flags & ts.SymbolFlags.Type) !== 0,
    namespace,
    typeKind: typeKindOf(symbol),
    symbol,
    typeParams: typeParamsOf(checker, symbol),
    derived: (symbol.declarations ?? []).some((d) => ts.isTypeAliasDeclaration(d) && mentionsTypeof(d.type)),
  };
}

function mentionsTypeof(node: TS.Node): boolean {
  return ts.isTypeQueryNode(node) || (ts.forEachChild(node, (child) => (mentionsTypeof(child) ? true : undefined)) ?? false);
}
