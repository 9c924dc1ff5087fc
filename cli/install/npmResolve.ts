/**
 * Resolving a project's npm packages (npmTree.ts lays them out): from the
 * lockfile alone when its releases still meet every range (no node asked, so
 * `get --offline` works), else from the `npm:` records on the node, preferring
 * the locked versions. The node's answers are checked before use: a record
 * with a malformed hash, integrity or version is refused, not installed.
 *
 * A range no release on chain meets is an NPM_NOT_IMPORTED error that prints
 * the exact `gopkgr import` command that brings it in (`get --import` runs it).
 */
import { GopkgrError, isNpmVersion, isPlatformList, PLATFORM_FIELDS, type Machine } from '../../ledger/index.ts';
import type { NodeClient } from '../client.ts';
import { thisMachine } from '../npm/machine.ts';
import { mapLimit } from './fetchIndex.ts';
import { LOCKFILE_NAME } from './lockfile.ts';
import type { LockedNpm } from './npmLock.ts';
import { buildNpmTree, parseNpmDepSpec, type NpmMissing, type NpmRelease, type NpmRootRange, type NpmTree } from './npmTree.ts';

export interface NpmResolution {
  tree: NpmTree;
  /** true when the lockfile alone was enough */
  fromLockfile: boolean;
}

/** Parallel package requests per wave (as fetchIndex). */
const CONCURRENCY = 16;

const isSpecs = (v: unknown): v is Record<string, string> => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((s) => typeof s === 'string');

/** One release as the node serves it, checked (the node is not trusted to send well-formed data). */
function releaseOf(name: string, v: Record<string, unknown>, url: string): NpmRelease {
  const ok = v.name === `npm:${name}` && isNpmVersion(v.version) && typeof v.contentHash === 'string' && /^[0-9a-f]{64}$/.test(v.contentHash)
    && typeof v.integrity === 'string' && /^sha512-[A-Za-z0-9+/]{86}==$/.test(v.integrity) && isSpecs(v.deps ?? {})
    && (v.optionalDeps === undefined || isSpecs(v.optionalDeps)) && (v.peerDeps === undefined || isSpecs(v.peerDeps))
    && PLATFORM_FIELDS.every((f) => v[f] === undefined || isPlatformList(v[f]));
  if (!ok) throw new GopkgrError('NODE_BAD_ANSWER', `${url} answered /v1/packages/npm:${name} with a malformed release`);
  return {
    name, version: v.version as string, integrity: v.integrity as string, contentHash: v.contentHash as string, deps: (v.deps ?? {}) as Record<string, string>,
    ...(v.optionalDeps !== undefined ? { optionalDeps: v.optionalDeps as Record<string, string> } : {}),
    ...(v.peerDeps !== undefined ? { peerDeps: v.peerDeps as Record<string, string> } : {}),
    ...(v.installScripts === true ? { installScripts: true } : {}),
    ...Object.fromEntries(PLATFORM_FIELDS.filter((f) => v[f] !== undefined).map((f) => [f, v[f] as string[]])),
  };
}

/** The `npm:` records of exactly `names` (a name the chain does not hold is absent). */
export async function fetchNpmReleases(names: readonly string[], client: NodeClient): Promise<Map<string, NpmRelease[]>> {
  const answers = await mapLimit(names, CONCURRENCY, (name) => client.getOptional<{ versions?: unknown }>(`/v1/packages/npm:${name}`));
  const out = new Map<string, NpmRelease[]>();
  names.forEach((name, i) => {
    const answer = answers[i];
    if (answer === undefined) return;
    if (!Array.isArray(answer.versions)) throw new GopkgrError('NODE_BAD_ANSWER', `${client.url} answered /v1/packages/npm:${name} without a versions list`);
    out.set(name, (answer.versions as Array<Record<string, unknown>>).map((v) => releaseOf(name, v, client.url)));
  });
  return out;
}

/** The `npm:` records of `roots` and of every name any of their releases depends on, a wave at a time. */
export async function fetchNpmIndex(roots: Iterable<string>, client: NodeClient): Promise<Map<string, NpmRelease[]>> {
  const index = new Map<string, NpmRelease[]>();
  const seen = new Set<string>();
  let wave = [...new Set(roots)].sort();
  while (wave.length > 0) {
    for (const n of wave) seen.add(n);
    const found = await fetchNpmReleases(wave, client);
    const next = new Set<string>();
    for (const [name, releases] of found) {
      index.set(name, releases);
      for (const r of releases) {
        for (const [dep, spec] of [...Object.entries(r.deps), ...Object.entries(r.optionalDeps ?? {}), ...Object.entries(r.peerDeps ?? {})]) {
          const target = parseNpmDepSpec(dep, spec);
          const depName = 'name' in target ? target.name : dep;
          if (!seen.has(depName)) next.add(depName);
        }
      }
    }
    wave = [...next].sort();
  }
  return index;
}

/** The lock's releases as an index (name → the versions it holds), those kept for other platforms included. */
function lockIndex(lock: Readonly<Record<string, LockedNpm>>, otherPlatform: Readonly<Record<string, LockedNpm>>): Map<string, NpmRelease[]> {
  const out = new Map<string, NpmRelease[]>();
  for (const e of [...Object.values(lock), ...Object.values(otherPlatform)]) {
    const list = out.get(e.name) ?? [];
    if (!list.some((r) => r.version === e.version)) list.push(e);
    out.set(e.name, list);
  }
  return out;
}

/**
 * `lock` and `otherPlatform`: the lockfile's `npm` and `npmOtherPlatform` sections;
 * `machine`: where the packages will run (this one unless a test says otherwise).
 */
export async function resolveNpm(opts: { roots: readonly NpmRootRange[]; lock?: Readonly<Record<string, LockedNpm>>; otherPlatform?: Readonly<Record<string, LockedNpm>>; client?: NodeClient; machine?: Machine }): Promise<NpmResolution> {
  const lock = opts.lock ?? {};
  const locked = lockIndex(lock, opts.otherPlatform ?? {});
  const preferred = new Map([...locked].map(([name, rs]) => [name, new Set(rs.map((r) => r.version))]));
  const machine = opts.machine ?? thisMachine();
  if (opts.roots.length === 0) return { tree: buildNpmTree([], new Map()), fromLockfile: true };
  // An optional package the lock lacks (left out where it was written: not on chain then) stays out; one it kept for another platform is placed where this machine allows it.
  const fromLock = buildNpmTree(opts.roots, locked, { preferred, machine, source: `in ${LOCKFILE_NAME}` });
  if (fromLock.missing.length === 0 && Object.keys(lock).length > 0) return { tree: fromLock, fromLockfile: true };
  if (opts.client === undefined) {
    if (Object.keys(lock).length === 0) throw new GopkgrError('OFFLINE_NO_LOCKFILE', 'gopkgr.lock holds no npm packages to install from offline', { hint: 'run `gopkgr get` once with a node reachable' });
    throw new GopkgrError('RESOLVE_OFFLINE', `the lockfile's npm packages cannot satisfy the requirements: ${fromLock.missing.map((m) => `${m.name}@${m.range} (${m.by})`).join(', ')}`, { hint: 'run `gopkgr get` without --offline to ask the node' });
  }
  const index = await fetchNpmIndex([...opts.roots.map((r) => r.name), ...locked.keys()], opts.client);
  return { tree: buildNpmTree(opts.roots, index, { preferred, machine }), fromLockfile: false };
}

/** A shell word: quoted when it holds anything a shell would read (`>`, `<`, `|`, spaces). */
const shellWord = (w: string): string => (/^[A-Za-z0-9@/:^~.*_+=-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`);

/** The `gopkgr import` arguments that bring the missing ranges onto the chain, each once. */
export function importSpecsFor(missing: readonly NpmMissing[]): string[] {
  return [...new Set(missing.map((m) => `npm:${m.name}@${m.range}`))];
}

export function notImportedError(missing: readonly NpmMissing[]): GopkgrError {
  const command = `gopkgr import ${importSpecsFor(missing).map(shellWord).join(' ')}`;
  const what = missing.map((m) => `npm:${m.name}@${m.range} (${m.by}): ${m.reason}`).join('; ');
  return new GopkgrError('NPM_NOT_IMPORTED', `not on chain yet: ${what}. Run: ${command}`, { hint: `run \`${command}\` (or \`gopkgr get --import\`), then \`gopkgr get\` again` });
}
