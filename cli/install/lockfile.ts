/**
 * `gopkgr.lock`: the portable lockfile (DESIGN.md, "The client side").
 *
 *   {
 *     "lockfileVersion": 1,
 *     "added":    { "@ns/name": "range" },          // deps added with `gopkgr get SPEC`, no tag
 *     "packages": {
 *       "@ns/name": {
 *         "version": "1.2.3", "contentHash": "<sha256>", "deps": { ... },
 *         "chain": "<from a tag>",                    // optional
 *         "chainId": "<hex>",                         // optional: the chain it came from (gopkgr.json)
 *         "satisfying": {                             // every version that met all its ranges
 *           "1.2.0": { "contentHash": "...", "deps": { ... }, "deprecated": true? }, ...
 *         }
 *       }
 *     }
 *   }
 *
 * npm packages are under `"npm"`, by location, and optional ones skipped for
 * another platform under `"npmOtherPlatform"` (npmLock.ts). The overrides of
 * gopkgr.json that were applied are under `"overrides"` (name → the spec, as
 * written), and the local packages linked into node_modules under `"links"`
 * (name → the directory, relative to the project, `/`-separated); a linked
 * package has no entry in `packages` (it has no content hash: it is a live
 * directory). A git override's packed tarball is an ordinary entry of
 * `packages`, its sha256 the contentHash: the lock that a rebuild must match.
 * `satisfying` keeps each candidate's hash and deps, so a later change of ranges can
 * be solved again offline over exactly these versions. JSON with two-space indent,
 * every object's keys in a fixed order (fields as above, names and versions sorted
 * bytewise): the same resolution always gives the same bytes.
 */
import semver from 'semver';
import { GopkgrError, isRange, isVersion } from '../../ledger/index.ts';
import type { IndexVersion } from '../../resolver/index.ts';
import { readNpmLock, readNpmOtherPlatform, serializeNpmLock, type LockedNpm } from './npmLock.ts';
import { readJsonFile } from './readJsonFile.ts';
import { writeAtomic } from './writeAtomic.ts';

export const LOCKFILE_NAME = 'gopkgr.lock';
export const LOCKFILE_VERSION = 1;

export interface LockedCandidate {
  contentHash: string;
  deps: Record<string, string>;
  deprecated?: boolean;
}

export interface LockedPackage {
  version: string;
  contentHash: string;
  deps: Record<string, string>;
  chain?: string;
  /** the chain id of the registry it came from (recorded when a gopkgr.json routes names) */
  chainId?: string;
  satisfying: Record<string, LockedCandidate>;
}

export interface Lockfile {
  lockfileVersion: number;
  added: Record<string, string>;
  packages: Record<string, LockedPackage>;
  /** npm packages by location (npmLock.ts); absent when the project has none */
  npm?: Record<string, LockedNpm>;
  /** optional npm packages skipped for another platform, by name@version (npmLock.ts); absent when none */
  npmOtherPlatform?: Record<string, LockedNpm>;
  /** the overrides of gopkgr.json applied, name → spec (cli/project/overrides.ts); absent when none */
  overrides?: Record<string, string>;
  /** local packages linked into node_modules, name → directory relative to the project; absent when none */
  links?: Record<string, string>;
}

const HASH_RE = /^[0-9a-f]{64}$/;

function bad(file: string, message: string): never {
  throw new GopkgrError('LOCKFILE_INVALID', `${file}: ${message}`, { hint: `fix it, or delete it and run \`gopkgr get\` to write a new one` });
}

function ranges(value: unknown, file: string, where: string): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) bad(file, `${where} must be an object`);
  for (const [k, r] of Object.entries(value)) if (!isRange(r)) bad(file, `${where}["${k}"] is not a semver range`);
  return value as Record<string, string>;
}

/** Read and check a lockfile; undefined when there is none. */
export async function readLockfile(file: string): Promise<Lockfile | undefined> {
  const read = await readJsonFile(file, (reason) => bad(file, reason));
  if (read === undefined) return undefined;
  const o = read.raw as Partial<Lockfile> | null;
  if (o === null || typeof o !== 'object') bad(file, 'not a JSON object');
  if (o.lockfileVersion !== LOCKFILE_VERSION) bad(file, `lockfileVersion ${String(o.lockfileVersion)} is not ${LOCKFILE_VERSION}`);
  const added = ranges(o.added ?? {}, file, 'added');
  const packages: Record<string, LockedPackage> = {};
  for (const [name, p] of Object.entries(o.packages ?? {})) {
    if (!isVersion(p?.version) || !HASH_RE.test(String(p?.contentHash))) bad(file, `packages["${name}"] needs a version and a 64-hex contentHash`);
    const satisfying: Record<string, LockedCandidate> = {};
    for (const [v, c] of Object.entries(p.satisfying ?? {})) {
      if (!isVersion(v) || !HASH_RE.test(String(c?.contentHash))) bad(file, `packages["${name}"].satisfying["${v}"] is malformed`);
      satisfying[v] = { contentHash: c.contentHash, deps: ranges(c.deps ?? {}, file, `packages["${name}"].satisfying["${v}"].deps`), ...(c.deprecated === true ? { deprecated: true } : {}) };
    }
    packages[name] = { version: p.version, contentHash: p.contentHash, deps: ranges(p.deps ?? {}, file, `packages["${name}"].deps`), ...(typeof p.chain === 'string' ? { chain: p.chain } : {}), ...(typeof p.chainId === 'string' && HASH_RE.test(p.chainId) ? { chainId: p.chainId } : {}), satisfying };
  }
  const npm = (o as { npm?: unknown }).npm;
  const otherPlatform = (o as { npmOtherPlatform?: unknown }).npmOtherPlatform;
  const overrides = strings((o as { overrides?: unknown }).overrides, file, 'overrides');
  const links = strings((o as { links?: unknown }).links, file, 'links');
  return {
    lockfileVersion: LOCKFILE_VERSION, added, packages, ...(npm !== undefined ? { npm: readNpmLock(npm, file) } : {}),
    ...(otherPlatform !== undefined ? { npmOtherPlatform: readNpmOtherPlatform(otherPlatform, file) } : {}),
    ...(overrides !== undefined ? { overrides } : {}), ...(links !== undefined ? { links } : {}),
  };
}

function strings(value: unknown, file: string, where: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) bad(file, `${where} must be an object`);
  for (const [k, v] of Object.entries(value)) if (typeof v !== 'string') bad(file, `${where}["${k}"] must be a string`);
  return value as Record<string, string>;
}

const byBytes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function sorted<T>(o: Record<string, T>, cmp: (a: string, b: string) => number = byBytes): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(o).sort(cmp)) out[k] = o[k]!;
  return out;
}

/** The exact bytes of a lockfile: fixed field order, sorted names, versions in semver order. */
export function serializeLockfile(lock: Lockfile): string {
  const packages: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(sorted(lock.packages))) {
    const satisfying: Record<string, unknown> = {};
    for (const [v, c] of Object.entries(sorted(p.satisfying, semver.compare))) {
      satisfying[v] = { contentHash: c.contentHash, deps: sorted(c.deps), ...(c.deprecated === true ? { deprecated: true } : {}) };
    }
    packages[name] = { version: p.version, contentHash: p.contentHash, deps: sorted(p.deps), ...(p.chain !== undefined ? { chain: p.chain } : {}), ...(p.chainId !== undefined ? { chainId: p.chainId } : {}), satisfying };
  }
  const npm = lock.npm !== undefined && Object.keys(lock.npm).length > 0 ? { npm: serializeNpmLock(lock.npm) } : {};
  const otherPlatform = lock.npmOtherPlatform !== undefined && Object.keys(lock.npmOtherPlatform).length > 0 ? { npmOtherPlatform: serializeNpmLock(lock.npmOtherPlatform) } : {};
  const overrides = lock.overrides !== undefined && Object.keys(lock.overrides).length > 0 ? { overrides: sorted(lock.overrides) } : {};
  const links = lock.links !== undefined && Object.keys(lock.links).length > 0 ? { links: sorted(lock.links) } : {};
  return JSON.stringify({ lockfileVersion: LOCKFILE_VERSION, added: sorted(lock.added), packages, ...npm, ...otherPlatform, ...overrides, ...links }, null, 2) + '\n';
}

export async function writeLockfile(file: string, lock: Lockfile): Promise<void> {
  await writeAtomic(file, serializeLockfile(lock));
}

/** The versions a lockfile knows, as a resolver index (for solving offline). */
export function lockIndex(lock: Lockfile): Map<string, IndexVersion[]> {
  const out = new Map<string, IndexVersion[]>();
  for (const [name, p] of Object.entries(lock.packages)) {
    const versions = new Map<string, IndexVersion>();
    for (const [v, c] of Object.entries(p.satisfying)) versions.set(v, { version: v, contentHash: c.contentHash, deps: c.deps, deprecated: c.deprecated === true });
    if (!versions.has(p.version)) versions.set(p.version, { version: p.version, contentHash: p.contentHash, deps: p.deps, deprecated: false });
    out.set(name, [...versions.values()]);
  }
  return out;
}
