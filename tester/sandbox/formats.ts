/**
 * Which module system a file is in, as Node 20.19+ decides it: `.mjs`/`.mts`
 * ES, `.cjs`/`.cts` CommonJS, `.json` JSON; a `.js`/`.ts` follows the nearest
 * package.json `"type"`, and with no `"type"` a file whose syntax is ES
 * (import/export statements) is ES (Node's syntax detection), else CommonJS.
 * Under jest every `.js`/`.ts` of the package is CommonJS (resolve.ts
 * `packageAsCommonJs`): jest transforms ES syntax to CommonJS before it runs.
 *
 * Also the two scans CommonJS needs before it runs, made on the host because
 * the isolate cannot call out: the `require('...')` calls with a literal
 * specifier (resolved ahead, tester/sandbox/cjs.ts), and the names a CommonJS
 * module exports, for the named exports of its ES facade (what Node's
 * cjs-module-lexer finds: `exports.x =`, `module.exports.x =`,
 * `Object.defineProperty(exports, 'x'`, `module.exports = { x, y: ... }`, and
 * `module.exports = require('...')` re-exports).
 */
import { posix } from 'node:path';
import { parseKey, type Resolver } from '../resolve.ts';

export type ModuleFormat = 'esm' | 'cjs' | 'json' | 'builtin';

const ESM_SYNTAX = /(?:^|[\n;{}])[ \t]*(?:import[ \t]*(?:[\w*{][^\n(]*?from[ \t]*)?['"][^'"\n]+['"]|import[ \t]+[\w*{]|export[ \t]*(?:[{*]|default\b|(?:async[ \t]+)?function\b|class\b|const\b|let\b|var\b|enum\b|interface\b|type\b))/;

/** Whether the text has ES import/export statements (a cheap stand-in for Node's parse). */
export function hasEsSyntax(text: string): boolean {
  return ESM_SYNTAX.test(stripComments(text));
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:\\'"])\/\/[^\n]*/g, '$1');
}

export function formatOf(resolver: Resolver, key: string): ModuleFormat {
  const { scope, path } = parseKey(key);
  if (scope === 'builtin') return 'builtin';
  if (path.endsWith('.json')) return 'json';
  if (/\.m[jt]s$/.test(path)) return 'esm';
  if (/\.c[jt]s$/.test(path)) return 'cjs';
  if (scope === 'pkg' && resolver.packageAsCommonJs) return 'cjs';
  const type = resolver.packageType(key);
  if (type === 'module') return 'esm';
  const text = resolver.source(key) ?? '';
  if (type === 'commonjs') return /\.tsx?$/.test(path) && hasEsSyntax(text) ? 'esm' : 'cjs';
  return hasEsSyntax(text) ? 'esm' : 'cjs';
}

const REQUIRE_RE = /(?:^|[^.\w$])require\s*\(\s*(['"`])([^'"`\n]+)\1\s*\)/g;
/** jest's module registry calls name modules too: they resolve from the file that makes them */
const JEST_MODULE_RE = /(?:^|[^.\w$])jest\s*\.\s*(?:mock|doMock|unmock|dontMock|requireActual|requireMock)\s*\(\s*(['"`])([^'"`\n]+)\1/g;

/** The literal specifiers a CommonJS source passes to require() or jest.mock() and its kin (dynamic ones resolve at run time or fail). */
export function requiredSpecifiers(text: string): string[] {
  const found = new Set<string>();
  const code = stripComments(text);
  for (const m of code.matchAll(REQUIRE_RE)) found.add(m[2]!);
  for (const m of code.matchAll(JEST_MODULE_RE)) found.add(m[2]!);
  return [...found];
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

export interface CjsExports {
  names: Set<string>;
  /** `module.exports = require('x')`: x's names are exported too */
  reexports: string[];
}

export function cjsExportNames(text: string): CjsExports {
  const src = stripComments(text);
  const names = new Set<string>();
  const reexports: string[] = [];
  for (const m of src.matchAll(/(?:^|[^.\w$])(?:module\.)?exports\s*\.\s*([A-Za-z_$][\w$]*)\s*=[^=]/g)) names.add(m[1]!);
  for (const m of src.matchAll(/(?:^|[^.\w$])(?:module\.)?exports\s*\[\s*(['"])([^'"]+)\1\s*\]\s*=[^=]/g)) names.add(m[2]!);
  for (const m of src.matchAll(/Object\.defineProperty\(\s*(?:module\.)?exports\s*,\s*(['"])([^'"]+)\1/g)) names.add(m[2]!);
  for (const m of src.matchAll(/(?:^|[^.\w$])module\.exports\s*=\s*require\s*\(\s*(['"])([^'"]+)\1\s*\)/g)) reexports.push(m[2]!);
  // TypeScript's and Babel's `__exportStar(require("./x"), exports)`
  for (const m of src.matchAll(/__exportStar\(\s*require\(\s*(['"])([^'"]+)\1\s*\)/g)) reexports.push(m[2]!);
  for (const m of src.matchAll(/(?:^|[^.\w$])module\.exports\s*=\s*\{/g)) {
    for (const key of objectLiteralKeys(src, m.index + m[0].length)) names.add(key);
  }
  names.delete('default');
  return { names, reexports };
}

/** The top-level keys of the object literal whose body starts at `from` (shorthand, `k:`, `'k':`, methods). */
function objectLiteralKeys(src: string, from: number): string[] {
  const keys: string[] = [];
  let depth = 0;
  let atKey = true;
  let i = from;
  for (; i < src.length; i++) {
    const c = src[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const end = src.indexOf(c, i + 1);
      if (end < 0) break;
      if (depth === 0 && atKey) {
        const after = src.slice(end + 1).match(/^\s*[:(]/);
        if (after) keys.push(src.slice(i + 1, end));
        atKey = false;
      }
      i = end;
      continue;
    }
    if (c === '{' || c === '[' || c === '(') depth++;
    else if (c === '}' || c === ']' || c === ')') {
      if (depth === 0) break;
      depth--;
    } else if (c === ',' && depth === 0) atKey = true;
    else if (depth === 0 && atKey && /[A-Za-z_$]/.test(c)) {
      const word = /^(?:(?:get|set|async)\s+)?([A-Za-z_$][\w$]*)/.exec(src.slice(i))!;
      const name = word[1]!;
      if (IDENT.test(name)) keys.push(name);
      i += word[0].length - 1;
      atKey = false;
    } else if (depth === 0 && c === '.' && src.startsWith('...', i)) atKey = false;
  }
  return keys;
}

/** The directory of a key's path, for __dirname. */
export function dirOf(path: string): string {
  return posix.dirname(path);
}
