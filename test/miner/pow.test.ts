/**
 * PowSearch with real worker threads (no mocks): results are checked against
 * @noble/hashes' sha256 as the reference, timings against the < 50 ms abort
 * promise, and process lifetime in a child process.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { PowSearch, checkPow, type PowJob, type PowResult } from '../../miner/pow.ts';
import { REPORT_EVERY } from '../../miner/powWorker.ts';
import { isGopkgrError } from '../../ledger/index.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

function sha256dRef(data: Uint8Array): Uint8Array {
  return nobleSha256(nobleSha256(data));
}

function toBigInt(bytes: Uint8Array): bigint {
  return BigInt('0x' + Buffer.from(bytes).toString('hex'));
}

function randomHeader(length: number): Uint8Array {
  const h = new Uint8Array(length);
  for (let i = 0; i < length; i++) h[i] = (i * 151 + 7) & 0xff;
  return h;
}

function withNonce(job: PowJob, result: PowResult): Uint8Array {
  const h = new Uint8Array(job.header);
  h.set(result.nonce, job.nonceOffset);
  return h;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('waitFor timed out');
    await sleep(5);
  }
}

const EASY = 1n << 248n; // 1 hash in 256 is valid
const searches: PowSearch[] = [];
function make(threads = 2): PowSearch {
  const s = new PowSearch({ threads });
  searches.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(searches.splice(0).map((s) => s.close()));
  await closeAll();
});

describe('checkPow', () => {
  it('agrees with the noble reference at the boundary (hash <= target)', () => {
    const header = randomHeader(100);
    const h = toBigInt(sha256dRef(header));
    expect(checkPow(header, h)).toBe(true);
    expect(checkPow(header, h + 1n)).toBe(true);
    expect(checkPow(header, h - 1n)).toBe(false);
    expect(checkPow(header, 0n)).toBe(false);
    expect(checkPow(header, -1n)).toBe(false);
    expect(checkPow(header, 1n << 300n)).toBe(true);
  });
});

describe('PowSearch', () => {
  it('finds a nonce at an easy target that checkPow and the reference accept', async () => {
    const s = make();
    const job: PowJob = { header: randomHeader(100), nonceOffset: 80, target: EASY };
    const result = await s.search(job);
    expect(result).not.toBeNull();
    const r = result!;
    expect(r.nonce).toHaveLength(8);
    const full = withNonce(job, r);
    expect(checkPow(full, job.target)).toBe(true);
    expect(Buffer.from(r.hash).equals(Buffer.from(sha256dRef(full)))).toBe(true);
    expect(toBigInt(r.hash) <= job.target).toBe(true);
    expect(r.hashes).toBeGreaterThan(0);
  });

  it('changes only the 8 nonce bytes, at offsets 0, middle and end', async () => {
    const s = make();
    for (const nonceOffset of [0, 37, 92]) {
      const header = randomHeader(100);
      const before = new Uint8Array(header);
      const job: PowJob = { header, nonceOffset, target: EASY };
      const r = (await s.search(job))!;
      // The caller's header is not touched; the hash is of the header with only the nonce replaced.
      expect(Buffer.from(header).equals(Buffer.from(before))).toBe(true);
      expect(Buffer.from(r.hash).equals(Buffer.from(sha256dRef(withNonce(job, r))))).toBe(true);
    }
  });

  it('resolves null within 50 ms of an abort, and every thread stops hashing', async () => {
    const s = make();
    const ac = new AbortController();
    const job = s.search({ header: randomHeader(100), nonceOffset: 80, target: 0n }, ac.signal);
    await waitFor(() => s.totalHashes() > 0); // threads are up and hashing
    await sleep(100);
    const t0 = performance.now();
    ac.abort();
    expect(await job).toBeNull();
    expect(performance.now() - t0).toBeLessThan(50);
    // A thread still on the job would report again after 32768 hashes (~150 ms here).
    await sleep(100);
    const settled = s.totalHashes();
    await sleep(400);
    expect(s.totalHashes()).toBe(settled);
  });

  it('frees its thread for the next job mid-chunk, sooner than one progress report takes', async () => {
    const s = make(1);
    const header = randomHeader(100);
    const any = (1n << 256n) - 1n; // every hash is valid: answered as soon as the thread is free
    expect(await s.search({ header, nonceOffset: 80, target: any })).not.toBeNull();
    for (let i = 0; i < 3; i++) {
      const ac = new AbortController();
      const job = s.search({ header, nonceOffset: 80, target: 0n }, ac.signal);
      // The time between two progress reports (REPORT_EVERY hashes) on this machine now:
      // a thread that finished its chunk before looking at the abort would take that long.
      const base = s.totalHashes();
      while (s.totalHashes() < base + REPORT_EVERY) await sleep(2);
      const c0 = performance.now();
      while (s.totalHashes() < base + 2 * REPORT_EVERY) await sleep(2);
      const chunkMs = performance.now() - c0;
      const t0 = performance.now();
      ac.abort();
      expect(await job).toBeNull();
      expect(await s.search({ header, nonceOffset: 80, target: any })).not.toBeNull();
      expect(performance.now() - t0).toBeLessThan(chunkMs);
    }
  });

  it('with an impossible target (0n) and an abort after 200 ms resolves null', async () => {
    const s = make();
    const start = performance.now();
    const result = await s.search({ header: randomHeader(120), nonceOffset: 4, target: 0n }, AbortSignal.timeout(200));
    expect(result).toBeNull();
    expect(performance.now() - start).toBeLessThan(2_000);
  });

  it('resolves null at once for an already aborted signal, without starting threads', async () => {
    const s = make();
    expect(await s.search({ header: randomHeader(100), nonceOffset: 0, target: EASY }, AbortSignal.abort())).toBeNull();
    expect(s.threadIds()).toEqual([]);
  });

  it('reuses its threads across consecutive jobs', async () => {
    const s = make(2);
    expect(s.threadIds()).toEqual([]); // lazy
    const header = randomHeader(100);
    const r1 = await s.search({ header, nonceOffset: 80, target: EASY });
    const ids = s.threadIds();
    expect(ids).toHaveLength(2);
    for (let i = 0; i < 10; i++) {
      header[0] = i; // a new template each time
      const r = await s.search({ header, nonceOffset: 80, target: EASY });
      expect(r).not.toBeNull();
      expect(checkPow(withNonce({ header, nonceOffset: 80, target: EASY }, r!), EASY)).toBe(true);
    }
    // An aborted job does not cost the threads either.
    expect(await s.search({ header, nonceOffset: 80, target: 0n }, AbortSignal.timeout(50))).toBeNull();
    expect(await s.search({ header, nonceOffset: 80, target: EASY })).not.toBeNull();
    expect(s.threadIds()).toEqual(ids);
    expect(r1).not.toBeNull();
    expect(s.hashRate()).toBeGreaterThan(0);
  });

  it('respects the threads option, and each thread searches its own slice of nonces', async () => {
    const s = make(3);
    const slices = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const header = randomHeader(100);
      header[1] = i;
      const r = (await s.search({ header, nonceOffset: 10, target: 1n << 252n }))!;
      slices.add(r.nonce[0]! >> 6); // 3 threads: the top 2 bits name the thread
    }
    expect(s.threadIds()).toHaveLength(3);
    for (const slice of slices) expect(slice).toBeLessThan(3);
    expect(new PowSearch().threads).toBeGreaterThanOrEqual(1);
  });

  it('a new search supersedes the one in flight, which resolves null', async () => {
    const s = make();
    const first = s.search({ header: randomHeader(100), nonceOffset: 80, target: 0n });
    const second = s.search({ header: randomHeader(100), nonceOffset: 80, target: EASY });
    expect(await first).toBeNull();
    expect(await second).not.toBeNull();
  });

  it('close() ends the job in flight with null, stops the threads, and refuses new jobs', async () => {
    const s = make();
    const job = s.search({ header: randomHeader(100), nonceOffset: 80, target: 0n });
    await waitFor(() => s.totalHashes() > 0);
    await s.close();
    expect(await job).toBeNull();
    expect(s.threadIds()).toEqual([]);
    await expect(s.search({ header: randomHeader(100), nonceOffset: 80, target: EASY })).rejects.toSatisfy(
      (err: unknown) => isGopkgrError(err, 'POW_CLOSED'),
    );
    await s.close(); // idempotent
  });

  it('rejects malformed jobs and options with POW_BAD_JOB / POW_BAD_OPTIONS', async () => {
    const s = make();
    const header = randomHeader(100);
    for (const job of [
      { header, nonceOffset: 93, target: EASY },
      { header, nonceOffset: -1, target: EASY },
      { header, nonceOffset: 1.5, target: EASY },
      { header, nonceOffset: 0, target: -1n },
    ]) {
      await expect(s.search(job)).rejects.toSatisfy((err: unknown) => isGopkgrError(err, 'POW_BAD_JOB'));
    }
    for (const threads of [0, -1, 1.5, 100_000]) {
      expect(() => new PowSearch({ threads })).toThrow(expect.objectContaining({ code: 'POW_BAD_OPTIONS' }));
    }
    expect(s.threadIds()).toEqual([]);
  });

  it('does not keep the process alive: not when idle, and not after close()', async () => {
    const dir = await tempDir('gopkgr-pow-');
    const powUrl = new URL('../../miner/pow.ts', import.meta.url).href;
    const script = join(dir, 'exit.mts');
    await writeFile(
      script,
      `import { PowSearch } from ${JSON.stringify(powUrl)};\n` +
        `const closed = new PowSearch({ threads: 2 });\n` +
        `const r = await closed.search({ header: new Uint8Array(100), nonceOffset: 80, target: 1n << 248n });\n` +
        `const pending = closed.search({ header: new Uint8Array(100), nonceOffset: 80, target: 0n });\n` +
        `await closed.close();\n` +
        `const idle = new PowSearch({ threads: 2 });\n` +
        `await idle.search({ header: new Uint8Array(100), nonceOffset: 80, target: 1n << 248n });\n` +
        `console.log(JSON.stringify({ found: r !== null, pending: await pending }));\n`,
    );
    const tsx = import.meta.resolve('tsx');
    const started = Date.now();
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', tsx, script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`child did not exit within 20 s: ${stdout} ${stderr}`));
      }, 20_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout.trim())).toEqual({ found: true, pending: null });
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
