/**
 * Lock entries across chains (ledger/publicLock.ts) on real signed publish txs
 * of a private chain (namespaces @acme): an entry outside the chain's
 * namespaces names a public version, valid only at or below the anchor the
 * caller passes (ParentLedger, as node/anchors.ts reads it from the replica).
 * The valid case and each rejection with its code; names inside the chain's
 * namespaces keep the on-chain rule; the node's lock-tree hook sees public
 * entries' dependencies.
 */
import { describe, expect, it } from 'vitest';
import { chainIdOf } from '../../consensus/index.ts';
import {
  applySignedTx, fromHex, GopkgrError, isParentName, DEV_PARAMS, StateOverlay, toHex,
  type ChainParams, type ParentLedger, type PublicVersion, type SignedTx,
} from '../../ledger/index.ts';
import { defaultHooks } from '../../node/index.ts';
import { actor, hashOf, idBytes, keyPair, overlay, publishBody } from '../support/chain.ts';

const PARAMS: ChainParams = { ...DEV_PARAMS, name: 'acme', namespaces: ['@acme'], parent: { chainId: chainIdOf(DEV_PARAMS) } };
const CHAIN_ID = fromHex(chainIdOf(PARAMS));

const LIB = hashOf('@pub/lib@1.0.0');
const DEP = hashOf('@pub/dep@2.0.0');
/** The public chain as a replica holds it: lib 1.0.0 at height 10 (depends on dep ^2), dep 2.0.0 at height 4. */
const PUBLIC = new Map<string, PublicVersion>([
  ['@pub/lib@1.0.0', { contentHash: toHex(LIB), height: 10, deps: { '@pub/dep': '^2.0.0' } }],
  ['@pub/dep@2.0.0', { contentHash: toHex(DEP), height: 4, deps: {} }],
]);
const at = (anchorHeight: number): ParentLedger => ({ anchorHeight, version: (ref) => PUBLIC.get(ref) });

function world(): { app: Uint8Array; alice: ReturnType<typeof actor>; verdict(tx: SignedTx, parent?: ParentLedger): string } {
  const s = overlay();
  const alice = actor(keyPair('alice'), CHAIN_ID);
  const ctx = (tx: SignedTx, parent?: ParentLedger) => ({ params: PARAMS, chainId: CHAIN_ID, height: 1, blockId: '', txId: toHex(idBytes(tx)), ...(parent === undefined ? {} : { parent }) });
  const claim = alice.tx('claim', { ns: '@acme' });
  applySignedTx(s, claim, ctx(claim), defaultHooks);
  const create = alice.tx('create', { ns: '@acme', name: 'app' });
  applySignedTx(s, create, ctx(create), defaultHooks);
  return {
    app: idBytes(create),
    alice,
    verdict(tx, parent) {
      try {
        applySignedTx(new StateOverlay(s), tx, ctx(tx, parent), defaultHooks);
      } catch (err) {
        return err instanceof GopkgrError ? err.code : String(err);
      }
      return 'accepted';
    },
  };
}

const fullLock = { '@pub/lib@1.0.0': LIB, '@pub/dep@2.0.0': DEP };
const deps = { '@pub/lib': '^1.0.0' };

describe('private lock entries naming public versions', () => {
  it('tells public names from the chain\'s own by its namespaces (none on the public chain)', () => {
    expect(isParentName(PARAMS, '@pub/lib@1.0.0')).toBe(true);
    expect(isParentName(PARAMS, '@acme/app')).toBe(false);
    expect(isParentName(DEV_PARAMS, '@pub/lib@1.0.0')).toBe(false);
  });

  it('accepts public versions at or below the anchor, with their hashes, in a closed tree', () => {
    const w = world();
    expect(w.verdict(w.alice.peek('publish', publishBody(w.app, '1.0.0', { deps, lock: fullLock })), at(10))).toBe('accepted');
    expect(w.verdict(w.alice.peek('publish', publishBody(w.app, '1.0.0', { deps, lock: fullLock })), at(500))).toBe('accepted');
  });

  it('TX_LOCK_ABOVE_ANCHOR: a version published above the anchor', () => {
    const w = world();
    expect(w.verdict(w.alice.peek('publish', publishBody(w.app, '1.0.0', { deps, lock: fullLock })), at(9))).toBe('TX_LOCK_ABOVE_ANCHOR');
  });

  it('TX_LOCK_NOT_ON_PARENT: a version the public chain does not hold', () => {
    const w = world();
    const lock = { ...fullLock, '@pub/none@1.0.0': hashOf('x') };
    expect(w.verdict(w.alice.peek('publish', publishBody(w.app, '1.0.0', { deps: { ...deps, '@pub/none': '1.0.0' }, lock })), at(10))).toBe('TX_LOCK_NOT_ON_PARENT');
  });

  it('TX_LOCK_HASH_MISMATCH: another content hash than the public chain\'s', () => {
    const w = world();
    const lock = { ...fullLock, '@pub/lib@1.0.0': hashOf('tampered') };
    expect(w.verdict(w.alice.peek('publish', publishBody(w.app, '1.0.0', { deps, lock })), at(10))).toBe('TX_LOCK_HASH_MISMATCH');
  });

  it('TX_LOCK_UNKNOWN: a node that reads no public chain finds no public entry on chain', () => {
    const w = world();
    expect(w.verdict(w.alice.peek('publish', publishBody(w.app, '1.0.0', { deps, lock: fullLock })))).toBe('TX_LOCK_UNKNOWN');
  });

  it('the lock-tree rules see public entries\' dependencies (TX_LOCK_NOT_CLOSED without dep)', () => {
    const w = world();
    expect(w.verdict(w.alice.peek('publish', publishBody(w.app, '1.0.0', { deps, lock: { '@pub/lib@1.0.0': LIB } })), at(10))).toBe('TX_LOCK_NOT_CLOSED');
    expect(w.verdict(w.alice.peek('publish', publishBody(w.app, '1.0.0', { deps: { '@pub/lib': '^2.0.0' }, lock: fullLock })), at(10))).toBe('TX_LOCK_RANGE');
  });

  it('names inside the chain\'s namespaces keep the on-chain rule (TX_LOCK_UNKNOWN), whatever the public chain holds', () => {
    const w = world();
    expect(w.verdict(w.alice.peek('publish', publishBody(w.app, '1.0.0', { deps: { '@acme/other': '^1.0.0' }, lock: { '@acme/other@1.0.0': LIB } })), at(10))).toBe('TX_LOCK_UNKNOWN');
  });
});
