/**
 * Proof-of-work worker thread: scans its own slice of the 64-bit nonce space for
 * a header whose sha256(sha256(header)) read as a big-endian number is <= target.
 *
 * Why it looks like this (measured on the 2-core build box, Node 20.19, OpenSSL
 * sha256 through node:crypto, 100-byte header, machine shared with other jobs):
 * - The hash is `createHash('sha256')` twice, ~0.2-0.25 M sha256d/s per thread:
 *   the binding's per-call cost (a Hash object, an EVP context, a result Buffer)
 *   dwarfs the compression function, so a midstate (`hash.copy()` of the state
 *   after the first 64 bytes) measured the same within noise (0.19-0.23 vs
 *   0.18-0.21 M/s) and is not used. It is the primitive `bench/mine.ts` uses as
 *   its raw baseline; this loop runs at 0.98 of it (median of 5 pairs).
 * - Nothing else is allocated per hash: the header is one Buffer this thread owns
 *   and mutates in place, the nonce is two uint32 counters, and the target test is
 *   one uint32 comparison of the hash's first four bytes against the target's
 *   (only a tie falls through to a byte-wise compare; no BigInt in the loop).
 * - Cancellation is a SharedArrayBuffer cell holding the id of the job the miner
 *   wants worked on; the loop reads it with Atomics.load every CHECK_EVERY hashes
 *   (~2.5 ms here), so an abort frees every thread in 2-7 ms (measured: abort,
 *   then a trivial job answered) without the thread having to return to its
 *   event loop. The thread that finds a nonce clears the cell itself
 *   (compare-and-swap), so its siblings stop at once and only one thread can
 *   report a win for a job.
 * - Progress goes to the main thread every REPORT_EVERY hashes (~150 ms here)
 *   with the wall time it took, which is what `PowSearch.hashRate()` is computed
 *   from; a message per chunk costs nothing measurable at that rate.
 *
 * Nonce layout: the 8 nonce bytes are a big-endian uint64. Worker i of n starts at
 * a random 64-bit value whose top ceil(log2 n) bits are i and counts upward,
 * wrapping inside its slice, so workers never hash the same nonce in a job.
 *
 * This module imports only Node built-ins so the thread starts fast; the pure
 * helpers at the top are also used by `pow.ts` on the main thread.
 */
import { createHash, randomBytes } from 'node:crypto';
import { parentPort, workerData, isMainThread, type MessagePort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';

/** Hashes between two reads of the cancellation cell (~2.5 ms at 0.2 M/s per thread). */
export const CHECK_EVERY = 512;
/** Hashes between two progress messages (a multiple of CHECK_EVERY). */
export const REPORT_EVERY = 32_768;

/** What `pow.ts` hands every worker when it starts it. */
export interface PowWorkerData {
  kind: 'gopkgr-pow';
  index: number;
  threads: number;
  /** Int32Array over this buffer, cell 0: id of the job to work on (0 = none). */
  control: SharedArrayBuffer;
}

/** Main thread → worker. The header is already a private copy (transferred). */
export interface PowJobMessage {
  type: 'job';
  jobId: number;
  header: Uint8Array;
  nonceOffset: number;
  /** The target as 32 big-endian bytes, already clamped to [0, 2^256 - 1]. */
  target: Uint8Array;
}

/** Worker → main thread. `hashes` and `ms` count only work since the previous message. */
export type PowWorkerMessage =
  | { type: 'progress'; jobId: number; hashes: number; ms: number }
  | { type: 'found'; jobId: number; hashes: number; ms: number; nonce: Uint8Array; hash: Uint8Array }
  | { type: 'stopped'; jobId: number; hashes: number; ms: number };

const MAX_TARGET = (1n << 256n) - 1n;

/** The target as 32 big-endian bytes; negative targets are rejected, huge ones clamped. */
export function targetToBytes(target: bigint): Uint8Array {
  if (target < 0n) throw new RangeError(`target must be >= 0, got ${target}`);
  let t = target > MAX_TARGET ? MAX_TARGET : target;
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0 && t > 0n; i--) {
    out[i] = Number(t & 0xffn);
    t >>= 8n;
  }
  return out;
}

/** hash <= target, both 32 big-endian bytes. */
export function meetsTarget(hash: Uint8Array, target: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) {
    const h = hash[i]!;
    const t = target[i]!;
    if (h !== t) return h < t;
  }
  return true;
}

/** sha256(sha256(data)) with node:crypto. */
export function sha256dNative(data: Uint8Array): Buffer {
  return createHash('sha256').update(createHash('sha256').update(data).digest()).digest();
}

function isPowWorkerData(data: unknown): data is PowWorkerData {
  return typeof data === 'object' && data !== null && (data as { kind?: unknown }).kind === 'gopkgr-pow';
}

/** Bits of the nonce's top word that name the worker's slice. */
function sliceBits(threads: number): number {
  let bits = 0;
  while (1 << bits < threads && bits < 16) bits++;
  return bits;
}

function runJob(port: MessagePort, data: PowWorkerData, control: Int32Array, job: PowJobMessage): void {
  const { jobId, nonceOffset } = job;
  const header = Buffer.from(job.header.buffer, job.header.byteOffset, job.header.byteLength);
  const target = job.target;
  // Fast reject: compare the hash's first 32 bits with the target's.
  const t0 = ((target[0]! << 24) | (target[1]! << 16) | (target[2]! << 8) | target[3]!) >>> 0;

  // Random start inside this worker's slice: the top `bits` bits of hi are the index.
  const bits = sliceBits(data.threads);
  const sliceMask = bits === 0 ? 0xffffffff : (0xffffffff >>> bits) >>> 0;
  const sliceTop = bits === 0 ? 0 : ((data.index << (32 - bits)) >>> 0);
  const rnd = randomBytes(8);
  let hi = (sliceTop | (rnd.readUInt32BE(0) & sliceMask)) >>> 0;
  let lo = rnd.readUInt32BE(4);
  header.writeUInt32BE(hi, nonceOffset);
  const loOffset = nonceOffset + 4;

  let sinceReport = 0;
  let reportStart = performance.now();
  for (;;) {
    for (let k = 0; k < CHECK_EVERY; k++) {
      header.writeUInt32BE(lo, loOffset);
      const hash = createHash('sha256').update(createHash('sha256').update(header).digest()).digest();
      const h0 = hash.readUInt32BE(0);
      if (h0 <= t0 && (h0 < t0 || meetsTarget(hash, target))) {
        const ms = performance.now() - reportStart;
        // Only the first finder wins; if the cell already moved on, the job is gone.
        if (Atomics.compareExchange(control, 0, jobId, 0) === jobId) {
          const nonce = new Uint8Array(header.subarray(nonceOffset, nonceOffset + 8));
          const msg: PowWorkerMessage = {
            type: 'found', jobId, hashes: sinceReport + k + 1, ms, nonce, hash: new Uint8Array(hash),
          };
          port.postMessage(msg);
        } else {
          const msg: PowWorkerMessage = { type: 'stopped', jobId, hashes: sinceReport + k + 1, ms };
          port.postMessage(msg);
        }
        return;
      }
      lo = (lo + 1) >>> 0;
      if (lo === 0) {
        // Carry into hi, wrapping inside the slice (2^(64-bits) nonces: never in practice).
        hi = (sliceTop | ((hi + 1) & sliceMask)) >>> 0;
        header.writeUInt32BE(hi, nonceOffset);
      }
    }
    sinceReport += CHECK_EVERY;
    if (Atomics.load(control, 0) !== jobId) {
      const msg: PowWorkerMessage = { type: 'stopped', jobId, hashes: sinceReport, ms: performance.now() - reportStart };
      port.postMessage(msg);
      return;
    }
    if (sinceReport >= REPORT_EVERY) {
      const now = performance.now();
      const msg: PowWorkerMessage = { type: 'progress', jobId, hashes: sinceReport, ms: now - reportStart };
      port.postMessage(msg);
      sinceReport = 0;
      reportStart = now;
    }
  }
}

function start(port: MessagePort, data: PowWorkerData): void {
  const control = new Int32Array(data.control);
  port.on('message', (job: PowJobMessage) => {
    if (job.type !== 'job') return;
    // A job superseded while it sat in the queue is answered without hashing.
    if (Atomics.load(control, 0) !== job.jobId) {
      const msg: PowWorkerMessage = { type: 'stopped', jobId: job.jobId, hashes: 0, ms: 0 };
      port.postMessage(msg);
      return;
    }
    runJob(port, data, control, job);
  });
}

if (!isMainThread && parentPort !== null && isPowWorkerData(workerData)) {
  start(parentPort, workerData);
}
