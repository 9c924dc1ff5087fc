/**
 * The rule hooks a real node runs with: InfVer validates API manifests and
 * decides the version step a publish must take. Kept apart from ledger/rules.ts so the
 * state machine stays free of other parts' code and tests can run it bare.
 * InfVer's comparison is pure and loads no TypeScript (infver/index.ts).
 * The resolver checks that a published lock tree is a closed, in-range,
 * one-version-per-package resolution (resolver/checkLockTree.ts).
 */
import { compareManifests, validateManifest } from '../infver/index.ts';
import { GopkgrError } from '../ledger/errors.ts';
import { toHex, type Canonical } from '../ledger/encoding.ts';
import type { RuleHooks } from '../ledger/rules.ts';
import { keys, type PackageState } from '../ledger/state.ts';
import { checkLockTree, stateIndex } from '../resolver/index.ts';

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
  checkLock: (s, body) => {
    const pkg = s.get(keys.pkg(toHex(body.pkg))) as PackageState;
    const lock: Record<string, string> = {};
    for (const [ref, hash] of Object.entries(body.lock)) lock[ref] = toHex(hash);
    checkLockTree(stateIndex(s), { name: `${pkg.ns}/${pkg.name}`, version: body.version, deps: body.deps }, lock);
  },
};
