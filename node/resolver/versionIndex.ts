/**
 * The resolver's view of the registry: for each package name, its published
 * versions (oldest first) with what a solver needs. The node builds it from its
 * state (`stateIndex`); the CLI builds it from HTTP answers or a lockfile. A
 * version's `deps` are the ranges as amended by bounds edits on chain, so every
 * consumer of an index applies amended bounds without knowing about them.
 */
import semver from 'semver';
import { keys, type PackageState, type StateReader, type VersionState } from '../state.ts';

export interface IndexVersion {
  version: string;
  /** sha256 hex of the tarball */
  contentHash: string;
  /** `@ns/name` → semver range (bounds edits applied) */
  deps: Record<string, string>;
  deprecated: boolean;
  /** the lock tree recorded on chain when this version was published (`@ns/name@version` → hash) */
  lock?: Record<string, string>;
}

export interface VersionIndex {
  /** All versions of `name`, in any order, or undefined when no such package exists. */
  versions(name: string): readonly IndexVersion[] | undefined;
}

/** An index over a plain map (the CLI fills one from HTTP or a lockfile). */
export function mapIndex(map: ReadonlyMap<string, readonly IndexVersion[]>): VersionIndex {
  return { versions: (name) => map.get(name) };
}

/** An index over the node's registry state, read lazily and memoised per name. */
export function stateIndex(state: StateReader): VersionIndex {
  const memo = new Map<string, IndexVersion[] | undefined>();
  return {
    versions(name) {
      if (memo.has(name)) return memo.get(name);
      const id = state.get(keys.name(name)) as string | undefined;
      let out: IndexVersion[] | undefined;
      if (id !== undefined) {
        const pkg = state.get(keys.pkg(id)) as PackageState;
        out = pkg.versions.map((v) => {
          const s = state.get(keys.version(id, v)) as VersionState;
          return { version: s.version, contentHash: s.contentHash, deps: s.deps, deprecated: s.deprecated, lock: s.lock };
        });
      }
      memo.set(name, out);
      return out;
    },
  };
}

/** Split `@ns/name@1.2.3` into name and version (the last `@` that is not the first character). */
export function splitRef(ref: string): { name: string; version: string } {
  const at = ref.lastIndexOf('@');
  return { name: ref.slice(0, at), version: ref.slice(at + 1) };
}

const rangeCache = new Map<string, semver.Range | null>();

/** A parsed semver range (memoised: solvers test the same ranges many times). */
export function rangeOf(range: string): semver.Range | null {
  let r = rangeCache.get(range);
  if (r === undefined) {
    try {
      r = new semver.Range(range);
    } catch {
      r = null;
    }
    if (rangeCache.size > 10_000) rangeCache.clear();
    rangeCache.set(range, r);
  }
  return r;
}

export function satisfies(version: string, range: string): boolean {
  const r = rangeOf(range);
  return r !== null && r.test(version);
}
