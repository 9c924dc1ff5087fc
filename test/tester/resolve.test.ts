// The sandbox's resolver: only the package's files and its locked dependencies.
import { describe, expect, it } from 'vitest';
import { findTestFiles, globToRegExp, Resolver, resolveExports, testRunner } from '../../tester/index.ts';

const files = new Map([
  ['package.json', JSON.stringify({ name: '@me/pkg', exports: { '.': './src/index.ts', './feature/*': './src/features/*.ts' } })],
  ['src/index.ts', ''],
  ['src/a.ts', ''],
  ['src/b.js', ''],
  ['src/dir/index.ts', ''],
  ['src/data.json', '{}'],
  ['src/features/x.ts', ''],
  ['test/a.test.ts', ''],
  ['test/deep/b.test.js', ''],
  ['test/helper.ts', ''],
  ['test/types.d.ts', ''],
]);
const deps = new Map([
  ['@acme/lib', new Map([['package.json', JSON.stringify({ name: '@acme/lib', main: 'lib/main.js' })], ['lib/main.js', ''], ['lib/util.js', '']])],
  ['@acme/cond', new Map([['package.json', JSON.stringify({ exports: { require: './c.cjs', import: './m.js', default: './d.js' } })], ['m.js', ''], ['c.cjs', '']])],
]);
const r = new Resolver(files, deps);
const from = 'pkg:test/a.test.ts';

describe('Resolver', () => {
  it('serves the shims', () => {
    expect(r.resolve('node:test', from)).toBe('builtin:node:test');
    expect(r.resolve('node:assert/strict', from)).toBe('builtin:node:assert/strict');
    expect(r.resolve('assert', from)).toBe('builtin:node:assert');
  });
  it('maps NodeNext .js names to .ts sources, and omitted extensions', () => {
    expect(r.resolve('../src/a.js', from)).toBe('pkg:src/a.ts');
    expect(r.resolve('../src/a.ts', from)).toBe('pkg:src/a.ts');
    expect(r.resolve('../src/a', from)).toBe('pkg:src/a.ts');
    expect(r.resolve('../src/b.js', from)).toBe('pkg:src/b.js');
    expect(r.resolve('../src/dir', from)).toBe('pkg:src/dir/index.ts');
    expect(r.resolve('../src/data.json', from)).toBe('pkg:src/data.json');
  });
  it('refuses what is outside the package', () => {
    expect(() => r.resolve('../../outside.js', from)).toThrow(expect.objectContaining({ code: 'SANDBOX_IMPORT_OUTSIDE' }));
    expect(() => r.resolve('./../../../etc/passwd', 'pkg:src/a.ts')).toThrow(expect.objectContaining({ code: 'SANDBOX_IMPORT_OUTSIDE' }));
    for (const spec of ['/etc/passwd', 'file:///etc/passwd', 'data:text/javascript,1', 'https://x.test/a.js']) {
      expect(() => r.resolve(spec, from), spec).toThrow(expect.objectContaining({ code: 'SANDBOX_IMPORT_DENIED' }));
    }
    // Node's built-ins resolve to the sandbox's; which of them it can give is its decision (unsupported otherwise)
    for (const [spec, key] of [['node:fs', 'builtin:node:fs'], ['fs/promises', 'builtin:node:fs/promises'], ['node:child_process', 'builtin:node:child_process'], ['worker_threads', 'builtin:node:worker_threads'], ['events', 'builtin:node:events']]) {
      expect(r.resolve(spec!, from)).toBe(key);
    }
    expect(() => r.resolve('lodash', from)).toThrow(expect.objectContaining({ code: 'SANDBOX_IMPORT_NOT_FOUND' }));
    expect(() => r.resolve('./missing.js', from)).toThrow(expect.objectContaining({ code: 'SANDBOX_IMPORT_NOT_FOUND' }));
  });
  it('a dependency cannot reach the package or other dependencies by path', () => {
    expect(() => r.resolve('../../src/a.ts', 'dep:@acme/lib:lib/main.js')).toThrow(expect.objectContaining({ code: 'SANDBOX_IMPORT_OUTSIDE' }));
    expect(r.resolve('./util.js', 'dep:@acme/lib:lib/main.js')).toBe('dep:@acme/lib:lib/util.js');
  });
  it('resolves dependencies through exports, main and self-reference', () => {
    expect(r.resolve('@acme/lib', from)).toBe('dep:@acme/lib:lib/main.js');
    expect(r.resolve('@acme/cond', from)).toBe('dep:@acme/cond:m.js');
    expect(r.resolve('@me/pkg', from)).toBe('pkg:src/index.ts');
    expect(r.resolve('@me/pkg/feature/x', from)).toBe('pkg:src/features/x.ts');
    expect(() => r.resolve('@me/pkg/src/a.ts', from)).toThrow(/not exported/);
  });
  it('require() resolves with the require condition, CommonJS extensions and directory mains', () => {
    expect(r.resolve('@acme/cond', from, 'require')).toBe('dep:@acme/cond:c.cjs');
    expect(r.resolve('./util', 'dep:@acme/lib:lib/main.js', 'require')).toBe('dep:@acme/lib:lib/util.js');
    expect(r.resolve('..', 'dep:@acme/lib:lib/main.js', 'require')).toBe('dep:@acme/lib:lib/main.js');
    expect(r.resolve('../src/data', from, 'require')).toBe('pkg:src/data.json');
    expect(resolveExports({ '.': { require: './c.cjs' } }, '.', 'require')).toBe('./c.cjs');
  });
  it('resolveExports follows Node for node/import/default', () => {
    expect(resolveExports('./i.js', '.')).toBe('./i.js');
    expect(resolveExports({ import: { node: './n.js', default: './d.js' } }, '.')).toBe('./n.js');
    expect(resolveExports({ './a/*.js': './lib/*.js', './a/b/*.js': './deep/*.js' }, './a/b/c.js')).toBe('./deep/c.js');
    expect(resolveExports({ '.': ['bad', './ok.js'] }, '.')).toBe('./ok.js');
    expect(resolveExports({ '.': { require: './c.cjs' } }, '.')).toBeUndefined();
  });
});

describe('test files', () => {
  it("default globs are node --test's (everything under test/, *.test.*, test-*, ...), sorted, without .d.ts", () => {
    expect(findTestFiles(files)).toEqual(['test/a.test.ts', 'test/deep/b.test.js', 'test/helper.ts']);
    const more = new Map([['a-test.cjs', ''], ['b_test.mjs', ''], ['lib/test-c.js', ''], ['test.js', ''], ['src/x.spec.js', ''], ['src/main.js', ''], ['node_modules/x/test/y.js', '']]);
    expect(findTestFiles(more)).toEqual(['a-test.cjs', 'b_test.mjs', 'lib/test-c.js', 'test.js']);
  });
  it("a package whose test script runs node --test on Node 20 gets Node 20's globs: no .ts file, as node finds none", () => {
    const tree = (scripts: Record<string, string>) =>
      new Map([['package.json', JSON.stringify({ scripts })], ['test/a.test.js', ''], ['test/b.test.mjs', ''], ['test/types/index.ts', ''], ['c.test.ts', ''], ['test/fixtures/x.cjs', '']]);
    expect(findTestFiles(tree({ test: 'npm run unit && npm run types', unit: 'borp --coverage', types: 'tsc -p test/types' }))).toEqual(['test/a.test.js', 'test/b.test.mjs', 'test/fixtures/x.cjs']);
    expect(findTestFiles(tree({ test: 'node --test' }))).toEqual(['test/a.test.js', 'test/b.test.mjs', 'test/fixtures/x.cjs']);
    const ts = ['c.test.ts', 'test/a.test.js', 'test/b.test.mjs', 'test/fixtures/x.cjs', 'test/types/index.ts'];
    expect(findTestFiles(tree({ test: 'node --experimental-strip-types --test' }))).toEqual(ts);
    expect(findTestFiles(tree({ test: 'node --import tsx --test' }))).toEqual(ts);
    expect(findTestFiles(tree({ test: 'tsx --test' }))).toEqual(ts);
    expect(findTestFiles(new Map([...tree({ test: 'node --test' })].filter(([k]) => k !== 'package.json')))).toEqual(ts);
  });
  it('a TypeScript test runs once, from its source, not from its emitted copy', () => {
    const tarball = new Map([['test/a.test.ts', ''], ['test/a.test.js', ''], ['test/b.test.mts', ''], ['test/b.test.mjs', ''], ['test/c.test.js', '']]);
    expect(findTestFiles(tarball)).toEqual(['test/a.test.ts', 'test/b.test.mts', 'test/c.test.js']);
    expect(findTestFiles(tarball, ['test/*.js', 'test/*.ts'])).toEqual(['test/a.test.ts', 'test/c.test.js']);
  });
  it('globs', () => {
    expect(globToRegExp('test/**/*.test.{ts,js}').test('test/a.test.ts')).toBe(true);
    expect(globToRegExp('test/**/*.test.{ts,js}').test('test/x/y/a.test.js')).toBe(true);
    expect(globToRegExp('test/*.ts').test('test/x/a.ts')).toBe(false);
    expect(globToRegExp('src/?.ts').test('src/a.ts')).toBe(true);
  });
});

describe('the test runner', () => {
  const pkg = (json: object): Map<string, string> => new Map([['package.json', JSON.stringify(json)]]);
  it("follows the test script into the scripts it runs, node --test first, then vitest's and jest's", () => {
    expect(testRunner(pkg({ scripts: { test: 'npm run test:unit && npm run test:jest', 'test:unit': 'c8 --100 node --test', 'test:jest': 'jest jest.test.js' }, devDependencies: { jest: '1' } }))).toBe('node');
    expect(testRunner(pkg({ scripts: { test: 'vitest run' } }))).toBe('vitest');
    expect(testRunner(pkg({ scripts: { test: 'npm run unit', unit: 'jest --ci' } }))).toBe('jest');
    expect(testRunner(pkg({ devDependencies: { vitest: '^4' } }))).toBe('vitest');
    expect(testRunner(pkg({ scripts: { test: 'borp --coverage' }, devDependencies: { vitest: '^4' } }))).toBe('node');
    expect(testRunner(pkg({}))).toBe('node');
  });
});
