/**
 * Takes a snapshot every `every` blocks: when a block at a height that is a
 * multiple of `every` becomes the head, a LevelDB snapshot is taken at once
 * (in the chain's 'block' event, before the next block can be written: the
 * chain emits it right after the block's batch lands), and written out in the
 * background. One snapshot is written at a time; a due snapshot that finds the
 * previous one still running is skipped (the next is `every` blocks away).
 */
import { toHex } from '../../ledger/encoding.ts';
import type { DecodedBlock } from '../../ledger/block.ts';
import type { KeyPair } from '../../ledger/crypto.ts';
import type { Chain } from '../chain.ts';
import type { Logger } from '../fullNode.ts';
import type { SnapshotFiles } from './files.ts';
import type { SnapshotHeader } from './header.ts';

/** A snapshot every 1,000 blocks: a joining node replays at most that many; writing one costs a scan of the state. */
export const DEFAULT_SNAPSHOT_EVERY = 1_000;

export class Snapshotter {
  private running: Promise<unknown> | undefined;
  private readonly onBlock = (block: DecodedBlock): void => this.consider(block);

  constructor(private readonly chain: Chain, private readonly files: SnapshotFiles, private readonly key: KeyPair, private readonly every: number, private readonly log: Logger) {}

  start(): void {
    this.chain.on('block', this.onBlock);
  }

  async stop(): Promise<void> {
    this.chain.off('block', this.onBlock);
    await this.running;
  }

  /** Resolves when no snapshot is being written (tests). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  private consider(block: DecodedBlock): void {
    const height = block.header.height;
    // In a reorg every connected block is announced after the batch: only the head's state is on disk.
    if (height % this.every !== 0 || toHex(block.id) !== this.chain.head.id) return;
    if (this.running !== undefined) {
      this.log.warn(`snapshot: skipped height ${height}, the previous one is still being written`);
      return;
    }
    const view = this.chain.store.db.snapshot();
    const started = Date.now();
    this.running = this.files.write(this.chain.store, view, this.key).then((header: SnapshotHeader | undefined) => {
      if (header !== undefined) this.log.info(`snapshot: height ${header.height}, ${header.records} records, ${header.bytes} bytes in ${Date.now() - started} ms`);
    }, (err: unknown) => {
      this.log.warn(`snapshot: height ${height} not written: ${(err as Error).message}`);
    }).finally(() => {
      this.running = undefined;
    });
  }
}
