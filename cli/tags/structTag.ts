/**
 * From an import statement's position in a file to its TaggedImport: the
 * comment tag read from the statement's trailing comments, and the tag grammar
 * (Go's reflect.StructTag; see parseTags.ts for the rules). Shared by the two
 * readers of import statements, the TypeScript parser (parseTags.ts) and the
 * dedicated scanner (scanImports.ts), so both apply one grammar and report one
 * position for each problem. Needs no compiler.
 */
import { GopkgrError, isRange, npmChainName } from '../../ledger/index.ts';
import { gopkgrSpecifier, npmSpecifier } from './specifiers.ts';

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

/** An import or re-export statement with a string module specifier, as offsets into the file's text. */
export interface ImportStatement {
  /** the specifier's value */
  specifier: string;
  /** offset of the specifier's opening quote */
  specStart: number;
  /** offset just past its closing quote */
  specEnd: number;
  /** offset just past the statement: its `;` when it has one */
  end: number;
  typeOnly: boolean;
}

/** A comment as TypeScript's getTrailingCommentRanges reports it. */
export interface CommentRange {
  pos: number;
  end: number;
  multiLine: boolean;
}

const KEYS = ['ver', 'hash', 'chain', 'npm'] as const;
const HINT = 'write tags as // `ver:"^1.2.0"` (keys: ver, hash, chain), or // `npm:"^3.23.0"` for an npm package, right after the import on the same line';

const isLineBreak = (ch: number): boolean => ch === 10 || ch === 13 || ch === 0x2028 || ch === 0x2029;

/** TypeScript's isWhiteSpaceSingleLine and isLineBreak (scanner.ts), for characters above ASCII. */
function isWideWhiteSpace(ch: number): boolean {
  return ch === 160 || ch === 133 || ch === 5760 || (ch >= 8192 && ch <= 8203) || ch === 8239 || ch === 8287 || ch === 12288 || ch === 65279 || ch === 0x2028 || ch === 0x2029;
}

/**
 * The comments from `pos` to the end of its line, as TypeScript's
 * getTrailingCommentRanges finds them (iterateCommentRanges with `trailing`):
 * spaces and tabs skipped, a CR or LF ends the search, and so does anything
 * that is not whitespace or a comment. `pos` is never 0 here (a specifier
 * comes first), where TypeScript would also skip a shebang.
 */
export function trailingComments(text: string, pos: number): CommentRange[] {
  const out: CommentRange[] = [];
  while (pos < text.length) {
    const ch = text.charCodeAt(pos);
    if (ch === 13 || ch === 10) break;
    if (ch === 9 || ch === 11 || ch === 12 || ch === 32) {
      pos++;
      continue;
    }
    if (ch === 47) {
      const next = text.charCodeAt(pos + 1);
      if (next !== 47 && next !== 42) break;
      const start = pos;
      pos += 2;
      if (next === 47) {
        while (pos < text.length && !isLineBreak(text.charCodeAt(pos))) pos++;
      } else {
        while (pos < text.length) {
          if (text.charCodeAt(pos) === 42 && text.charCodeAt(pos + 1) === 47) {
            pos += 2;
            break;
          }
          pos++;
        }
      }
      out.push({ pos: start, end: pos, multiLine: next === 42 });
      continue;
    }
    if (ch > 127 && isWideWhiteSpace(ch)) {
      pos++;
      continue;
    }
    break;
  }
  return out;
}

/** TypeScript's computeLineStarts: CR, LF, CRLF, U+2028 and U+2029 end a line. */
export function lineStarts(text: string): number[] {
  const out: number[] = [];
  let pos = 0;
  let start = 0;
  while (pos < text.length) {
    const ch = text.charCodeAt(pos++);
    if (ch === 13 && text.charCodeAt(pos) === 10) pos++;
    if (ch === 13 || ch === 10 || (ch > 127 && (ch === 0x2028 || ch === 0x2029))) {
      out.push(start);
      start = pos;
    }
  }
  out.push(start);
  return out;
}

/** 0-based line and UTF-16 column of `pos`, as TypeScript's getLineAndCharacterOfPosition. */
function lineAndColumn(starts: readonly number[], pos: number): { line: number; character: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= pos) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: pos - starts[lo]! };
}

/**
 * Every import of a `@ns/name` package (or one tagged `npm`) among `statements`
 * (in file order), with its tag when it has one. `comments(pos)` finds the
 * trailing comments at a position (TypeScript's own, or trailingComments).
 */
export function taggedImports(file: string, text: string, statements: readonly ImportStatement[], comments: (pos: number) => readonly CommentRange[] = (pos) => trailingComments(text, pos)): TaggedImport[] {
  let starts: number[] | undefined;
  const position = (pos: number): { line: number; character: number } => lineAndColumn((starts ??= lineStarts(text)), pos);
  const where = (pos: number): string => {
    const { line, character } = position(pos);
    return `${file}:${line + 1}:${character + 1}`;
  };
  const malformed = (pos: number, message: string): never => {
    throw new GopkgrError('TAG_MALFORMED', `${where(pos)}: ${message}`, { hint: HINT });
  };
  const out: TaggedImport[] = [];
  for (const stmt of statements) {
    // Trailing comments after the specifier, then after the whole statement (past `;`).
    const seen = new Set<number>();
    const found = [...comments(stmt.specEnd), ...comments(stmt.end)].filter((c) => !seen.has(c.pos) && seen.add(c.pos) !== undefined);
    let tag: Tag | undefined;
    let tagPos = -1;
    for (const c of found) {
      const bodyStart = c.pos + 2;
      const bodyEnd = c.multiLine ? c.end - 2 : c.end;
      const body = text.slice(bodyStart, bodyEnd);
      const lead = body.length - body.trimStart().length;
      if (body.trimStart()[0] !== '`') continue;
      if (tag !== undefined) malformed(bodyStart + lead, 'a second tag on the same import');
      tag = parseStructTag(body.slice(lead), bodyStart + lead, malformed);
      tagPos = bodyStart + lead;
    }
    const spec = stmt.specifier;
    if (tag?.npm !== undefined) {
      const npm = npmSpecifier(spec);
      if (npm === undefined) malformed(tagPos, `npm tag on an import of "${spec.slice(0, 200)}", which is not an npm package name`);
      const { line, character } = position(stmt.specStart);
      out.push({ file, line: line + 1, col: character + 1, specifier: spec, name: npmChainName(npm!.name), subpath: npm!.subpath, typeOnly: stmt.typeOnly, tag });
      continue;
    }
    const target = gopkgrSpecifier(spec);
    if (target === undefined) {
      if (tag !== undefined) malformed(tagPos, `tag on an import of "${spec}", which is not a gopkgr package (@namespace/name)`);
      continue;
    }
    const { line, character } = position(stmt.specStart);
    out.push({ file, line: line + 1, col: character + 1, specifier: spec, ...target, typeOnly: stmt.typeOnly, ...(tag !== undefined ? { tag } : {}) });
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
