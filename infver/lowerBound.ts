/**
 * What two API manifests prove about a release, cheaply and for certain: an
 * export removed breaks every consumer importing it (major), an export added
 * is new API (at least minor). Nodes enforce this lower bound on publish;
 * the exact bump needs the TypeScript checker (infver/checker/), which the
 * publisher runs and testers re-run and attest.
 */
import type { Bump, Manifest } from './manifest.ts';

export interface LowerBound {
  bump: Bump;
  /** why, in words that complete "…, but <reason> since 1.2.0" */
  reason: string;
}

const list = (names: string[]): string => (names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`);

export function manifestLowerBound(prev: Manifest, next: Manifest): LowerBound {
  const before = new Set(prev.exports.map((e) => e.name));
  const after = new Set(next.exports.map((e) => e.name));
  const removed = [...before].filter((n) => !after.has(n));
  if (removed.length > 0) return { bump: 'major', reason: `export${removed.length === 1 ? '' : 's'} ${list(removed)} ${removed.length === 1 ? 'was' : 'were'} removed` };
  const added = [...after].filter((n) => !before.has(n));
  if (added.length > 0) return { bump: 'minor', reason: `export${added.length === 1 ? '' : 's'} ${list(added)} ${added.length === 1 ? 'was' : 'were'} added` };
  return { bump: 'patch', reason: 'no export was added or removed' };
}
