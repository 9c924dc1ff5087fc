/**
 * Declarations the two versions have in common are made one: in a new
 * version's file, a top-level declaration written exactly as in the old
 * version's file at the same path (token for token: comments aside, except
 * the `@deprecated` tags they carry), and referring only to
 * names that are themselves shared or global, is replaced by an import of the
 * old one. The checker then compares what changed, and never two copies of
 * what did not: unique symbols, enums, private members and deep generic
 * types are nominal or too deep to relate across two declarations, and
 * comparing copies of them gave false breaks (emittery's `listenerAdded`,
 * defu's `DefuFn`, immer's `immerable`).
 *
 * What is shared stays exactly what consumers of the new version get: the
 * same text, and everything it names the same too (a declaration naming one
 * that changed is not shared, so the change is seen through it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type * as TS from 'typescript';
import { typescript } from '../typescript.ts';
import { CHECKER_OPTIONS, specifierOf } from './host.ts';

const ts = typescript();

interface Group {
  statements: TS.Statement[];
  /** the declarations' tokens (comments and whitespace left out) and their `@deprecated` tags */
  text: string;
  exported: boolean;
  /** identifiers the declarations mention */
  mentions: Set<string>;
  /** inline `import("./x").Name` types: the module and the first name after it (undefined for a whole module) */
  typeImports: Array<{ module: string; name: string | undefined }>;
}

const fold = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * A declaration as the checker reads it: its tokens, and how many `@deprecated` tags its comments hold (the
 * one thing in a comment the engine reports). A fixed typo in a doc comment leaves a declaration shared.
 */
function tokensOf(text: string): string {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const out: string[] = [];
  for (let k = scanner.scan(); k !== ts.SyntaxKind.EndOfFileToken; k = scanner.scan()) out.push(scanner.getTokenText());
  return `${out.join(' ')} @deprecated*${(text.match(/@deprecated\b/g) ?? []).length}`;
}

function hasModifier(node: TS.Node, kind: TS.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

/** The single name a top-level statement declares, if it is a plain named declaration. */
function declaredName(statement: TS.Statement): string | undefined {
  if (hasModifier(statement, ts.SyntaxKind.DefaultKeyword)) return undefined;
  if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)) return statement.name.text;
  if (ts.isClassDeclaration(statement) || ts.isFunctionDeclaration(statement)) return statement.name?.text;
  if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name) && !(statement.flags & ts.NodeFlags.GlobalAugmentation)) return statement.name.text;
  if (ts.isVariableStatement(statement) && statement.declarationList.declarations.length === 1) {
    const d = statement.declarationList.declarations[0]!;
    return ts.isIdentifier(d.name) ? d.name.text : undefined;
  }
  return undefined;
}

function mentionsOf(node: TS.Node, out: Set<string>): void {
  if (ts.isIdentifier(node)) out.add(node.text);
  ts.forEachChild(node, (child) => mentionsOf(child, out));
}

function typeImportsOf(node: TS.Node, out: Group['typeImports']): void {
  if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
    let q = node.qualifier;
    while (q !== undefined && ts.isQualifiedName(q)) q = q.left;
    out.push({ module: node.argument.literal.text, name: node.isTypeOf ? undefined : q?.text });
  }
  ts.forEachChild(node, (child) => typeImportsOf(child, out));
}

/**
 * Whether a module file's top-level declarations are exported without
 * `export`: TypeScript does so in a declaration file that has no export
 * declaration (`export {…}`, `export * from`) and no `export =`.
 */
function implicitlyExported(sf: TS.SourceFile): boolean {
  if (!sf.isDeclarationFile) return false;
  const isModule = sf.statements.some((s) => ts.isImportDeclaration(s) || ts.isExportDeclaration(s) || ts.isExportAssignment(s) || hasModifier(s, ts.SyntaxKind.ExportKeyword));
  return isModule && !sf.statements.some((s) => ts.isExportDeclaration(s) || ts.isExportAssignment(s));
}

/** What an imported local name refers to: a named export of a relative module, or something else (blocked). */
type ImportRef = { module: string; name: string } | { module: string; name: undefined };

function groups(sf: TS.SourceFile): { byName: Map<string, Group>; topNames: Set<string>; imports: Map<string, ImportRef> } {
  const byName = new Map<string, Group>();
  const topNames = new Set<string>();
  const imports = new Map<string, ImportRef>();
  const implicit = implicitlyExported(sf);
  const unshareable = new Set<string>();
  for (const s of sf.statements) {
    if (ts.isImportDeclaration(s)) {
      const module = (s.moduleSpecifier as TS.StringLiteral).text;
      const clause = s.importClause;
      if (clause?.name !== undefined) imports.set(clause.name.text, { module, name: 'default' });
      const bindings = clause?.namedBindings;
      if (bindings !== undefined && ts.isNamespaceImport(bindings)) imports.set(bindings.name.text, { module, name: undefined });
      if (bindings !== undefined && ts.isNamedImports(bindings)) for (const e of bindings.elements) imports.set(e.name.text, { module, name: (e.propertyName ?? e.name).text });
      continue;
    }
    if (ts.isImportEqualsDeclaration(s)) {
      imports.set(s.name.text, { module: '', name: undefined });
      continue;
    }
    const name = declaredName(s);
    if (name === undefined) {
      // Anything else that declares names (destructuring, `export default`, multi-declarator `const`) is never shared.
      const names = new Set<string>();
      if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) mentionsOf(d.name, names);
      else if ((ts.isClassDeclaration(s) || ts.isFunctionDeclaration(s)) && s.name !== undefined) names.add(s.name.text);
      for (const n of names) {
        topNames.add(n);
        unshareable.add(n);
      }
      continue;
    }
    topNames.add(name);
    let g = byName.get(name);
    if (g === undefined) byName.set(name, (g = { statements: [], text: '', exported: false, mentions: new Set(), typeImports: [] }));
    g.statements.push(s);
    // `declare` is implied in a declaration file: `export declare type` and `export type` are one declaration.
    g.text += tokensOf(s.getFullText(sf)).replace(/\bdeclare /g, '') + '\n';
    g.exported ||= hasModifier(s, ts.SyntaxKind.ExportKeyword) || implicit;
    mentionsOf(s, g.mentions);
    typeImportsOf(s, g.typeImports);
  }
  for (const n of unshareable) byName.delete(n);
  return { byName, topNames, imports };
}

interface FilePair {
  oldFile: string;
  newFile: string;
  before: TS.SourceFile;
  after: TS.SourceFile;
  o: ReturnType<typeof groups>;
  n: ReturnType<typeof groups>;
  shared: Set<string>;
  /** re-export statements (folded) both versions have */
  reexports: Set<string>;
}

/**
 * The rewritten text of every file under `newDir` that shares declarations
 * with its namesake under `oldDir`, and of the old files that must export
 * what they share (path → text; files not listed are read as they are).
 */
export function sharedRewrites(oldDir: string, newDir: string, newFiles: Iterable<string>): Map<string, string> {
  const kind = (f: string): TS.ScriptKind => (/\.tsx$/.test(f) ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const pairs = new Map<string, FilePair>();
  for (const newFile of newFiles) {
    if (!newFile.startsWith(newDir + '/')) continue;
    const oldFile = join(oldDir, relative(newDir, newFile));
    if (!existsSync(oldFile)) continue;
    const before = ts.createSourceFile(oldFile, readFileSync(oldFile, 'utf8'), ts.ScriptTarget.Latest, true, kind(oldFile));
    const after = ts.createSourceFile(newFile, readFileSync(newFile, 'utf8'), ts.ScriptTarget.Latest, true, kind(newFile));
    const o = groups(before);
    const n = groups(after);
    const shared = new Set<string>();
    // An old file with `export =` cannot export more: only what it exports already can be shared from it.
    const sealed = before.statements.some((x) => ts.isExportAssignment(x) && x.isExportEquals === true);
    for (const [name, g] of n.byName) {
      const old = o.byName.get(name);
      if (old?.text === g.text && (old.exported || !sealed)) shared.add(name);
    }
    // Re-export statements written the same in both versions (only those are followed).
    const reexportsOf = (sf: TS.SourceFile): Set<string> => new Set(sf.statements.filter((x) => ts.isExportDeclaration(x) && x.moduleSpecifier !== undefined).map((x) => fold(x.getText(sf))));
    const oldReexports = reexportsOf(before);
    const reexports = new Set([...reexportsOf(after)].filter((x) => oldReexports.has(x)));
    pairs.set(newFile, { oldFile, newFile, before, after, o, n, shared, reexports });
  }
  // The file a relative specifier names, as the checker resolves it (undefined for other packages); asked often.
  const resolved = new Map<string, string | undefined>();
  const resolveRelative = (specifier: string, from: string): string | undefined => {
    if (!specifier.startsWith('.')) return undefined;
    const key = `${from}\n${specifier}`;
    if (!resolved.has(key)) resolved.set(key, ts.resolveModuleName(specifier, from, CHECKER_OPTIONS, ts.sys).resolvedModule?.resolvedFileName);
    return resolved.get(key);
  };
  // Whether `name` as exported by `file` is shared: declared there and shared, or re-exported
  // (`export { name } from`, `export * from`) by identical statements from a file where it is.
  const sharedExport = (file: string, name: string, depth: number): boolean => {
    const fp = pairs.get(file);
    if (fp === undefined || depth > 6) return false;
    if (fp.shared.has(name)) return true;
    if (fp.n.byName.has(name) || fp.n.topNames.has(name)) return false;
    for (const s of fp.after.statements) {
      if (!ts.isExportDeclaration(s) || s.moduleSpecifier === undefined || !ts.isStringLiteral(s.moduleSpecifier)) continue;
      const target = resolveRelative(s.moduleSpecifier.text, file);
      if (target === undefined || !fp.reexports.has(fold(s.getText(fp.after)))) continue;
      const clause = s.exportClause;
      if (clause === undefined && sharedExport(target, name, depth + 1)) return true;
      if (clause !== undefined && ts.isNamedExports(clause)) {
        const e = clause.elements.find((x) => x.name.text === name);
        if (e !== undefined) return sharedExport(target, (e.propertyName ?? e.name).text, depth + 1);
      }
    }
    return false;
  };
  const importOk = (fp: FilePair, local: string): boolean => {
    const ref = fp.n.imports.get(local)!;
    const old = fp.o.imports.get(local);
    if (old === undefined || old.module !== ref.module || old.name !== ref.name || ref.name === undefined) return false;
    const target = resolveRelative(ref.module, fp.newFile);
    if (target === undefined) return !ref.module.startsWith('.');
    return sharedExport(target, ref.name, 0);
  };
  // An `import("./x").Name` type is shared only if Name is, in that file of the package.
  const typeImportOk = (fp: FilePair, ref: Group['typeImports'][number]): boolean => {
    const target = resolveRelative(ref.module, fp.newFile);
    if (target === undefined) return !ref.module.startsWith('.');
    return ref.name !== undefined && sharedExport(target, ref.name, 0);
  };
  // A shared declaration names only shared ones: of its own file, or imported by the same specifier in both
  // versions from a file of the package that shares the imported declaration. Until nothing more drops out.
  for (let changed = true; changed;) {
    changed = false;
    for (const fp of pairs.values()) {
      for (const name of [...fp.shared]) {
        const g = fp.n.byName.get(name)!;
        const blocked = [...g.mentions].some((m) => m !== name && ((fp.n.topNames.has(m) && !fp.shared.has(m)) || (fp.n.imports.has(m) && !importOk(fp, m))))
          || g.typeImports.some((ref) => !typeImportOk(fp, ref));
        if (blocked) {
          fp.shared.delete(name);
          changed = true;
        }
      }
    }
  }
  const out = new Map<string, string>();
  for (const fp of pairs.values()) {
    if (fp.shared.size === 0) continue;
    const rewritten = rewriteFile(fp);
    out.set(fp.newFile, rewritten.newText);
    if (rewritten.oldText !== undefined) out.set(fp.oldFile, rewritten.oldText);
  }
  return out;
}

/** Names the old file exports only so the new one can share them: not API (exports.ts leaves them out). */
export const SHARED_EXPORT_PREFIX = '__infverShared_';

function rewriteFile(fp: FilePair): { newText: string; oldText?: string } {
  const { after, n, o, shared } = fp;
  const newText = after.text;
  const oldText = fp.before.text;
  const oldFile = fp.oldFile;
  // Blank the shared declarations out (positions of the rest stay), and import them from the old file.
  let text = newText;
  const cuts = [...shared].flatMap((name) => n.byName.get(name)!.statements).map((s) => ({ start: s.getStart(after), end: s.getEnd() }));
  for (const c of cuts.sort((a, b) => b.start - a.start)) text = text.slice(0, c.start) + text.slice(c.start, c.end).replace(/[^\n]/g, ' ') + text.slice(c.end);
  // Aliases (`import X = old.X`), not an `export {…}` declaration: that would end the implicit exports of a
  // declaration file. At the end, so no position of the file moves (and `/// <reference>` stays first).
  const alias = '__infverOld';
  const lines = [`import * as ${alias} from ${JSON.stringify(specifierOf(oldFile))};`];
  // What the old file does not export, it exports under a name no consumer sees (only possible where the old
  // file has export declarations already: otherwise every declaration of it is exported).
  const hidden = [...shared].filter((name) => !o.byName.get(name)!.exported).sort();
  for (const name of [...shared].sort()) {
    lines.push(`${n.byName.get(name)!.exported ? 'export ' : ''}import ${name} = ${alias}.${hidden.includes(name) ? SHARED_EXPORT_PREFIX : ''}${name};`);
  }
  const oldRewrite = hidden.length === 0 ? undefined : `${oldText}\nexport { ${hidden.map((name) => `${name} as ${SHARED_EXPORT_PREFIX}${name}`).join(', ')} };\n`;
  return { newText: `${text}\n${lines.join('\n')}\n`, ...(oldRewrite === undefined ? {} : { oldText: oldRewrite }) };
}
