// InfVer 2.0: which files run when a tester runs the previous version's tests against a new version.
import { describe, expect, it } from 'vitest';
import { predecessorRunFiles, runTests, testSupportDir } from '../../tester/index.ts';

const files = (o: Record<string, string>): Map<string, string> => new Map(Object.entries(o));

describe('predecessorRunFiles', () => {
  it('the old version\'s tests and their support tree, with the new version\'s sources', () => {
    const prev = files({
      'package.json': '{"type":"module","gopkgr":{"tests":["test/**/*.test.ts","src/**/*.test.ts"]}}',
      'index.ts': 'old source',
      'test/a.test.ts': 'old a',
      'test/helpers.ts': 'old helper',
      'src/unit.test.ts': 'old colocated test',
    });
    const next = files({
      'package.json': '{"type":"module","gopkgr":{"tests":["test/**/*.test.ts","src/**/*.test.ts"]}}',
      'index.ts': 'new source',
      'src/unit.ts': 'new unit',
      'src/unit.test.ts': 'new colocated test',
      'test/b.test.ts': 'new b',
      'test/helpers.ts': 'new helper',
      'test/new-only.ts': 'new support file',
    });
    const run = predecessorRunFiles(prev, next);
    expect(run.testFiles).toEqual(['src/unit.test.ts', 'test/a.test.ts']);
    expect(Object.fromEntries(run.files)).toEqual({
      'package.json': next.get('package.json'),
      'index.ts': 'new source',
      'src/unit.ts': 'new unit',
      'src/unit.test.ts': 'old colocated test',
      'test/a.test.ts': 'old a',
      'test/helpers.ts': 'old helper',
    });
    expect(testSupportDir('pkg/tests/x/y.test.ts')).toBe('pkg/tests/');
    expect(testSupportDir('src/a.test.ts')).toBeUndefined();
  });

  it('refuses a predecessor without tests', () => {
    expect(() => predecessorRunFiles(files({ 'index.js': '' }), files({ 'index.js': '' }))).toThrow(/no test files/);
  });

  it('old tests fail against new behaviour in the sandbox', async () => {
    const prev = files({
      'package.json': '{"type":"module"}',
      'index.ts': 'export const greet = (n: string): string => `Hello, ${n}!`;',
      'test/g.test.ts': "import { test } from 'node:test'; import assert from 'node:assert/strict'; import { greet } from '../index.ts'; test('g', () => assert.equal(greet('A'), 'Hello, A!'));",
    });
    const next = files({
      'package.json': '{"type":"module"}',
      'index.ts': 'export const greet = (n: string): string => `Hi, ${n}.`;',
      'test/g.test.ts': "import { test } from 'node:test'; import assert from 'node:assert/strict'; import { greet } from '../index.ts'; test('g', () => assert.equal(greet('A'), 'Hi, A.'));",
    });
    expect((await runTests({ files: next })).failed).toBe(0);
    const run = predecessorRunFiles(prev, next);
    const outcome = await runTests({ files: run.files, testFiles: run.testFiles });
    expect(outcome).toMatchObject({ passed: 0, failed: 1 });
  });
});
