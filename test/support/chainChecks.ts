/**
 * Helpers for the reorg, fuzz and crash tests, on top of `chain.ts`: key
 * rotation txs and the consistency checks that compare a
 * chain's state with its replay and with a fresh chain fed the same blocks.
 */
import { expect } from 'vitest';
import { workOf } from '../../consensus/pow/index.ts';
import { bytesToBigInt, fromHex, rotationMessage, sign, toHex, type DecodedBlock, type KeyPair, type SignedTx } from '../../ledger/index.ts';
import { defaultHooks, type Chain, type ChainStore } from '../../node/index.ts';
import { heightKey, type BlockIndexEntry, type TxLocation } from '../../node/store.ts';
import { openChain, signed, stateDump, stateThroughCache } from '../support/chain.ts';

/** A rotate tx moving `from`'s history to `to`, with the new key's proof of possession. */
export function rotateTx(from: KeyPair, to: KeyPair, nonce: number, chainId: Uint8Array): SignedTx {
  const proof = sign(rotationMessage(chainId, from.publicKey, to.publicKey, nonce), to.secretKey);
  return signed(from, 'rotate', { to: to.publicKey, proof }, nonce, chainId);
}

/** The main chain's blocks from height 1 to the head, oldest first. */
export async function mainBlocks(chain: Chain): Promise<DecodedBlock[]> {
  const out: DecodedBlock[] = [];
  for (let h = 1; h <= chain.height; h++) out.push((await chain.getBlock(chain.mainIdAt(h)!))!);
  return out;
}

/** The state a fresh chain reaches by importing exactly `blocks` (in order) into a new temp dir. */
export async function stateFromScratch(blocks: readonly DecodedBlock[]): Promise<{ head: string; state: Array<[string, unknown]> }> {
  const t = await openChain(undefined, { hooks: defaultHooks });
  for (const b of blocks) await t.chain.importBlock(b.bytes);
  const result = { head: t.chain.head.id, state: stateDump(await t.chain.readState()) };
  await t.close();
  return result;
}

/**
 * Everything that must hold between a chain's memory and its store: the state
 * equals a replay of the main chain from genesis; every main block has its
 * bytes, index entry (valid, linked to its parent), height key and undo data;
 * every main tx has its location. Returns the number of txs checked.
 */
export async function expectConsistent(chain: Chain, store: ChainStore): Promise<number> {
  expect(stateDump(await chain.readState())).toEqual(stateDump(await chain.replayState()));
  expect(stateDump(await stateThroughCache(chain))).toEqual(stateDump(await chain.readState()));
  expect(await store.getValue<string>('meta:head')).toBe(chain.head.id);
  let txs = 0;
  let work = 0n;
  for (let h = 0; h <= chain.height; h++) {
    const id = chain.mainIdAt(h);
    expect(id, `main chain id at height ${h}`).toBeDefined();
    const entry = await store.getValue<BlockIndexEntry>(`i:${id}`);
    expect(entry?.status, `index entry of main block ${h}`).toBe('valid');
    expect(entry?.height).toBe(h);
    if (h > 0) expect(entry?.parent).toBe(chain.mainIdAt(h - 1));
    expect(await store.getValue<string>(heightKey(h)), `height key ${h}`).toBe(id);
    expect(await store.getRaw(`u:${id}`), `undo data of block ${h}`).toBeDefined();
    const block = await chain.getBlock(id!);
    expect(block, `bytes of main block ${h}`).toBeDefined();
    expect(toHex(block!.id)).toBe(id);
    expect(block!.header.height).toBe(h);
    for (let i = 0; i < block!.txIds.length && h > 0; i++) {
      const where = await store.getValue<TxLocation>(`t:${toHex(block!.txIds[i]!)}`);
      expect(where, `location of tx ${i} of block ${h}`).toEqual({ block: id, height: h, index: i });
      txs++;
    }
    // Cumulative work: the parent's plus this block's.
    const own = workOf(bytesToBigInt(fromHex(entry!.target as string)));
    expect(BigInt('0x' + entry!.work), `cumulative work of block ${h}`).toBe(h === 0 ? own : work + own);
    work = BigInt('0x' + entry!.work);
  }
  expect(work).toBe(BigInt('0x' + chain.head.work));
  // Nothing is recorded above the head.
  expect(await store.getRaw(heightKey(chain.height + 1))).toBeUndefined();
  return txs;
}
