// vitest's and jest's APIs in the sandbox: a vitest suite (describe/it/test,
// .each, .skip, .todo, hooks, expect with Jest's matchers, asymmetric matchers,
// resolves/rejects, expect.assertions, vi.fn/spyOn, fake timers) against the
// per-test outcomes `vitest run` gave natively (recorded beside the fixture),
// and jest's global API for a package whose test script runs jest.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findTestFiles, readPackageDir, runTests, testRunner } from '../../tester/index.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/tester/vitest-compat/', import.meta.url));
const NATIVE = JSON.parse(readFileSync(new URL('../fixtures/tester/vitest-compat.native.json', import.meta.url), 'utf8')) as { tests: { name: string; status: string }[] };

describe('vitest', () => {
  it('finds the files vitest would and agrees with vitest run test by test', async () => {
    const files = await readPackageDir(FIXTURE);
    expect(testRunner(files)).toBe('vitest');
    expect(findTestFiles(files)).toEqual(['test/math.test.js']);
    const outcome = await runTests({ files });
    expect(outcome.tests.map((t) => `${t.name}: ${t.status}`)).toEqual(NATIVE.tests.map((t) => `${t.name}: ${t.status}`));
    expect(outcome.tests.find((t) => t.name.endsWith('> fails'))!.error).toBe('AssertionError: expected 3 to be 4 // Object.is equality');
  });

  it('a snapshot the package does not ship fails, as under CI; a file snapshot is unsupported, not passed', async () => {
    const files = new Map([
      ['package.json', '{"type":"module","devDependencies":{"vitest":"^4.0.0"}}'],
      ['src/a.spec.ts', `import { test, expect } from 'vitest';\ntest('snap', () => { expect({ a: 1 }).toMatchSnapshot(); });\ntest('file', async () => { await expect('x').toMatchFileSnapshot('./out.txt'); });\n`],
    ]);
    const outcome = await runTests({ files });
    expect(outcome.tests.map((t) => t.status)).toEqual(['failed', 'unsupported']);
  });
});

describe('only tests register tests', () => {
  it('library code that imports vitest registers nothing and fails the file', async () => {
    const files = new Map([
      ['package.json', '{"type":"module","devDependencies":{"vitest":"^4.0.0"}}'],
      ['src/evil.js', `import { test } from 'vitest';\ntest('planted', () => {});\nexport const v = 1;\n`],
      ['src/evil.cjs', `require('vitest').test('planted too', () => {});\n`],
      ['test/a.test.js', `import { test, expect } from 'vitest';\nimport { v } from '../src/evil.js';\nimport '../src/evil.cjs';\ntest('real', () => expect(v).toBe(1));\n`],
    ]);
    const outcome = await runTests({ files });
    expect(outcome.tests.filter((t) => /planted/.test(t.name))).toEqual([]);
    expect(outcome.tests.find((t) => t.name === 'test/a.test.js')).toMatchObject({ status: 'failed' });
    expect(outcome.tests.find((t) => t.name === 'test/a.test.js')!.error).toMatch(/src\/evil\.js called node:test test\(\), but it is not a test file/);
  });
});

describe('jest', () => {
  it("puts jest's API on the global object, and finds __tests__ and *.test files", async () => {
    const files = new Map([
      ['package.json', '{"scripts":{"test":"jest"}}'],
      ['lib/sum.js', 'module.exports = (a, b) => a + b;\n'],
      ['__tests__/sum.js', `const sum = require('../lib/sum');\ndescribe('sum', () => {\n  beforeEach(() => {});\n  it('adds', () => { expect(sum(1, 2)).toBe(3); });\n  test('mocks', () => { const f = jest.fn(() => 2); expect(f()).toBe(2); expect(f).toHaveBeenCalledTimes(1); });\n  it('fails', () => { expect(sum(1, 1)).toEqual(3); });\n});\n`],
      ['lib/other.test.js', `const { expect: e, test: t } = require('@jest/globals');\nt('imported', () => e([1, 2]).toHaveLength(2));\n`],
    ]);
    expect(testRunner(files)).toBe('jest');
    const outcome = await runTests({ files });
    expect(outcome.tests.map((t) => `${t.name}: ${t.status}`)).toEqual([
      '__tests__/sum.js > sum > adds: passed',
      '__tests__/sum.js > sum > mocks: passed',
      '__tests__/sum.js > sum > fails: failed',
      'lib/other.test.js > imported: passed',
    ]);
  });

  it("runs the package as jest does: done callbacks, ES syntax as CommonJS, a helper under __tests__ with no test fails", async () => {
    const files = new Map([
      ['package.json', '{"name":"j","scripts":{"test":"jest"},"devDependencies":{"jest":"^29.7.0"}}'],
      // ES syntax in JavaScript: jest turns it into CommonJS only through a Babel configuration
      ['__tests__/esm.test.js', `import { x } from '../src/x.js';\ntest('esm', () => { expect(x).toBe(1); });\n`],
      ['src/x.js', 'export const x = 1;\n'],
      ['src/read.ts', `import path = require('path');\nexport function pkgName(): string { return require(path.join(__dirname, '..', 'package.json')).name; }\n`],
      ['__tests__/helper.js', 'module.exports = { value: 1 };\n'],
      [
        '__tests__/a.test.ts',
        `import { pkgName } from '../src/read';\nimport helper = require('./helper');\n` +
          `beforeEach((done) => { setTimeout(done, 1); });\n` +
          `test('done', (done) => { setTimeout(() => { expect(helper.value).toBe(1); done(); }, 10); });\n` +
          `test('done with an error', (done) => { setTimeout(() => done(new Error('late')), 10); });\n` +
          `test('done and a promise', (done) => Promise.resolve().then(() => done()));\n` +
          `test('a computed require of package.json', () => { expect(pkgName()).toBe('j'); });\n` +
          `test('CommonJS', () => { expect(typeof module.exports).toBe('object'); expect(__filename).toBe('/pkg/__tests__/a.test.ts'); });\n`,
      ],
    ]);
    const outcome = await runTests({ files });
    expect(outcome.tests.map((t) => `${t.name}: ${t.status}`)).toEqual([
      '__tests__/a.test.ts > done: passed',
      '__tests__/a.test.ts > done with an error: failed',
      '__tests__/a.test.ts > done and a promise: failed',
      '__tests__/a.test.ts > a computed require of package.json: passed',
      '__tests__/a.test.ts > CommonJS: passed',
      '__tests__/esm.test.js: failed',
      '__tests__/helper.js: failed',
    ]);
    expect(outcome.tests.find((t) => t.name === '__tests__/esm.test.js')!.error).toMatch(/SyntaxError/);
    files.set('babel.config.js', "module.exports = { presets: ['@babel/preset-env'] };\n");
    expect((await runTests({ files, testFiles: ['__tests__/esm.test.js'] })).tests.map((t) => `${t.name}: ${t.status}`)).toEqual(['__tests__/esm.test.js > esm: passed']);
    expect(outcome.tests.find((t) => t.name.endsWith('done with an error'))!.error).toBe('Error: late');
    expect(outcome.tests.find((t) => t.name.endsWith('done and a promise'))!.error).toMatch(/cannot both take a 'done' callback and return something/);
    expect(outcome.tests.find((t) => t.name === '__tests__/helper.js')!.error).toMatch(/must contain at least one test/);
  });
});

describe('jest.mock with a factory', () => {
  it('agrees with jest --ci test by test: hoisted above the requires, built-ins too, requireActual, one file only', async () => {
    const files = await readPackageDir(fileURLToPath(new URL('../fixtures/tester/jest-mock/', import.meta.url)));
    const native = JSON.parse(readFileSync(new URL('../fixtures/tester/jest-mock.native.json', import.meta.url), 'utf8')) as { tests: { name: string; status: string }[] };
    const outcome = await runTests({ files });
    expect(outcome.tests.map((t) => `${t.name}: ${t.status}`)).toEqual(native.tests.map((t) => `${t.name}: ${t.status}`));
  });

  it('vi.mock with a factory agrees with vitest run test by test: every importer gets the mock, in its file only', async () => {
    const files = await readPackageDir(fileURLToPath(new URL('../fixtures/tester/vitest-mock/', import.meta.url)));
    const native = JSON.parse(readFileSync(new URL('../fixtures/tester/vitest-mock.native.json', import.meta.url), 'utf8')) as { tests: { name: string; status: string }[] };
    const outcome = await runTests({ files });
    expect(outcome.tests.map((t) => `${t.name}: ${t.status}`)).toEqual(native.tests.map((t) => `${t.name}: ${t.status}`));
  });

  it('an automatic mock (no factory), vi.mock inside a test or with vi.hoisted are unsupported, not passed', async () => {
    const jest = await runTests({
      files: new Map([
        ['package.json', '{"scripts":{"test":"jest"},"devDependencies":{"jest":"^29.7.0"}}'],
        ['lib/a.js', 'module.exports = () => 1;\n'],
        ['a.test.js', `const a = require('./lib/a');\njest.mock('./lib/a');\ntest('auto', () => { expect(a()).toBe(undefined); });\n`],
      ]),
    });
    expect(jest.tests.map((t) => t.status)).toEqual(['unsupported']);
    const vitest = await runTests({
      files: new Map([
        ['package.json', '{"type":"module","devDependencies":{"vitest":"^4.0.0"}}'],
        ['a.test.js', `import { test, vi } from 'vitest';\ntest('mock', () => { vi.mock('./x.js', () => ({})); });\n`],
        ['b.test.js', `import { test, expect, vi } from 'vitest';\nimport { x } from './x.js';\nconst h = vi.hoisted(() => 2);\nvi.mock('./x.js', () => ({ x: h }));\ntest('hoisted', () => { expect(x).toBe(2); });\n`],
        ['x.js', 'export const x = 1;\n'],
      ]),
    });
    expect(vitest.tests.map((t) => t.status)).toEqual(['unsupported', 'unsupported']);
  });
});

describe('vitest module scope', () => {
  it("gives the package's ES modules __dirname and __filename, unless a module declares its own", async () => {
    const files = new Map([
      ['package.json', '{"type":"module","devDependencies":{"vitest":"^4.0.0"}}'],
      ['src/own.js', `const __dirname = '/elsewhere';\nexport const dir = __dirname;\n`],
      ['test/a.test.js', `import { test, expect } from 'vitest';\nimport { dir } from '../src/own.js';\ntest('names', () => { expect(__dirname).toBe('/pkg/test'); expect(__filename).toBe('/pkg/test/a.test.js'); expect(dir).toBe('/elsewhere'); });\n`],
    ]);
    const outcome = await runTests({ files });
    expect(outcome.tests.map((t) => `${t.name}: ${t.status}${t.error ? ` ${t.error}` : ''}`)).toEqual(['test/a.test.js > names: passed']);
  });
});
