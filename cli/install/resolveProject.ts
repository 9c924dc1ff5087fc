/**
 * Resolving a project's (or a package's) requirements: first over the versions
 * its lockfile already knows (offline, no node needed; the locked versions are
 * preferred, so an unchanged project resolves to exactly its lock); when that
 * cannot satisfy the requirements, over the lockfile's candidates plus what the
 * node says of the packages the lockfile cannot answer for; and only when that
 * fails too, over the whole index fetched from the node. Locked versions are
 * preferred throughout, and dependencies' recorded lock trees reused (solve.ts).
 */
import { GopkgrError, isGopkgrError } from '../../ledger/index.ts';
import { admits, excludedByInference, inferenceText, mapIndex, requiredByOf, satisfies, solve, type IndexVersion, type Requirement, type SolveOptions, type Solution } from '../../resolver/index.ts';
import semver from 'semver';
import { NodeClient } from '../client.ts';
import type { PackageJson } from '../packages.ts';
import type { OverrideLayer } from '../project/overrideLayer.ts';
import { fetchIndex, nodeSource, type PackageSource } from './fetchIndex.ts';
import { fetchTree, namesOtherNodes } from './fetchTree.ts';
import { lockIndex, type LockedCandidate, type Lockfile } from './lockfile.ts';

export interface ProjectResolution {
  solution: Solution;
  index: Map<string, IndexVersion[]>;
  /** name → node URL the package's index came from (empty when solved from the lockfile) */
  sources: Map<string, string>;
  /** true when the lockfile alone was enough */
  fromLockfile: boolean;
  /** the nodes' answers for the packages asked about (none from the lockfile): notices read them without asking again */
  views?: ReadonlyMap<string, PackageJson>;
}

export interface ResolveProjectOptions {
  requirements: readonly Requirement[];
  lock?: Lockfile;
  /** the node (or a project file's router) to ask; undefined means offline */
  client?: NodeClient | PackageSource;
  chains?: Readonly<Record<string, string>>;
  rootName?: string;
  /** use the lockfile only for preferences and always ask the node (publish: the chain must accept the tree) */
  preferOnly?: boolean;
  /** gopkgr.json's overrides and the local packages (cli/project/overrideLayer.ts) */
  overrides?: OverrideLayer;
}

type Solver = (index: ReadonlyMap<string, readonly IndexVersion[]>, requirements: readonly Requirement[], opts: SolveOptions) => Solution;

export async function resolveProject(opts: ResolveProjectOptions): Promise<ProjectResolution> {
  const layer = opts.overrides;
  if (layer === undefined || layer.size === 0) return resolveWith(opts, (index, reqs, o) => solve(mapIndex(index), reqs, o));
  // Overridden: each name asked through the layer (local names of no registry), by waves (the node's
  // one-request tree knows nothing of overrides), and every solve over the rewritten index.
  const client = opts.client === undefined ? undefined : layer.wrap(opts.client instanceof NodeClient ? nodeSource(opts.client, opts.chains) : opts.client);
  const r = await resolveWith({ ...opts, requirements: layer.requirements(opts.requirements), client, fastLock: false }, (index, reqs, o) => layer.solve(index, reqs, o));
  return { ...r, index: layer.inject(r.index), sources: layer.registrySources(r.sources) };
}

async function resolveWith(opts: ResolveProjectOptions & { fastLock?: boolean }, solveOver: Solver): Promise<ProjectResolution> {
  const preferred: Record<string, string> = {};
  for (const [name, p] of Object.entries(opts.lock?.packages ?? {})) preferred[name] = p.version;
  const solveOpts = { preferred, rootName: opts.rootName };
  if (opts.lock !== undefined && opts.preferOnly !== true) {
    const index = lockIndex(opts.lock);
    try {
      const solution = (opts.fastLock === false ? undefined : solutionFromLock(index, opts.lock, opts.requirements)) ?? solveOver(index, opts.requirements, solveOpts);
      return { solution, index, sources: new Map(), fromLockfile: true };
    } catch (err) {
      if (!isGopkgrError(err, 'RESOLVE_CONFLICT') || opts.client === undefined) {
        if (isGopkgrError(err, 'RESOLVE_CONFLICT')) {
          throw new GopkgrError('RESOLVE_OFFLINE', `the lockfile's versions cannot satisfy the requirements:\n${err.message}`, { hint: 'run `gopkgr get` without --offline to ask the node' });
        }
        throw err;
      }
    }
  } else if (opts.client === undefined && opts.lock === undefined) {
    throw new GopkgrError('OFFLINE_NO_LOCKFILE', 'there is no gopkgr.lock to install from offline', { hint: 'run `gopkgr get` once with a node reachable' });
  }
  if (opts.lock !== undefined && opts.preferOnly !== true) {
    // Ask the node only for what the lockfile cannot answer: the packages no locked version
    // satisfies (and what their new versions need); the rest keep their locked candidates.
    const partial = await resolveWithLockfile(opts.lock, opts.requirements, opts.client!, opts.chains, solveOpts, solveOver);
    if (partial !== undefined) return partial;
  }
  // Without a lockfile and with one node to ask, one request brings the whole tree's index (fetchTree.ts);
  // a project file's router asks each name of its own registry, so it goes by waves.
  const tree = opts.lock === undefined && opts.client instanceof NodeClient && !namesOtherNodes(opts.chains, opts.client) ? await fetchTree(opts.requirements, opts.client) : undefined;
  if (tree !== undefined) {
    try {
      // The node's picks, checked against every range and hashlock in O(edges), are what the solver would
      // return over its answer (~0.3 s for 500 packages); only picks that do not hold are solved again.
      const fast = opts.fastLock === false ? undefined : solutionFromPicks(tree.packages, (name) => tree.resolved[name], opts.requirements);
      const solution = fast ?? solveOver(tree.packages, opts.requirements, { ...solveOpts, preferred: tree.resolved });
      return { solution, index: tree.packages, sources: tree.sources, fromLockfile: false, views: tree.views };
    } catch (err) {
      if (!isGopkgrError(err, 'RESOLVE_CONFLICT')) throw err;
    }
  }
  const fetched = await fetchIndex(opts.requirements.map((r) => r.name), opts.client!, opts.chains);
  return { solution: solveOver(fetched.packages, opts.requirements, solveOpts), index: fetched.packages, sources: fetched.sources, fromLockfile: false, views: fetched.views };
}

async function resolveWithLockfile(
  lock: Lockfile, requirements: readonly Requirement[], client: NodeClient | PackageSource, chains: Readonly<Record<string, string>> | undefined, solveOpts: SolveOptions, solveOver: Solver,
): Promise<ProjectResolution | undefined> {
  const locked = lockIndex(lock);
  const unmet = [...new Set(requirements.filter((r) => !(locked.get(r.name) ?? []).some((v) => (r.hash === undefined ? admits(r.range, v) : satisfies(v.version, r.range) && v.contentHash === r.hash))).map((r) => r.name))];
  if (unmet.length === 0) return undefined;
  const known = new Set([...locked.keys()].filter((n) => !unmet.includes(n)));
  const fetched = await fetchIndex(unmet, client, chains, known);
  const index = new Map([...locked].filter(([n]) => known.has(n)).concat([...fetched.packages]));
  try {
    return { solution: solveOver(index, requirements, solveOpts), index, sources: fetched.sources, fromLockfile: false, views: fetched.views };
  } catch (err) {
    // The locked candidates of the other packages do not fit the new versions: ask for everything.
    if (isGopkgrError(err, 'RESOLVE_CONFLICT')) return undefined;
    throw err;
  }
}

/**
 * The locked versions, when they already meet every requirement and every
 * dependency of each other: then they are what the solver would return (it
 * tries locked versions first, deprecated or not), at a tenth of its cost. Only
 * packages reachable from the requirements are selected, as the solver does.
 * Undefined when anything is missing or out of range: the solver decides then.
 */
export function solutionFromLock(index: ReadonlyMap<string, readonly IndexVersion[]>, lock: Lockfile, requirements: readonly Requirement[]): Solution | undefined {
  return solutionFromPicks(index, (name) => lock.packages[name]?.version, requirements);
}

/**
 * solutionFromLock for any preferred picks (`pick`: name → version): the node's
 * resolution of a tree answered by POST /v1/resolve, which the solver would
 * return as it is whenever it holds (it tries preferred versions first).
 */
export function solutionFromPicks(index: ReadonlyMap<string, readonly IndexVersion[]>, pick: (name: string) => string | undefined, requirements: readonly Requirement[]): Solution | undefined {
  const locked = (name: string): IndexVersion | undefined => {
    const version = pick(name);
    return version === undefined ? undefined : index.get(name)?.find((v) => v.version === version);
  };
  const meets = (v: IndexVersion, range: string, hash?: string): boolean => (hash === undefined ? admits(range, v) : satisfies(v.version, range) && v.contentHash === hash);
  const selected = new Map<string, IndexVersion>();
  const queue: IndexVersion[] = [];
  const select = (name: string, range: string, hash?: string): boolean => {
    const v = locked(name);
    if (v === undefined || !meets(v, range, hash)) return false;
    if (!selected.has(name)) {
      selected.set(name, v);
      queue.push(v);
    }
    return true;
  };
  for (const r of requirements) if (!select(r.name, r.range, r.hash)) return undefined;
  for (let v = queue.pop(); v !== undefined; v = queue.pop()) {
    for (const [dep, range] of Object.entries(v.deps)) if (!select(dep, range)) return undefined;
  }
  const sorted = new Map([...selected].sort(([a], [b]) => (a < b ? -1 : 1)));
  return { selected: sorted, requiredBy: requiredByOf(requirements, sorted) };
}

/** For each selected package, every version in `index` that meets all the ranges (and hashlocks) requiring it. */
export function satisfyingVersions(index: ReadonlyMap<string, readonly IndexVersion[]>, solution: Solution): Map<string, Record<string, LockedCandidate>> {
  const out = new Map<string, Record<string, LockedCandidate>>();
  for (const name of solution.selected.keys()) {
    const needs = solution.requiredBy.get(name) ?? [];
    const ok: Record<string, LockedCandidate> = {};
    for (const v of index.get(name) ?? []) {
      // A hashlock pins its version; a range admits by semver minus InfVer 2.0's exclusions (as the solver does).
      if (needs.every((n) => (n.hash === undefined ? admits(n.range, v) : satisfies(v.version, n.range) && n.hash === v.contentHash))) {
        ok[v.version] = { contentHash: v.contentHash, deps: v.deps, ...(v.deprecated ? { deprecated: true } : {}) };
      }
    }
    out.set(name, ok);
  }
  return out;
}

/** A version newer than the chosen one that semver allows under every range requiring it, left out by InfVer (breaking by inference or misversioned). */
export interface InferenceSkip {
  name: string;
  version: IndexVersion;
  /** the ranges that leave it out, with who requires each (`by`: a package, or a project file:line) */
  excludedFrom: Array<{ range: string; by: string }>;
}

/** For each selected package, the versions InfVer kept the solver from taking (see InferenceSkip). */
export function inferenceSkips(index: ReadonlyMap<string, readonly IndexVersion[]>, solution: Solution): InferenceSkip[] {
  const out: InferenceSkip[] = [];
  for (const [name, chosen] of solution.selected) {
    const needs = (solution.requiredBy.get(name) ?? []).filter((n) => n.hash === undefined);
    for (const v of index.get(name) ?? []) {
      if ((v.breakingByInference === undefined && v.misversioned === undefined) || !semver.gt(v.version, chosen.version)) continue;
      if (!needs.every((n) => satisfies(v.version, n.range))) continue;
      const excludedFrom = needs.filter((n) => excludedByInference(n.range, v)).map((n) => ({ range: n.range, by: n.by }));
      if (excludedFrom.length > 0) out.push({ name, version: v, excludedFrom });
    }
  }
  return out;
}

/**
 * InfVer notices: one sentence per version InfVer kept out and range that kept it
 * out, the reason the solver did not take it ("@a/b@1.0.1 is excluded from
 * ^1.0.0: 2 testers found that 1.0.0's tests fail against it (breaking by
 * inference)"; "@a/b@1.1.0 is excluded from ^1.0.0: published as a minor step
 * over 1.0.0, but the checkers of 2 testers (id:…, id:…) found a major change
 * (misversioned)").
 */
export function inferenceNotices(index: ReadonlyMap<string, readonly IndexVersion[]>, solution: Solution): string[] {
  const out: string[] = [];
  for (const skip of inferenceSkips(index, solution)) {
    for (const n of skip.excludedFrom) out.push(`${inferenceText(skip.name, skip.version, n.range)}${n.by === '' ? '' : `, which ${n.by.startsWith('@') ? n.by : `your project (${n.by})`} requires`}`);
  }
  return [...new Set(out)];
}
