/**
 * Signature verification on all cores. A block's signatures are cut into
 * chunks that worker threads take one at a time (each keeps one more queued so
 * it never waits on a round trip); the calling thread takes chunks too, at
 * once or, when it has other work first (a block's state reads), once that
 * work is done (`join`). Whoever is free verifies the next chunk, so a loaded
 * core slows the batch by its own share only. Signature checks are independent
 * of state, so this is where a second core pays off most. Small batches stay on
 * the calling thread (a round trip to a worker costs about as much as ~50
 * verifications).
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { verify } from '../ledger/crypto.ts';
import { startWorker } from './workers.ts';
import type { SignatureVerifier } from './chain.ts';
import type { SignatureCheck } from '../ledger/tx.ts';
import type { VerifyRequest, VerifyResponse } from './verifyWorker.ts';

const INLINE_BELOW = 64;
/** Checks per chunk: a round trip's cost is small against it, and a batch still splits evenly. */
const CHUNK = 48;
/** Chunks a worker holds at once: the one it verifies and the next. */
const AHEAD = 2;

interface Batch {
  checks: SignatureCheck[];
  ok: boolean[];
  /** index of the next chunk no one has taken */
  next: number;
  chunks: number;
  done: number;
  failed: boolean;
  settle: () => void;
}

export class WorkerVerifier implements SignatureVerifier {
  private workers: Worker[] | null = null;
  private readonly inFlight = new Map<number, { batch: Batch; from: number; worker: Worker }>();
  /** chunks each worker holds; a worker is in it once it is up (until then the calling thread takes its chunks) */
  private readonly load = new Map<Worker, number>();
  private readonly batches: Batch[] = [];
  private nextId = 0;

  /** `threads` workers beside the calling thread (default: one per other core). */
  constructor(private readonly threads = Math.max(1, availableParallelism() - 1)) {}

  private pool(): Worker[] {
    if (this.workers === null) {
      const workers: Worker[] = [];
      this.workers = workers;
      for (let i = 0; i < this.threads; i++) {
        const worker = startWorker(new URL('./verifyWorker.ts', import.meta.url));
        worker.on('online', () => {
          if (this.workers !== workers) return;
          this.load.set(worker, 0);
          this.feed();
        });
        worker.on('message', (res: VerifyResponse) => this.answered(worker, res));
        // A dead worker's chunks are verified on the calling thread (see `verifyAll`).
        worker.on('error', () => this.lost(workers));
        worker.unref();
        workers.push(worker);
      }
    }
    return this.workers;
  }

  /**
   * Start the workers now rather than on the first large batch: a thread takes tens of ms
   * to come up, which a node's first full block would otherwise wait for. They are
   * unreferenced until a batch needs them, so they keep no process alive.
   */
  warm(): void {
    this.pool();
  }

  /** Workers up and taking chunks. */
  get workersUp(): number {
    return this.load.size;
  }

  async verifyAll(checks: SignatureCheck[], opts: { background?: boolean; join?: Promise<unknown> } = {}): Promise<boolean[]> {
    if (checks.length === 0 || (checks.length < INLINE_BELOW && opts.background !== true)) return checks.map((c) => verify(c.sig, c.message, c.publicKey));
    let settle!: () => void;
    const settled = new Promise<void>((r) => (settle = r));
    const batch: Batch = { checks, ok: new Array<boolean>(checks.length), next: 0, chunks: Math.ceil(checks.length / CHUNK), done: 0, failed: false, settle };
    this.batches.push(batch);
    // Workers keep the process alive while a batch waits for them (even for one still starting).
    for (const w of this.pool()) w.ref();
    this.feed();
    // In the background the calling thread keeps no share: it is importing another block.
    if (opts.background !== true) {
      await opts.join?.catch(() => undefined);
      while (batch.next < batch.chunks) this.verifyChunk(batch, batch.next++);
    }
    if (batch.done < batch.chunks) await settled;
    this.forget(batch);
    if (batch.failed) return checks.map((c) => verify(c.sig, c.message, c.publicKey));
    return batch.ok;
  }

  private verifyChunk(batch: Batch, chunk: number): void {
    const from = chunk * CHUNK;
    for (let i = from; i < Math.min(from + CHUNK, batch.checks.length); i++) batch.ok[i] = verify(batch.checks[i]!.sig, batch.checks[i]!.message, batch.checks[i]!.publicKey);
    this.chunkDone(batch);
  }

  private chunkDone(batch: Batch): void {
    if (++batch.done === batch.chunks) batch.settle();
  }

  /** Give each worker that is up chunks until it holds AHEAD of them or none is left. */
  private feed(): void {
    for (const [worker, held] of this.load) {
      let load = held;
      while (load < AHEAD) {
        const batch = this.batches.find((b) => b.next < b.chunks);
        if (batch === undefined) break;
        const from = batch.next++ * CHUNK;
        const part = batch.checks.slice(from, from + CHUNK);
        const id = this.nextId++;
        this.inFlight.set(id, { batch, from, worker });
        this.load.set(worker, ++load);
        worker.postMessage({ id, messages: part.map((c) => c.message), sigs: part.map((c) => c.sig), keys: part.map((c) => c.publicKey) } satisfies VerifyRequest);
      }
    }
  }

  private answered(worker: Worker, res: VerifyResponse): void {
    const job = this.inFlight.get(res.id);
    if (job === undefined) return;
    this.inFlight.delete(res.id);
    this.load.set(worker, (this.load.get(worker) ?? 1) - 1);
    res.ok.forEach((b, i) => (job.batch.ok[job.from + i] = b === 1));
    this.chunkDone(job.batch);
    this.feed();
  }

  /** A worker died: the batches it held fail over to the calling thread, and the next batch starts new workers. */
  private lost(workers: Worker[]): void {
    if (this.workers !== workers) return;
    this.workers = null;
    for (const w of workers) {
      this.load.delete(w);
      void w.terminate();
    }
    const hit = new Set<Batch>();
    for (const [id, job] of this.inFlight) {
      this.inFlight.delete(id);
      hit.add(job.batch);
    }
    for (const batch of this.batches) if (batch.next < batch.chunks) hit.add(batch);
    for (const batch of hit) {
      batch.failed = true;
      batch.next = batch.chunks;
      batch.settle();
    }
  }

  private forget(batch: Batch): void {
    const at = this.batches.indexOf(batch);
    if (at >= 0) this.batches.splice(at, 1);
    if (this.batches.length === 0) for (const w of this.workers ?? []) w.unref();
  }

  async close(): Promise<void> {
    const workers = this.workers ?? [];
    this.workers = null;
    this.load.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
