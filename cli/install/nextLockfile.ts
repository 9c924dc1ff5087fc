/**
 * The lockfile a resolution gives (`get`, `update`, `remove` share it): each
 * selected version with its chain, chain id and every version meeting its
 * ranges. Pure, apart from the install that writes it (installSolution.ts).
 */
import type { IndexVersion, Solution } from '../../resolver/index.ts';
import type { RegistryRouter } from '../project/registryRouter.ts';
import { LOCKFILE_VERSION, type Lockfile } from './lockfile.ts';
import { npmLockOf, npmOtherPlatformOf } from './npmLock.ts';
import type { NpmTree } from './npmTree.ts';
import { satisfyingVersions } from './resolveProject.ts';

export interface LockfileInputs {
  solution: Solution;
  index: ReadonlyMap<string, readonly IndexVersion[]>;
  /** name → URL of the node its index came from */
  sources: ReadonlyMap<string, string>;
  chains: Readonly<Record<string, string>>;
  router: RegistryRouter | undefined;
  /** the lockfile before this run (chain ids of entries resolved from it) */
  lock: Lockfile | undefined;
  added: Record<string, string>;
  npmTree: NpmTree;
  /** the nodes' package answers (each names the chain it is of: a private node answers public names from its replica) */
  views?: ReadonlyMap<string, object>;
}

/**
 * Chain ids of the selected packages from the nodes' answers, when they span more than one chain (a private
 * package depending on public ones, through one private node): a tree of one chain records none, as before.
 */
function mixedChainIds(i: LockfileInputs): Map<string, string> {
  const ids = new Map<string, string>();
  for (const name of i.solution.selected.keys()) {
    const id = (i.views?.get(name) as { chainId?: unknown } | undefined)?.chainId;
    if (typeof id === 'string' && /^[0-9a-f]{64}$/.test(id)) ids.set(name, id);
  }
  return new Set(ids.values()).size > 1 ? ids : new Map();
}

/** The lockfile a resolution gives: each selected version with its chain, chain id and every version meeting its ranges. */
export function nextLockfile(i: LockfileInputs): Lockfile {
  const satisfying = satisfyingVersions(i.index, i.solution);
  const next: Lockfile = { lockfileVersion: LOCKFILE_VERSION, added: i.added, packages: {}, npm: npmLockOf(i.npmTree), npmOtherPlatform: npmOtherPlatformOf(i.npmTree) };
  const mixed = mixedChainIds(i);
  for (const [name, v] of i.solution.selected) {
    const chain = i.chains[name];
    const source = i.sources.get(name);
    const chainId = i.router === undefined
      ? mixed.get(name) ?? (mixed.size > 0 || source === undefined ? i.lock?.packages[name]?.chainId : undefined)
      : source !== undefined ? i.router.registries.find((r) => r.node === source)?.chainId : i.lock?.packages[name]?.chainId;
    next.packages[name] = { version: v.version, contentHash: v.contentHash, deps: v.deps, ...(chain !== undefined ? { chain } : {}), ...(chainId !== undefined ? { chainId } : {}), satisfying: satisfying.get(name) ?? {} };
  }
  return next;
}
