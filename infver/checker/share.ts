/**
 * Declarations the two versions have in common are made one: in a new
 * version's file, a top-level declaration written exactly as in the old
 * version's file at the same path (comments included), and referring only to
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
import ts from 'typescript';
import { specifierOf } from './host.ts';

interface Group {
  statements: ts.Statement[];
  /** the declarations' text, comments included, whitespace folded */
  text: string;
  exported: boolean;
  /** identifiers the declarations mention */
  mentions: Set<string>;
}

const fold = (text: string): string => text.replace(/\s+/g, ' ').trim();

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

/** The single name a top-level statement declares, if it is a plain named declaration. */
function declaredName(statement: ts.Statement): string | undefined {
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

function mentionsOf(node: ts.Node, out: Set<string>): void {
  if (ts.isIdentifier(node)) out.add(node.text);
  ts.forEachChild(node, (child) => mentionsOf(child, out));
}

/**
 * Whether a module file's top-level declarations are exported without
 * `export`: TypeScript does so in a declaration file that has no export
 * declaration (`export {…}`, `export * from`) and no `export =`.
 */
function implicitlyExported(sf: ts.SourceFile): boolean {
  if (!sf.isDeclarationFile) return false;
  const isModule = sf.statements.some((s) => ts.isImportDeclaration(s) || ts.isExportDeclaration(s) || ts.isExportAssignment(s) || hasModifier(s, ts.SyntaxKind.ExportKeyword));
  return isModule && !sf.statements.some((s) => ts.isExportDeclaration(s) || ts.isExportAssignment(s));
}

function groups(sf: ts.SourceFile): { byName: Map<string, Group>; topNames: Set<string>; importedNames: Set<string> } {
  const byName = new Map<string, Group>();
  const topNames = new Set<string>();
  const importedNames = new Set<string>();
  const implicit = implicitlyExported(sf);
  const unshareable = new Set<string>();
  for (const s of sf.statements) {
    if (ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s)) {
      const names = new Set<string>();
      mentionsOf(ts.isImportDeclaration(s) ? (s.importClause ?? s) : s.name, names);
      for (const n of names) importedNames.add(n);
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
    if (g === undefined) byName.set(name, (g = { statements: [], text: '', exported: false, mentions: new Set() }));
    g.statements.push(s);
    g.text += fold(s.getFullText(sf)) + '\n';
    g.exported ||= hasModifier(s, ts.SyntaxKind.ExportKeyword) || implicit;
    mentionsOf(s, g.mentions);
  }
  for (const n of unshareable) byName.delete(n);
  return { byName, topNames, importedNames };
}

/**
 * The rewritten text of every file under `newDir` that shares declarations
 * with its namesake under `oldDir` (path → text; files not listed are read
 * as they are).
 */
export function sharedRewrites(oldDir: string, newDir: string, newFiles: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of newFiles) {
    if (!file.startsWith(newDir + '/')) continue;
    const oldFile = join(oldDir, relative(newDir, file));
    if (!existsSync(oldFile)) continue;
    const rewritten = rewriteFile(oldFile, readFileSync(oldFile, 'utf8'), file, readFileSync(file, 'utf8'));
    if (rewritten === undefined) continue;
    out.set(file, rewritten.newText);
    if (rewritten.oldText !== undefined) out.set(oldFile, rewritten.oldText);
  }
  return out;
}

/** Names the old file exports only so the new one can share them: not API (exports.ts leaves them out). */
export const SHARED_EXPORT_PREFIX = '__infverShared_';

function rewriteFile(oldFile: string, oldText: string, newFile: string, newText: string): { newText: string; oldText?: string } | undefined {
  const kind = (f: string): ts.ScriptKind => (/\.d\.[mc]?ts$|\.[mc]?ts$/.test(f) ? ts.ScriptKind.TS : ts.ScriptKind.TSX);
  const before = ts.createSourceFile(oldFile, oldText, ts.ScriptTarget.Latest, true, kind(oldFile));
  const after = ts.createSourceFile(newFile, newText, ts.ScriptTarget.Latest, true, kind(newFile));
  const o = groups(before);
  const n = groups(after);
  // Candidates: the same declarations, importable from the old file.
  const shared = new Set<string>();
  for (const [name, g] of n.byName) {
    const old = o.byName.get(name);
    if (old !== undefined && old.text === g.text) shared.add(name);
  }
  // Keep only those whose every mention of a name of this file is shared too (imports are not followed: a
  // declaration naming an imported one is shared only when that import is the same in both files).
  const sameImports = fold(before.statements.filter((s) => ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s)).map((s) => s.getText(before)).join('\n'))
    === fold(after.statements.filter((s) => ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s)).map((s) => s.getText(after)).join('\n'));
  for (let changed = true; changed;) {
    changed = false;
    for (const name of [...shared]) {
      const g = n.byName.get(name)!;
      const blocked = [...g.mentions].some((m) => m !== name && ((n.topNames.has(m) && !shared.has(m)) || (n.importedNames.has(m) && !sameImports)));
      if (blocked) {
        shared.delete(name);
        changed = true;
      }
    }
  }
  if (shared.size === 0) return undefined;
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
