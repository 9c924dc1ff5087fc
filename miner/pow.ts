/**
 * Proof-of-work search over worker threads.
 *
 * The rule (DESIGN.md, "Consensus"): a header is valid when
 * sha256(sha256(header)), read as a 256-bit big-endian number, is <= target.
 * The nonce is the 8 bytes header[nonceOffset .. nonceOffset + 8); `PowSearch`
 * writes them as a big-endian uint64 and changes nothing else in the header.
 *
 * `PowSearch` starts its threads on the first `search` and keeps them for the
 * next jobs (a thread takes ~0.5 s to start, tsx included; a job switch is one
 * postMessage, ~0.3 ms for a trivial job's round trip). One job runs at a time:
 * a new `search` supersedes the one in flight, which resolves null, as an abort
 * would (a miner does exactly this when a new block arrives). The hashing loop
 * is in `powWorker.ts`; its header explains the choices and the measurements
 * behind them. `bench/mine.ts` compares this search against bare node:crypto
 * sha256d loops on as many threads: 0.98 of it on the 2-core build box.
 *
 * Idle threads are unref'd, so a forgotten `PowSearch` does not keep the
 * process alive; while a job runs they are ref'd, so `await search(...)` at the
 * top level of a script completes.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { GopkgrError } from '../ledger/index.ts';
import { startWorker } from '../node/index.ts';
import {
  meetsTarget,
  sha256dNative,
  targetToBytes,
  type PowJobMessage,
  type PowWorkerData,
  type PowWorkerMessage,
} from './powWorker.ts';

export interface PowJob {
  /** Encoded block header; the nonce occupies header[nonceOffset .. nonceOffset + 8). */
  header: Uint8Array;
  nonceOffset: number;
  /** Valid when BigInt('0x' + hex(sha256(sha256(header)))) <= target. */
  target: bigint;
}

export interface PowResult {
  /** The 8 nonce bytes to write at nonceOffset. */
  nonce: Uint8Array;
  /** sha256(sha256(header with nonce)), big-endian. */
  hash: Uint8Array;
  /** Hashes the threads had reported for this job when the nonce was found. */
  hashes: number;
}

export interface PowSearchOptions {
  /** Worker threads; default os.availableParallelism(). */
  threads?: number;
}

/** hashRate() looks at the last this-many milliseconds of work of each thread. */
const RATE_WINDOW_MS = 5_000;
/** More threads than this is a typo, not a machine. */
const MAX_THREADS = 1_024;

interface RateSample {
  hashes: number;
  ms: number;
}

interface ActiveJob {
  jobId: number;
  hashes: number;
  resolve: (result: PowResult | null) => void;
  reject: (err: unknown) => void;
  detach: () => void;
}

interface Pool {
  workers: Worker[];
  samples: RateSample[][];
  sampleMs: number[];
}

/** Single-thread verification: sha256d(header) <= target. */
export function checkPow(header: Uint8Array, target: bigint): boolean {
  if (target < 0n) return false;
  return meetsTarget(sha256dNative(header), targetToBytes(target));
}

function checkJob(job: PowJob): void {
  if (!(job.header instanceof Uint8Array)) {
    throw new GopkgrError('POW_BAD_JOB', 'job.header must be a Uint8Array');
  }
  const { nonceOffset } = job;
  if (!Number.isInteger(nonceOffset) || nonceOffset < 0 || nonceOffset + 8 > job.header.length) {
    throw new GopkgrError(
      'POW_BAD_JOB',
      `job.nonceOffset ${nonceOffset} does not leave 8 nonce bytes in a ${job.header.length}-byte header`,
    );
  }
  if (typeof job.target !== 'bigint' || job.target < 0n) {
    throw new GopkgrError('POW_BAD_JOB', `job.target must be a bigint >= 0, got ${String(job.target)}`);
  }
}

export class PowSearch {
  readonly threads: number;
  #pool: Pool | null = null;
  #active: ActiveJob | null = null;
  #closed = false;
  #nextJobId = 1;
  #totalHashes = 0;
  /** Cell 0: id of the job the threads should work on; 0 = none. Shared with every thread. */
  readonly #controlBuffer = new SharedArrayBuffer(4);
  readonly #control = new Int32Array(this.#controlBuffer);

  constructor(opts: PowSearchOptions = {}) {
    const threads = opts.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
      throw new GopkgrError('POW_BAD_OPTIONS', `threads must be an integer in 1..${MAX_THREADS}, got ${threads}`);
    }
    this.threads = threads;
  }

  /**
   * Resolves with the first valid nonce any thread finds, or null when `signal`
   * aborts, a later `search` supersedes this one, or `close()` is called.
   * Rejects on a malformed job, after close(), or if a thread dies.
   */
  search(job: PowJob, signal?: AbortSignal): Promise<PowResult | null> {
    if (this.#closed) {
      return Promise.reject(new GopkgrError('POW_CLOSED', 'this PowSearch has been closed'));
    }
    try {
      checkJob(job);
    } catch (err) {
      return Promise.reject(err);
    }
    this.#finish(null);
    if (signal?.aborted === true) return Promise.resolve(null);

    let pool: Pool;
    try {
      pool = this.#startPool();
    } catch (err) {
      return Promise.reject(err);
    }
    const jobId = this.#nextJobId;
    this.#nextJobId = jobId >= 0x7fffffff ? 1 : jobId + 1;
    const target = targetToBytes(job.target);

    return new Promise<PowResult | null>((resolve, reject) => {
      const onAbort = (): void => this.#finish(null, jobId);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#active = {
        jobId,
        hashes: 0,
        resolve,
        reject,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      Atomics.store(this.#control, 0, jobId);
      for (const worker of pool.workers) {
        worker.ref();
        const header = new Uint8Array(job.header); // each thread mutates its own copy
        const msg: PowJobMessage = { type: 'job', jobId, header, nonceOffset: job.nonceOffset, target };
        worker.postMessage(msg, [header.buffer]);
      }
    });
  }

  /** Hashes per second of all threads together, over their last few seconds of work. */
  hashRate(): number {
    const pool = this.#pool;
    if (pool === null) return 0;
    let rate = 0;
    for (const samples of pool.samples) {
      let hashes = 0;
      let ms = 0;
      for (const s of samples) {
        hashes += s.hashes;
        ms += s.ms;
      }
      if (ms > 0) rate += (hashes * 1000) / ms;
    }
    return rate;
  }

  /** Hashes all threads have reported since construction (benchmarks, miner stats). */
  totalHashes(): number {
    return this.#totalHashes;
  }

  /** Thread ids of the running threads; empty before the first search and after close(). */
  threadIds(): number[] {
    return this.#pool === null ? [] : this.#pool.workers.map((w) => w.threadId);
  }

  /** Stops the job in flight (it resolves null) and terminates the threads. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#finish(null);
    const pool = this.#pool;
    this.#pool = null;
    if (pool !== null) await Promise.all(pool.workers.map((w) => w.terminate()));
  }

  #startPool(): Pool {
    if (this.#pool !== null) return this.#pool;
    const pool: Pool = { workers: [], samples: [], sampleMs: [] };
    for (let index = 0; index < this.threads; index++) {
      const data: PowWorkerData = { kind: 'gopkgr-pow', index, threads: this.threads, control: this.#controlBuffer };
      const worker = startWorker(new URL('./powWorker.ts', import.meta.url), { workerData: data });
      worker.unref();
      pool.samples.push([]);
      pool.sampleMs.push(0);
      worker.on('message', (msg: PowWorkerMessage) => this.#onMessage(pool, index, msg));
      worker.on('error', (err: Error) => this.#onFailure(pool, err));
      worker.on('exit', (code: number) => {
        this.#onFailure(pool, new Error(`pow worker ${index} exited with code ${code}`));
      });
      pool.workers.push(worker);
    }
    this.#pool = pool;
    return pool;
  }

  #onMessage(pool: Pool, index: number, msg: PowWorkerMessage): void {
    this.#totalHashes += msg.hashes;
    if (msg.hashes > 0 && msg.ms > 0) {
      const samples = pool.samples[index]!;
      samples.push({ hashes: msg.hashes, ms: msg.ms });
      let ms = pool.sampleMs[index]! + msg.ms;
      while (samples.length > 1 && ms - samples[0]!.ms >= RATE_WINDOW_MS) ms -= samples.shift()!.ms;
      pool.sampleMs[index] = ms;
    }
    const active = this.#active;
    if (active === null || active.jobId !== msg.jobId) return;
    active.hashes += msg.hashes;
    if (msg.type === 'found') {
      this.#finish({ nonce: msg.nonce, hash: msg.hash, hashes: active.hashes }, msg.jobId);
    }
  }

  /** A thread failed or exited on its own: drop the whole pool, fail the job in flight. */
  #onFailure(pool: Pool, err: Error): void {
    if (this.#pool !== pool) return; // closed or already replaced
    this.#pool = null;
    for (const w of pool.workers) void w.terminate();
    const active = this.#end();
    active?.reject(new GopkgrError('POW_WORKER_FAILED', `proof-of-work thread failed: ${err.message}`, { cause: err }));
  }

  /** Ends the active job (only `jobId` if given) with `result`; stops the threads on it. */
  #finish(result: PowResult | null, jobId?: number): void {
    const active = this.#active;
    if (active === null || (jobId !== undefined && active.jobId !== jobId)) return;
    this.#end();
    active.resolve(result);
  }

  /** Detaches the active job (if any) and tells the threads to drop it; the caller settles it. */
  #end(): ActiveJob | null {
    const active = this.#active;
    if (active === null) return null;
    this.#active = null;
    Atomics.compareExchange(this.#control, 0, active.jobId, 0);
    active.detach();
    if (this.#pool !== null) for (const w of this.#pool.workers) w.unref();
    return active;
  }
}
