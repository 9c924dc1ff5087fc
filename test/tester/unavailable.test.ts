// Built-ins that reach outside the sandbox (child processes, threads, the
// network) load, so a test file that requires one at the top still runs its
// other tests; a test that calls one is `unsupported` with the reason, even
// when it catches the error (how it would have gone under Node is unknown).
// What such a module can give deterministically, it gives.
import { describe, expect, it } from 'vitest';
import { runTests } from '../../tester/index.ts';

describe('built-ins the sandbox cannot give', () => {
  it('load; only the tests that call them are unsupported, caught or not', async () => {
    const files = new Map([
      ['package.json', '{"name":"u"}'],
      [
        'test/u.test.js',
        `const { test } = require('node:test');\nconst assert = require('node:assert');\nconst cp = require('node:child_process');\nconst { Worker, isMainThread } = require('node:worker_threads');\nconst net = require('node:net');\n` +
          `test('pure', () => { assert.equal(1 + 1, 2); });\n` +
          `test('spawns', () => { cp.spawnSync(process.execPath, ['-v']); });\n` +
          `test('catches', () => { try { cp.execSync('ls'); } catch {} });\n` +
          `test('asserts the throw', () => { assert.throws(() => new Worker('./w.js')); });\n` +
          `test('thread facts', () => { assert.equal(isMainThread, true); });\n` +
          `test('isIP', () => { assert.deepEqual([net.isIP('10.0.0.1'), net.isIP('::1'), net.isIP('fe80::1%eth0'), net.isIP('::ffff:1.2.3.4'), net.isIP('1.2.3'), net.isIP('256.1.1.1'), net.isIP('1:2:3:4:5:6:7:8:9')], [4, 6, 6, 6, 0, 0, 0]); });\n` +
          `test('connects', async () => { await new Promise((resolve, reject) => net.connect(80, 'example.com').on('error', reject)); });\n`,
      ],
      ['test/esm.test.mjs', `import { test } from 'node:test';\nimport { execFile } from 'node:child_process';\nimport { lookup } from 'node:dns/promises';\ntest('esm pure', () => {});\ntest('esm dns', async () => { await lookup('example.com'); });\ntest('esm exec', () => { execFile('ls'); });\n`],
    ]);
    const outcome = await runTests({ files });
    expect(outcome.aborted).toBeUndefined();
    expect(outcome.tests.map((t) => `${t.name}: ${t.status}`)).toEqual([
      'test/esm.test.mjs > esm pure: passed',
      'test/esm.test.mjs > esm dns: unsupported',
      'test/esm.test.mjs > esm exec: unsupported',
      'test/u.test.js > pure: passed',
      'test/u.test.js > spawns: unsupported',
      'test/u.test.js > catches: unsupported',
      'test/u.test.js > asserts the throw: unsupported',
      'test/u.test.js > thread facts: passed',
      'test/u.test.js > isIP: passed',
      'test/u.test.js > connects: unsupported',
    ]);
    const error = (name: string): string | undefined => outcome.tests.find((t) => t.name.endsWith(`> ${name}`))!.error;
    expect(error('catches')).toBe('Error: node:child_process is not available in the gopkgr sandbox (child processes cannot be deterministic): execSync() was called');
    expect(error('asserts the throw')).toMatch(/node:worker_threads is not available .*threads cannot be deterministic.*Worker\(\) was called/);
    expect(error('esm dns')).toMatch(/node:dns is not available .*the network.*lookup\(\) was called/);
  });

  it("reads the package's files through descriptors and streams, read-only; Node's Buffer slice methods", async () => {
    const files = new Map([
      ['package.json', '{"name":"f"}'],
      ['fixtures/data.bin', 'hello world'],
      [
        'test/f.test.js',
        `const { test } = require('node:test');\nconst assert = require('node:assert');\nconst fs = require('node:fs');\nconst path = require('node:path');\nconst file = path.join(__dirname, '..', 'fixtures', 'data.bin');\n` +
          `test('openSync/readSync/closeSync', () => { const fd = fs.openSync(file, 'r'); const b = Buffer.alloc(5); assert.equal(fs.readSync(fd, b, 0, 5, null), 5); assert.equal(b.toString(), 'hello'); assert.equal(fs.readSync(fd, b, 0, 5, null), 5); assert.equal(b.toString(), ' worl'); assert.equal(fs.readSync(fd, b, 0, 5, 0), 5); assert.equal(fs.fstatSync(fd).size, 11); fs.closeSync(fd); assert.throws(() => fs.closeSync(fd), { code: 'EBADF' }); });\n` +
          `test('createReadStream', async () => { const chunks = []; for await (const c of fs.createReadStream(file, { highWaterMark: 4, start: 1, end: 8 })) chunks.push(c.toString()); assert.deepStrictEqual(chunks, ['ello', ' wor']); });\n` +
          `test('createReadStream of a missing file emits error', async () => { await assert.rejects(new Promise((resolve, reject) => fs.createReadStream(file + '.nope').on('error', reject).on('end', resolve)), { code: 'ENOENT' }); });\n` +
          `test('open for writing', () => { fs.openSync(file, 'w'); });\n` +
          `test('utf8Slice and latin1Write', () => { const b = Buffer.from('héllo'); assert.equal(b.utf8Slice(0, b.length), 'héllo'); assert.equal(b.latin1Slice(0, 1), 'h'); const c = Buffer.alloc(3); c.latin1Write('abc', 0); assert.equal(c.toString(), 'abc'); });\n`,
      ],
    ]);
    const outcome = await runTests({ files });
    expect(outcome.tests.map((t) => `${t.name}: ${t.status}${t.status === 'failed' ? ` ${t.error}` : ''}`)).toEqual([
      'test/f.test.js > openSync/readSync/closeSync: passed',
      'test/f.test.js > createReadStream: passed',
      'test/f.test.js > createReadStream of a missing file emits error: passed',
      'test/f.test.js > open for writing: unsupported',
      'test/f.test.js > utf8Slice and latin1Write: passed',
    ]);
  });
});
