/**
 * The signature pool (node/verifyPool.ts) on real worker threads: whoever
 * verifies a chunk (a worker, or the calling thread once it joins), each check
 * gets its own verdict in its own place, the same as verifying inline.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { keyPairFromSecret, sha256, sign, verify } from '../../ledger/crypto.ts';
import type { SignatureCheck } from '../../ledger/tx.ts';
import { WorkerVerifier } from '../../node/verifyPool.ts';
import { waitFor } from '../support/waitFor.ts';

const key = keyPairFromSecret(sha256(new TextEncoder().encode('verify-pool')));
const other = keyPairFromSecret(sha256(new TextEncoder().encode('verify-pool-other')));

/** `n` checks; every check whose index `bad` accepts carries a signature by another key. */
function checks(n: number, bad: (i: number) => boolean): SignatureCheck[] {
  return Array.from({ length: n }, (_, i) => {
    const message = sha256(new TextEncoder().encode(`message ${i}`));
    return { message, sig: sign(message, (bad(i) ? other : key).secretKey), publicKey: key.publicKey };
  });
}

const inline = (cs: SignatureCheck[]): boolean[] => cs.map((c) => verify(c.sig, c.message, c.publicKey));

describe('WorkerVerifier', () => {
  const pool = new WorkerVerifier(1);
  afterAll(() => pool.close());

  it('gives every check of a batch larger than a chunk its own verdict, in order', async () => {
    const batch = checks(300, (i) => i % 37 === 5);
    const ok = await pool.verifyAll(batch);
    expect(ok).toEqual(inline(batch));
    expect(ok.filter((b) => !b)).toHaveLength(8);
  });

  it('leaves a background batch to the workers and still answers every check', async () => {
    const batch = checks(150, (i) => i === 149);
    const ok = await pool.verifyAll(batch, { background: true });
    expect(ok.slice(0, 149).every((b) => b)).toBe(true);
    expect(ok[149]).toBe(false);
  });

  it('joins in once `join` settles, and runs batches side by side without mixing their verdicts', async () => {
    let release!: () => void;
    const join = new Promise<void>((r) => (release = r));
    const a = checks(200, (i) => i % 2 === 0);
    const b = checks(120, () => false);
    const both = Promise.all([pool.verifyAll(a, { join }), pool.verifyAll(b, { background: true })]);
    setTimeout(release, 10);
    const [okA, okB] = await both;
    expect(okA).toEqual(a.map((_, i) => i % 2 !== 0));
    expect(okB.every((x) => x)).toBe(true);
  });

  it('verifies a small batch on the calling thread, bad signatures refused', async () => {
    const batch = checks(3, (i) => i === 1);
    expect(await pool.verifyAll(batch)).toEqual([true, false, true]);
  });

  it('starts its workers on warm(), before any batch, and they then take a batch', async () => {
    const warmed = new WorkerVerifier(1);
    try {
      expect(warmed.workersUp).toBe(0);
      warmed.warm();
      await waitFor(async () => warmed.workersUp === 1, undefined, 'the warmed worker to come up');
      const batch = checks(100, (i) => i === 7);
      expect(await warmed.verifyAll(batch, { background: true })).toEqual(inline(batch));
    } finally {
      await warmed.close();
    }
  });
});
