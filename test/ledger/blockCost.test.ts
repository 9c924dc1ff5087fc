/**
 * The block cost rule (ledger/blockCost.ts, applied in ledger/rules.ts
 * applyBlockTxs): the fullest block the limit allows is accepted, the same block
 * with one more tx is rejected with BLOCK_TOO_COSTLY; and a tx's cost counts what
 * its rules read from state (the previous manifest, an attested version's lock).
 * Real signed txs on a StateOverlay; InfVer's hooks are left out (NO_HOOKS), as the
 * cost does not depend on them.
 */
import { describe, expect, it } from 'vitest';
import {
  applyBlockTxs, applySignedTx, buildRewardTx, COST_PER_COMPARED_16_BYTES, COST_PER_LOCK_ENTRY, DEV_PARAMS, encode, encodeTx, fromHex, GopkgrError,
  lockHash, manifestHash, MAX_BLOCK_COST, MAX_DEPS, MAX_LOCK_ENTRIES, MAX_TX_BYTES, StateOverlay, toHex, txCost, txId, type Canonical, type SignedTx, type StateReader, type Tx,
} from '../../ledger/index.ts';
import { chainIdOf } from '../../consensus/index.ts';
import { actor, hashOf, idBytes, keyPair, MINER, overlay, publishBody, txContext, type Actor } from '../support/chain.ts';

const CHAIN_ID = fromHex(chainIdOf(DEV_PARAMS));

/** A manifest of about `bytes` encoded bytes (the rules without InfVer's hooks take any canonical value). */
function manifestOf(bytes: number, tag = 'm'): Canonical {
  return { format: 'infver/1', name: `@big/${tag}`, exports: [], internal: [], pad: 'x'.repeat(bytes) };
}

function bigPublish(a: Actor, pkg: Uint8Array, version: string, manifest: Canonical): SignedTx {
  return a.tx('publish', publishBody(pkg, version, { manifest, apiHash: manifestHash(manifest) }));
}

/** `count` packages in @big, created by `a`, applied on a fresh overlay. */
function withPackages(a: Actor, count: number): { s: StateOverlay; pkgs: Uint8Array[] } {
  const s = overlay();
  const setup = [a.tx('claim', { ns: '@big' })];
  for (let i = 0; i < count; i++) setup.push(a.tx('create', { ns: '@big', name: `p${i}` }));
  for (const tx of setup) applySignedTx(s, tx, txContext(CHAIN_ID, tx));
  return { s, pkgs: setup.slice(1).map(idBytes) };
}

/** Apply a block of `txs` (after its reward) on an overlay of `base`, as the chain does. */
function applyBlock(base: StateReader, txs: SignedTx[]): StateOverlay {
  const all: Tx[] = [buildRewardTx(2, MINER.publicKey, txs, DEV_PARAMS), ...txs];
  const bytes = all.map((tx) => encodeTx(tx));
  const s = new StateOverlay(base);
  applyBlockTxs(s, all, bytes.map((b) => txId(b)), { params: DEV_PARAMS, chainId: CHAIN_ID, height: 2, blockId: 'b', txSizes: bytes.map((b) => b.length) });
  return s;
}

function costs(base: StateReader, txs: SignedTx[]): number[] {
  const s = new StateOverlay(base);
  return txs.map((tx) => {
    const cost = txCost(s, tx, encodeTx(tx).length);
    applySignedTx(s, tx, txContext(CHAIN_ID, tx, 2));
    return cost;
  });
}

describe('block cost: BLOCK_TOO_COSTLY', () => {
  // Publishes of ~200 KB manifests: a handful fill the cost limit well below MAX_BLOCK_BYTES.
  const a = actor(keyPair('cost-alice'), CHAIN_ID);
  const { s: base, pkgs } = withPackages(a, 40);
  const txs: SignedTx[] = [];
  let total = 0;
  let next: SignedTx;
  let nextCost: number;
  for (let i = 0; ; i++) {
    next = bigPublish(a, pkgs[i]!, '1.0.0', manifestOf(200_000, `p${i}`));
    expect(encodeTx(next).length).toBeLessThan(MAX_TX_BYTES);
    nextCost = costs(base, [...txs, next]).at(-1)!;
    if (total + nextCost > MAX_BLOCK_COST) break;
    txs.push(next);
    total += nextCost;
  }

  it('a block at the limit (the next tx would take it over) is accepted', () => {
    expect(total).toBeLessThanOrEqual(MAX_BLOCK_COST);
    expect(total + nextCost).toBeGreaterThan(MAX_BLOCK_COST);
    expect(costs(base, txs).reduce((x, y) => x + y, 0)).toBe(total);
    const s = applyBlock(base, txs);
    expect([...s.writes.keys()].filter((k) => k.startsWith('ver:'))).toHaveLength(txs.length);
  });

  it('BLOCK_TOO_COSTLY: the same block with one more tx, though each of its txs applies', () => {
    let error: unknown;
    try {
      applyBlock(base, [...txs, next]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(GopkgrError);
    expect((error as GopkgrError).code).toBe('BLOCK_TOO_COSTLY');
    expect((error as GopkgrError).message).toContain(`tx ${txs.length + 1}`);
    // The extra tx is not invalid in itself: in a block of its own it applies.
    expect(() => applyBlock(base, [a.at(txs[0]!.nonce, 'publish', next.body as never)])).not.toThrow();
  });
});

describe('block cost: what a tx costs depends on the state it applies on', () => {
  it('a next version costs its previous manifest\'s size: the step is inferred by comparing both', () => {
    const costAfter = (prevBytes: number): number => {
      const a = actor(keyPair('cost-prev'), CHAIN_ID);
      const { s, pkgs } = withPackages(a, 1);
      const first = bigPublish(a, pkgs[0]!, '1.0.0', manifestOf(prevBytes));
      applySignedTx(s, first, txContext(CHAIN_ID, first));
      const second = bigPublish(a, pkgs[0]!, '1.0.1', manifestOf(100));
      return txCost(s, second, encodeTx(second).length);
    };
    const small = costAfter(100);
    const large = costAfter(100 + 160_000);
    const per16 = (m: Canonical): number => Math.ceil(encode(m).length / 16);
    expect(large - small).toBe((per16(manifestOf(100 + 160_000)) - per16(manifestOf(100))) * COST_PER_COMPARED_16_BYTES);
  });

  it('an attestation costs the lock entries of the version it attests (its lock is hashed again)', () => {
    const a = actor(keyPair('cost-lock'), CHAIN_ID);
    const { s, pkgs } = withPackages(a, 12);
    const txs: SignedTx[] = [];
    for (let i = 1; i < 12; i++) txs.push(bigPublish(a, pkgs[i]!, '1.0.0', manifestOf(10, `d${i}`)));
    const lock: Record<string, Uint8Array> = {};
    const deps: Record<string, string> = {};
    for (let i = 1; i < 12; i++) {
      lock[`@big/p${i}@1.0.0`] = publishBody(pkgs[i]!, '1.0.0').contentHash;
      deps[`@big/p${i}`] = '^1.0.0';
    }
    txs.push(a.tx('publish', publishBody(pkgs[0]!, '1.0.0', { deps, lock })));
    for (const tx of txs) applySignedTx(s, tx, txContext(CHAIN_ID, tx));
    const tester = actor(keyPair('cost-tester'), CHAIN_ID);
    const attest = (pkg: Uint8Array, entries: Record<string, Uint8Array>): SignedTx => tester.peek('attest', {
      pkg, version: '1.0.0', contentHash: publishBody(pkg, '1.0.0').contentHash,
      lockHash: lockHash(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, toHex(v)]))),
      passed: 1, failed: 0, skipped: 0, resultHash: hashOf('r'), runtimeMs: 1,
    });
    const withLock = attest(pkgs[0]!, lock);
    const withoutLock = attest(pkgs[1]!, {});
    // Same shape, same size: only the attested version's lock differs.
    expect(encodeTx(withLock).length).toBe(encodeTx(withoutLock).length);
    expect(txCost(s, withLock, encodeTx(withLock).length) - txCost(s, withoutLock, encodeTx(withoutLock).length)).toBe(11 * COST_PER_LOCK_ENTRY);
  });
});

describe('block cost: every tx the size limits allow fits a block on its own', () => {
  it('the costliest publish (MAX_TX_BYTES, after a MAX_TX_BYTES manifest, full deps and lock) costs less than MAX_BLOCK_COST', () => {
    // Otherwise a miner's template would stop at it for good, and nobody could ever mine it.
    const a = actor(keyPair('cost-max'), CHAIN_ID);
    const { s, pkgs } = withPackages(a, 1);
    const prev = bigPublish(a, pkgs[0]!, '1.0.0', manifestOf(MAX_TX_BYTES - 200));
    applySignedTx(s, prev, txContext(CHAIN_ID, prev));
    const lock: Record<string, Uint8Array> = {};
    for (let i = 0; i < MAX_LOCK_ENTRIES; i++) lock[`@dep/d${i}@1.0.0`] = hashOf(`d${i}`);
    const deps: Record<string, string> = {};
    for (let i = 0; i < MAX_DEPS; i++) deps[`@dep/d${i}`] = '^1.0.0';
    const next = a.peek('publish', publishBody(pkgs[0]!, '1.0.1', { manifest: manifestOf(10), apiHash: manifestHash(manifestOf(10)), deps, lock }));
    expect(txCost(s, next, MAX_TX_BYTES)).toBeLessThan(MAX_BLOCK_COST);
  });
});
