/**
 * Lock trees in consensus: the node's checkLock hook (node/hooks.ts →
 * resolver/checkLockTree.ts) on real signed publish txs. One test per code.
 */
import { describe, expect, it } from 'vitest';
import { chainIdOf } from '../../consensus/index.ts';
import { fromHex, GopkgrError, applySignedTx, DEV_PARAMS, StateOverlay, toHex, type PublishBody, type SignedTx } from '../../ledger/index.ts';
import { defaultHooks } from '../../node/index.ts';
import { actor, hashOf, idBytes, keyPair, overlay, publishBody, txContext } from '../support/chain.ts';

const CHAIN_ID = fromHex(chainIdOf(DEV_PARAMS));

function world(): { ok(tx: SignedTx): void; no(tx: SignedTx): string; publish(pkg: Uint8Array, version: string, extra?: Partial<PublishBody>): PublishBody; ids: Record<string, Uint8Array>; alice: ReturnType<typeof actor> } {
  const s = overlay();
  const alice = actor(keyPair('alice'), CHAIN_ID);
  const ok = (tx: SignedTx): void => applySignedTx(s, tx, txContext(CHAIN_ID, tx), defaultHooks);
  const no = (tx: SignedTx): string => {
    try {
      applySignedTx(new StateOverlay(s), tx, txContext(CHAIN_ID, tx), defaultHooks);
    } catch (err) {
      return err instanceof GopkgrError ? err.code : String(err);
    }
    return 'accepted';
  };
  ok(alice.tx('claim', { ns: '@acme' }));
  const ids: Record<string, Uint8Array> = {};
  for (const name of ['base', 'mid', 'app']) {
    const create = alice.tx('create', { ns: '@acme', name });
    ok(create);
    ids[name] = idBytes(create);
  }
  return { ok, no, publish: publishBody, ids, alice };
}

const h = (pkg: Uint8Array, version: string): Uint8Array => hashOf(`${toHex(pkg)}@${version}`);

/** base 1.0.0 and 1.0.1; mid 1.0.0 depends on base ^1.0.0 (locked to 1.0.1). */
function graph(): ReturnType<typeof world> & { lockOf(...refs: string[]): Record<string, Uint8Array> } {
  const w = world();
  const { base, mid } = w.ids as { base: Uint8Array; mid: Uint8Array };
  w.ok(w.alice.tx('publish', publishBody(base, '1.0.0')));
  w.ok(w.alice.tx('publish', publishBody(base, '1.0.1')));
  w.ok(w.alice.tx('publish', publishBody(mid, '1.0.0', { deps: { '@acme/base': '^1.0.0' }, lock: { '@acme/base@1.0.1': h(base, '1.0.1') } })));
  const lockOf = (...refs: string[]): Record<string, Uint8Array> => Object.fromEntries(refs.map((ref) => {
    const [name, version] = ref.split('@').slice(1).join('@').split('@') as [string, string];
    return [`@${name}@${version}`, h(w.ids[name.split('/')[1]!]!, version)];
  }));
  return { ...w, lockOf };
}

describe('lock trees on chain (checkLock)', () => {
  it('accepts a closed, in-range tree with one version per package', () => {
    const w = graph();
    w.ok(w.alice.tx('publish', publishBody(w.ids.app!, '1.0.0', { deps: { '@acme/mid': '^1.0.0' }, lock: w.lockOf('@acme/mid@1.0.0', '@acme/base@1.0.0') })));
  });

  it('TX_LOCK_NOT_CLOSED: a dependency of an entry has no entry', () => {
    const w = graph();
    expect(w.no(w.alice.peek('publish', publishBody(w.ids.app!, '1.0.0', { deps: { '@acme/mid': '^1.0.0' }, lock: w.lockOf('@acme/mid@1.0.0') })))).toBe('TX_LOCK_NOT_CLOSED');
  });

  it('TX_LOCK_NOT_CLOSED: a dependency of the package itself has no entry', () => {
    const w = graph();
    expect(w.no(w.alice.peek('publish', publishBody(w.ids.app!, '1.0.0', { deps: { '@acme/base': '^1.0.0' }, lock: {} })))).toBe('TX_LOCK_NOT_CLOSED');
  });

  it('TX_LOCK_RANGE: an entry outside the range of the package that requires it', () => {
    const w = graph();
    expect(w.no(w.alice.peek('publish', publishBody(w.ids.app!, '1.0.0', { deps: { '@acme/base': '1.0.1' }, lock: w.lockOf('@acme/base@1.0.0') })))).toBe('TX_LOCK_RANGE');
  });

  it('TX_LOCK_RANGE: bounds amended on chain bind new trees', () => {
    const w = graph();
    const body = publishBody(w.ids.app!, '1.0.0', { deps: { '@acme/mid': '^1.0.0' }, lock: w.lockOf('@acme/mid@1.0.0', '@acme/base@1.0.0') });
    expect(w.no(w.alice.peek('publish', body))).toBe('accepted');
    w.ok(w.alice.tx('bounds', { pkg: w.ids.mid!, version: '1.0.0', deps: { '@acme/base': '>=1.0.1' } }));
    expect(w.no(w.alice.peek('publish', body))).toBe('TX_LOCK_RANGE');
  });

  it('TX_LOCK_DUPLICATE: two versions of one package', () => {
    const w = graph();
    expect(w.no(w.alice.peek('publish', publishBody(w.ids.app!, '1.0.0', { deps: { '@acme/base': '^1.0.0' }, lock: w.lockOf('@acme/base@1.0.0', '@acme/base@1.0.1') })))).toBe('TX_LOCK_DUPLICATE');
  });

  it('TX_LOCK_UNREACHABLE: an entry nothing requires', () => {
    const w = graph();
    expect(w.no(w.alice.peek('publish', publishBody(w.ids.app!, '1.0.0', { deps: {}, lock: w.lockOf('@acme/base@1.0.0') })))).toBe('TX_LOCK_UNREACHABLE');
  });

  it('TX_LOCK_SELF: the package in its own tree', () => {
    const w = graph();
    w.ok(w.alice.tx('publish', publishBody(w.ids.base!, '1.0.2')));
    expect(w.no(w.alice.peek('publish', publishBody(w.ids.base!, '1.0.3', { deps: {}, lock: w.lockOf('@acme/base@1.0.2') })))).toBe('TX_LOCK_SELF');
  });

  it('TX_LOCK_UNKNOWN and TX_LOCK_HASH_MISMATCH are checked before the hook', () => {
    const w = graph();
    expect(w.no(w.alice.peek('publish', publishBody(w.ids.app!, '1.0.0', { deps: { '@acme/base': '^1.0.0' }, lock: { '@acme/base@9.0.0': h(w.ids.base!, '1.0.0') } })))).toBe('TX_LOCK_UNKNOWN');
    expect(w.no(w.alice.peek('publish', publishBody(w.ids.app!, '1.0.0', { deps: { '@acme/base': '^1.0.0' }, lock: { '@acme/base@1.0.0': h(w.ids.base!, '1.0.1') } })))).toBe('TX_LOCK_HASH_MISMATCH');
  });
});
