/**
 * A package's tagged dependencies, laid out where its compiler (and the
 * publish checks' consumer) can find them, without a prior `gopkgr get`: the
 * resolved tree (lockTree.ts) is installed by the install pipeline
 * (cli/install/: tarballs from the cache or the node, checked against the chain,
 * unpacked once into the store, hard-linked into place) into a throwaway
 * project directory. The package's own node_modules is used instead when a
 * `gopkgr get` already put exactly these versions there (its state file records
 * each one's content hash): nothing to fetch or link then. The user's
 * node_modules is never written.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NodeClient } from '../client.ts';
import { fetchIntoStore } from '../install/fetchTarballs.ts';
import { commitInstall, planInstall, skipShadowingSource, type TargetPackage } from '../install/installPackages.ts';
import { PackageStore } from '../install/packageStore.ts';
import { TarballCache } from '../install/tarballCache.ts';
import type { ResolvedTree } from './lockTree.ts';

export interface InstalledDependencies {
  /** a directory whose node_modules holds every package of the tree (the package itself when it already did) */
  modulesRoot: string;
  /** whether modulesRoot is a throwaway directory (then the compiler must look there for these names) */
  separate: boolean;
  cleanup(): Promise<void>;
}

export interface InstallDependenciesOptions {
  /** the data directory whose tarball cache and package store are used; a throwaway one when absent */
  dataDir?: string;
}

export async function installDependencies(packageDir: string, tree: ResolvedTree, client: NodeClient, opts: InstallDependenciesOptions = {}): Promise<InstalledDependencies> {
  const targets: TargetPackage[] = [...tree.selected].map(([name, v]) => ({ name, version: v.version, contentHash: v.contentHash, deps: v.deps }));
  const none = { modulesRoot: packageDir, separate: false, cleanup: async (): Promise<void> => {} };
  if (targets.length === 0) return none;
  if (existsSync(path.join(packageDir, 'node_modules')) && (await planInstall(packageDir, targets)).toInstall.length === 0) return none;

  const root = mkdtempSync(path.join(tmpdir(), 'gopkgr-publish-deps-'));
  const cleanup = (): Promise<void> => rm(root, { recursive: true, force: true });
  try {
    const dataDir = opts.dataDir ?? path.join(root, '.data');
    const store = new PackageStore(dataDir);
    const cache = new TarballCache(dataDir);
    const plan = await planInstall(root, targets);
    const unpack = plan.toInstall.filter((t) => store.check(t.contentHash) === undefined);
    // The install pipeline of `gopkgr get`: downloads and unpacks overlap, the store commits them together.
    const downloaded = await fetchIntoStore(unpack.map((t) => ({ ...t, source: tree.sources.get(t.name) })), {
      cache, client, store, progress: false,
      extract: (t) => ({ label: `${t.name}@${t.version} (sha256 ${t.contentHash.slice(0, 12)}…)`, skip: skipShadowingSource }),
    });
    await commitInstall({ projectDir: root, plan, store, files: () => ({}) });
    // Only after a successful install, as `gopkgr get` does: a tarball that failed extraction never enters the cache.
    if (opts.dataDir !== undefined) await cache.putAll(downloaded);
    return { modulesRoot: root, separate: true, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
