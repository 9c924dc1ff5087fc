/**
 * The rule hooks a real node runs with: InfVer validates API manifests and
 * decides the version step a publish must take. Kept apart from rules.ts so the
 * state machine stays free of other parts' code and tests can run it bare.
 * InfVer's comparison is pure and loads no TypeScript (infver/index.ts).
 */
import { compareManifests, validateManifest } from '../infver/index.ts';
import { GopkgrError } from './errors.ts';
import type { Canonical } from './encoding.ts';
import type { RuleHooks } from './rules.ts';

function manifestOf(value: Canonical, which: string): ReturnType<typeof validateManifest> {
  try {
    return validateManifest(value);
  } catch (err) {
    throw new GopkgrError('TX_MANIFEST_INVALID', `${which} API manifest is invalid: ${(err as Error).message}`);
  }
}

export const defaultHooks: RuleHooks = {
  checkManifest: (manifest) => {
    manifestOf(manifest, 'the');
  },
  impliedBump: (prev, next) => {
    if (prev === undefined || next === undefined) return null;
    return compareManifests(manifestOf(prev, 'the previous version\'s'), manifestOf(next, 'the')).bump;
  },
};
