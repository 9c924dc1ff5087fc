/**
 * Authority-set changes on a real Chain (real LevelDB): votes in blocks, the
 * set changing at the epoch boundary (the boundary's index entry keeps it, and
 * the header rules, turns and finality follow it, after a reopen too), and an
 * evidence tx removing an equivocator at the next boundary.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildRewardTx, DEV_PARAMS, encodeTx, fromHex, identityOf, merkleRoot, toHex, txId, type ChainParams, type KeyPair, type SignedTx } from '../../ledger/index.ts';
import { encodeHeader } from '../../ledger/block.ts';
import { consensusFor } from '../../consensus/index.ts';
import { authoritySealCodec, sealAuthorityBlock, signHeader, slotStart, type AuthorityConsensus } from '../../consensus/authority/index.ts';
import type { Chain } from '../../node/index.ts';
import { actor, keyPair, openChain, rejectsWith, type Actor } from '../support/chain.ts';
import { closeAll } from '../support/cleanup.ts';

afterEach(closeAll);

const EPOCH = 3;
const A: KeyPair[] = [0, 1, 2].map((i) => keyPair(`epoch-authority-${i}`));
const NEWCOMER = keyPair('epoch-newcomer');
const PARAMS: ChainParams = {
  ...DEV_PARAMS, name: 'acme-votes',
  consensus: { kind: 'authority', authorities: A.map((k) => identityOf(k.publicKey)), slotMs: 2000, epochBlocks: EPOCH },
};
const consensus = consensusFor(PARAMS) as AuthorityConsensus;
const NOW = slotStart(1000, PARAMS, consensus.set);
const hex = (k: KeyPair): string => toHex(k.publicKey);

/** A block on the head (or on `parentId`) for `slot`, signed by `key`, holding `txs` after its reward. */
function block(chain: Chain, slot: number, key: KeyPair, txs: SignedTx[] = [], parentId?: string): ReturnType<typeof sealAuthorityBlock> {
  const parent = parentId === undefined ? chain.head : chain.entry(parentId)!;
  const reward = buildRewardTx(parent.height + 1, key.publicKey, txs, chain.params);
  const all = [reward, ...txs];
  const template = { header: { v: 1, height: parent.height + 1, parent: fromHex(parent.id), txRoot: merkleRoot(all.map((t) => txId(encodeTx(t)))), time: 0 }, txs: all };
  return sealAuthorityBlock(template, slot, key, chain.chainId, chain.params, consensus.set);
}

async function votedIn(): Promise<{ chain: Chain; dir: string; close: () => Promise<void>; voters: Actor[] }> {
  const t = await openChain(undefined, { params: PARAMS, now: () => NOW });
  const chain = t.chain;
  const voters = A.map((k) => actor(k, chain.chainId, 0, PARAMS.txWorkBits));
  const add = (v: Actor): SignedTx => v.tx('authority-vote', { action: 'add', identity: NEWCOMER.publicKey });
  // Two of three vote in epoch 1 (heights 1-3): a majority.
  await chain.importBlock(block(chain, 1, A[1]!, [add(voters[0]!), add(voters[1]!)]));
  await chain.importBlock(block(chain, 2, A[2]!));
  // Before the boundary the newcomer signs nothing (slot 3 is authority 0's under the genesis set).
  await rejectsWith(chain.importBlock(block(chain, 3, NEWCOMER)), 'BLOCK_SIGNER_UNKNOWN');
  expect(chain.authoritiesAt(chain.head.id)).toBeUndefined();
  await chain.importBlock(block(chain, 3, A[0]!));
  return { chain, dir: t.dir, close: t.close, voters };
}

describe('authority-set votes on a chain', () => {
  it('changes the set at the epoch boundary: the newcomer signs in its turn, turns and finality follow the new set', async () => {
    const { chain } = await votedIn();
    expect(chain.height).toBe(3);
    expect(chain.authoritiesAt(chain.head.id)).toEqual([...A.map(hex), hex(NEWCOMER)]);
    // Four authorities: slot 7 is the newcomer's (7 mod 4 = 3), not authority 1's as under three (7 mod 3 = 1).
    await rejectsWith(chain.importBlock(block(chain, 7, A[1]!)), 'BLOCK_OUT_OF_TURN');
    const turn = chain.nextTerms(chain.head.id);
    expect(turn.kind === 'authority' && toHex(turn.signer)).toBe(hex(A[0]!));
    await chain.importBlock(block(chain, 7, NEWCOMER));
    expect(chain.height).toBe(4);
    await chain.importBlock(block(chain, 8, A[0]!));
    // A majority of four is three: blocks 4 and 5 (two signers) make nothing above block 1 final;
    // under the genesis's majority of two, block 3 would be.
    expect(chain.finalizedHeight()).toBe(1);
    await chain.importBlock(block(chain, 9, A[1]!));
    expect(chain.finalizedHeight()).toBe(3);
  });

  it('keeps the set it recorded when the chain reopens', async () => {
    const { chain, dir, close } = await votedIn();
    const head = chain.head.id;
    await close();
    const again = await openChain(dir, { params: PARAMS, now: () => NOW });
    expect(again.chain.authoritiesAt(head)).toEqual([...A.map(hex), hex(NEWCOMER)]);
    await again.chain.importBlock(block(again.chain, 7, NEWCOMER));
    expect(again.chain.height).toBe(4);
  });

  it('removes an equivocator at the next boundary once an evidence tx is in a block, on the chain\'s own check', async () => {
    const { chain, voters } = await votedIn();
    // Authority 2 signed two headers for slot 6 (never imported here): the two are the evidence.
    const twin = (fill: number): Uint8Array => encodeHeader(signHeader({
      v: 1, height: 4, parent: fromHex(chain.head.id), txRoot: new Uint8Array(32).fill(fill), time: slotStart(6, PARAMS, consensus.set),
    }, 6, A[2]!.publicKey, A[2]!.secretKey, chain.chainId), authoritySealCodec);
    const evidence = voters[0]!.tx('evidence', { a: twin(1), b: twin(2) });
    await chain.importBlock(block(chain, 7, NEWCOMER, [evidence]));
    // A second evidence tx against the same offender is refused with its code; the block holding it is invalid.
    const again = voters[1]!.tx('evidence', { a: twin(3), b: twin(4) });
    await rejectsWith(chain.importBlock(block(chain, 8, A[0]!, [again])), 'TX_EVIDENCE_RECORDED');
    await chain.importBlock(block(chain, 9, A[1]!));
    // Until the boundary the offender is in the set and signs in its turn.
    expect(chain.authoritiesAt(chain.head.id)).toHaveLength(4);
    await chain.importBlock(block(chain, 10, A[2]!));
    expect(chain.height).toBe(6);
    // Boundary 6 passed: authority 2 is out. Three remain; slot 11 is 11 mod 3 = 2: the newcomer's.
    expect(chain.authoritiesAt(chain.head.id)).toEqual([hex(A[0]!), hex(A[1]!), hex(NEWCOMER)]);
    await rejectsWith(chain.importBlock(block(chain, 11, A[2]!)), 'BLOCK_SIGNER_UNKNOWN');
    await chain.importBlock(block(chain, 11, NEWCOMER));
    expect(chain.height).toBe(7);
  });

  it('on a side branch above a boundary never applied, checks turns under the set that boundary leaves once a reorg applies it', async () => {
    const t = await openChain(undefined, { params: PARAMS, now: () => NOW });
    const chain = t.chain;
    const voters = A.map((k) => actor(k, chain.chainId, 0, PARAMS.txWorkBits));
    const b1 = block(chain, 1, A[1]!);
    await chain.importBlock(b1);
    await chain.importBlock(block(chain, 2, A[2]!));
    await chain.importBlock(block(chain, 3, A[0]!));
    expect(chain.authoritiesAt(chain.head.id)).toEqual(A.map(hex));
    // A branch from block 1 that votes the newcomer in, with its own boundary at height 3 (stored on the side).
    const add = (v: Actor): SignedTx => v.tx('authority-vote', { action: 'add', identity: NEWCOMER.publicKey });
    const s2 = block(chain, 4, A[1]!, [add(voters[0]!), add(voters[1]!)], toHex(b1.id));
    expect((await chain.importBlock(s2)).status).toBe('side');
    const s3 = block(chain, 5, A[2]!, [], toHex(s2.id));
    expect((await chain.importBlock(s3)).status).toBe('side');
    // Authority 1 in slot 7 was in turn under three (7 mod 3 = 1), not under the four that boundary leaves: refused on the reorg.
    await rejectsWith(chain.importBlock(block(chain, 7, A[1]!, [], toHex(s3.id))), 'BLOCK_OUT_OF_TURN');
    expect(chain.height).toBe(3);
    expect(chain.authoritiesAt(chain.head.id)).toEqual(A.map(hex));
    // The newcomer in slot 7 (7 mod 4 = 3) is in turn there: the branch wins.
    const s4 = block(chain, 7, NEWCOMER, [], toHex(s3.id));
    expect((await chain.importBlock(s4)).status).toBe('reorg');
    expect(chain.head.id).toBe(toHex(s4.id));
    expect(chain.authoritiesAt(chain.head.id)).toEqual([...A.map(hex), hex(NEWCOMER)]);
  });
});
