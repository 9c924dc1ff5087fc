/**
 * Comment tags (DESIGN.md, "The client side"): a dependency is declared where it
 * is imported, by a Go-style struct tag in a comment on the same line:
 *
 *   import { pad } from "@acme/left-pad"; // `ver:"^1.2.0" hash:"<sha256 hex>" chain:"<name or url>"`
 *
 * Read from the TypeScript AST (ts.createSourceFile), never with regular
 * expressions over the file: a tag is a trailing comment of an import or
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
import { GopkgrError, isRange, npmChainName } from '../../ledger/index.ts';
import { gopkgrSpecifier, npmSpecifier } from './specifiers.ts';

export { gopkgrSpecifier, npmSpecifier };

export interface Tag {
  ver?: string;
  hash?: string;
  chain?: string;
  /** a semver range of the npm package the import names */
  npm?: string;
}

export interface TaggedImport {
  /** the file as the caller named it (relative POSIX path in messages) */
  file: string;
  /** 1-based position of the module specifier */
  line: number;
  col: number;
  specifier: string;
  /** `@ns/name`, or `npm:<npm name>` for an import tagged `npm` */
  name: string;
  /** `/sub/path` after the package name, or '' */
  subpath: string;
  typeOnly: boolean;
  /** the comment tag, or undefined for an untagged import */
  tag?: Tag;
}

const KEYS = ['ver', 'hash', 'chain', 'npm'] as const;
const HINT = 'write tags as // `ver:"^1.2.0"` (keys: ver, hash, chain), or // `npm:"^3.23.0"` for an npm package, right after the import on the same line';

function scriptKind(file: string): TS.ScriptKind {
  const ts = typescript();
  if (file.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (file.endsWith('.ts') || file.endsWith('.mts') || file.endsWith('.cts')) return ts.ScriptKind.TS;
  return ts.ScriptKind.JS;
}

/** Every import of a `@ns/name` package in `text`, with its tag when it has one. */
export function parseTags(file: string, text: string): TaggedImport[] {
  const ts = typescript();
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
  const out: TaggedImport[] = [];
  const where = (pos: number): string => {
    const { line, character } = sf.getLineAndCharacterOfPosition(pos);
    return `${file}:${line + 1}:${character + 1}`;
  };
  const malformed = (pos: number, message: string): never => {
    throw new GopkgrError('TAG_MALFORMED', `${where(pos)}: ${message}`, { hint: HINT });
  };

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

    // Trailing comments after the specifier, then after the whole statement (past `;`).
    const seen = new Set<number>();
    const comments = [...(ts.getTrailingCommentRanges(text, spec.end) ?? []), ...(ts.getTrailingCommentRanges(text, stmt.end) ?? [])]
      .filter((c) => !seen.has(c.pos) && seen.add(c.pos) !== undefined);
    let tag: Tag | undefined;
    let tagPos = -1;
    for (const c of comments) {
      const bodyStart = c.pos + 2;
      const bodyEnd = c.kind === ts.SyntaxKind.MultiLineCommentTrivia ? c.end - 2 : c.end;
      const body = text.slice(bodyStart, bodyEnd);
      const lead = body.length - body.trimStart().length;
      if (body.trimStart()[0] !== '`') continue;
      if (tag !== undefined) malformed(bodyStart + lead, 'a second tag on the same import');
      tag = parseStructTag(body.slice(lead), bodyStart + lead, malformed);
      tagPos = bodyStart + lead;
    }
    if (tag?.npm !== undefined) {
      const npm = npmSpecifier(spec.text);
      if (npm === undefined) malformed(tagPos, `npm tag on an import of "${spec.text.slice(0, 200)}", which is not an npm package name`);
      const { line, character } = sf.getLineAndCharacterOfPosition(spec.getStart(sf));
      out.push({ file, line: line + 1, col: character + 1, specifier: spec.text, name: npmChainName(npm!.name), subpath: npm!.subpath, typeOnly, tag });
      continue;
    }
    const target = gopkgrSpecifier(spec.text);
    if (target === undefined) {
      if (tag !== undefined) malformed(tagPos, `tag on an import of "${spec.text}", which is not a gopkgr package (@namespace/name)`);
      continue;
    }
    const { line, character } = sf.getLineAndCharacterOfPosition(spec.getStart(sf));
    out.push({ file, line: line + 1, col: character + 1, specifier: spec.text, ...target, typeOnly, ...(tag !== undefined ? { tag } : {}) });
  }
  return out;
}

/** Parse "`key:\"value\" ...`" starting at file offset `base`. */
function parseStructTag(src: string, base: number, malformed: (pos: number, message: string) => never): Tag {
  const close = findClosingBackquote(src);
  if (close < 0) malformed(base, 'unterminated tag: no closing backquote');
  const tag: Tag = {};
  let i = 1;
  const isSpace = (ch: string | undefined): boolean => ch === ' ' || ch === '\t';
  while (i < close) {
    while (i < close && isSpace(src[i])) i++;
    if (i >= close) break;
    const keyStart = i;
    while (i < close && /[a-z]/.test(src[i]!)) i++;
    const key = src.slice(keyStart, i);
    if (key === '') malformed(base + i, `expected a key (ver, hash, chain or npm), found "${src[i]}"`);
    if (src[i] !== ':') malformed(base + i, `expected : after "${key}"`);
    i++;
    if (src[i] !== '"') malformed(base + i, `expected a double-quoted value after "${key}:"`);
    i++;
    let value = '';
    for (;;) {
      if (i >= close) malformed(base + keyStart, `unterminated value of "${key}"`);
      const ch = src[i]!;
      if (ch === '"') break;
      if (ch === '\\') {
        const next = src[i + 1];
        if (next !== '"' && next !== '\\') malformed(base + i, `unknown escape \\${next ?? ''} in "${key}" (only \\" and \\\\)`);
        value += next;
        i += 2;
        continue;
      }
      value += ch;
      i++;
    }
    i++;
    if (i < close && !isSpace(src[i])) malformed(base + i, `expected a space between key:"value" pairs`);
    if (!(KEYS as readonly string[]).includes(key)) malformed(base + keyStart, `unknown key "${key}" (keys: ${KEYS.join(', ')})`);
    if (tag[key as keyof Tag] !== undefined) malformed(base + keyStart, `"${key}" is given twice`);
    checkValue(key as keyof Tag, value, base + keyStart, malformed);
    tag[key as keyof Tag] = value;
  }
  if (Object.keys(tag).length === 0) malformed(base, 'empty tag: give at least one of ver, hash, chain (or npm)');
  if (tag.npm !== undefined && Object.keys(tag).length > 1) malformed(base, `npm cannot be combined with ${Object.keys(tag).filter((k) => k !== 'npm').join(', ')}: an npm tag names a range of an npm package and nothing else`);
  return tag;
}

function findClosingBackquote(src: string): number {
  let inValue = false;
  for (let i = 1; i < src.length; i++) {
    const ch = src[i];
    if (inValue && ch === '\\') i++;
    else if (ch === '"') inValue = !inValue;
    else if (ch === '`' && !inValue) return i;
  }
  return -1;
}

function checkValue(key: keyof Tag, value: string, pos: number, malformed: (pos: number, message: string) => never): void {
  if (key === 'ver' && !isRange(value)) malformed(pos, `ver "${value}" is not a semver range (for example ^1.2.0, ~2.0.1, >=1 <3)`);
  // npm's dist-tags (latest, next) are the registry's, not the chain's: `gopkgr import` takes them, a tag takes a range.
  const shown = value.slice(0, 80);
  if (key === 'npm' && !isRange(value)) malformed(pos, `npm "${shown}" is not a semver range (for example ^3.23.0, ~4.1.2, 2.x)`);
  if (key === 'hash' && !/^[0-9a-f]{64}$/.test(value)) malformed(pos, `hash "${value.slice(0, 80)}" is not a sha256 (64 lowercase hex digits)`);
  if (key === 'chain' && (value.trim() === '' || (/^[a-z]+:/i.test(value) && !/^https?:\/\/\S+$/.test(value)))) {
    malformed(pos, `chain "${value}" is neither a chain name nor an http(s) URL`);
  }
}
