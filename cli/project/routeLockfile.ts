/**
 * A lockfile under a project file's routing: an entry recorded from another
 * chain than the registry its name routes to now (gopkgr.json changed, or the
 * lockfile came from elsewhere) is not trusted. Online it is dropped, so the
 * name is asked of its registry again; offline nothing can be asked, so it is
 * LOCK_CHAIN_MISMATCH. Entries without a chain id (written before the project
 * had a gopkgr.json) are asked again online and kept offline.
 */
import { GopkgrError } from '../../ledger/index.ts';
import type { Lockfile } from '../install/lockfile.ts';
import type { RegistryRouter } from './registryRouter.ts';

export function routeLockfile(lock: Lockfile | undefined, router: RegistryRouter, offline: boolean): Lockfile | undefined {
  if (lock === undefined) return undefined;
  const packages: Lockfile['packages'] = {};
  for (const [name, p] of Object.entries(lock.packages)) {
    const reg = router.registryFor(name);
    if (p.chainId === reg.chainId || (offline && p.chainId === undefined)) {
      packages[name] = p;
      continue;
    }
    if (offline) {
      throw new GopkgrError('LOCK_CHAIN_MISMATCH', `gopkgr.lock has ${name}@${p.version} from chain ${p.chainId!.slice(0, 16)}…, but gopkgr.json routes ${name} to registry "${reg.name}" (chain ${reg.chainId.slice(0, 16)}…)`, {
        hint: 'run `gopkgr get` without --offline to resolve it on its registry',
      });
    }
  }
  return { ...lock, packages };
}
