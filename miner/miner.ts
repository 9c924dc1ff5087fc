/**
 * The mining loop: take work, build a template, have the proof-of-work producer
 * seal it (a nonce search on all worker threads), submit the block. A new head (or, for an empty candidate, a new
 * tx) aborts the search and starts over with fresh work.
 *
 * Pacing: on a dev chain blocks are nearly free, so an idle miner would fill the
 * chain with empty blocks as fast as it can hash. With `pace`, a candidate with no
 * txs waits until the chain's block time has passed since its parent.
 */
import { toHex, GopkgrError } from '../ledger/index.ts';
import type { Logger, Work } from '../node/index.ts';
import type { BlockTemplate, PowTerms } from '../consensus/index.ts';
import { PowSearch } from './pow.ts';
import { PowProducer } from './producer.ts';
import { buildTemplate, workTerms } from './template.ts';

export interface WorkSource {
  getWork(): Promise<Work>;
  submit(block: Uint8Array): Promise<{ status: string; height: number; id: string }>;
  /** calls `listener('head' | 'tx')`; returns an unsubscribe function */
  subscribe(listener: (what: 'head' | 'tx') => void): () => void;
}

export interface MinerOptions {
  minerKey: Uint8Array;
  threads?: number;
  pace?: boolean;
  log?: Logger;
  now?: () => number;
}

export interface MinedBlock {
  id: string;
  height: number;
  txs: number;
  hashes: number;
}

export class Miner {
  private readonly pow: PowSearch;
  private readonly producer: PowProducer;
  private running = false;
  private loop: Promise<void> | null = null;
  private abort: AbortController | null = null;
  private wake: (() => void) | null = null;
  private unsubscribe: (() => void) | null = null;
  private candidateEmpty = true;
  mined = 0;

  constructor(private readonly source: WorkSource, private readonly opts: MinerOptions) {
    this.pow = new PowSearch({ threads: opts.threads });
    this.producer = new PowProducer(this.pow);
  }

  start(onBlock?: (b: MinedBlock) => void): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.source.subscribe((what) => {
      if (what === 'head' || this.candidateEmpty) {
        this.abort?.abort();
        this.wake?.();
      }
    });
    this.loop = this.run(onBlock);
  }

  hashRate(): number {
    return this.pow.hashRate();
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = null;
  }

  private async run(onBlock?: (b: MinedBlock) => void): Promise<void> {
    const now = this.opts.now ?? Date.now;
    while (this.running) {
      let work: Work;
      let terms: PowTerms;
      try {
        work = await this.source.getWork();
        terms = workTerms(work);
      } catch (err) {
        this.opts.log?.warn(`miner: cannot get work: ${(err as Error).message}`);
        await this.sleep(1000);
        continue;
      }
      this.candidateEmpty = work.txs.length === 0;
      if (this.opts.pace === true && this.candidateEmpty) {
        const wait = work.parentTime + work.params.blockTimeMs - now();
        if (wait > 0) {
          await this.sleep(wait);
          continue;
        }
      }
      const template: BlockTemplate = buildTemplate(work, this.opts.minerKey, now());
      this.abort = new AbortController();
      const block = await this.producer.seal(template, terms, this.abort.signal);
      this.abort = null;
      if (block === null || !this.running) continue;
      try {
        const result = await this.source.submit(block.bytes);
        this.mined++;
        onBlock?.({ id: toHex(block.id), height: result.height, txs: block.txs.length - 1, hashes: this.producer.lastHashes });
      } catch (err) {
        // Another block can win the race for the same parent; that is not an error.
        const code = err instanceof GopkgrError ? err.code : 'ERROR';
        this.opts.log?.warn(`miner: block ${block.header.height} not accepted: ${code} ${(err as Error).message}`);
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.abort?.abort();
    this.wake?.();
    await this.loop;
    await this.pow.close();
  }
}
