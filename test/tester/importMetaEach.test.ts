// import.meta in the sandbox (tester/sandbox/importMeta.ts): a file: URL of
// the file's path inside the sandbox, the same on every tester, with Node's
// filename, dirname and resolve; and the rows of jest's and vitest's
// `.each` tables: a `done` callback under jest when the function declares
// one more parameter than a row has cells, none under vitest, and tagged
// template tables. The outcomes asserted are those `node --test`, jest and
// vitest give for the same files.
import { describe, expect, it } from 'vitest';
import { runTests } from '../../tester/index.ts';
import { sandboxFileUrl, withImportMeta } from '../../tester/sandbox/importMeta.ts';
import { Resolver } from '../../tester/resolve.ts';

type Files = Map<string, string>;

async function statuses(files: Files): Promise<string[]> {
  const outcome = await runTests({ files });
  expect(outcome.aborted).toBeUndefined();
  return outcome.tests.map((t) => `${t.name}: ${t.status}${t.status === 'failed' ? ` (${t.error})` : ''}`);
}

describe('import.meta', () => {
  it('gives url, filename and dirname inside the sandbox, in the package and in a dependency', async () => {
    const files: Files = new Map([
      ['package.json', '{"name":"m","type":"module"}'],
      ['data/fixture.json', '{"answer":42}'],
      [
        'test/meta.test.js',
        `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { readFileSync } from 'node:fs';\nimport { fileURLToPath } from 'node:url';\nimport { depUrl } from 'dep';\n` +
          `test('url', () => { assert.equal(import.meta.url, 'file:///pkg/test/meta.test.js'); });\n` +
          `test('filename and dirname', () => { assert.equal(import.meta.filename, '/pkg/test/meta.test.js'); assert.equal(import.meta.dirname, '/pkg/test'); assert.equal(fileURLToPath(import.meta.url), import.meta.filename); });\n` +
          `test('a fixture beside it', () => { const j = JSON.parse(readFileSync(new URL('../data/fixture.json', import.meta.url), 'utf8')); assert.equal(j.answer, 42); });\n` +
          `test('one object per module, no prototype', () => { assert.equal(import.meta, import.meta); assert.equal(Object.getPrototypeOf(import.meta), null); assert.deepEqual(Object.keys(import.meta), ['dirname', 'filename', 'resolve', 'url']); });\n` +
          `test('resolve', () => { assert.equal(import.meta.resolve('dep'), 'file:///pkg/node_modules/dep/index.js'); assert.equal(import.meta.resolve('./x.js'), 'file:///pkg/test/x.js'); assert.equal(import.meta.resolve('node:fs'), 'node:fs'); });\n` +
          `test('a dependency sees its own path', () => { assert.equal(depUrl, 'file:///pkg/node_modules/dep/index.js'); });\n` +
          `test('text that only reads import.meta is left alone', () => { assert.equal('import.meta.url'.length, 15); });\n`,
      ],
    ]);
    const deps = new Map([['dep', new Map([['package.json', '{"name":"dep","type":"module","main":"index.js"}'], ['index.js', 'export const depUrl = import.meta.url;\n']])]]);
    const outcome = await runTests({ files, deps });
    expect(outcome.aborted).toBeUndefined();
    expect(outcome.tests.map((t) => `${t.name}: ${t.status}${t.error ? ` (${t.error})` : ''}`)).toEqual([
      'test/meta.test.js > url: passed',
      'test/meta.test.js > filename and dirname: passed',
      'test/meta.test.js > a fixture beside it: passed',
      'test/meta.test.js > one object per module, no prototype: passed',
      'test/meta.test.js > resolve: passed',
      'test/meta.test.js > a dependency sees its own path: passed',
      'test/meta.test.js > text that only reads import.meta is left alone: passed',
    ]);
  });

  it('keeps line numbers, strings and comments as they are', async () => {
    const resolver = new Resolver(new Map([['package.json', '{"type":"module"}'], ['a.js', '']]), new Map());
    const src = `#!/usr/bin/env node\n// import.meta in a comment\nconst s = "import.meta.url";\nexport const u = import.meta.url;\n`;
    const out = await withImportMeta(src, 'pkg:a.js', resolver, 'node');
    expect(out.split('\n').length).toBe(src.split('\n').length);
    expect(out.split('\n').slice(1, 3)).toEqual(['// import.meta in a comment', 'const s = "import.meta.url";']);
    expect(out.split('\n')[3]).toBe('export const u = __gopkgr_import_meta.url;');
    expect(await withImportMeta('export const x = 1;\n', 'pkg:a.js', resolver, 'node')).toBe('export const x = 1;\n');
  });

  it('encodes a path as a file URL the way Node does', () => {
    expect(sandboxFileUrl('/pkg/a b/c#1?.js')).toBe('file:///pkg/a%20b/c%231%3F.js');
    expect(sandboxFileUrl('/pkg/100%.js')).toBe('file:///pkg/100%25.js');
  });

  it('under vitest also gives import.meta.env', async () => {
    const files: Files = new Map([
      ['package.json', '{"type":"module","devDependencies":{"vitest":"^4.0.0"}}'],
      ['test/env.test.js', `import { test, expect } from 'vitest';\ntest('env', () => { expect(import.meta.env.MODE).toBe('test'); expect(import.meta.url).toBe('file:///pkg/test/env.test.js'); });\n`],
    ]);
    expect(await statuses(files)).toEqual(['test/env.test.js > env: passed']);
  });
});

describe('.each rows', () => {
  it('jest passes done to an .each function that declares one more parameter than the row has', async () => {
    const files: Files = new Map([
      ['package.json', '{"name":"j","scripts":{"test":"jest"},"devDependencies":{"jest":"^29.7.0"}}'],
      [
        '__tests__/each.test.js',
        `test.each([[1, 2], [2, 3]])('array %i', (a, b, done) => { setTimeout(() => { expect(a + 1).toBe(b); done(); }, 5); });\n` +
          `it.each([1, 2])('value %i', (n, done) => { setTimeout(() => done(n === 2 ? new Error('two') : undefined), 5); });\n` +
          `test.each([[1, 2]])('no done %i', (a, b) => { expect(a).toBe(1); });\n` +
          `test.each([[1]])('done never called %i', (a, done) => { expect(a).toBe(1); });\n` +
          'test.each`\n  a    | b    | sum\n  ${1} | ${1} | ${2}\n  ${2} | ${1} | ${4}\n`(\'template $a + $b\', ({ a, b, sum }, done) => { expect(a + b).toBe(sum); done(); });\n' +
          `describe.each([[3]])('suite %i', (n) => { test('inner', () => { expect(n).toBe(3); }); });\n`,
      ],
    ]);
    const got = await statuses(files);
    expect(got.map((l) => l.replace(/ \(.*$/, ''))).toEqual([
      '__tests__/each.test.js > array 1: passed',
      '__tests__/each.test.js > array 2: passed',
      '__tests__/each.test.js > value 1: passed',
      '__tests__/each.test.js > value 2: failed',
      '__tests__/each.test.js > no done 1: passed',
      '__tests__/each.test.js > done never called 1: failed',
      '__tests__/each.test.js > template 1 + 1: passed',
      '__tests__/each.test.js > template 2 + 1: failed',
      '__tests__/each.test.js > suite 3 > inner: passed',
    ]);
    expect(got[3]).toMatch(/Error: two/);
  });

  it('vitest passes only the row: no done, no test context', async () => {
    const files: Files = new Map([
      ['package.json', '{"type":"module","devDependencies":{"vitest":"^4.0.0"}}'],
      [
        'test/each.test.js',
        `import { test, expect } from 'vitest';\n` +
          `test.each([[1, 2]])('array %i', (a, b, done) => { expect(done).toBeUndefined(); expect(a + 1).toBe(b); });\n` +
          `test.each([[1, 2]])('calls done %i', (a, b, done) => { done(); });\n` +
          `test.each([{ a: 1 }])('object $a', (row, ctx) => { expect(row.a).toBe(1); expect(ctx).toBeUndefined(); });\n` +
          'test.each`\n  a    | b\n  ${1} | ${2}\n`(\'template $a\', ({ a, b }) => { expect(b - a).toBe(1); });\n',
      ],
    ]);
    const got = await statuses(files);
    expect(got.map((l) => l.replace(/ \(.*$/, ''))).toEqual(['test/each.test.js > array 1: passed', 'test/each.test.js > calls done 1: failed', 'test/each.test.js > object 1: passed', 'test/each.test.js > template 1: passed']);
    expect(got[1]).toMatch(/done is not a function/);
  });
});
