// The shims against Node's own runner: the fixture package's test files give the
// same per-test outcome under `node --test` (with tsx for .ts) and in the sandbox.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTestFiles, readPackageDir, runTests } from '../../tester/index.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/tester/', import.meta.url));
const PARITY = path.join(FIXTURES, 'parity');

interface Line {
  file: string;
  name: string;
  status: string;
}

function nodeTest(dir: string, files: string[]): Promise<Line[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--test', `--test-reporter=${path.join(FIXTURES, 'reporter.mjs')}`, ...files],
      { cwd: dir, timeout: 60_000 },
      (err, stdout, stderr) => {
        // exit code 1 is expected: some fixture tests fail on purpose
        if (err && err.code !== 1) return reject(new Error(`${err.message}\n${stderr}`));
        resolve(stdout.trim().split('\n').map((l) => JSON.parse(l) as Line));
      },
    );
  });
}

describe('node:test and node:assert shims', () => {
  it('agree with node --test on every test of the fixture package', async () => {
    const files = await readPackageDir(PARITY);
    const testFiles = findTestFiles(files);
    expect(testFiles).toEqual(['test/assert.test.js', 'test/nested/deep.test.js', 'test/runner.test.js', 'test/typescript.test.ts']);
    const [node, sandbox] = await Promise.all([nodeTest(PARITY, testFiles), runTests({ files })]);
    const fromNode = node.map((l) => `${path.relative(PARITY, l.file)} > ${l.name}: ${l.status}`).sort();
    const fromSandbox = sandbox.tests.map((t) => `${t.name}: ${t.status}`).sort();
    expect(fromSandbox).toEqual(fromNode);
    // the fixture covers both outcomes in quantity
    expect(sandbox.passed).toBeGreaterThan(30);
    expect(sandbox.failed).toBeGreaterThan(30);
    expect(sandbox.skipped).toBeGreaterThan(5);
    expect(sandbox.aborted).toBeUndefined();
  });

  it('reports Node-like error messages', async () => {
    const outcome = await runTests({ files: await readPackageDir(PARITY), testFiles: ['test/assert.test.js'] });
    const error = (name: string): string | undefined => outcome.tests.find((t) => t.name === `test/assert.test.js > ${name}`)?.error;
    expect(error('strictEqual fails')).toBe('AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n\n1 !== 2');
    expect(error('assert() fails with message')).toBe('AssertionError [ERR_ASSERTION]: custom message');
    expect(error('error message as Error')).toBe('TypeError: my own');
    expect(error('fail fails')).toBe('AssertionError [ERR_ASSERTION]: boom');
  });
});
