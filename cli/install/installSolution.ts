/**
 * The second half of every command that changes what a project has installed
 * (`get`, `update`, `remove`): from a resolution to the lockfile it records
 * (`nextLockfile`, nextLockfile.ts), then to `node_modules` through the all-or-nothing install
 * (`installSolution`: plan, fetch into the store, commit with the lockfile and
 * import map, cache the tarballs once all are unpacked, alongside the commit).
 * Kept in one place so
 * the commands cannot drift apart on what a lockfile entry holds or on how a
 * killed run is repaired.
 */
import path from 'node:path';
import type { Solution } from '../../resolver/index.ts';
import type { NodeClient } from '../client.ts';
import type { Context } from '../context.ts';
import type { RegistryRouter } from '../project/registryRouter.ts';
import { linkBins } from './binLinks.ts';
import { buildImportMap } from './buildImportMap.ts';
import { fetchIntoStore } from './fetchTarballs.ts';
import { commitInstall, planInstall, skipShadowingSource, type CommitResult, type InstallPlan, type TargetPackage } from './installPackages.ts';
import { LOCKFILE_NAME, serializeLockfile, type Lockfile } from './lockfile.ts';
import { checkNpmIntegrity, isNested, npmTargets, withNestedReinstalls } from './npmLayout.ts';
import type { NpmTree } from './npmTree.ts';
import { PackageStore } from './packageStore.ts';
import { syncFilesystem } from './syncFilesystem.ts';
import { TarballCache } from './tarballCache.ts';
import { phase } from '../timing.ts';

export interface InstallSolutionOptions {
  projectDir: string;
  ctx: Context;
  next: Lockfile;
  solution: Solution;
  sources: ReadonlyMap<string, string>;
  npmTree: NpmTree;
  router: RegistryRouter | undefined;
  offline: boolean;
  client: NodeClient | undefined;
  /** local packages (gopkgr.json file: overrides, file: deps, workspaces) linked in place of their selected versions */
  linked?: readonly TargetPackage[];
  /**
   * Awaited once the tarballs are in the package store and before anything of
   * the project is written; throwing refuses the install (get's critical
   * advisories), leaving the project as it was. What it waits for overlaps the fetch.
   */
  gate?: () => Promise<void>;
}

export interface InstalledSolution {
  targets: TargetPackage[];
  plan: InstallPlan;
  result: CommitResult;
  /** node_modules/.bin links made or repaired by this run (binLinks.ts) */
  bins: { linked: string[] };
}

/** Lay `next` out in node_modules and write it with the import map, all or nothing (installPackages.ts). */
export async function installSolution(o: InstallSolutionOptions): Promise<InstalledSolution> {
  const { projectDir, ctx, next, sources, router, offline, client } = o;
  const npm = { tree: o.npmTree };
  const linked = o.linked ?? [];
  const targets: TargetPackage[] = [
    ...[...o.solution.selected].filter(([name]) => !linked.some((l) => l.name === name)).map(([name, v]) => ({ name, version: v.version, contentHash: v.contentHash, deps: v.deps })),
    ...linked,
  ];
  const npmByPath = new Map([...npm.tree.nodes.values()].map((n) => [n.location.slice('node_modules/'.length), n.release]));
  const npmByHash = new Map([...npm.tree.nodes.values()].map((n) => [n.release.contentHash, n.release]));
  const labelOf = (t: { name: string; version: string; contentHash: string }): string => `${t.name}@${t.version} (sha256 ${t.contentHash.slice(0, 12)}…)`;
  const plan = withNestedReinstalls(await planInstall(projectDir, [...targets, ...npmTargets(npm.tree)]));
  // Tarballs are needed only for packages the store does not hold intact yet.
  const store = new PackageStore(ctx.dataDir, syncFilesystem);
  const unpack = [...new Map(plan.toInstall.filter((t) => store.check(t.contentHash) === undefined).map((t) => [t.contentHash, t])).values()];
  const cache = new TarballCache(ctx.dataDir);
  const downloaded = await fetchIntoStore(
    // A linked package is a directory: nothing to fetch.
    await Promise.all(unpack.filter((t) => t.link === undefined).map(async (t) => (t.npm === true ? { ...t, name: `npm:${npmByPath.get(t.name)!.name}` } : {
      ...t, source: sources.get(t.name),
      // Through gopkgr.json: from the registry of the chain the entry came from, with that registry's token.
      ...(router === undefined || offline || cache.has(t.contentHash) ? {} : { client: await router.tarballClient(t.name, next.packages[t.name]!.chainId) }),
    }))),
    {
      cache, client, store, progress: ctx.tty, background: true,
      // npm tarballs are unpacked as the registry serves them, once they match its sha512 too.
      check: (t, bytes) => {
        const release = npmByHash.get(t.contentHash);
        if (release !== undefined) checkNpmIntegrity(bytes, release.integrity, labelOf(t));
      },
      extract: (t) => (npmByHash.has(t.contentHash) ? { label: labelOf(t) } : { label: labelOf(t), skip: skipShadowingSource }),
    },
  );
  phase('tarballs fetched and unpacked into the store');
  await o.gate?.();
  phase('notices checked');
  // Every downloaded tarball unpacked: cached now, on the store's writer thread where it
  // has one (a fetch of many), while this thread links node_modules.
  const caching = cache.putAll(downloaded, store.fileWriter());
  let result: CommitResult;
  try {
    // On a failure here, the store's entries stay: their indexes are written all the same.
    result = await commitInstall({
      projectDir,
      plan,
      store,
      files: (entries) => ({ [LOCKFILE_NAME]: serializeLockfile(next), 'import_map.json': buildImportMap(new Map([...entries].filter(([n]) => !isNested(n)))) }),
    });
  } catch (err) {
    await Promise.all([caching, store.settled()]).catch(() => undefined);
    throw err;
  }
  phase('node_modules committed');
  // `.bin` links are derived from what is installed now, so a deleted or stale one is repaired even when nothing else changed.
  const bins = linkBins(path.join(projectDir, 'node_modules'), [...plan.kept, ...plan.toInstall].map((t) => t.name), plan.toRemove, result.manifests);
  await Promise.all([caching, store.settled()]);
  phase('tarballs cached');
  return { targets, plan, result, bins };
}
