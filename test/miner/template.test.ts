/**
 * Block templates (miner/template.ts) stop at the cost limit as they do at the
 * byte limit: the pool's txs, with the costs a real Mempool computed for them,
 * go into the template until the next would take the block over
 * MAX_BLOCK_COST, and the block the template makes passes the ledger's rule.
 */
import { describe, expect, it } from 'vitest';
import {
  applyBlockTxs, DEV_PARAMS, encodeTx, fromHex, manifestHash, MAX_BLOCK_COST, StateOverlay, toHex, txId, type Canonical, type SignedTx,
} from '../../ledger/index.ts';
import { chainIdOf } from '../../consensus/index.ts';
import { Mempool, type Work } from '../../node/index.ts';
import { senderOf } from '../../node/mempool.ts';
import { buildTemplate } from '../../miner/index.ts';
import { actor, EMPTY_STATE, idBytes, keyPair, memoryState, MINER, publishBody } from '../support/chain.ts';
import { isGopkgrError } from '../../ledger/errors.ts';

const CHAIN_ID = fromHex(chainIdOf(DEV_PARAMS));

/** A pool holding a claim, creates and publishes of ~200 KB manifests: more cost than one block holds, far fewer bytes. */
async function costlyPool(): Promise<{ pool: Mempool; txs: SignedTx[] }> {
  const pool = new Mempool({ params: DEV_PARAMS, chainId: CHAIN_ID, state: memoryState(), nextHeight: () => 1 });
  const a = actor(keyPair('template-alice'), CHAIN_ID);
  const txs: SignedTx[] = [a.tx('claim', { ns: '@big' })];
  const creates = Array.from({ length: 8 }, (_, i) => a.tx('create', { ns: '@big', name: `p${i}` }));
  txs.push(...creates);
  for (const [i, create] of creates.entries()) {
    const manifest: Canonical = { format: 'infver/1', name: `@big/p${i}`, exports: [], internal: [], pad: 'x'.repeat(200_000) };
    txs.push(a.tx('publish', publishBody(idBytes(create), '1.0.0', { manifest, apiHash: manifestHash(manifest) })));
  }
  for (const tx of txs) {
    const bytes = encodeTx(tx);
    await pool.add({ id: toHex(txId(bytes)), tx, bytes, sender: senderOf(tx) });
  }
  return { pool, txs };
}

function workOf(pool: Mempool): Work {
  const ready = pool.ordered();
  return {
    kind: 'pow', target: DEV_PARAMS.powLimit, parent: '00'.repeat(32), height: 1, minTime: 0, parentTime: DEV_PARAMS.genesisTime,
    txs: ready.map((p) => p.bytes), costs: ready.map((p) => p.cost!), params: DEV_PARAMS,
  } as Work;
}

describe('block template: MAX_BLOCK_COST', () => {
  it('takes the pool\'s txs until the next would cost more than the limit, and the block passes the rule', async () => {
    const { pool, txs } = await costlyPool();
    const work = workOf(pool);
    expect(work.costs!.reduce((x, y) => x + y, 0)).toBeGreaterThan(MAX_BLOCK_COST);
    const template = buildTemplate(work, MINER.publicKey, DEV_PARAMS.genesisTime + 1000);
    const included = template.txs.length - 1;
    expect(included).toBeGreaterThan(txs.length / 2);
    expect(included).toBeLessThan(txs.length);
    const taken = work.costs!.slice(0, included).reduce((x, y) => x + y, 0);
    expect(taken).toBeLessThanOrEqual(MAX_BLOCK_COST);
    expect(taken + work.costs![included]!).toBeGreaterThan(MAX_BLOCK_COST);
    const bytes = template.txs.map((tx) => encodeTx(tx));
    expect(() => applyBlockTxs(new StateOverlay(EMPTY_STATE), template.txs, bytes.map((b) => txId(b)), {
      params: DEV_PARAMS, chainId: CHAIN_ID, height: 1, blockId: 'b', txSizes: bytes.map((b) => b.length),
    })).not.toThrow();
  });

  it('a template one tx over (the pool\'s next tx added) is what the rule rejects', async () => {
    const { pool } = await costlyPool();
    const work = workOf(pool);
    const template = buildTemplate(work, MINER.publicKey, DEV_PARAMS.genesisTime + 1000);
    const included = template.txs.length - 1;
    const more = buildTemplate({ ...work, costs: work.costs!.map((c, i) => (i === included ? 0 : c)) }, MINER.publicKey, DEV_PARAMS.genesisTime + 1000);
    expect(more.txs.length).toBeGreaterThan(template.txs.length);
    const bytes = more.txs.map((tx) => encodeTx(tx));
    let code = 'accepted';
    try {
      applyBlockTxs(new StateOverlay(EMPTY_STATE), more.txs, bytes.map((b) => txId(b)), {
        params: DEV_PARAMS, chainId: CHAIN_ID, height: 1, blockId: 'b', txSizes: bytes.map((b) => b.length),
      });
    } catch (err) {
      code = isGopkgrError(err) ? err.code : String(err);
    }
    expect(code).toBe('BLOCK_TOO_COSTLY');
  });

  it('POW_BAD_WORK: work whose costs do not match its txs', async () => {
    const { pool } = await costlyPool();
    const work = workOf(pool);
    for (const costs of [undefined, work.costs!.slice(1), work.costs!.map((c, i) => (i === 0 ? -1 : c))]) {
      let code = 'accepted';
      try {
        buildTemplate({ ...work, costs }, MINER.publicKey, DEV_PARAMS.genesisTime + 1000);
      } catch (err) {
        code = isGopkgrError(err) ? err.code : String(err);
      }
      expect(code).toBe('POW_BAD_WORK');
    }
  });
});
