/**
 * Signing on worker threads: 10^6 txs take minutes on one core (a stamp search
 * and an ECDSA signature each), so batches are spread over one thread per core.
 * Answers come back in request order whatever thread finished first.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../node/workers.ts';
import type { UnsignedPlan } from './generator.ts';
import type { SignAnswer, SignRequest } from './signWorker.ts';

/** Txs per message: large enough to amortise the copy, small enough to keep both threads busy. */
const BATCH = 100;

export class SignPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (e: Uint8Array[]) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor(private readonly chainId: Uint8Array, private readonly workBits: number, threads = availableParallelism()) {
    this.workers = Array.from({ length: Math.max(1, threads) }, () => {
      const w = startWorker(new URL('./signWorker.ts', import.meta.url));
      w.on('message', (a: SignAnswer) => {
        const p = this.waiting.get(a.id);
        this.waiting.delete(a.id);
        if (a.encoded !== undefined) p?.resolve(a.encoded);
        else p?.reject(new Error(`signing thread failed: ${a.error}`));
      });
      w.on('error', (err) => {
        for (const p of this.waiting.values()) p.reject(err);
        this.waiting.clear();
      });
      return w;
    });
  }

  /** Signs `txs`; the encodings come back in the same order. */
  async sign(txs: UnsignedPlan[]): Promise<Uint8Array[]> {
    const parts: Array<Promise<Uint8Array[]>> = [];
    for (let i = 0; i < txs.length; i += BATCH) {
      const id = this.nextId++;
      const worker = this.workers[id % this.workers.length]!;
      parts.push(new Promise((resolve, reject) => {
        this.waiting.set(id, { resolve, reject });
        worker.postMessage({ id, txs: txs.slice(i, i + BATCH), chainId: this.chainId, workBits: this.workBits } satisfies SignRequest);
      }));
    }
    return (await Promise.all(parts)).flat();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
