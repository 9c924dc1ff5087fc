/**
 * The gossip validation functions, one test per verdict and reason, against a
 * real FullNode in a temp dir (no mocks but the blob fetcher, which stands in for
 * a peer).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEV_PARAMS, bigIntToBytes32, blockId, buildRewardTx, decodeTx, encodeTx, fromHex, merkleRoot, sha256, toHex, txId, MAX_BLOCK_BYTES, MAX_TX_BYTES, type DecodedBlock, type SignedTx, type Tx } from '../../ledger/index.ts';
import { assembleBlock, encodeHeader, meetsTarget, type PowHeader } from '../../consensus/pow/index.ts';
import { FullNode } from '../../node/index.ts';
import { validateGossipBlock, validateGossipTx } from '../../node/network/index.ts';
import { keyPair } from '../support/chain.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { mineOn, txBytes } from '../support/network.ts';

const MINER = keyPair('unit-miner').publicKey;

/** A header's fields with the proof-of-work seal's target beside them (the nonce is found by `seal`). */
type HeaderFields = Omit<PowHeader, 'seal'> & { target: Uint8Array };

/** Seal a header (any fields) with the first nonce that meets its target, or misses it with `miss`. */
function seal({ target, ...header }: HeaderFields, txs: Tx[], miss = false): DecodedBlock {
  const nonce = new Uint8Array(8);
  const view = new DataView(nonce.buffer);
  for (let n = 0n; ; n++) {
    view.setBigUint64(0, n);
    const h: PowHeader = { ...header, seal: { kind: 'pow', target, nonce: nonce.slice() } };
    if (meetsTarget(blockId(encodeHeader(h)), target) !== miss) return assembleBlock(h, txs);
  }
}

/** Header fields for a block on the node's head, as the chain expects them. */
async function nextHeader(node: FullNode, txs: Tx[]): Promise<HeaderFields> {
  const w = (await node.work());
  return {
    v: 1, height: w.height, parent: fromHex(w.parent), txRoot: merkleRoot(txs.map((t) => txId(encodeTx(t)))),
    time: Math.max(w.parentTime + DEV_PARAMS.blockTimeMs, w.minTime + 1), target: fromHex(w.target),
  };
}

let node: FullNode;
let other: FullNode;

beforeEach(async () => {
  node = await FullNode.open({ dataDir: await tempDir('gopkgr-unit-'), params: DEV_PARAMS });
  other = await FullNode.open({ dataDir: await tempDir('gopkgr-unit-'), params: DEV_PARAMS });
});

afterEach(async () => {
  await node.close();
  await other.close();
  await closeAll();
});

describe('validateGossipBlock', () => {
  it('accepts a valid block on the head (connected) and tells the caller first', async () => {
    const bytes = mineOn((await node.work()), MINER);
    const seen: string[] = [];
    const v = await validateGossipBlock({ node, beforeImport: (id) => seen.push(id) }, bytes);
    expect(v).toMatchObject({ result: 'accept', reason: 'connected' });
    expect(seen).toEqual([v.id]);
    expect(node.chain.height).toBe(1);
  });

  it('ignores a block it already has: NET_DUPLICATE', async () => {
    const bytes = mineOn((await node.work()), MINER);
    await node.submitBlock(bytes);
    expect(await validateGossipBlock({ node }, bytes)).toMatchObject({ result: 'ignore', reason: 'NET_DUPLICATE' });
  });

  it('rejects an oversized message before decoding: NET_TOO_LARGE', async () => {
    expect(await validateGossipBlock({ node }, new Uint8Array(MAX_BLOCK_BYTES + 1))).toMatchObject({ result: 'reject', reason: 'NET_TOO_LARGE' });
  });

  it('rejects bytes that are not a block: DECODE_ERROR / BLOCK_MALFORMED', async () => {
    expect(await validateGossipBlock({ node }, new TextEncoder().encode('not a block'))).toMatchObject({ result: 'reject', reason: 'DECODE_ERROR' });
    expect(await validateGossipBlock({ node }, Uint8Array.of(0x82, 0x01, 0x80))).toMatchObject({ result: 'reject', reason: 'BLOCK_MALFORMED' });
  });

  it('rejects a block whose id misses its target: BLOCK_BAD_POW', async () => {
    const reward = buildRewardTx(1, MINER, [], DEV_PARAMS);
    const block = seal((await nextHeader(node, [reward])), [reward], true);
    expect(await validateGossipBlock({ node }, block.bytes)).toMatchObject({ result: 'reject', reason: 'BLOCK_BAD_POW' });
  });

  it('ignores an orphan (parent unknown) without importing it: BLOCK_PARENT_UNKNOWN', async () => {
    await other.submitBlock(mineOn((await other.work()), MINER));
    const second = mineOn((await other.work()), MINER);
    expect(await validateGossipBlock({ node }, second)).toMatchObject({ result: 'ignore', reason: 'BLOCK_PARENT_UNKNOWN' });
    expect(node.chain.height).toBe(0);
  });

  it('rejects a block with the wrong target: BLOCK_BAD_TARGET', async () => {
    const reward = buildRewardTx(1, MINER, [], DEV_PARAMS);
    const harder = bigIntToBytes32(BigInt('0x' + DEV_PARAMS.powLimit) / 2n);
    const block = seal({ ...(await nextHeader(node, [reward])), target: harder }, [reward]);
    expect(await validateGossipBlock({ node }, block.bytes)).toMatchObject({ result: 'reject', reason: 'BLOCK_BAD_TARGET' });
  });

  it('ignores a block just past the 2-hour future limit (our clock may be wrong): BLOCK_TIME_TOO_NEW', async () => {
    const reward = buildRewardTx(1, MINER, [], DEV_PARAMS);
    const block = seal({ ...(await nextHeader(node, [reward])), time: Date.now() + 2 * 3600_000 + 5 * 60_000 }, [reward]);
    expect(await validateGossipBlock({ node }, block.bytes)).toMatchObject({ result: 'ignore', reason: 'BLOCK_TIME_TOO_NEW' });
  });

  it('rejects a block from hours beyond any honest clock, orphan or not: BLOCK_TIME_FAR_FUTURE', async () => {
    const reward = buildRewardTx(1, MINER, [], DEV_PARAMS);
    const block = seal({ ...(await nextHeader(node, [reward])), time: Date.now() + 3 * 3600_000 }, [reward]);
    expect(await validateGossipBlock({ node }, block.bytes)).toMatchObject({ result: 'reject', reason: 'BLOCK_TIME_FAR_FUTURE' });
    const orphan = seal({ ...(await nextHeader(node, [reward])), parent: sha256(new TextEncoder().encode('nobody has this')), time: Date.now() + 3 * 3600_000 }, [reward]);
    expect(await validateGossipBlock({ node }, orphan.bytes)).toMatchObject({ result: 'reject', reason: 'BLOCK_TIME_FAR_FUTURE' });
    // Seen by a clock an hour ahead of ours, the same block is a minute past the limit: ignored, a matter of clocks.
    expect(await validateGossipBlock({ node, now: () => Date.now() + 3 * 3600_000 - 2 * 3600_000 - 60_000 }, block.bytes)).toMatchObject({ result: 'ignore', reason: 'BLOCK_TIME_TOO_NEW' });
  });

  it('rejects a block that breaks a state rule, and then again as BLOCK_KNOWN_INVALID', async () => {
    const greedy = buildRewardTx(1, MINER, [], DEV_PARAMS);
    greedy.outputs[0]!.amount += 1;
    const block = seal((await nextHeader(node, [greedy])), [greedy]);
    const first = await validateGossipBlock({ node }, block.bytes);
    expect(first.result).toBe('reject');
    expect(first.reason).toMatch(/^(TX|BLOCK)_[A-Z_]+$/);
    expect(await validateGossipBlock({ node }, block.bytes)).toMatchObject({ result: 'reject', reason: 'BLOCK_KNOWN_INVALID' });
  });
});

describe('validateGossipTx', () => {
  const chainId = (): string => node.chainId;
  const claim = (seed: string, ns: string, nonce = 0): Uint8Array => txBytes(keyPair(seed), 'claim', { ns }, nonce, chainId());

  it('accepts a valid tx into the pool', async () => {
    const seen: string[] = [];
    const v = await validateGossipTx({ node, beforeSubmit: (id) => seen.push(id) }, claim('alice', '@alice'));
    expect(v).toMatchObject({ result: 'accept', reason: 'pending' });
    expect(node.mempool.size).toBe(1);
    expect(seen).toEqual([v.id]);
  });

  it('ignores a tx it already has: NET_DUPLICATE', async () => {
    const bytes = claim('alice', '@alice');
    await node.submitTx(bytes);
    expect(await validateGossipTx({ node }, bytes)).toMatchObject({ result: 'ignore', reason: 'NET_DUPLICATE' });
  });

  it('rejects an oversized message: NET_TOO_LARGE', async () => {
    expect(await validateGossipTx({ node }, new Uint8Array(MAX_TX_BYTES + 1))).toMatchObject({ result: 'reject', reason: 'NET_TOO_LARGE' });
  });

  it('rejects bytes that are not a tx: DECODE_ERROR / TX_MALFORMED', async () => {
    expect(await validateGossipTx({ node }, Uint8Array.of(0xff))).toMatchObject({ result: 'reject', reason: 'DECODE_ERROR' });
    expect(await validateGossipTx({ node }, Uint8Array.of(0xa0))).toMatchObject({ result: 'reject', reason: 'TX_MALFORMED' });
  });

  it('rejects a reward tx outside a block: TX_REWARD_NOT_ALLOWED', async () => {
    const reward = encodeTx(buildRewardTx(1, MINER, [], DEV_PARAMS));
    expect(await validateGossipTx({ node }, reward)).toMatchObject({ result: 'reject', reason: 'TX_REWARD_NOT_ALLOWED' });
  });

  it('rejects a non-attestation on the attestations topic: NET_WRONG_TOPIC', async () => {
    expect(await validateGossipTx({ node, attestationsOnly: true }, claim('alice', '@alice'))).toMatchObject({ result: 'reject', reason: 'NET_WRONG_TOPIC' });
  });

  it('rejects a tx whose signature does not verify: TX_BAD_SIGNATURE', async () => {
    const tx = decodeTx(claim('alice', '@alice')) as SignedTx;
    const sig = tx.sig.slice();
    sig[10]! ^= 1;
    expect(await validateGossipTx({ node }, encodeTx({ ...tx, sig }))).toMatchObject({ result: 'reject', reason: 'TX_BAD_SIGNATURE' });
  });

  it('ignores a tx that conflicts with the pool (depends on what this node saw): TX_NAME_TAKEN', async () => {
    await node.submitTx(claim('alice', '@shared'));
    const v = await validateGossipTx({ node }, claim('bob', '@shared'));
    expect(v.result).toBe('ignore');
    expect(v.reason).toBe('TX_NAME_TAKEN');
  });

  it('fetches a publish tx\'s missing tarball from the sender before submitting it', async () => {
    const tarball = new TextEncoder().encode('a tarball');
    const hash = sha256(tarball);
    const publish = txBytes(keyPair('alice'), 'publish', { pkg: sha256(new TextEncoder().encode('pkg')), version: '1.0.0', contentHash: hash, size: tarball.length, deps: {}, lock: {} }, 0, chainId());
    const asked: string[] = [];
    const v = await validateGossipTx({
      node,
      fetchBlob: async (h) => {
        asked.push(h);
        await node.blobs.put(h, tarball);
        return true;
      },
    }, publish);
    expect(asked).toEqual([toHex(hash)]);
    expect(await node.blobs.has(toHex(hash))).toBe(true);
    // The package does not exist here, so the publish itself is ignored on state grounds, not for its blob.
    expect(v.result).toBe('ignore');
    expect(v.reason).not.toBe('NET_BLOB_UNAVAILABLE');
  });

  it('ignores a publish whose tarball no peer can provide: NET_BLOB_UNAVAILABLE', async () => {
    const publish = txBytes(keyPair('alice'), 'publish', { pkg: sha256(new TextEncoder().encode('pkg')), version: '1.0.0', contentHash: sha256(Uint8Array.of(1)), size: 1, deps: {}, lock: {} }, 0, chainId());
    expect(await validateGossipTx({ node, fetchBlob: async () => false }, publish)).toMatchObject({ result: 'ignore', reason: 'NET_BLOB_UNAVAILABLE' });
  });
});
