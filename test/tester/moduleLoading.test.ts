// Module loading as Node does it, where the sandbox had to make it by hand:
// import() of a literal specifier (tester/sandbox/dynamicImport.ts) from ES
// modules and CommonJS alike, require.cache deciding what require() returns,
// and a before hook a running test adds to itself running at once. The
// outcomes asserted are those `node --test` gives for the same files.
import { describe, expect, it } from 'vitest';
import { runTests } from '../../tester/index.ts';

describe('module loading', () => {
  it('import() of literal specifiers, require.cache, and t.before inside a test', async () => {
    const files = new Map([
      ['package.json', '{"name":"l"}'],
      ['lib/esm.mjs', 'export const kind = "esm";\nexport default function named() {}\n'],
      ['lib/cjs.js', 'module.exports = { kind: "cjs", count: (globalThis.__loads = (globalThis.__loads || 0) + 1) };\n'],
      ['lib/debug.js', 'exports.debug = () => "real";\n'],
      ['lib/user.js', "const { debug } = require('./debug');\nexports.say = () => debug();\n"],
      [
        'test/a.test.js',
        `const { test } = require('node:test');\nconst assert = require('node:assert');\n` +
          `test('import() of ESM from CommonJS', async () => { const m = await import('../lib/esm.mjs'); assert.equal(m.kind, 'esm'); assert.equal(m.default.name, 'named'); });\n` +
          `test('import() of CommonJS', async () => { const m = await import('../lib/cjs.js'); assert.equal(m.default.kind, 'cjs'); assert.equal(m.kind, 'cjs'); });\n` +
          `test('import() of a missing file rejects', async () => { await assert.rejects(import('../lib/none.js')); });\n` +
          `test('text about import() is left alone', () => { assert.equal("import('../lib/esm.mjs')".length, 24); });\n` +
          `test('require.cache', () => { const first = require('../lib/cjs.js'); assert.equal(require('../lib/cjs.js'), first); delete require.cache[require.resolve('../lib/cjs.js')]; const again = require('../lib/cjs.js'); assert.notEqual(again, first); assert.equal(again.count, first.count + 1); });\n` +
          `test('t.before in a running test runs at once', (t) => { const d = require('../lib/debug'); t.before(() => { d.debug = () => 'mocked'; delete require.cache[require.resolve('../lib/user')]; }); assert.equal(require('../lib/user').say(), 'mocked'); });\n`,
      ],
      ['test/b.test.mjs', `import { test } from 'node:test';\nimport assert from 'node:assert';\ntest('import() from an ES module', async () => { const { kind } = await import('../lib/esm.mjs'); assert.equal(kind, 'esm'); });\n`],
    ]);
    const outcome = await runTests({ files });
    expect(outcome.aborted).toBeUndefined();
    expect(outcome.tests.map((t) => `${t.name}: ${t.status}${t.status === 'failed' ? ` ${t.error}` : ''}`)).toEqual([
      'test/a.test.js > import() of ESM from CommonJS: passed',
      'test/a.test.js > import() of CommonJS: passed',
      'test/a.test.js > import() of a missing file rejects: passed',
      'test/a.test.js > text about import() is left alone: passed',
      'test/a.test.js > require.cache: passed',
      'test/a.test.js > t.before in a running test runs at once: passed',
      'test/b.test.mjs > import() from an ES module: passed',
    ]);
  });

  it('import() of a built-in or a computed specifier resolves as a literal would; what the sandbox cannot give is unsupported, never failed', async () => {
    const files = new Map([
      ['package.json', '{"name":"d"}'],
      ['lib/cjs.js', 'module.exports = { kind: "cjs" };\n'],
      ['lib/esm.mjs', 'export const kind = "esm";\n'],
      ['lib/other.js', 'module.exports = 1;\n'],
      [
        'test/c.test.js',
        `const { test } = require('node:test');\nconst assert = require('node:assert');\nrequire('../lib/cjs.js');\n` +
          `test('built-ins', async () => { const p = await import('node:path'); assert.equal(p.join('a', 'b'), 'a/b'); assert.equal(p.default.join, p.join); const u = await import('util'); assert.equal(typeof u.format, 'function'); const name = 'node:' + 'events'; assert.equal(typeof (await import(name)).EventEmitter, 'function'); });\n` +
          `test('a computed path to a module the file loads', async () => { const m = await import('../lib/' + 'cjs.js'); assert.equal(m.default.kind, 'cjs'); assert.equal(m.kind, 'cjs'); });\n` +
          `test('a computed path to a missing file rejects as in Node', async () => { await assert.rejects(import('../lib/' + 'none.js'), { code: 'ERR_MODULE_NOT_FOUND' }); });\n` +
          `test('a computed path to a file the sandbox did not prepare', async () => { await import('../lib/' + 'other.js'); });\n` +
          `test('a computed package name', async () => { await import(['left', 'pad'].join('-')); });\n` +
          `test('a built-in that cannot be deterministic', async () => { await import('node:' + 'child_process').then((cp) => cp.spawnSync('ls')); });\n`,
      ],
      ['test/d.test.mjs', `import { test } from 'node:test';\nimport assert from 'node:assert';\ntest('computed, from an ES module', async () => { const lit = await import('../lib/esm.mjs'); const at = '../lib/esm.mjs'; assert.equal(await import(at), lit); assert.equal(lit.kind, 'esm'); assert.equal((await import('node:os')).EOL, '\\n'); });\n`],
    ]);
    const outcome = await runTests({ files });
    expect(outcome.aborted).toBeUndefined();
    expect(outcome.tests.map((t) => `${t.name}: ${t.status}${t.status !== 'passed' ? ` ${t.error}` : ''}`)).toEqual([
      'test/c.test.js > built-ins: passed',
      'test/c.test.js > a computed path to a module the file loads: passed',
      'test/c.test.js > a computed path to a missing file rejects as in Node: passed',
      expect.stringMatching(/^test\/c\.test\.js > a computed path to a file the sandbox did not prepare: unsupported Error: import\('\.\.\/lib\/other\.js'\) from \/pkg\/test\/c\.test\.js: a module the sandbox did not prepare/),
      expect.stringMatching(/^test\/c\.test\.js > a computed package name: unsupported Error: import\('left-pad'\) from \/pkg\/test\/c\.test\.js: a package imported by a computed specifier is not available/),
      expect.stringMatching(/^test\/c\.test\.js > a built-in that cannot be deterministic: unsupported Error: node:child_process is not available in the gopkgr sandbox/),
      'test/d.test.mjs > computed, from an ES module: passed',
    ]);
  });

  it('import() of a test file from a running test evaluates it then: its tests are that test\'s subtests, reported under their own file', async () => {
    const files = new Map([
      ['package.json', '{"name":"lz"}'],
      [
        'test/a.test.js',
        `const { test } = require('node:test');\nconst assert = require('node:assert');\n` +
          `test('outer', async () => { globalThis.order = ['before']; const m = await import('./b.mjs'); globalThis.order.push('after'); assert.deepStrictEqual(globalThis.order, ['before', 'b', 'after']); assert.equal(m.kind, 'b'); });\n`,
      ],
      ['test/b.mjs', `import { test } from 'node:test';\n(globalThis.order ??= []).push('b');\nexport const kind = 'b';\nawait test('inner', () => {});\n`],
    ]);
    const outcome = await runTests({ files });
    // what node --test (Node 20.20) reports for these files
    expect(outcome.tests.map((t) => `${t.name}: ${t.status}${t.error ? ` ${t.error}` : ''}`)).toEqual(['test/b.mjs > outer > inner: passed', 'test/a.test.js > outer: passed', 'test/b.mjs > inner: passed']);
  });

  it('process.nextTick runs after the callback that queued it, before its promise jobs; a tick queued by a promise job waits for the rest', async () => {
    const files = new Map([
      ['package.json', '{"name":"t"}'],
      [
        'test/tick.test.js',
        `const { test } = require('node:test');\nconst assert = require('node:assert');\n` +
          `test('order', async () => { const order = []; await new Promise((r) => setImmediate(() => { Promise.resolve().then(() => { order.push('promise'); process.nextTick(() => order.push('tick from promise')); Promise.resolve().then(() => order.push('promise from promise')); }); process.nextTick(() => order.push('tick')); setImmediate(r); })); assert.deepStrictEqual(order, ['tick', 'promise', 'promise from promise', 'tick from promise']); });\n`,
      ],
    ]);
    const outcome = await runTests({ files });
    expect(outcome.tests.map((t) => `${t.name}: ${t.status}${t.error ? ` ${t.error}` : ''}`)).toEqual(['test/tick.test.js > order: passed']);
  });
});
