/**
 * The sandbox's module resolver: it serves only the package's own files and the
 * files of its locked dependencies, both handed in as maps of text. Nothing is
 * read from disk, so a specifier can name nothing outside those maps.
 *
 * Module keys:
 *   `pkg:<path>`              a file of the package under test
 *   `dep:<@ns/name>:<path>`   a file of a locked dependency
 *   `builtin:<name>`          a shim (node:test, node:assert, node:assert/strict)
 *
 * Rules (what a user of Node + tsx expects, minus the file system):
 * - Relative specifiers resolve against the importing file and may not leave its
 *   package (`../../outside.js` is SANDBOX_IMPORT_OUTSIDE). A relative import may
 *   name the file, the `.js` name TypeScript's NodeNext convention uses for a
 *   `.ts` source (`./a.js` → `./a.ts`), or omit the extension (`./a` → `./a.ts`,
 *   `./a.js`, `./a/index.ts`, ...).
 * - Absolute paths and URLs (`/etc/passwd`, `file:`, `data:`, `http:`) are
 *   SANDBOX_IMPORT_DENIED.
 * - `node:test`, `node:assert`, `node:assert/strict` (and `assert`,
 *   `assert/strict`) are the shims; every other Node built-in is
 *   `builtin:node:<name>`, which the sandbox serves when it can be
 *   deterministic (tester/shims/node.js) and reports unsupported otherwise.
 * - `require()` (CommonJS) resolves with the conditions require/node/default
 *   and Node's CommonJS extensions; `import` with import/node/default.
 * - A bare name is the package itself (self-reference through its own
 *   package.json `exports`) or a locked dependency, resolved through its
 *   package.json `exports` (conditions node, import, default), else `main`, else
 *   `index.js`. Anything else is SANDBOX_IMPORT_NOT_FOUND.
 */
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import { GopkgrError } from '../ledger/index.ts';

export type FileMap = ReadonlyMap<string, string>;
export type DepMap = ReadonlyMap<string, FileMap>;

export const SHIMS: Record<string, string> = {
  'node:test': 'builtin:node:test',
  'node:assert': 'builtin:node:assert',
  assert: 'builtin:node:assert',
  'node:assert/strict': 'builtin:node:assert/strict',
  'assert/strict': 'builtin:node:assert/strict',
};

/** Export conditions of `import` and of `require()`. */
export type ResolveKind = 'import' | 'require';
const CONDITIONS: Record<ResolveKind, ReadonlySet<string>> = { import: new Set(['node', 'import', 'default']), require: new Set(['node', 'require', 'default']) };

const JS_FOR_TS: Record<string, string[]> = {
  '.js': ['.ts', '.tsx'],
  '.mjs': ['.mts'],
  '.jsx': ['.tsx'],
};
const IMPLICIT = ['.ts', '.tsx', '.mts', '.js', '.mjs', '.json', '/index.ts', '/index.tsx', '/index.js', '/index.mjs'];
/** require()'s extensions (Node's, with tsx's TypeScript ones), then a directory's package.json main or index. */
const IMPLICIT_REQUIRE = ['.js', '.json', '.cjs', '.ts', '.cts', '.tsx', '/index.js', '/index.json', '/index.ts', '/index.cjs'];

export interface ParsedKey {
  scope: 'pkg' | 'dep' | 'builtin';
  /** the dependency's name for `dep` keys */
  dep?: string;
  path: string;
}

export function parseKey(key: string): ParsedKey {
  if (key.startsWith('pkg:')) return { scope: 'pkg', path: key.slice(4) };
  if (key.startsWith('builtin:')) return { scope: 'builtin', path: key.slice(8) };
  const rest = key.slice(4);
  // @ns/name:path — the name holds one '/', never ':'
  const colon = rest.indexOf(':');
  return { scope: 'dep', dep: rest.slice(0, colon), path: rest.slice(colon + 1) };
}

function keyOf(scope: 'pkg' | 'dep', dep: string | undefined, path: string): string {
  return scope === 'pkg' ? `pkg:${path}` : `dep:${dep}:${path}`;
}

export class Resolver {
  /**
   * `packageAsCommonJs`: jest's module system - it transforms each of the
   * package's modules to CommonJS (babel-jest, ts-jest) and runs them with
   * require, so `.js`/`.ts` files of the package are CommonJS whatever their
   * syntax (sandbox/formats.ts); dependencies stay as Node has them.
   */
  constructor(
    private readonly files: FileMap,
    private readonly deps: DepMap,
    readonly packageAsCommonJs = false,
  ) {}

  /** The text of a module key (undefined for shims). */
  source(key: string): string | undefined {
    const k = parseKey(key);
    if (k.scope === 'pkg') return this.files.get(k.path);
    if (k.scope === 'dep') return this.deps.get(k.dep!)?.get(k.path);
    return undefined;
  }

  /** The `"type"` of the nearest package.json above a package or dependency file. */
  packageType(key: string): string | undefined {
    const k = parseKey(key);
    if (k.scope === 'builtin') return undefined;
    const map = this.mapOf(k.scope, k.dep);
    for (let dir = posix.dirname(k.path); ; dir = posix.dirname(dir)) {
      const pkg = readJson(map.get(dir === '.' ? 'package.json' : `${dir}/package.json`)) as { type?: unknown } | undefined;
      if (pkg !== undefined) return typeof pkg.type === 'string' ? pkg.type : undefined;
      if (dir === '.' || dir === '/' || dir === '') return undefined;
    }
  }

  /** Every file of the package and, under node_modules/, of its dependencies (the sandbox's read-only fs). */
  allFiles(): [string, string][] {
    const out: [string, string][] = [];
    for (const [p, t] of this.files) out.push([p, t]);
    for (const [name, map] of this.deps) for (const [p, t] of map) out.push([`node_modules/${name}/${p}`, t]);
    return out;
  }

  resolve(specifier: string, referrer: string, kind: ResolveKind = 'import'): string {
    const shim = SHIMS[specifier];
    if (shim !== undefined) return shim;
    const from = parseKey(referrer);
    const shown = `"${specifier}" (imported by ${describeKey(referrer)})`;
    if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
      // `require('../')` names the directory: no trailing slash, and `./` is `.`
      const joined = posix.normalize(posix.join(posix.dirname(from.path), specifier)).replace(/(.)\/+$/, '$1').replace(/^\.\/$/, '.');
      if (joined === '..' || joined.startsWith('../') || posix.isAbsolute(joined)) {
        throw new GopkgrError('SANDBOX_IMPORT_OUTSIDE', `import of ${shown} leaves the package`, { hint: 'tests may import only files of their own package and its locked dependencies' });
      }
      const scope = from.scope === 'dep' ? 'dep' : 'pkg';
      const map = this.mapOf(scope, from.dep);
      const found = lookup(map, joined, true, kind);
      if (found === undefined) throw new GopkgrError('SANDBOX_IMPORT_NOT_FOUND', `Cannot find module ${shown}`);
      return keyOf(scope, from.dep, found);
    }
    const builtinName = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
    if (builtinModules.includes(builtinName) || (specifier.startsWith('node:') && /^(test|sea|sqlite|test\/reporters)$/.test(builtinName))) return `builtin:node:${builtinName}`;
    if (specifier.startsWith('/') || specifier.startsWith('\\') || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(specifier)) {
      throw new GopkgrError('SANDBOX_IMPORT_DENIED', `import of ${shown} is not allowed: absolute paths and URLs are not in the sandbox`);
    }
    const { name, subpath } = splitBare(specifier);
    // vitest's and jest's test APIs are the sandbox's (a package's devDependency is not in its lock tree)
    if ((specifier === 'vitest' || specifier === '@jest/globals') && !this.deps.has(name)) return `builtin:node:${specifier}`;
    const ownName = packageName(this.files);
    if (name === ownName) return keyOf('pkg', undefined, this.entryOf(this.files, name, subpath, shown, kind));
    const dep = this.deps.get(name);
    if (dep === undefined) {
      throw new GopkgrError('SANDBOX_IMPORT_NOT_FOUND', `Cannot find package ${shown}: it is not a locked dependency`, { hint: 'declare it with a comment tag and run `gopkgr get`' });
    }
    return keyOf('dep', name, this.entryOf(dep, name, subpath, shown, kind));
  }

  private mapOf(scope: 'pkg' | 'dep', dep: string | undefined): FileMap {
    return scope === 'pkg' ? this.files : (this.deps.get(dep!) ?? new Map());
  }

  private entryOf(map: FileMap, name: string, subpath: string, shown: string, kind: ResolveKind): string {
    const pkg = readJson(map.get('package.json'));
    let target: string | undefined;
    if (pkg !== undefined && pkg.exports !== undefined && pkg.exports !== null) {
      target = resolveExports(pkg.exports, subpath, kind);
      if (target === undefined) throw new GopkgrError('SANDBOX_IMPORT_NOT_FOUND', `Cannot find module ${shown}: "${subpath}" is not exported by ${name}`);
    } else if (subpath === '.') {
      target = typeof pkg?.main === 'string' ? pkg.main : 'index.js';
    } else {
      target = subpath;
    }
    const path = posix.normalize(target.replace(/^\.\//, ''));
    if (path.startsWith('../') || path === '..' || posix.isAbsolute(path)) {
      throw new GopkgrError('SANDBOX_IMPORT_OUTSIDE', `${name}'s package.json points outside the package (${target})`);
    }
    const found = lookup(map, path, true, kind);
    if (found === undefined) throw new GopkgrError('SANDBOX_IMPORT_NOT_FOUND', `Cannot find module ${shown}: ${name} has no file ${path}`);
    return found;
  }
}

export function describeKey(key: string): string {
  const k = parseKey(key);
  return k.scope === 'dep' ? `${k.dep}/${k.path}` : k.path;
}

function splitBare(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/');
  const n = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, n).join('/');
  const rest = parts.slice(n).join('/');
  return { name, subpath: rest === '' ? '.' : `./${rest}` };
}

interface PackageJson {
  name?: unknown;
  main?: unknown;
  exports?: unknown;
}

function readJson(text: string | undefined): PackageJson | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as PackageJson) : undefined;
  } catch {
    return undefined;
  }
}

export function packageName(files: FileMap): string | undefined {
  const name = readJson(files.get('package.json'))?.name;
  return typeof name === 'string' ? name : undefined;
}

/** Node's PACKAGE_EXPORTS_RESOLVE, for the conditions node/import/default (or node/require/default). */
export function resolveExports(exports: unknown, subpath: string, kind: ResolveKind = 'import'): string | undefined {
  const conditions = CONDITIONS[kind];
  let map: Record<string, unknown>;
  if (typeof exports === 'string' || Array.isArray(exports)) map = { '.': exports };
  else if (exports !== null && typeof exports === 'object') {
    const keys = Object.keys(exports);
    map = keys.length > 0 && keys.every((k) => k.startsWith('.')) ? (exports as Record<string, unknown>) : { '.': exports };
  } else return undefined;
  if (Object.hasOwn(map, subpath) && !subpath.includes('*')) return target(map[subpath], '', conditions);
  // Patterns: the longest matching prefix wins.
  let best: { key: string; match: string } | undefined;
  for (const key of Object.keys(map)) {
    const star = key.indexOf('*');
    if (star < 0) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1) {
      if (best === undefined || prefix.length > best.key.indexOf('*')) best = { key, match: subpath.slice(prefix.length, subpath.length - suffix.length) };
    }
  }
  return best === undefined ? undefined : target(map[best.key], best.match, conditions);
}

function target(value: unknown, match: string, conditions: ReadonlySet<string>): string | undefined {
  if (typeof value === 'string') return value.startsWith('./') ? value.replaceAll('*', match) : undefined;
  if (Array.isArray(value)) {
    for (const v of value) {
      const t = target(v, match, conditions);
      if (t !== undefined) return t;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [cond, v] of Object.entries(value)) {
      if (!conditions.has(cond)) continue;
      const t = target(v, match, conditions);
      if (t !== undefined) return t;
    }
  }
  return undefined;
}

/** The file a path names: as written, a `.ts` behind a `.js` name, or with an implied extension. */
export function lookup(map: FileMap, path: string, implicit: boolean, kind: ResolveKind = 'import'): string | undefined {
  if (kind === 'require' && implicit) {
    const dir = path === '.' || path === '' ? '' : path;
    if (dir !== '') {
      if (map.has(dir)) return dir;
      for (const alt of IMPLICIT_REQUIRE.slice(0, 6)) if (map.has(dir + alt)) return dir + alt;
    }
    const main = readJson(map.get(dir === '' ? 'package.json' : `${dir}/package.json`))?.main;
    if (typeof main === 'string') {
      const m = lookup(map, posix.normalize(dir === '' ? main : `${dir}/${main}`), true, 'require');
      if (m !== undefined) return m;
    }
    for (const alt of IMPLICIT_REQUIRE.slice(6)) if (map.has((dir === '' ? '' : dir) + alt.slice(dir === '' ? 1 : 0))) return (dir === '' ? '' : dir) + alt.slice(dir === '' ? 1 : 0);
    if (dir === '') return undefined;
  }
  if (path === '.' || path === '') path = 'index';
  if (map.has(path)) return path;
  const ext = posix.extname(path);
  for (const alt of JS_FOR_TS[ext] ?? []) {
    const candidate = path.slice(0, -ext.length) + alt;
    if (map.has(candidate)) return candidate;
  }
  if (implicit) {
    for (const alt of IMPLICIT) {
      const candidate = path + alt;
      if (map.has(candidate)) return candidate;
    }
  }
  return undefined;
}
