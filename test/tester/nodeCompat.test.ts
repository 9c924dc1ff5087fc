// Node's module systems, built-ins, web globals and node:test's newer API in the
// sandbox, against `node --test` on the same fixture package (CommonJS tests
// requiring a CommonJS library, an ES test importing it, events, util, path,
// Buffer, URL, crypto hashes, stream, timers/promises, fs reads, require(esm), t.plan,
// t.assert, mock.fn/method/timers, t.signal, structuredClone, AbortController,
// TextEncoder, atob). Every test agrees, except where the sandbox says
// `unsupported` (a child process), which it must never report as passed.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readPackageDir, runTests } from '../../tester/index.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/tester/', import.meta.url));
const COMPAT = path.join(FIXTURES, 'node-compat');

function nodeTest(dir: string, files: string[]): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--test', `--test-reporter=${path.join(FIXTURES, 'reporter.mjs')}`, ...files], { cwd: dir, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && err.code !== 1) return reject(new Error(`${err.message}\n${stderr}`));
      const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; name: string; status: string });
      resolve(new Map(lines.map((l) => [`${path.relative(dir, l.file)} > ${l.name}`, l.status])));
    });
  });
}

describe('Node compatibility', () => {
  it('agrees with node --test test by test; what it cannot give is unsupported', async () => {
    const files = await readPackageDir(COMPAT);
    const sandbox = await runTests({ files });
    const native = await nodeTest(COMPAT, ['test/a.test.js', 'test/b.test.mjs', 'test/c.test.js', 'test/d.test.js']);
    expect(sandbox.aborted).toBeUndefined();
    expect(sandbox.tests.length).toBe(native.size);
    const unsupported = sandbox.tests.filter((t) => t.status === 'unsupported');
    expect(unsupported.map((t) => t.name)).toEqual(['test/a.test.js > child']);
    expect(unsupported[0]!.error).toMatch(/child_process is not available/);
    for (const t of sandbox.tests) if (t.status !== 'unsupported') expect(`${t.name}: ${t.status}`).toBe(`${t.name}: ${native.get(t.name)}`);
    expect(sandbox.passed).toBeGreaterThan(20);
    expect(sandbox.tests.find((t) => t.name === 'test/c.test.js > plan bad')).toMatchObject({ status: 'failed', error: 'Error [ERR_TEST_FAILURE]: plan expected 3 assertions but received 1' });
  });
});
