// Snapshots in the sandbox, for vitest and jest: a package's file snapshots
// (__snapshots__/<file>.snap) and inline snapshots, against the per-test
// outcomes `vitest run` (CI=true) and `jest --ci` gave natively (recorded
// beside each fixture; each runner wrote the snapshots itself, then one stored
// value, one inline value and two snapshots were changed or taken out). A
// snapshot the package does not ship fails, as under CI; one that differs fails.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readPackageDir, runTests } from '../../tester/index.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/tester/${name}/`, import.meta.url));
const nativeOf = (name: string): { name: string; status: string }[] => (JSON.parse(readFileSync(new URL(`../fixtures/tester/${name}.native.json`, import.meta.url), 'utf8')) as { tests: { name: string; status: string }[] }).tests;

describe('snapshots agree with the native runner test by test', () => {
  for (const name of ['snapshots-vitest', 'snapshots-jest']) {
    it(name, async () => {
      const outcome = await runTests({ files: await readPackageDir(fixture(name)) });
      expect(outcome.tests.map((t) => `${t.name}: ${t.status}`)).toEqual(nativeOf(name).map((t) => `${t.name}: ${t.status}`));
      const byName = (suffix: string): string => outcome.tests.find((t) => t.name.endsWith(suffix))!.error ?? '';
      expect(byName('> stored > never recorded')).toMatch(/is missing\. New snapshot was not written/);
      expect(byName('> stored > changed since it was recorded')).toMatch(/mismatched/);
      expect(outcome.passed).toBeGreaterThanOrEqual(9);
    });
  }
});

describe('snapshot keys and formats', () => {
  const vitestPkg = '{"type":"module","devDependencies":{"vitest":"^4.0.0"}}';
  it('vitest keys join titles with " > ", jest keys with " "; a .snap beside another file is not read', async () => {
    const snap = 'exports[`outer > inner 1`] = `1`;\n';
    const vitest = await runTests({
      files: new Map([
        ['package.json', vitestPkg],
        ['t/a.test.js', `import { describe, test, expect } from 'vitest';\ndescribe('outer', () => { test('inner', () => { expect(1).toMatchSnapshot(); }); });\n`],
        ['t/__snapshots__/a.test.js.snap', snap],
        ['t/b.test.js', `import { describe, test, expect } from 'vitest';\ndescribe('outer', () => { test('inner', () => { expect(1).toMatchSnapshot(); }); });\n`],
      ]),
    });
    expect(vitest.tests.map((t) => `${t.name}: ${t.status}`)).toEqual(['t/a.test.js > outer > inner: passed', 't/b.test.js > outer > inner: failed']);
    const jest = await runTests({
      files: new Map([
        ['package.json', '{"scripts":{"test":"jest"},"devDependencies":{"jest":"^29.7.0"}}'],
        ['t/a.test.js', `describe('outer', () => { test('inner', () => { expect(1).toMatchSnapshot(); }); });\n`],
        ['t/__snapshots__/a.test.js.snap', snap],
        ['t/c.test.js', `describe('outer', () => { test('inner', () => { expect(1).toMatchSnapshot(); }); });\n`],
        ['t/__snapshots__/c.test.js.snap', 'exports[`outer inner 1`] = `1`;\n'],
      ]),
    });
    expect(jest.tests.map((t) => `${t.name}: ${t.status}`)).toEqual(['t/a.test.js > outer > inner: failed', 't/c.test.js > outer > inner: passed']);
  });

  it('jest before 29 prints Object {, Array [ and escaped strings', async () => {
    const test = `test('old', () => { expect({ a: ['"q"'] }).toMatchInlineSnapshot(\`
      Object {
        "a": Array [
          "\\\\"q\\\\"",
        ],
      }
    \`); });\n`;
    const outcome = (jest: string) => runTests({ files: new Map([['package.json', `{"scripts":{"test":"jest"},"devDependencies":{"jest":"${jest}"}}`], ['a.test.js', test]]) });
    expect((await outcome('^27.3.1')).tests.map((t) => t.status)).toEqual(['passed']);
    expect((await outcome('^29.7.0')).tests.map((t) => t.status)).toEqual(['failed']);
  });

  it('a .snap that throws: vitest keeps what it defined first, jest fails the test', async () => {
    const snap = 'exports[`x 1`] = `1`;\nthrow new Error("broken snapshot file");\n';
    const vitest = await runTests({
      files: new Map([
        ['package.json', vitestPkg],
        ['a.test.js', `import { test, expect } from 'vitest';\ntest('x', () => { expect(1).toMatchSnapshot(); });\n`],
        ['__snapshots__/a.test.js.snap', snap],
      ]),
    });
    expect(vitest.tests.map((t) => t.status)).toEqual(['passed']);
    const jest = await runTests({
      files: new Map([
        ['package.json', '{"scripts":{"test":"jest"},"devDependencies":{"jest":"^29.7.0"}}'],
        ['a.test.js', `test('x', () => { expect(1).toMatchSnapshot(); });\n`],
        ['__snapshots__/a.test.js.snap', snap],
      ]),
    });
    expect(jest.tests.map((t) => `${t.status}: ${t.error}`)).toEqual(['failed: Error: broken snapshot file']);
  });
});
