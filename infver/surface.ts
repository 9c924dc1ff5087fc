/**
 * The whole public surface of a package: every way a consumer can import it
 * (`exports` subpaths and conditions, and what node10 resolution and older
 * tools read: `typesVersions`, `types`/`typings`, `main`, an implicit index),
 * each with the declaration (or TypeScript source) file that types it.
 *
 * Pure file-system reading: no TypeScript here, so the surface is cheap and
 * the checker (infver/checker/) decides what each entry means. The rules
 * follow TypeScript's own resolution (node16/nodenext, bundler, node10):
 * - `exports`: every subpath and every condition path (nested objects give
 *   `node/import`; a string alone is `default`); an array is a list of
 *   fallbacks, the first that resolves wins; `null` excludes; `"./x/*"`
 *   patterns are expanded over the files that exist, and a subpath belongs to
 *   the pattern Node would pick for it (the longest prefix);
 *   `types@RANGE` keys count when TypeScript's version is in RANGE;
 * - a JavaScript target is read through its declaration sibling
 *   (declarationCandidates.ts); a target without one is untyped: no entry,
 *   no error;
 * - `legacy`: `types`/`typings`, else `main`'s sibling, else `index`, each
 *   mapped through the `typesVersions` table TypeScript 5.9 picks, plus the
 *   plain subpaths that table names (how packages give node10 subpaths).
 * Targets that leave the package (`../`, a symlink out) are not entries.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { GopkgrError } from '../ledger/index.ts';
import { declarationCandidates, namesFor, TS_EXT } from './declarationCandidates.ts';
import { mapThroughTable, pickTypesVersions, satisfiesRange, typescriptVersion, type PathTable } from './typesVersions.ts';

export interface SurfaceEntry {
  /** '.' or './sub' as consumers import it (the package name + this subpath) */
  subpath: string;
  /** the conditions that select it joined by '/' ('default' for a bare target); 'legacy' for what node10 reads */
  condition: string;
  /** how a consumer loads it */
  format: 'esm' | 'cjs';
  /** absolute path of the declaration (or TypeScript source) file that types it */
  file: string;
}

export interface Surface {
  /** pointers to declaration files that do not exist (their entries are untyped), in words */
  missing?: string[];
  name: string;
  version?: string;
  dir: string;
  entries: SurfaceEntry[];
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** Deeper nesting than this is no real package.json, only a way to make resolution slow. */
const MAX_DEPTH = 16;
/** Files looked at when expanding `*` patterns (node_modules and dot folders are skipped). */
const MAX_FILES = 20_000;

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The package directory and its parsed package.json, or the coded error for each way that fails. */
export function readPackage(dirArg: string): { dir: string; pkg: JsonObject; name: string } {
  const dir = resolve(dirArg);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new GopkgrError('INFVER_NOT_A_DIRECTORY', `${dir} is not a directory`, {
      hint: 'pass the folder that holds the package.json',
    });
  }
  const pkgPath = join(dir, 'package.json');
  if (!isFile(pkgPath)) {
    throw new GopkgrError('INFVER_NO_PACKAGE_JSON', `no package.json in ${dir}`, {
      hint: 'InfVer reads the entry points from package.json; create one with a "name" and "types" or "exports"',
    });
  }
  let pkg: JsonObject;
  try {
    const parsed: unknown = JSON.parse(readFileSync(pkgPath, 'utf8'));
    if (!isObject(parsed)) throw new Error('not an object');
    pkg = parsed;
  } catch (err) {
    throw new GopkgrError('INFVER_BAD_PACKAGE_JSON', `${pkgPath} is not a JSON object: ${(err as Error).message}`);
  }
  const name = typeof pkg['name'] === 'string' && pkg['name'] !== '' ? pkg['name'] : basename(dir);
  return { dir, pkg, name };
}

/** One end of the `exports` tree: the condition path that reaches it and its target (null: excluded). */
interface Leaf {
  conditions: string[];
  target: string | null;
}

function leaves(value: Json | undefined, conditions: string[], ts: string, out: Leaf[], depth = 0): void {
  if (value === undefined || depth > MAX_DEPTH) return;
  if (value === null || typeof value === 'string') {
    out.push({ conditions, target: value });
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) leaves(v, conditions, ts, out, depth + 1);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, v] of Object.entries(value)) {
    // `types@>=5.2`: a types condition only for the TypeScript versions in its range.
    if (key.startsWith('types@') && !satisfiesRange(ts, key.slice('types@'.length))) continue;
    leaves(v, [...conditions, key], ts, out, depth + 1);
  }
}

function isTypesCondition(c: string): boolean {
  return c === 'types' || c.startsWith('types@');
}

/** The `exports` map by subpath: the sugar forms (a string, an array, conditions without subpaths) are '.'. */
function exportsMap(exp: Json | undefined): JsonObject | undefined {
  if (exp === undefined || exp === null) return undefined;
  if (typeof exp === 'string' || Array.isArray(exp)) return { '.': exp };
  if (!isObject(exp)) return undefined;
  const keys = Object.keys(exp);
  // Node refuses a map that mixes subpaths and conditions; the subpaths are what it would have meant.
  if (!keys.some((k) => k.startsWith('.'))) return { '.': exp };
  const out: JsonObject = {};
  for (const k of keys) if (k.startsWith('.')) out[k] = exp[k]!;
  return out;
}

/** Node's order of pattern keys: the longer prefix before the `*` wins, then the longer key. */
function patternWins(a: string, b: string): boolean {
  const ia = a.indexOf('*');
  const ib = b.indexOf('*');
  if (ia !== ib) return ia > ib;
  return a.length > b.length;
}

function splitPattern(s: string): [string, string] | undefined {
  const i = s.indexOf('*');
  if (i < 0 || s.indexOf('*', i + 1) >= 0) return undefined;
  return [s.slice(0, i), s.slice(i + 1)];
}

class SurfaceReader {
  readonly entries = new Map<string, SurfaceEntry>();
  /** package-relative paths looked at, for error messages */
  readonly tried: string[] = [];
  /** explicit types targets that do not exist, as "what named it: path" */
  readonly missing: string[] = [];
  private realDir: string;
  private files?: string[];

  constructor(
    readonly dir: string,
    readonly pkg: JsonObject,
    readonly ts: string,
  ) {
    this.realDir = realpathSync(dir);
  }

  private inside(abs: string): boolean {
    if (!abs.startsWith(this.dir + sep)) return false;
    try {
      return realpathSync(abs).startsWith(this.realDir + sep);
    } catch {
      return false;
    }
  }

  /** The TypeScript file describing the package-relative `target`, if one exists inside the package. */
  resolveFile(target: string): string | undefined {
    for (const c of declarationCandidates(target)) {
      const abs = resolve(this.dir, c);
      // An entry outside the package would make the API depend on whatever sits next to it.
      if (!abs.startsWith(this.dir + sep)) continue;
      const rel = relative(this.dir, abs).split(sep).join('/');
      if (!this.tried.includes(rel)) this.tried.push(rel);
      if (isFile(abs) && this.inside(abs)) return abs;
    }
    return undefined;
  }

  format(condition: string, file: string): 'esm' | 'cjs' {
    // The extension decides for both Node and TypeScript; then the condition; then "type".
    if (/\.(d\.)?mts$/.test(file)) return 'esm';
    if (/\.(d\.)?cts$/.test(file)) return 'cjs';
    const segs = condition.split('/');
    for (let i = segs.length - 1; i >= 0; i--) {
      if (segs[i] === 'import') return 'esm';
      if (segs[i] === 'require') return 'cjs';
    }
    return this.pkg['type'] === 'module' ? 'esm' : 'cjs';
  }

  add(subpath: string, condition: string, file: string): void {
    const key = `${subpath}\0${condition}`;
    if (!this.entries.has(key)) this.entries.set(key, { subpath, condition, format: this.format(condition, file), file });
  }

  /** Resolve one subpath's value: per condition path, the first leaf that resolves wins; null ends the search. */
  readSubpath(subpath: string, value: Json, star: string | undefined): void {
    const found: Leaf[] = [];
    leaves(value, [], this.ts, found);
    const decided = new Set<string>();
    const missingTypes = new Map<string, string>();
    for (const leaf of found) {
      const condition = leaf.conditions.length === 0 ? 'default' : leaf.conditions.join('/');
      if (decided.has(condition)) continue;
      if (leaf.target === null) {
        decided.add(condition);
        continue;
      }
      // Exports targets are package-relative ("./…"); anything else is invalid to Node and TypeScript.
      if (!leaf.target.startsWith('./')) continue;
      const target = star === undefined ? leaf.target : leaf.target.split('*').join(star);
      const file = this.resolveFile(target);
      if (file !== undefined) {
        decided.add(condition);
        missingTypes.delete(condition);
        this.add(subpath, condition, file);
      } else if (star === undefined && isTypesCondition(leaf.conditions[leaf.conditions.length - 1] ?? '') && !missingTypes.has(condition)) {
        missingTypes.set(condition, target);
      }
    }
    for (const [condition, target] of missingTypes) this.missing.push(`exports["${subpath}"] condition "${condition}" names ${target}`);
  }

  /** Every TypeScript file of the package (relative paths), for pattern expansion. */
  private tsFiles(): string[] {
    if (this.files !== undefined) return this.files;
    const out: string[] = [];
    const walk = (rel: string): void => {
      if (out.length >= MAX_FILES) return;
      let names: import('node:fs').Dirent[];
      try {
        names = readdirSync(join(this.dir, rel), { withFileTypes: true });
      } catch {
        return;
      }
      for (const d of names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (d.name === 'node_modules' || d.name.startsWith('.')) continue;
        const r = rel === '' ? d.name : `${rel}/${d.name}`;
        if (d.isDirectory()) walk(r);
        else if (d.isFile() && TS_EXT.test(d.name) && out.length < MAX_FILES) out.push(r);
      }
    };
    walk('');
    this.files = out;
    return out;
  }

  readExports(map: JsonObject): void {
    const patterns = Object.keys(map).filter((k) => splitPattern(k) !== undefined);
    for (const [key, value] of Object.entries(map)) {
      if (key.includes('*')) continue;
      if (key === '.' || key.startsWith('./')) this.readSubpath(key, value, undefined);
    }
    for (const key of patterns) {
      const [kPre, kSuf] = splitPattern(key)!;
      const found: Leaf[] = [];
      leaves(map[key], [], this.ts, found);
      const stars = new Set<string>();
      for (const leaf of found) {
        const parts = leaf.target === null || !leaf.target.startsWith('./') ? undefined : splitPattern(leaf.target.slice(2));
        if (parts === undefined) continue;
        const [tPre, tSuf] = parts;
        for (const f of this.tsFiles()) {
          for (const n of namesFor(f)) {
            if (n.length <= tPre.length + tSuf.length || !n.startsWith(tPre) || !n.endsWith(tSuf)) continue;
            const s = n.slice(tPre.length, n.length - tSuf.length);
            if (!s.split('/').includes('..')) stars.add(s);
          }
        }
      }
      for (const s of [...stars].sort()) {
        const subpath = kPre + s + kSuf;
        // A subpath an exact key names, or a more specific pattern claims, is not this pattern's.
        if (Object.hasOwn(map, subpath)) continue;
        const winner = patterns.find((p) => {
          const [pp, ps] = splitPattern(p)!;
          return p !== key && subpath.length >= pp.length + ps.length && subpath.startsWith(pp) && subpath.endsWith(ps) && patternWins(p, key);
        });
        if (winner !== undefined) continue;
        this.readSubpath(subpath, map[key]!, s);
      }
    }
  }

  /** A legacy path, through the typesVersions table when one applies. */
  private resolveLegacy(rel: string, table: PathTable | undefined): string | undefined {
    const plain = rel.replace(/^\.\//, '');
    const subs = table === undefined ? undefined : mapThroughTable(table, plain);
    if (subs === undefined) return this.resolveFile(plain);
    for (const s of subs) {
      const f = this.resolveFile(s);
      if (f !== undefined) return f;
    }
    return undefined;
  }

  readLegacy(): void {
    const table = pickTypesVersions(this.pkg['typesVersions'], this.ts);
    let root: string | undefined;
    for (const field of ['types', 'typings']) {
      const v = this.pkg[field];
      if (typeof v !== 'string' || v === '') continue;
      const f = this.resolveLegacy(v, table);
      if (f === undefined) this.missing.push(`"${field}" names ${v}`);
      root ??= f;
    }
    const main = this.pkg['main'];
    if (root === undefined && typeof main === 'string' && main !== '') root = this.resolveLegacy(main, table);
    // node10 falls back to index when the fields name nothing it can use.
    if (root === undefined) root = this.resolveLegacy('index', table);
    if (root !== undefined) this.add('.', 'legacy', root);
    if (table === undefined) return;
    // Plain keys of the table are how packages give node10 consumers subpaths (`pkg/feature`).
    for (const key of Object.keys(table).sort()) {
      if (key.includes('*') || key === '.' || key === '' || key.startsWith('../') || /\.[cm]?[jt]sx?$/.test(key)) continue;
      const f = this.resolveLegacy(key, table);
      if (f !== undefined) this.add(`./${key.replace(/^\.\//, '')}`, 'legacy', f);
    }
  }
}

function compare(a: SurfaceEntry, b: SurfaceEntry): number {
  if (a.subpath !== b.subpath) return a.subpath < b.subpath ? -1 : 1;
  if (a.condition !== b.condition) return a.condition < b.condition ? -1 : 1;
  return 0;
}

export function publicSurface(dirArg: string): Surface {
  const { dir, pkg, name } = readPackage(dirArg);
  const reader = new SurfaceReader(dir, pkg, typescriptVersion());
  const map = exportsMap(pkg['exports']);
  if (map !== undefined) reader.readExports(map);
  reader.readLegacy();
  const looked = reader.tried.length > 0 ? reader.tried.slice(0, 24).join(', ') + (reader.tried.length > 24 ? ', …' : '') : 'nothing';
  const entries = [...reader.entries.values()].sort(compare);
  // A pointer to a missing file is an error when nothing else types the package; beside working entries
  // (a broken subpath, as published packages have) it is reported in `missing` and that entry is untyped.
  if (entries.length === 0 && reader.missing.length > 0) {
    throw new GopkgrError('INFVER_ENTRY_NOT_FOUND', `${name}: ${reader.missing.join('; ')}, which does not exist in ${dir} (looked at ${looked})`, {
      hint: 'point "types" (and each "types" condition) at a .d.ts or .ts file the package contains, or build the package first',
    });
  }
  if (entries.length === 0) {
    throw new GopkgrError('INFVER_NO_DECLARATIONS', `${name} has no TypeScript declarations: none of its entry points has a .d.ts or .ts file (looked at ${looked} in ${dir})`, {
      hint: 'set "types" (or a "types" condition in "exports") to the entry .d.ts or .ts file',
    });
  }
  const version = typeof pkg['version'] === 'string' ? pkg['version'] : undefined;
  return { name, ...(version !== undefined ? { version } : {}), dir, entries, missing: reader.missing.map((m) => `${m}, which does not exist`) };
}
