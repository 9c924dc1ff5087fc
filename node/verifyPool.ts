/**
 * Signature verification on all cores. A block's signatures are split between
 * the calling thread and worker threads; the caller verifies its share while the
 * workers verify theirs. Signature checks are independent of state, so this is
 * where a second core pays off most: verification is ~90% of a tx's import cost.
 * Small batches stay on the calling thread (a round trip to a worker costs about
 * as much as ~50 verifications).
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { verify } from '../ledger/crypto.ts';
import { startWorker } from './workers.ts';
import type { SignatureVerifier } from './chain.ts';
import type { SignatureCheck } from '../ledger/tx.ts';
import type { VerifyRequest, VerifyResponse } from './verifyWorker.ts';

const INLINE_BELOW = 64;

export class WorkerVerifier implements SignatureVerifier {
  private workers: Worker[] | null = null;
  private pending = new Map<number, { resolve: (ok: Uint8Array) => void; reject: (err: Error) => void }>();
  private nextId = 0;

  /** `threads` workers beside the calling thread (default: one per other core). */
  constructor(private readonly threads = Math.max(1, availableParallelism() - 1)) {}

  private pool(): Worker[] {
    if (this.workers === null) {
      this.workers = [];
      for (let i = 0; i < this.threads; i++) {
        const worker = startWorker(new URL('./verifyWorker.ts', import.meta.url));
        worker.on('message', (res: VerifyResponse) => {
          const done = this.pending.get(res.id);
          this.pending.delete(res.id);
          if (this.pending.size === 0) for (const w of this.workers ?? []) w.unref();
          done?.resolve(res.ok);
        });
        // A dead worker fails its jobs; verifyAll then verifies them here.
        worker.on('error', (err) => {
          for (const p of this.pending.values()) p.reject(err);
          this.pending.clear();
          this.workers = null;
        });
        worker.unref();
        this.workers.push(worker);
      }
    }
    return this.workers;
  }

  async verifyAll(checks: SignatureCheck[], opts: { background?: boolean } = {}): Promise<boolean[]> {
    if (checks.length === 0 || (checks.length < INLINE_BELOW && opts.background !== true)) return checks.map((c) => verify(c.sig, c.message, c.publicKey));
    const workers = this.pool();
    // In the background the calling thread keeps no share: it is importing another block.
    const helpers = opts.background === true ? 0 : 1;
    const share = Math.ceil(checks.length / (workers.length + helpers));
    const jobs: Array<Promise<Uint8Array>> = [];
    workers.forEach((worker, w) => {
      const part = checks.slice((w + helpers) * share, (w + helpers + 1) * share);
      if (part.length === 0) return;
      const id = this.nextId++;
      jobs.push(new Promise<Uint8Array>((resolve, reject) => this.pending.set(id, { resolve, reject })));
      worker.ref();
      worker.postMessage({ id, messages: part.map((c) => c.message), sigs: part.map((c) => c.sig), keys: part.map((c) => c.publicKey) } satisfies VerifyRequest);
    });
    const mine = checks.slice(0, helpers * share).map((c) => verify(c.sig, c.message, c.publicKey));
    let theirs: Uint8Array[];
    try {
      theirs = await Promise.all(jobs);
    } catch {
      return checks.map((c) => verify(c.sig, c.message, c.publicKey));
    }
    const out = mine;
    for (const ok of theirs) for (const b of ok) out.push(b === 1);
    return out;
  }

  async close(): Promise<void> {
    const workers = this.workers ?? [];
    this.workers = null;
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
