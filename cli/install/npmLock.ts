/**
 * The `npm` part of `gopkgr.lock`: every npm package installed, by its
 * location, hash-locked twice (the registry's sha512 integrity and the sha256
 * content hash the chain records), with the dependency specs its release
 * records, so an install can be laid out again offline from the lock alone:
 *
 *   "npm": {
 *     "node_modules/chalk": { "name": "chalk", "version": "4.1.2", "integrity": "sha512-…",
 *                             "contentHash": "<sha256>", "deps": { … }, "optionalDeps"?: { … },
 *                             "peerDeps"?: { … }, "installScripts"?: true,
 *                             "os"?: [ … ], "cpu"?: [ … ], "libc"?: [ … ] },
 *     "node_modules/chalk/node_modules/supports-color": { … }
 *   }
 *
 * The platform fields are kept as the release records them, so `get --offline`
 * skips the same optional dependencies the node's records would (a lock
 * without them, written before they existed, still reads).
 *
 * An optional dependency skipped because its release is for another platform
 * is kept too, by `name@version`, in `"npmOtherPlatform"` (entries of the same
 * shape, never installed here): a lock written on linux then installs fsevents
 * on macOS, offline or not, as npm's package-lock does. Its place is decided
 * on the machine that installs it.
 *
 * Locations sorted bytewise, fields in the order above: the same tree always
 * gives the same bytes. A location must be `node_modules/<name>` repeated, with
 * no `.`/`..` segment, so a lock edited by hand cannot point outside the project.
 */
import { GopkgrError, isNpmName, isNpmVersion, isPlatformList, PLATFORM_FIELDS } from '../../ledger/index.ts';
import type { NpmRelease, NpmTree } from './npmTree.ts';

export type LockedNpm = NpmRelease;

const HASH_RE = /^[0-9a-f]{64}$/;
const INTEGRITY_RE = /^sha512-[A-Za-z0-9+/]{86}==$/;

function bad(file: string, message: string): never {
  throw new GopkgrError('LOCKFILE_INVALID', `${file}: ${message}`, { hint: 'fix it, or delete it and run `gopkgr get` to write a new one' });
}

/** `node_modules/a/node_modules/@s/b` → the folder names, or undefined for any other shape. */
export function npmLocationNames(location: string): string[] | undefined {
  const parts = location.split('/');
  const names: string[] = [];
  let i = 0;
  while (i < parts.length) {
    if (parts[i] !== 'node_modules') return undefined;
    const scoped = parts[i + 1]?.startsWith('@') === true;
    const name = parts.slice(i + 1, i + (scoped ? 3 : 2)).join('/');
    if (!isNpmName(name)) return undefined;
    names.push(name);
    i += scoped ? 3 : 2;
  }
  return names.length > 0 ? names : undefined;
}

function specs(value: unknown, file: string, where: string): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) bad(file, `${where} must be an object`);
  for (const [k, v] of Object.entries(value)) if (typeof v !== 'string') bad(file, `${where}["${k}"] must be a string`);
  return value as Record<string, string>;
}

export function readNpmLock(value: unknown, file: string): Record<string, LockedNpm> {
  return readEntries(value, file, 'npm', (location) => (npmLocationNames(location) === undefined ? 'is not a node_modules/<name> location' : undefined));
}

/** The `npmOtherPlatform` section (see the header): keyed by `name@version`, each naming its release. */
export function readNpmOtherPlatform(value: unknown, file: string): Record<string, LockedNpm> {
  const out = readEntries(value, file, 'npmOtherPlatform', () => undefined);
  for (const [key, e] of Object.entries(out)) {
    if (key !== `${e.name}@${e.version}`) bad(file, `npmOtherPlatform["${key}"] must be keyed by its name@version (${e.name}@${e.version})`);
  }
  return out;
}

function readEntries(value: unknown, file: string, section: string, badKey: (key: string) => string | undefined): Record<string, LockedNpm> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) bad(file, `"${section}" must be an object`);
  const out: Record<string, LockedNpm> = {};
  for (const [location, raw] of Object.entries(value as Record<string, unknown>)) {
    const where = `${section}["${location}"]`;
    const keyProblem = badKey(location);
    if (keyProblem !== undefined) bad(file, `${where} ${keyProblem}`);
    const e = raw as Partial<LockedNpm> | null;
    if (e === null || typeof e !== 'object' || !isNpmName(e.name) || !isNpmVersion(e.version) || !INTEGRITY_RE.test(String(e.integrity)) || !HASH_RE.test(String(e.contentHash))) {
      bad(file, `${where} needs a name, a version, a sha512 integrity and a 64-hex contentHash`);
    }
    out[location] = {
      name: e.name, version: e.version, integrity: e.integrity!, contentHash: e.contentHash!, deps: specs(e.deps ?? {}, file, `${where}.deps`),
      ...(e.optionalDeps !== undefined ? { optionalDeps: specs(e.optionalDeps, file, `${where}.optionalDeps`) } : {}),
      ...(e.peerDeps !== undefined ? { peerDeps: specs(e.peerDeps, file, `${where}.peerDeps`) } : {}),
      ...(e.installScripts === true ? { installScripts: true } : {}),
    };
    for (const field of PLATFORM_FIELDS) {
      const list = e[field];
      if (list === undefined) continue;
      if (!isPlatformList(list)) bad(file, `${where}.${field} must be a list of short platform names ("darwin", "!win32", "x64", "glibc")`);
      out[location]![field] = [...list];
    }
  }
  return out;
}

const byBytes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const sorted = (o: Record<string, string>): Record<string, string> => Object.fromEntries(Object.keys(o).sort(byBytes).map((k) => [k, o[k]!]));

/** The lock's `npm` (or `npmOtherPlatform`) object in its fixed order (see the header). */
export function serializeNpmLock(npm: Readonly<Record<string, LockedNpm>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const location of Object.keys(npm).sort(byBytes)) {
    const e = npm[location]!;
    out[location] = {
      name: e.name, version: e.version, integrity: e.integrity, contentHash: e.contentHash, deps: sorted(e.deps),
      ...(e.optionalDeps !== undefined ? { optionalDeps: sorted(e.optionalDeps) } : {}),
      ...(e.peerDeps !== undefined ? { peerDeps: sorted(e.peerDeps) } : {}),
      ...(e.installScripts === true ? { installScripts: true } : {}),
      ...Object.fromEntries(PLATFORM_FIELDS.filter((f) => e[f] !== undefined).map((f) => [f, e[f]])),
    };
  }
  return out;
}

/** The lock's `npm` object for a tree. */
export function npmLockOf(tree: NpmTree): Record<string, LockedNpm> {
  const out: Record<string, LockedNpm> = {};
  for (const [location, node] of tree.nodes) out[location] = node.release;
  return out;
}

/** The lock's `npmOtherPlatform` object for a tree. */
export function npmOtherPlatformOf(tree: NpmTree): Record<string, LockedNpm> {
  return Object.fromEntries(tree.otherPlatform.map((r) => [`${r.name}@${r.version}`, r]));
}
