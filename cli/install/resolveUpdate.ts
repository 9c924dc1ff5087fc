/**
 * `gopkgr update [NAME...]`: the app-wide upgrade. Every package (or the named
 * ones) goes to the newest version that satisfies every range on it, one
 * version per package, as the solver allows. `get` cannot do this: it prefers
 * the locked versions, and then the versions a chosen package's recorded lock
 * tree names (solve.ts), so `rm gopkgr.lock && gopkgr get` keeps a hub
 * package at the version its dependents were published with, and a new patch
 * of it is never taken. Here both preferences are dropped for the names being
 * updated: their locked versions are not preferred, and the entries naming them
 * are taken out of every version's recorded lock tree before solving. The
 * other packages keep their locked versions when those still fit.
 *
 * The index is asked of the registries afresh (every name the tree can
 * reach), not read from the lockfile, whose candidates are only the versions
 * known when it was written: with one node to ask, in one POST /v1/resolve and
 * GET requests for the names its answer leaves out (fetchTreeIndex), else by
 * fetchIndex's waves (~370 ms on bench/install's 500 packages).
 */
import semver from 'semver';
import { isGopkgrError } from '../../ledger/index.ts';
import { mapIndex, solve, splitRef, type IndexVersion, type Requirement, type Solution, type SolveOptions } from '../../resolver/index.ts';
import type { OverrideLayer } from '../project/overrideLayer.ts';
import type { NodeClient } from '../client.ts';
import { fetchIndex, type PackageSource } from './fetchIndex.ts';
import { fetchTreeIndex } from './fetchTree.ts';
import type { Lockfile } from './lockfile.ts';
import { solutionFromPicks, type ProjectResolution } from './resolveProject.ts';
import { phase } from '../timing.ts';

export interface UpdateOptions {
  requirements: readonly Requirement[];
  lock: Lockfile | undefined;
  source: PackageSource;
  /** the one node `source` asks of every name (no project file, no chain tag naming another node): its whole tree in one request */
  tree?: NodeClient;
  /** the names to update; undefined: every package */
  names?: ReadonlySet<string>;
  rootName?: string;
  /** gopkgr.json's overrides and the local packages (cli/project/overrideLayer.ts) */
  overrides?: OverrideLayer;
}

/** `index` with the recorded lock entries of `names` taken out (all of them when `names` is undefined). */
export function forgetRecordedLocks(index: ReadonlyMap<string, readonly IndexVersion[]>, names?: ReadonlySet<string>): Map<string, IndexVersion[]> {
  const out = new Map<string, IndexVersion[]>();
  for (const [name, versions] of index) {
    out.set(name, versions.map((v) => {
      if (v.lock === undefined) return v;
      if (names === undefined) return { ...v, lock: {} };
      // Most recorded trees name none of the updated packages: kept as they are, not copied (550 versions' trees on bench/install).
      const refs = Object.keys(v.lock);
      const named = refs.map((ref) => names.has(splitRef(ref).name));
      if (!named.includes(true)) return v;
      const lock: Record<string, string> = {};
      refs.forEach((ref, i) => {
        if (!named[i]) lock[ref] = v.lock![ref]!;
      });
      return { ...v, lock };
    }));
  }
  return out;
}

/** The locked versions of every package but `names` (none when every package is updated). */
export function keptVersions(lock: Lockfile | undefined, names?: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  if (names === undefined) return out;
  for (const [name, p] of Object.entries(lock?.packages ?? {})) if (!names.has(name)) out[name] = p.version;
  return out;
}

/**
 * The locked versions of the updated names that are deprecated. The solver never
 * chooses a deprecated version unless it is preferred or pinned, so when the
 * installed one is deprecated and nothing newer fits, updating without it would
 * fail where `get` keeps it: the second try allows (prefers) them, and the
 * command warns about each one that stays.
 */
export function deprecatedLocks(lock: Lockfile | undefined, index: ReadonlyMap<string, readonly IndexVersion[]>, names?: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, p] of Object.entries(lock?.packages ?? {})) {
    if (names !== undefined && !names.has(name)) continue;
    if (index.get(name)?.find((v) => v.version === p.version)?.deprecated === true) out[name] = p.version;
  }
  return out;
}

/**
 * The solver's answer to `update NAME...` without running it (~0.2–0.3 s on
 * bench/install's 500 packages), in the case that decides it: every other
 * package at its locked version and each named one at its newest version that
 * is not deprecated, when that selection meets every range and hashlock in it
 * (solutionFromPicks) and holds no package the lockfile does not know (it has
 * no pick for one).
 *
 * Why it is the solver's answer (solve.ts, with update's options): the
 * selection is a solution, so it satisfies every fact PubGrub derives; every
 * term the solver holds then admits the selection's version of each package,
 * no decision ever conflicts, and each decision picks the selection's version:
 * a kept package its preferred (locked) version, a named one — neither
 * preferred nor named by a recorded lock tree (forgetRecordedLocks) — the
 * newest version its term allows, which cannot be newer than the newest
 * allowed version of all (deprecated ones are allowed only when pinned by an
 * exact or hash requirement, which the selection would then fail). A package
 * outside the lockfile would be chosen by the recorded-lock preferences, which
 * depend on decision order: the solver decides those. Undefined whenever the
 * case does not hold; test/cli/updatePlan.test.ts compares it with the solver
 * over random indexes.
 */
export function namedUpdatePicks(index: ReadonlyMap<string, readonly IndexVersion[]>, requirements: readonly Requirement[], lock: Lockfile | undefined, names: ReadonlySet<string> | undefined): Solution | undefined {
  if (names === undefined || lock === undefined) return undefined;
  const newest = new Map<string, string>();
  for (const name of names) {
    let best: string | undefined;
    for (const v of index.get(name) ?? []) if (!v.deprecated && (best === undefined || semver.gt(v.version, best))) best = v.version;
    if (best === undefined) return undefined;
    newest.set(name, best);
  }
  // A package with neither a locked version nor a name here has no pick: solutionFromPicks gives no answer then.
  return solutionFromPicks(index, (name) => newest.get(name) ?? lock.packages[name]?.version, requirements);
}

export async function resolveUpdate(o: UpdateOptions): Promise<ProjectResolution> {
  // Overridden: each name asked through the layer (local names of no registry), every solve over the rewritten index.
  const layer = o.overrides !== undefined && o.overrides.size > 0 ? o.overrides : undefined;
  const requirements = layer === undefined ? o.requirements : layer.requirements(o.requirements);
  const solveOver = (index: ReadonlyMap<string, readonly IndexVersion[]>, opts: SolveOptions): Solution =>
    layer === undefined ? solve(mapIndex(index), requirements, opts) : layer.solve(index, o.requirements, opts);
  // Overridden names are asked through the layer, which the node's one-request tree knows nothing of: by waves then.
  const whole = layer === undefined && o.tree !== undefined ? await fetchTreeIndex(requirements, o.tree, o.source) : undefined;
  const fetched = whole ?? await fetchIndex(requirements.map((r) => r.name), layer === undefined ? o.source : layer.wrap(o.source));
  phase(`update: index of ${fetched.packages.size} packages fetched`);
  const index = forgetRecordedLocks(fetched.packages, o.names);
  const kept = keptVersions(o.lock, o.names);
  let solution = layer === undefined ? namedUpdatePicks(index, requirements, o.lock, o.names) : undefined;
  try {
    solution ??= solveOver(index, { preferred: kept, rootName: o.rootName });
  } catch (err) {
    const stuck = deprecatedLocks(o.lock, index, o.names);
    if (!isGopkgrError(err, 'RESOLVE_CONFLICT') || Object.keys(stuck).length === 0) throw err;
    solution = solveOver(index, { preferred: { ...kept, ...stuck }, rootName: o.rootName });
  }
  phase('update: solved');
  return layer === undefined
    ? { solution, index, sources: fetched.sources, fromLockfile: false, views: fetched.views }
    : { solution, index: layer.inject(index), sources: layer.registrySources(fetched.sources), fromLockfile: false, views: fetched.views };
}
