/**
 * HeldBlocks (node/heldBlocks.ts): private blocks whose public anchor the
 * replica has not reached, held and submitted again as the replica moves.
 * Bounded (the oldest held goes past the bound), retried lowest height first,
 * a block still pending held again, and a retry asked during one run again.
 */
import { describe, expect, it } from 'vitest';
import type { DecodedBlock } from '../../ledger/block.ts';
import { HeldBlocks, MAX_HELD_BLOCKS } from '../../node/heldBlocks.ts';

/** Only what HeldBlocks reads of a block: its id and height. */
function block(n: number, height = n): DecodedBlock {
  const id = new Uint8Array(32);
  new DataView(id.buffer).setUint32(0, n);
  return { id, header: { height } } as unknown as DecodedBlock;
}
const heightOf = (b: DecodedBlock): number => b.header.height;

describe('HeldBlocks', () => {
  it(`holds at most ${MAX_HELD_BLOCKS}: past that the oldest held goes, and holding one again makes it the newest`, async () => {
    const submitted: number[] = [];
    const held = new HeldBlocks(async (b) => void submitted.push(heightOf(b)));
    for (let i = 0; i < MAX_HELD_BLOCKS; i++) held.hold(block(i));
    held.hold(block(0)); // held again: now the newest, so block 1 is the oldest
    expect(held.size).toBe(MAX_HELD_BLOCKS);
    held.hold(block(MAX_HELD_BLOCKS));
    expect(held.size).toBe(MAX_HELD_BLOCKS);
    await held.retry();
    expect(held.size).toBe(0);
    expect(submitted).toHaveLength(MAX_HELD_BLOCKS);
    expect(submitted).not.toContain(1);
    expect(submitted).toContain(0);
    expect(submitted).toContain(MAX_HELD_BLOCKS);
  });

  it('submits lowest height first; one still pending is held again, and a failing one does not stop the rest', async () => {
    const order: number[] = [];
    const held: HeldBlocks = new HeldBlocks(async (b) => {
      order.push(heightOf(b));
      if (heightOf(b) === 7) held.hold(b); // its anchor still ahead of the replica
      if (heightOf(b) === 5) throw new Error('invalid');
    }, 10);
    for (const h of [9, 5, 7, 3]) held.hold(block(h));
    await held.retry();
    expect(order).toEqual([3, 5, 7, 9]);
    expect(held.size).toBe(1);
  });

  it('a retry asked while one runs makes that run go round again, and both settle when it is done', async () => {
    const submitted: number[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const held = new HeldBlocks(async (b) => {
      submitted.push(heightOf(b));
      if (heightOf(b) === 1) await gate;
    });
    held.hold(block(1));
    const first = held.retry();
    held.hold(block(2)); // held while the first round waits on block 1
    const second = held.retry();
    expect(second).toBe(first);
    release();
    await second;
    expect(submitted).toEqual([1, 2]);
    expect(held.size).toBe(0);
  });
});
