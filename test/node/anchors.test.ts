/**
 * Anchors on real chains: a private authority chain (FullNode over LevelDB) whose
 * replica of the public chain is a real proof-of-work Chain (node/anchors.ts
 * replicaParent). A block anchored at the replica's main chain is taken; one
 * anchored past the replica's head is held back (BLOCK_ANCHOR_PENDING) and taken
 * once the replica reaches it; one anchored at a block the replica replaced,
 * anchorDepth deep, is refused; the signer anchors anchorDepth below the
 * replica's head. A private publish whose lock names a public version is taken
 * at an anchor at or above that version's public block, refused below it, in
 * the mempool and in a block.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildRewardTx, DEV_PARAMS, encodeTx, fromHex, identityOf, merkleRoot, toHex, txId,
  type ChainParams, type SignedTx, type Tx,
} from '../../ledger/index.ts';
import { chainIdOf, sealAuthorityBlock, type AuthorityConsensus, type BlockAnchor } from '../../consensus/index.ts';
import { AuthoritySigner, FullNode, replicaParent, type Chain } from '../../node/index.ts';
import { actor, extend, idBytes, keyPair, mineChain, openChain, publishBody, rejectsWith } from '../support/chain.ts';
import { closeAll, onClose, tempDir } from '../support/cleanup.ts';
import { waitFor } from '../support/waitFor.ts';

afterEach(closeAll);

const DEPTH = 3;
const AUTHORITY = keyPair('anchor-authority');
/** Forked beside the dev chain, which the replica (openChain's default) is. */
const PARAMS: ChainParams = {
  ...DEV_PARAMS, name: 'acme', namespaces: ['@acme'], parent: { chainId: chainIdOf(DEV_PARAMS) },
  consensus: { kind: 'authority', authorities: [identityOf(AUTHORITY.publicKey)], slotMs: 1000, epochBlocks: 100, anchorDepth: DEPTH },
};

interface World {
  replica: Chain;
  node: FullNode;
}

/** The replica, and the private node reading it. Slots are the real clock's (genesis is long past), blocks take old ones. */
async function world(): Promise<World> {
  const replica = (await openChain()).chain;
  const node = await FullNode.open({ dataDir: await tempDir('gopkgr-anchors-'), params: PARAMS, parent: replicaParent(replica, DEPTH) });
  onClose(() => node.close());
  return { replica, node };
}

let slot = 0;
/** A block of the private chain on its head for the next slot, anchored at `anchor`, with `txs` after its reward. */
function privateBlock(w: World, anchor: BlockAnchor, txs: Tx[] = []): ReturnType<typeof sealAuthorityBlock> {
  const chain = w.node.chain;
  const head = chain.head;
  slot = Math.max(slot, typeof head.slot === 'number' ? head.slot : 0) + 1;
  const reward = buildRewardTx(head.height + 1, AUTHORITY.publicKey, txs, chain.params);
  const all = [reward, ...txs];
  const template = { header: { v: 1, height: head.height + 1, parent: fromHex(head.id), txRoot: merkleRoot(all.map((tx) => txId(encodeTx(tx)))), time: 0 }, txs: all };
  const c = chain.consensus as AuthorityConsensus;
  return sealAuthorityBlock(template, slot, AUTHORITY, chain.chainId, chain.params, c.set, anchor);
}

const at = (replica: Chain, height: number): BlockAnchor => ({ height, id: replica.mainIdAt(height)! });

describe('anchors of private blocks', () => {
  it('takes a block anchored on the replica\'s main chain, holds one past its head until the replica reaches it', async () => {
    const w = await world();
    await mineChain(w.replica, 6);
    expect((await w.node.submitBlock(privateBlock(w, at(w.replica, 3)))).status).toBe('connected');
    // Anchored at public height 8: the replica is at 6, so it is held, not refused, and not stored.
    const ahead = await mineChain((await openChain()).chain, 8);
    const early = privateBlock(w, { height: 8, id: toHex(ahead[7]!.id) });
    await rejectsWith(w.node.submitBlock(early), 'BLOCK_ANCHOR_PENDING');
    expect(w.node.chain.entry(toHex(early.id))).toBeUndefined();
    // The replica follows the other chain's blocks (the same dev chain, so the same blocks): the held block is retried.
    for (const block of ahead.slice(6)) await w.replica.importBlock(block);
    await waitFor(async () => w.node.chain.head.id === toHex(early.id), 10_000, 'the held block to be taken');
    expect(w.node.chain.height).toBe(2);
  });

  it('refuses a block anchored at a public block the replica replaced, anchorDepth deep', async () => {
    const w = await world();
    const side = await mineChain(w.replica, 2, { timeStep: 1234 });
    // A heavier branch from genesis replaces the two blocks: the replica's main chain has another block at height 2.
    const base = w.replica.mainIdAt(0)!;
    await mineChain(w.replica, 2 + DEPTH + 1, { parent: base });
    expect(w.replica.mainIdAt(2)).not.toBe(toHex(side[1]!.id));
    await rejectsWith(w.node.submitBlock(privateBlock(w, { height: 2, id: toHex(side[1]!.id) })), 'BLOCK_ANCHOR_NOT_ON_PARENT');
  });

  it('refuses an anchor behind the parent\'s (BLOCK_ANCHOR_BACKWARDS)', async () => {
    const w = await world();
    await mineChain(w.replica, 8);
    await w.node.submitBlock(privateBlock(w, at(w.replica, 5)));
    await rejectsWith(w.node.submitBlock(privateBlock(w, at(w.replica, 4))), 'BLOCK_ANCHOR_BACKWARDS');
  });

  it('the signer anchors anchorDepth below the replica\'s head', async () => {
    const w = await world();
    await mineChain(w.replica, 10);
    const signed: number[] = [];
    const signer = new AuthoritySigner(w.node, AUTHORITY, { info: () => {}, warn: () => {} }, () => Date.now(), (b) => signed.push(b.height));
    onClose(() => signer.stop());
    signer.start();
    await waitFor(async () => signed.length > 0, 10_000, 'a signed block');
    const head = w.node.chain.head;
    expect(head.anchorHeight).toBe(10 - DEPTH);
    expect(head.anchor).toBe(w.replica.mainIdAt(10 - DEPTH));
  });
});

describe('a private publish depending on a public version', () => {
  /** @pub/lib@1.0.0 published on the replica at height 3, then `more` blocks; alice's @acme/app created on the private chain. */
  async function published(more: number): Promise<{ w: World; publish: () => SignedTx; alice: ReturnType<typeof actor> }> {
    const w = await world();
    const bob = actor(keyPair('bob'), w.replica.chainId);
    await extend(w.replica, [bob.tx('claim', { ns: '@pub' })]);
    const create = bob.tx('create', { ns: '@pub', name: 'lib' });
    await extend(w.replica, [create]);
    const body = publishBody(idBytes(create), '1.0.0');
    await extend(w.replica, [bob.tx('publish', body)]);
    expect(w.replica.height).toBe(3);
    await mineChain(w.replica, more);
    const alice = actor(keyPair('alice'), w.node.chain.chainId);
    const claim = alice.tx('claim', { ns: '@acme' });
    const app = alice.tx('create', { ns: '@acme', name: 'app' });
    await w.node.submitBlock(privateBlock(w, at(w.replica, 0), [claim, app]));
    const publish = (): SignedTx => alice.peek('publish', publishBody(idBytes(app), '1.0.0', { deps: { '@pub/lib': '^1.0.0' }, lock: { '@pub/lib@1.0.0': body.contentHash } }));
    return { w, publish, alice };
  }

  it('is taken in a block anchored at or above the version\'s public block, refused below it', async () => {
    const { w, publish } = await published(DEPTH);
    const tx = publish();
    await rejectsWith(w.node.submitBlock(privateBlock(w, at(w.replica, 2), [tx])), 'TX_LOCK_ABOVE_ANCHOR');
    const result = await w.node.submitBlock(privateBlock(w, at(w.replica, 3), [tx]));
    expect(result.status).toBe('connected');
    expect(await w.node.chain.txLocation(toHex(txId(encodeTx(tx))))).toMatchObject({ height: 2 });
  });

  it('the mempool judges it at the anchor the next block would take', async () => {
    // Published at 3, replica at 3 + DEPTH - 1: the next anchor is 2, below the version.
    // Straight to the pool (the signature is the actor's own): the node's policy would first ask for the tarball.
    const pool = (w: World, tx: SignedTx, sender: string): Promise<void> => w.node.mempool.add({ id: toHex(txId(encodeTx(tx))), tx, bytes: encodeTx(tx), sender });
    const early = await published(DEPTH - 1);
    await rejectsWith(pool(early.w, early.publish(), early.alice.hex), 'TX_LOCK_ABOVE_ANCHOR');
    const settled = await published(DEPTH);
    await pool(settled.w, settled.publish(), settled.alice.hex);
    expect(settled.w.node.mempool.size).toBe(1);
  });
});

