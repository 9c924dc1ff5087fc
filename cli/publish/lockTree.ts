/**
 * The dependency tree a publish records: deps from the package's own comment
 * tags, lock = the closed resolution against the chain (preferring the versions
 * in the package's gopkgr.lock, which are what the author built and tested with),
 * checked locally with the same rules the nodes apply.
 */
import { join } from 'node:path';
import { GopkgrError } from '../../ledger/index.ts';
import { checkLockTree, mapIndex } from '../../resolver/index.ts';
import type { NodeClient } from '../client.ts';
import type { PackageSource } from '../install/fetchIndex.ts';
import { LOCKFILE_NAME, readLockfile } from '../install/lockfile.ts';
import { resolveProject } from '../install/resolveProject.ts';
import { collectRequirements, depsOf, scanSources } from '../tags/index.ts';

export interface LockTree {
  /** '@ns/name' → range, from the comment tags */
  deps: Record<string, string>;
  /** '@ns/name@version' → content hash (hex) */
  lock: Record<string, string>;
}

/** `source`: where deps are asked (a gopkgr.json's router); default: `client`. */
export async function lockTree(dir: string, fullName: string, version: string, client: NodeClient, source?: PackageSource): Promise<LockTree> {
  const { requirements, chains } = collectRequirements(await scanSources(dir));
  if (requirements.length === 0) return { deps: {}, lock: {} };
  const local = await readLockfile(join(dir, LOCKFILE_NAME));
  const { solution, index } = await resolveProject({ requirements, lock: local, client: source ?? client, chains, rootName: fullName, preferOnly: true });
  if (solution.selected.has(fullName)) {
    throw new GopkgrError('PUBLISH_SELF_DEPENDENCY', `${fullName} depends on itself through ${[...solution.selected.keys()].filter((n) => n !== fullName).join(', ')}`, { hint: 'break the cycle before publishing' });
  }
  const deps = depsOf(requirements);
  const lock: Record<string, string> = {};
  for (const [name, v] of solution.selected) lock[`${name}@${v.version}`] = v.contentHash;
  checkLockTree(mapIndex(index), { name: fullName, version, deps }, lock);
  return { deps, lock };
}
