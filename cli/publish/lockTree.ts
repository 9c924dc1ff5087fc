/**
 * The dependency tree a publish records: deps from the package's own comment
 * tags, lock = the closed resolution against the chain (preferring the versions
 * in the package's gopkgr.lock, which are what the author built and tested with),
 * checked locally with the same rules the nodes apply. Resolved before the
 * package is compiled (installDependencies.ts lays the lock out for the
 * compiler), checked once InfVer has decided the version. gopkgr.json's range
 * and hash overrides apply as on get (project/publishOverrides.ts).
 */
import { join } from 'node:path';
import { GopkgrError, isGopkgrError } from '../../ledger/index.ts';
import { checkLockTree, mapIndex, type IndexVersion } from '../../resolver/index.ts';
import type { NodeClient } from '../client.ts';
import type { PackageSource } from '../install/fetchIndex.ts';
import { LOCKFILE_NAME, readLockfile } from '../install/lockfile.ts';
import { resolveProject } from '../install/resolveProject.ts';
import { dropChangedOverrides } from '../project/dropChangedOverrides.ts';
import { findProjectFile } from '../project/projectFile.ts';
import { overriddenNames, publishOverrides, refuseLocalOverrides } from '../project/publishOverrides.ts';
import { collectRequirements, depsOf, scanSources } from '../tags/index.ts';

export interface LockTree {
  /** '@ns/name' → range, from the comment tags */
  deps: Record<string, string>;
  /** '@ns/name@version' → content hash (hex) */
  lock: Record<string, string>;
}

/** A resolved tree, before the version it belongs to is known. */
export interface ResolvedTree extends LockTree {
  /** what the install needs: every selected version, and the node each package's index came from */
  selected: ReadonlyMap<string, IndexVersion>;
  sources: ReadonlyMap<string, string>;
  index: ReadonlyMap<string, IndexVersion[]>;
  /** the names gopkgr.json's overrides rewrote ranges of (for the hint of a tree the chain refuses) */
  overridden?: readonly string[];
}

/** `opts.source`: where deps are asked (a gopkgr.json's router); default: `client`. */
export async function resolveTree(dir: string, fullName: string, client: NodeClient, opts: { cacheDir?: string; source?: PackageSource } = {}): Promise<ResolvedTree> {
  const { requirements, chains } = collectRequirements(await scanSources(dir, opts.cacheDir === undefined ? {} : { cacheDir: opts.cacheDir }));
  if (requirements.length === 0) return { deps: {}, lock: {}, selected: new Map(), sources: new Map(), index: new Map() };
  const project = await findProjectFile(dir);
  const overrides = publishOverrides(project);
  const specs = Object.fromEntries([...(project?.overrides ?? [])].map(([name, o]) => [name, o.spec]));
  const local = dropChangedOverrides(await readLockfile(join(dir, LOCKFILE_NAME)), specs);
  const { solution, index, sources } = await resolveProject({
    requirements, lock: local, client: opts.source ?? client, chains, rootName: fullName, preferOnly: true, ...(overrides.layer === undefined ? {} : { overrides: overrides.layer }),
  });
  refuseLocalOverrides(overrides, solution);
  if (solution.selected.has(fullName)) {
    throw new GopkgrError('PUBLISH_SELF_DEPENDENCY', `${fullName} depends on itself through ${[...solution.selected.keys()].filter((n) => n !== fullName).join(', ')}`, { hint: 'break the cycle before publishing' });
  }
  const lock: Record<string, string> = {};
  for (const [name, v] of solution.selected) lock[`${name}@${v.version}`] = v.contentHash;
  const overridden = overriddenNames(overrides).filter((n) => solution.selected.has(n));
  return { deps: depsOf(requirements), lock, selected: solution.selected, sources, index, ...(overridden.length === 0 ? {} : { overridden }) };
}

/** The tree as recorded for `version`, checked with the nodes' rules. */
export function checkTree(tree: ResolvedTree, fullName: string, version: string): LockTree {
  try {
    if (Object.keys(tree.deps).length > 0) checkLockTree(mapIndex(tree.index), { name: fullName, version, deps: tree.deps }, tree.lock);
  } catch (err) {
    // An override outside a range a published version declares: the chain holds only trees those ranges allow.
    if (!isGopkgrError(err, 'TX_LOCK_RANGE') || tree.overridden === undefined) throw err;
    throw new GopkgrError(err.code, `${err.message} (gopkgr.json overrides ${tree.overridden.join(', ')})`, { hint: 'a published lock tree must meet every published range: override within them, or publish the dependents with the new range' });
  }
  return { deps: tree.deps, lock: tree.lock };
}

export async function lockTree(dir: string, fullName: string, version: string, client: NodeClient, source?: PackageSource): Promise<LockTree> {
  return checkTree(await resolveTree(dir, fullName, client, source === undefined ? {} : { source }), fullName, version);
}
