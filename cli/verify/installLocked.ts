/**
 * The release's locked dependencies, laid out in the checkout's node_modules as
 * `gopkgr get` lays them out: the exact versions of the lock tree on chain,
 * each tarball from the local cache first, else from the node, and checked
 * against the chain's content hash either way. Nothing is resolved: what the
 * publisher built against is what the rebuild builds against. The import map is
 * written beside (the packer never takes it); the repository's gopkgr.lock is
 * left as it is.
 */
import { isGopkgrError, parseVersionRef } from '../../ledger/index.ts';
import type { NodeClient } from '../client.ts';
import { buildImportMap } from '../install/buildImportMap.ts';
import { fetchIntoStore } from '../install/fetchTarballs.ts';
import { commitInstall, planInstall, skipShadowingSource } from '../install/installPackages.ts';
import { PackageStore } from '../install/packageStore.ts';
import { TarballCache } from '../install/tarballCache.ts';
import { Unverifiable } from './unverifiable.ts';

/** Install `lock` ('@ns/name@version' → content hash) into `dir`; returns how many packages. */
export async function installLocked(dir: string, lock: Readonly<Record<string, string>>, client: NodeClient, dataDir: string): Promise<number> {
  const targets = Object.entries(lock).map(([ref, contentHash]) => {
    const { ns, name, version } = parseVersionRef(ref);
    return { name: `${ns}/${name}`, version, contentHash };
  });
  if (targets.length === 0) return 0;
  const plan = await planInstall(dir, targets);
  const store = new PackageStore(dataDir);
  const unpack = plan.toInstall.filter((t) => store.check(t.contentHash) === undefined);
  const cache = new TarballCache(dataDir);
  let downloaded;
  try {
    downloaded = await fetchIntoStore(unpack, { cache, client, store, progress: false, extract: (t) => ({ label: `${t.name}@${t.version}`, skip: skipShadowingSource }) });
  } catch (err) {
    if (isGopkgrError(err, 'BLOB_MISSING') || isGopkgrError(err, 'NODE_UNREACHABLE')) throw new Unverifiable(`a locked dependency cannot be had: ${err.message}`);
    throw err;
  }
  await commitInstall({ projectDir: dir, plan, store, files: (entries) => ({ 'import_map.json': buildImportMap(entries) }) });
  await cache.putAll(downloaded);
  return targets.length;
}
