/**
 * gopkgr.json's overrides as `publish` applies them to the lock tree it records
 * (docs/ROUTING.md "Overrides"), through the solver layer `get` uses
 * (overrideLayer.ts). Only what the chain can hold: the recorded tree names
 * versions on chain and is checked with the nodes' rules (resolver/
 * checkLockTree.ts), so
 * - a range or content-hash override picks among the registry's versions, as on
 *   get; one that leaves a published range unmet is refused by those rules;
 * - a `file:` or git override is a version on no chain: when the tree needs the
 *   name, the publish is refused (PUBLISH_LOCAL_OVERRIDE) rather than record a
 *   tree other than the one the author builds and tests with.
 */
import { GopkgrError } from '../../ledger/index.ts';
import type { Solution } from '../../resolver/index.ts';
import { OverrideLayer, type Forced } from './overrideLayer.ts';
import type { ProjectFile } from './projectFile.ts';

export interface PublishOverrides {
  /** the range and hash overrides (undefined: none) */
  layer: OverrideLayer | undefined;
  /** name → spec of the file: and git overrides */
  local: Map<string, string>;
  /** gopkgr.json, for messages */
  file: string | undefined;
}

export function publishOverrides(project: ProjectFile | undefined): PublishOverrides {
  const forced = new Map<string, Forced>();
  const local = new Map<string, string>();
  for (const [name, o] of project?.overrides ?? []) {
    // A range or hash override is already the solver's constraint (Forced has the same shape).
    if (o.kind === 'range' || o.kind === 'hash') forced.set(name, o);
    else local.set(name, o.spec);
  }
  return { layer: forced.size === 0 ? undefined : new OverrideLayer(forced), local, file: project?.file };
}

/** Refuse a tree that needs a name a file: or git override stands in for (see the header). */
export function refuseLocalOverrides(o: PublishOverrides, solution: Solution): void {
  for (const [name, spec] of o.local) {
    if (!solution.selected.has(name)) continue;
    throw new GopkgrError('PUBLISH_LOCAL_OVERRIDE', `${o.file ?? 'gopkgr.json'} overrides ${name} with "${spec}", which is on no chain: a published lock tree names only versions the chain has`, {
      hint: `publish ${name} first and override it with a range or sha256: hash, or remove the override to publish`,
    });
  }
}

/** The names the overrides touch, for the hint of a tree the chain's rules refuse. */
export function overriddenNames(o: PublishOverrides): string[] {
  return [...(o.layer?.forced.keys() ?? [])];
}
