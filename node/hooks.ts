/**
 * The rule hooks a real node runs with: InfVer validates API manifests and
 * gives the least version step they prove (the exact one is the checker's). Kept apart from ledger/rules.ts so the
 * state machine stays free of other parts' code and tests can run it bare.
 * InfVer's comparison is pure and loads no TypeScript (infver/index.ts).
 * The resolver checks that a published lock tree is a closed, in-range,
 * one-version-per-package resolution (resolver/checkLockTree.ts).
 */
import { manifestLowerBound, validateManifest, type LowerBound } from '../infver/index.ts';
import { GopkgrError } from '../ledger/errors.ts';
import { toHex, type Canonical } from '../ledger/encoding.ts';
import type { RuleHooks } from '../ledger/rules.ts';
import { keys, type PackageState } from '../ledger/state.ts';
import { checkLockTree, stateIndex, type IndexVersion, type VersionIndex } from '../resolver/index.ts';
import type { ParentLedger } from '../ledger/publicLock.ts';
import { isParentName } from '../ledger/publicLock.ts';
import type { ChainParams } from '../ledger/params.ts';

type Manifest = ReturnType<typeof validateManifest>;

/**
 * Validated manifests and comparisons, by the identity of the (immutable)
 * values they came from: a tx whose application runs again once the state it
 * reads is loaded (node/state/) must not validate and compare again.
 */
const validated = new WeakMap<object, Manifest | Error>();
const compared = new WeakMap<object, WeakMap<object, LowerBound>>();

function manifestOf(value: Canonical, which: string): Manifest {
  const key = typeof value === 'object' && value !== null ? value : undefined;
  let result = key === undefined ? undefined : validated.get(key);
  if (result === undefined) {
    try {
      result = validateManifest(value);
    } catch (err) {
      result = err as Error;
    }
    if (key !== undefined) validated.set(key, result);
  }
  if (result instanceof Error) throw new GopkgrError('TX_MANIFEST_INVALID', `${which} API manifest is invalid: ${result.message}`);
  return result;
}

function boundBetween(prev: Canonical, next: Canonical): LowerBound {
  const memo = typeof prev === 'object' && prev !== null && typeof next === 'object' && next !== null ? prev : undefined;
  const known = memo === undefined ? undefined : compared.get(memo)?.get(next as object);
  if (known !== undefined) return known;
  const bound = manifestLowerBound(manifestOf(prev, 'the previous version\'s'), manifestOf(next, 'the'));
  if (memo !== undefined) {
    let inner = compared.get(memo);
    if (inner === undefined) compared.set(memo, (inner = new WeakMap()));
    inner.set(next as object, bound);
  }
  return bound;
}

/**
 * The private state's index, with the public versions a private lock tree names read from the parent ledger
 * (the ledger rule has already checked each is at or below the anchor). Only single versions are asked of it.
 */
function withParent(index: VersionIndex, params: ChainParams, parent: ParentLedger): VersionIndex {
  const publicVersion = (name: string, version: string): IndexVersion | undefined => {
    const v = parent.version(`${name}@${version}`);
    return v === undefined ? undefined : { version, contentHash: v.contentHash, deps: v.deps, deprecated: false };
  };
  return {
    versions: (name) => (isParentName(params, name) ? undefined : index.versions(name)),
    version: (name, version) => (isParentName(params, name) ? publicVersion(name, version) : index.version?.(name, version)),
  };
}

export const defaultHooks: RuleHooks = {
  checkManifest: (manifest) => {
    manifestOf(manifest, 'the');
  },
  minimumBump: (prev, next) => {
    if (prev === undefined || next === undefined) return null;
    return boundBetween(prev, next);
  },
  checkLock: (s, body, parent, params) => {
    const pkg = s.get(keys.pkg(toHex(body.pkg))) as PackageState;
    const lock: Record<string, string> = {};
    for (const [ref, hash] of Object.entries(body.lock)) lock[ref] = toHex(hash);
    const index = parent === undefined || params === undefined ? stateIndex(s) : withParent(stateIndex(s), params, parent);
    checkLockTree(index, { name: `${pkg.ns}/${pkg.name}`, version: body.version, deps: body.deps }, lock);
  },
};
