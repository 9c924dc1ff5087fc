/**
 * The resolver's view of the registry: for each package name, its published
 * versions (oldest first) with what a solver needs. The node builds it from its
 * state (`stateIndex`); the CLI builds it from HTTP answers or a lockfile. A
 * version's `deps` are the ranges as amended by bounds edits on chain, so every
 * consumer of an index applies amended bounds without knowing about them.
 */
import semver from 'semver';
import { keys, type PackageState, type StateReader, type VersionState } from '../ledger/state.ts';

export interface IndexVersion {
  version: string;
  /** sha256 hex of the tarball */
  contentHash: string;
  /** `@ns/name` → semver range (bounds edits applied) */
  deps: Record<string, string>;
  deprecated: boolean;
  /** the lock tree recorded on chain when this version was published (`@ns/name@version` → hash) */
  lock?: Record<string, string>;
  /** InfVer 2.0: a quorum of testers found that `prev`'s tests fail against this version (see `admits`) */
  breakingByInference?: InferredBreak;
  /** InfVer: a quorum of testers' checkers found the step from `prev` needs a bigger bump than the number took (see `admits`) */
  misversioned?: Misversion;
}

/** Why a version is misversioned: the step its number took, the one the testers' checkers found, and who found so. */
export interface Misversion {
  /** the version published right before */
  prev: string;
  /** the bump the version number took over `prev` */
  claimed: 'major' | 'minor' | 'patch';
  /** the bump the testers' checkers agree the API change needs */
  verdict: 'major' | 'minor' | 'patch';
  /** the agreeing testers (identities) */
  testers: string[];
}

/** Why a version is breaking by inference: whose tests fail against it, and who found so. */
export interface InferredBreak {
  /** the predecessor whose tests fail */
  prev: string;
  /** the agreeing testers (identities) */
  testers: string[];
  /** crater: the dependents (`@ns/name@version`) whose suites fail with it (ledger/dependentRun.ts) */
  dependents?: string[];
}

export interface VersionIndex {
  /** All versions of `name`, in any order, or undefined when no such package exists. */
  versions(name: string): readonly IndexVersion[] | undefined;
  /**
   * One version of `name`, or undefined when it is not published: what
   * `versions(name)` holds for it. An index that reads lazily (stateIndex)
   * answers without reading the package's other versions.
   */
  version?(name: string, version: string): IndexVersion | undefined;
}

/** `name@version` in `index`: through its own lookup of one version when it has one. */
export function indexVersion(index: VersionIndex, name: string, version: string): IndexVersion | undefined {
  return index.version !== undefined ? index.version(name, version) : index.versions(name)?.find((v) => v.version === version);
}

/** An index over a plain map (the CLI fills one from HTTP or a lockfile). */
export function mapIndex(map: ReadonlyMap<string, readonly IndexVersion[]>): VersionIndex {
  return { versions: (name) => map.get(name) };
}

/** An index over the node's registry state, read lazily and memoised per name. */
export function stateIndex(state: StateReader): VersionIndex {
  const memo = new Map<string, IndexVersion[] | undefined>();
  // A node's read may run over a partial state and go on past keys it has not loaded yet (node/state/stateStore.ts):
  // what is missing reads as absent, and that run's answer is thrown away. So an absence here is no crash.
  const entryOf = (id: string, v: string): IndexVersion | undefined => {
    const s = state.get(keys.version(id, v)) as VersionState | undefined;
    if (s === undefined) return undefined;
    const entry: IndexVersion = { version: s.version, contentHash: s.contentHash, deps: s.deps, deprecated: s.deprecated, lock: s.lock };
    if (s.breakingByInference !== undefined) {
      const b = s.breakingByInference;
      entry.breakingByInference = { prev: b.prev, testers: b.testers.map((t) => `id:${t}`), ...(b.dependents !== undefined ? { dependents: b.dependents } : {}) };
    }
    if (s.misversioned !== undefined) {
      const m = s.misversioned;
      entry.misversioned = { prev: m.prev, claimed: m.claimed, verdict: m.verdict, testers: m.testers.map((t) => `id:${t}`) };
    }
    return entry;
  };
  return {
    versions(name) {
      if (memo.has(name)) return memo.get(name);
      const id = state.get(keys.name(name)) as string | undefined;
      let out: IndexVersion[] | undefined;
      if (id !== undefined) {
        const pkg = state.get(keys.pkg(id)) as PackageState | undefined;
        out = pkg?.versions.flatMap((v) => entryOf(id, v) ?? []);
      }
      memo.set(name, out);
      return out;
    },
    // A lock entry names one version: reading the package's every version for it (the lock-tree rule) would
    // cost a state read per version ever published.
    version(name, version) {
      if (memo.has(name)) return memo.get(name)?.find((v) => v.version === version);
      const id = state.get(keys.name(name)) as string | undefined;
      if (id === undefined) return undefined;
      const pkg = state.get(keys.pkg(id)) as PackageState | undefined;
      return pkg?.versions.includes(version) === true ? entryOf(id, version) : undefined;
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

const minCache = new Map<string, string | null>();

/** The lowest version a range admits (semver.minVersion), memoised; null for an invalid or empty range. */
export function minVersionOf(range: string): string | null {
  let m = minCache.get(range);
  if (m === undefined) {
    const r = rangeOf(range);
    let min: semver.SemVer | null = null;
    try {
      min = r === null ? null : semver.minVersion(r);
    } catch {
      min = null;
    }
    m = min === null ? null : min.version;
    if (minCache.size > 10_000) minCache.clear();
    minCache.set(range, m);
  }
  return m;
}

/**
 * InfVer 2.0: whether `range` leaves out `v` although semver admits it. A version
 * that is breaking by inference (its predecessor's tests fail against it, by a
 * quorum of testers) is outside every range whose lowest version is below it —
 * `^1.0.0` and `~1.0.0` were written against 1.0.0's behaviour, which it broke.
 * It stays inside a range that starts at or above it (`^1.0.1`, `>=1.0.1`, and
 * the exact `1.0.1` / `=1.0.1`), and a hashlock pins it whatever its range.
 * A misversioned version (its number understates its API change, by a quorum of
 * testers' pinned checkers) is left out of the same ranges, for the same reason:
 * code written against an earlier version on its line may not compile against it.
 */
export function excludedByInference(range: string, v: IndexVersion): boolean {
  if ((v.breakingByInference === undefined && v.misversioned === undefined) || !satisfies(v.version, range)) return false;
  const min = minVersionOf(range);
  return min === null || semver.lt(min, v.version);
}

/** Whether `range` admits `v`: semver, minus versions that are breaking by inference for it. */
export function admits(range: string, v: IndexVersion): boolean {
  return satisfies(v.version, range) && !excludedByInference(range, v);
}

/**
 * "@a/b@1.3.0 is excluded from ^1.2.0: 2 testers found that 1.2.0's tests fail against it (breaking by inference)";
 * "@a/b@1.1.0 is excluded from ^1.0.0: published as a minor step over 1.0.0, but the checkers of 2 testers
 * (id:…, id:…) found a major change (misversioned)"; both reasons, joined, when both hold.
 */
export function inferenceText(name: string, v: IndexVersion, range: string): string {
  const reasons: string[] = [];
  const b = v.breakingByInference;
  if (b !== undefined) reasons.push(`${testersText(b.testers)} found that ${breakText(b)} (breaking by inference)`);
  const m = v.misversioned;
  if (m !== undefined) reasons.push(`published as a ${m.claimed} step over ${m.prev}, but the checkers of ${testersText(m.testers)} (${m.testers.join(', ')}) found a ${m.verdict} change (misversioned)`);
  return `${name}@${v.version} is excluded from ${range}: ${reasons.join('; ')}`;
}

/** What the testers found: the dependents' suites it breaks (crater) or its predecessor's tests failing. */
export function breakText(b: InferredBreak): string {
  return b.dependents !== undefined && b.dependents.length > 0 ? `it breaks the tests of ${b.dependents.join(', ')}` : `${b.prev}'s tests fail against it`;
}

function testersText(testers: readonly string[]): string {
  return `${testers.length} tester${testers.length === 1 ? '' : 's'}`;
}
