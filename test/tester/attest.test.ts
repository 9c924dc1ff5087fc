// What `gopkgr tester` builds an attestation from: the lock hash and the tarball read in memory.
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { encode, fromHex, lockHash, sha256Hex, toHex, type Canonical } from '../../ledger/index.ts';
import { attestedCounts, extractTarball, runTests } from '../../tester/index.ts';

async function tarball(entries: Record<string, string>): Promise<Uint8Array> {
  const p = pack();
  for (const [name, text] of Object.entries(entries)) p.entry({ name }, text);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return new Uint8Array(gzipSync(Buffer.concat(chunks)));
}

describe('attestation inputs', () => {
  it('lockHash is sha256 of the canonical CBOR of the lock with byte values, independent of key order', () => {
    const h = 'ab'.repeat(32);
    const lock = { '@a/x@1.0.0': h, '@b/y@2.0.0': 'cd'.repeat(32) };
    const expected = sha256Hex(encode({ '@a/x@1.0.0': fromHex(h), '@b/y@2.0.0': fromHex('cd'.repeat(32)) } as unknown as Canonical));
    expect(toHex(lockHash(lock))).toBe(expected);
    expect(toHex(lockHash({ '@b/y@2.0.0': 'cd'.repeat(32), '@a/x@1.0.0': h }))).toBe(expected);
    expect(toHex(lockHash({}))).toBe(sha256Hex(encode({})));
  });

  it('extracts a tarball in memory and runs its tests', async () => {
    const tgz = await tarball({ 'package/package.json': '{"type":"module"}', 'package/test/a.test.js': `import { test } from 'node:test'; test('ok', () => {});` });
    const files = await extractTarball(tgz, sha256Hex(tgz));
    expect([...files.keys()]).toEqual(['package.json', 'test/a.test.js']);
    expect((await runTests({ files })).passed).toBe(1);
  });

  it('attests an aborted run as at least one failure, so breaking-by-inference sees it', async () => {
    // The red team's abort-hang: the library spins at load, the run is aborted
    // by the CPU limit with no test recorded (failed 0).
    const files = new Map([
      ['package.json', '{"type":"module"}'],
      ['src/add.js', `if (typeof WebAssembly === 'undefined') for (;;) {}\nexport const add = (a, b) => a - b;`],
      ['test/add.test.js', `import { test } from 'node:test'; import assert from 'node:assert/strict'; import { add } from '../src/add.js'; test('add adds', () => assert.equal(add(1, 2), 3));`],
    ]);
    const outcome = await runTests({ files, limits: { cpuTimeMs: 300 } });
    expect(outcome.aborted).toMatch(/^SANDBOX_CPU_LIMIT: /);
    expect(outcome.failed).toBe(0);
    expect(attestedCounts(outcome)).toEqual({ passed: 0, failed: 1, skipped: 0 });
    // a run that was not aborted attests its own counts
    const honest = await runTests({ files: new Map([['test/a.test.js', `import { test } from 'node:test'; test('ok', () => {}); test('later', { skip: true }, () => {});`]]) });
    expect(attestedCounts(honest)).toEqual({ passed: 1, failed: 0, skipped: 1 });
  });

  it('refuses a wrong hash and entries that leave the package', async () => {
    const tgz = await tarball({ 'package/a.js': '' });
    await expect(extractTarball(tgz, '00'.repeat(32))).rejects.toMatchObject({ code: 'TEST_BLOB_MISMATCH' });
    const evil = await tarball({ 'package/../../evil.js': 'x' });
    await expect(extractTarball(evil)).rejects.toMatchObject({ code: 'TEST_BAD_TARBALL' });
  });
});
