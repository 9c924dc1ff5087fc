/**
 * Comment tags (DESIGN.md, "The client side"): a dependency is declared where it
 * is imported, by a Go-style struct tag in a comment on the same line:
 *
 *   import { pad } from "@acme/left-pad"; // `ver:"^1.2.0" hash:"<sha256 hex>" chain:"<name or url>"`
 *
 * Read from the TypeScript AST (ts.createSourceFile), never with regular
 * expressions over the file (scanImports.ts, a dedicated scanner that gives up
 * on anything it is not sure of, reads most files without loading TypeScript;
 * its tests compare the two): a tag is a trailing comment of an import or
 * re-export statement (`import`, `import type`, `export … from`, `import x =
 * require()`), after the module specifier or after the statement's end (so after
 * a semicolon and after a multi-line import list). A comment counts as a tag when
 * its text starts with a backquote; other comments are left alone.
 *
 * Tag grammar (Go's reflect.StructTag): `key:"value"` pairs separated by spaces,
 * values in double quotes with \" and \\ escapes; text after the closing
 * backquote is a free note. Keys: ver (semver range), hash (hashlock: the sha256
 * of the tarball that must be installed), chain (which registry to ask first),
 * npm (a semver range of an npm package brought onto the chain by `gopkgr
 * import`: `import { z } from "zod" // \`npm:"^3.23.0"\``; its name on chain,
 * and so the import's `name` here, is `npm:zod`). `npm` stands alone: an npm
 * release has no hashlock or chain of its own to name.
 * Unknown or repeated keys, bad values, a `ver` tag on an import that is not a
 * gopkgr package and an `npm` tag on one that is not an npm package name are
 * TAG_MALFORMED errors naming file:line:col.
 */
import type * as TS from 'typescript';
import { typescript } from '../../infver/typescript.ts';
import { taggedImports, type ImportStatement, type TaggedImport } from './structTag.ts';
import { gopkgrSpecifier, npmSpecifier } from './specifiers.ts';

export { gopkgrSpecifier, npmSpecifier };
export type { Tag, TaggedImport } from './structTag.ts';

function scriptKind(file: string): TS.ScriptKind {
  const ts = typescript();
  if (file.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (file.endsWith('.ts') || file.endsWith('.mts') || file.endsWith('.cts')) return ts.ScriptKind.TS;
  return ts.ScriptKind.JS;
}

/** The file's top-level import and re-export statements with a string specifier, read by the TypeScript parser. */
export function importStatements(file: string, text: string): ImportStatement[] {
  const ts = typescript();
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
  const out: ImportStatement[] = [];
  for (const stmt of sf.statements) {
    let spec: TS.Expression | undefined;
    let typeOnly = false;
    if (ts.isImportDeclaration(stmt)) {
      spec = stmt.moduleSpecifier;
      typeOnly = stmt.importClause?.phaseModifier === ts.SyntaxKind.TypeKeyword;
    } else if (ts.isExportDeclaration(stmt) && stmt.moduleSpecifier !== undefined) {
      spec = stmt.moduleSpecifier;
      typeOnly = stmt.isTypeOnly;
    } else if (ts.isImportEqualsDeclaration(stmt) && ts.isExternalModuleReference(stmt.moduleReference)) {
      spec = stmt.moduleReference.expression;
      typeOnly = stmt.isTypeOnly;
    }
    if (spec === undefined || !ts.isStringLiteral(spec)) continue;
    out.push({ specifier: spec.text, specStart: spec.getStart(sf), specEnd: spec.end, end: stmt.end, typeOnly });
  }
  return out;
}

/** Every import of a `@ns/name` package in `text`, with its tag when it has one. */
export function parseTags(file: string, text: string): TaggedImport[] {
  const ts = typescript();
  return taggedImports(file, text, importStatements(file, text), (pos) => (ts.getTrailingCommentRanges(text, pos) ?? []).map((c) => ({
    pos: c.pos, end: c.end, multiLine: c.kind === ts.SyntaxKind.MultiLineCommentTrivia,
  })));
}
