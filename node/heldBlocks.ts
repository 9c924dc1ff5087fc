/**
 * Private blocks held back because their anchor is a public block this node's
 * replica has not reached yet (BLOCK_ANCHOR_PENDING: blame none, not invalid).
 * Each is submitted again, lowest height first, whenever the replica's head
 * moves; one still pending is held again, one now judged goes its way. Bounded:
 * past MAX_HELD the oldest held block is dropped (sync fetches it again later).
 */
import { toHex } from '../ledger/encoding.ts';
import type { DecodedBlock } from '../ledger/block.ts';

export const MAX_HELD_BLOCKS = 256;

export class HeldBlocks {
  private readonly held = new Map<string, DecodedBlock>();
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly submit: (block: DecodedBlock) => Promise<unknown>, private readonly max = MAX_HELD_BLOCKS) {}

  get size(): number {
    return this.held.size;
  }

  hold(block: DecodedBlock): void {
    const id = toHex(block.id);
    this.held.delete(id);
    this.held.set(id, block);
    if (this.held.size > this.max) this.held.delete(this.held.keys().next().value!);
  }

  /** Submit every held block again (called when the replica moves); settles when this round is done. */
  retry(): Promise<void> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        const blocks = [...this.held.values()].sort((a, b) => a.header.height - b.header.height);
        this.held.clear();
        for (const block of blocks) await this.submit(block).catch(() => undefined);
      } while (this.again);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }
}
