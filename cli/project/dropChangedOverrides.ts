/**
 * A changed override (added, edited or removed since gopkgr.lock was written)
 * drops the name's lock entry, so the name is resolved afresh instead of kept
 * at its locked version because that still fits (docs/ROUTING.md "Overrides").
 */
import type { Lockfile } from '../install/lockfile.ts';

/** The lock with the entries of overrides that changed since it was written taken out (see the header). */
export function dropChangedOverrides(lock: Lockfile | undefined, specs: Readonly<Record<string, string>>): Lockfile | undefined {
  if (lock === undefined) return undefined;
  const before = lock.overrides ?? {};
  const changed = new Set([...Object.keys(before), ...Object.keys(specs)].filter((n) => before[n] !== specs[n]));
  if (changed.size === 0) return lock;
  return { ...lock, packages: Object.fromEntries(Object.entries(lock.packages).filter(([n]) => !changed.has(n))) };
}
