// Hostile packages are the normal case: each attempt below must end within the
// run's limits with `aborted` or a failed test, leave the host process running
// (it is this vitest worker) and touch nothing outside the sandbox: every
// attempt that could reach the host writes a sentinel file, which must never
// appear.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPackageDir, runTests, type Outcome } from '../../tester/index.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

const LIMITS = { cpuTimeMs: 1_000, wallTimeMs: 4_000, memoryMiB: 64, outputBytes: 64 * 1024 };
const work = await tempDir('gopkgr-abuse-');
const SENTINEL = path.join(work, 'escaped');
afterAll(closeAll);

/** The code the attempts run if they ever get a host `process`. */
const WRITE = `p.getBuiltinModule ? p.getBuiltinModule('fs').writeFileSync(${JSON.stringify(SENTINEL)}, 'x') : p.mainModule.require('fs').writeFileSync(${JSON.stringify(SENTINEL)}, 'x')`;

async function attempt(body: string, extra: Record<string, string> = {}): Promise<{ outcome: Outcome; ms: number; output: number }> {
  const files = new Map<string, string>([['package.json', '{"name":"@evil/pkg","type":"module"}'], ['test/evil.test.js', `import { test } from 'node:test';\n${body}`]]);
  for (const [k, v] of Object.entries(extra)) files.set(k, v);
  let output = 0;
  const start = performance.now();
  const outcome = await runTests({ files, limits: LIMITS, onOutput: (_s, text) => (output += text.length) });
  const ms = performance.now() - start;
  expect(ms).toBeLessThan(LIMITS.wallTimeMs + 1_000);
  expect(outcome.aborted !== undefined || outcome.failed > 0 || outcome.tests.some((t) => t.status === 'unsupported')).toBe(true);
  expect(existsSync(SENTINEL)).toBe(false);
  return { outcome, ms, output };
}

const errorOf = (o: Outcome, i = 0): string => o.tests[i]?.error ?? '';

describe('limits', () => {
  it('infinite loop in a test: CPU limit', async () => {
    const { outcome } = await attempt(`test('spin', () => { for (;;) {} });`);
    expect(outcome.aborted).toMatch(/^SANDBOX_CPU_LIMIT/);
  });
  it('infinite loop at module top level: CPU limit', async () => {
    const { outcome } = await attempt(`while (true) {}`);
    expect(outcome.aborted).toMatch(/^SANDBOX_CPU_LIMIT/);
  });
  it('endless microtask chain: CPU or memory limit', async () => {
    const { outcome } = await attempt(`test('micro', () => { const f = () => Promise.resolve().then(f); f(); return new Promise(() => {}); });`);
    // Each promise resolves to the next one, so the chain also grows the heap: on a
    // busy machine the memory limit can come before the CPU limit. Either contains it.
    expect(outcome.aborted).toMatch(/^SANDBOX_(CPU|MEMORY)_LIMIT/);
  });
  it('memory bomb: memory limit', async () => {
    const { outcome } = await attempt(`const a = []; for (;;) a.push(new Array(10000).fill(a.length));`);
    expect(outcome.aborted).toMatch(/^SANDBOX_(MEMORY|CPU)_LIMIT/);
  });
  it('typed-array bomb fails inside the heap limit', async () => {
    const before = process.memoryUsage().rss;
    const { outcome } = await attempt(`test('buffers', () => { const a = []; for (;;) a.push(new Uint8Array(1 << 24)); });`);
    expect(outcome.aborted ?? errorOf(outcome)).toMatch(/allocation failed|MEMORY_LIMIT/);
    expect(process.memoryUsage().rss - before).toBeLessThan(512 * 1024 * 1024);
  });
  it('WebAssembly.Memory growth: WebAssembly is not there', async () => {
    const { outcome } = await attempt(`test('wasm', () => { const m = new WebAssembly.Memory({ initial: 1, maximum: 65536 }); for (;;) m.grow(1024); });`);
    expect(errorOf(outcome)).toMatch(/WebAssembly is not defined/);
  });
  it('resizable ArrayBuffer growth: no resizable buffers, and resize is gone', async () => {
    const { outcome } = await attempt(`test('resize', () => { const b = new ArrayBuffer(1, { maxByteLength: 2 ** 31 }); b.resize(2 ** 31); });`);
    expect(errorOf(outcome)).toMatch(/^RangeError: resizable ArrayBuffers \(maxByteLength\) are not available/);
    const { outcome: detached } = await attempt(`test('resize', () => { const b = new ArrayBuffer(8); b.resize(16); });`);
    expect(errorOf(detached)).toMatch(/resize is not a function/);
  });
  it('SharedArrayBuffer growth: SharedArrayBuffer is gone', async () => {
    const { outcome } = await attempt(`test('sab', () => { const b = new SharedArrayBuffer(1, { maxByteLength: 2 ** 31 }); b.grow(2 ** 31); });`);
    expect(errorOf(outcome)).toMatch(/SharedArrayBuffer is not defined/);
  });
  it('Atomics.wait cannot block', async () => {
    const { outcome } = await attempt(`test('wait', () => { Atomics.wait(new Int32Array(4), 0, 0); });`);
    expect(errorOf(outcome)).toMatch(/not a function/);
  });
  it('a promise that never settles fails its test at once, like Node', async () => {
    const { outcome, ms } = await attempt(`test('hang', () => new Promise(() => {})); test('after', () => {});`);
    expect(outcome.aborted).toBeUndefined();
    expect(outcome.tests.map((t) => t.status)).toEqual(['failed', 'failed']);
    expect(errorOf(outcome)).toMatch(/Promise resolution is still pending/);
    expect(ms).toBeLessThan(1_000);
  });
  it('never-settling top-level await fails the file', async () => {
    const { outcome } = await attempt(`await new Promise(() => {}); test('unreached', () => {});`);
    expect(outcome.tests).toEqual([{ name: 'test/evil.test.js', status: 'failed', error: 'Error: Promise resolution is still pending but the event loop has already resolved' }]);
  });
  it('an interval that keeps a hung test alive ends within the limits', async () => {
    const { outcome } = await attempt(`test('tick', async () => { setInterval(() => {}, 1); await new Promise(() => {}); });`);
    expect(outcome.aborted ?? errorOf(outcome)).toMatch(/SANDBOX_(CPU_LIMIT|TIMEOUT)|pending/);
  });
  it('giant output is capped', async () => {
    const { outcome, output } = await attempt(`test('print', () => { const s = 'y'.repeat(1 << 16); for (let i = 0; i < 2000; i++) console.log(s); throw new Error('done'); });`);
    expect(output).toBeLessThan(LIMITS.outputBytes + 200);
    expect(errorOf(outcome)).toBe('Error: done');
  });
  it('deep recursion: a RangeError, not a crash', async () => {
    const { outcome } = await attempt(`test('deep', () => { const f = (n) => f(n + 1) + 1; f(0); });`);
    expect(errorOf(outcome)).toMatch(/Maximum call stack size exceeded/);
  });
});

describe('hostile values', () => {
  it('error whose getters throw', async () => {
    const { outcome } = await attempt(`test('getters', () => { throw { get message() { throw new Error('no'); }, get name() { throw 1; } }; });`);
    expect(errorOf(outcome)).toBe('<message getter threw>');
  });
  it('Proxy thrown as an error', async () => {
    const { outcome } = await attempt(`test('proxy', () => { throw new Proxy({}, { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('proto'); } }); });`);
    expect(outcome.tests[0]!.status).toBe('failed');
  });
  it('toString loop and self-referencing message', async () => {
    const { outcome } = await attempt(`test('loop', () => { const e = {}; e.toString = () => String(e); e.message = e; throw e; });`);
    expect(outcome.tests[0]!.status).toBe('failed');
  });
  it('a getter that never returns: CPU limit', async () => {
    const { outcome } = await attempt(`test('slow getter', () => { throw { get message() { for (;;) {} } }; });`);
    expect(outcome.aborted).toMatch(/^SANDBOX_CPU_LIMIT/);
  });
  it('a thenable whose then getter throws', async () => {
    const { outcome } = await attempt(`test('then', () => ({ get then() { throw new Error('then getter'); } }));`);
    expect(errorOf(outcome)).toBe('Error: then getter');
  });
  it('huge error messages are capped', async () => {
    const { outcome } = await attempt(`test('huge', () => { throw new Error('m'.repeat(5_000_000)); });`);
    expect(errorOf(outcome).length).toBeLessThan(5_000);
  });
  it('unhandled rejection fails the running test', async () => {
    const { outcome } = await attempt(`test('unhandled', async () => { Promise.reject(new Error('unh')); await new Promise((r) => setTimeout(r, 10)); }); test('next', () => {});`);
    expect(outcome.tests).toEqual([
      { name: 'test/evil.test.js > unhandled', status: 'failed', error: 'Error: unh' },
      { name: 'test/evil.test.js > next', status: 'passed' },
    ]);
  });
});

describe('escapes', () => {
  it("process is the sandbox's own, with nothing of the host's", async () => {
    const { outcome } = await attempt(`test('process', () => { const p = process; ${WRITE}; });`);
    expect(errorOf(outcome)).toMatch(/reading 'require'/);
  });
  it('require is not defined', async () => {
    const { outcome } = await attempt(`test('require', () => { require('fs').writeFileSync(${JSON.stringify(SENTINEL)}, 'x'); });`);
    expect(errorOf(outcome)).toMatch(/require is not defined/);
  });
  it('globalThis.constructor.constructor("return process")()', async () => {
    const { outcome } = await attempt(`test('ctor', () => { const p = globalThis.constructor.constructor('return process')(); ${WRITE}; });`);
    expect(errorOf(outcome)).toMatch(/reading 'require'/);
  });
  it("the Function constructor's realm is the sandbox's", async () => {
    const { outcome } = await attempt(
      `test('realm', () => { const g = (function () {}).constructor('return this')(); const f = (async () => {}).constructor; ` +
        `const names = Object.getOwnPropertyNames(g).filter((n) => /^(process|require|module|exports|Buffer|global|ivm|_ivm|__gopkgr_shim)$/.test(n)); ` +
        `if (names.length) { const p = g.process; ${WRITE}; } throw new Error('contained ' + (g === globalThis) + ' ' + typeof f); });`,
    );
    // process, Buffer and global are there, as under Node, but they are the sandbox's own
    expect(errorOf(outcome)).toMatch(/reading 'require'/);
  });
  it('eval cannot reach the host', async () => {
    const { outcome } = await attempt(`test('eval', () => { const p = eval('process'); ${WRITE}; });`);
    expect(errorOf(outcome)).toMatch(/reading 'require'/);
  });
  it("dynamic import('node:fs') gives the sandbox's read-only fs: a write is unsupported", async () => {
    const { outcome } = await attempt(`test('dyn', async () => { const fs = await import('node:' + 'fs'); fs.writeFileSync(${JSON.stringify(SENTINEL)}, 'x'); });`);
    expect(outcome.tests[0]).toMatchObject({ name: 'test/evil.test.js > dyn', status: 'unsupported' });
    expect(errorOf(outcome)).toMatch(/fs\.writeFileSync is not available in the gopkgr sandbox/);
  });
  it("fs is read-only: a write fails the file as unsupported, never as a pass", async () => {
    const { outcome } = await attempt(`import fs from 'fs'; fs.writeFileSync(${JSON.stringify(SENTINEL)}, 'x');`);
    expect(outcome.tests[0]).toMatchObject({ name: 'test/evil.test.js', status: 'unsupported' });
    expect(errorOf(outcome)).toMatch(/fs\.writeFileSync is not available in the gopkgr sandbox/);
  });
  it('fs reads nothing outside the package', async () => {
    const { outcome } = await attempt(`import { readFileSync } from 'node:fs'; test('read', () => readFileSync('/etc/passwd', 'utf8'));`);
    expect(outcome.tests[0]).toMatchObject({ name: 'test/evil.test.js > read', status: 'unsupported' });
    expect(errorOf(outcome)).toMatch(/only the package's own files can be read/);
  });
  it('node:child_process and node:module are unsupported, in ES modules and CommonJS alike', async () => {
    let { outcome } = await attempt(`import { execSync } from 'node:child_process'; execSync('touch ${SENTINEL}');`);
    expect(outcome.tests[0]).toMatchObject({ name: 'test/evil.test.js', status: 'unsupported' });
    expect(errorOf(outcome)).toMatch(/^Error: node:child_process is not available in the gopkgr sandbox \(child processes cannot be deterministic\): execSync\(\) was called/);
    ({ outcome } = await attempt(`import { createRequire } from 'node:module'; createRequire(import.meta.url)('fs');`));
    expect(outcome.tests[0]!.status).toBe('unsupported');
    ({ outcome } = await attempt(`import { run } from '../lib/cjs.cjs'; test('cjs', () => run());`, { 'lib/cjs.cjs': `exports.run = () => require('child_process').execSync('touch ${SENTINEL}');` }));
    expect(outcome.tests[0]).toMatchObject({ name: 'test/evil.test.js > cjs', status: 'unsupported' });
  });
  it('importing a file outside the package', async () => {
    // a real file next to the package, which would write the sentinel if it ever ran
    const pkg = path.join(work, 'outside-case', 'pkg');
    mkdirSync(path.join(pkg, 'test'), { recursive: true });
    writeFileSync(path.join(work, 'outside-case', 'outside.js'), `import fs from 'node:fs'; fs.writeFileSync(${JSON.stringify(SENTINEL)}, 'x');`);
    writeFileSync(path.join(pkg, 'test', 'a.test.js'), `import '../../outside.js';`);
    const outcome = await runTests({ files: await readPackageDir(pkg), limits: LIMITS });
    expect(errorOf(outcome)).toMatch(/^SANDBOX_IMPORT_OUTSIDE/);
    expect(existsSync(SENTINEL)).toBe(false);
  });
  it('absolute paths and file: URLs', async () => {
    for (const spec of ['/etc/passwd', 'file:///etc/passwd', 'data:text/javascript,export default 1', 'http://127.0.0.1/x.js']) {
      const { outcome } = await attempt(`import x from ${JSON.stringify(spec)};`);
      expect(errorOf(outcome)).toMatch(/^SANDBOX_IMPORT_DENIED/);
    }
  });
  it('import.meta has nothing to climb', async () => {
    const { outcome } = await attempt(`test('meta', () => { const p = import.meta.constructor.constructor('return process')(); ${WRITE}; });`);
    expect(errorOf(outcome)).toMatch(/Cannot read properties of undefined/);
  });
  it('the shim handle is sealed before package code runs', async () => {
    const { outcome } = await attempt(`test('shim', () => { throw new Error(typeof globalThis.__gopkgr_shim); });`);
    expect(errorOf(outcome)).toBe('Error: undefined');
  });
  it('prototype pollution stays in the sandbox', async () => {
    const { outcome } = await attempt(
      `Object.prototype.polluted = 'yes'; Array.prototype.push = () => 0; JSON.stringify = () => '{}'; Promise.prototype.then = function () { return this; };\n` +
        `test('polluted', () => { throw new Error('after pollution'); });`,
    );
    expect(errorOf(outcome)).toBe('Error: after pollution');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // and the next run starts clean
    const clean = await runTests({ files: new Map([['test/a.test.js', `import { test } from 'node:test'; test('clean', () => { if ({}.polluted) throw new Error('leaked'); });`]]) });
    expect(clean.tests).toEqual([{ name: 'test/a.test.js > clean', status: 'passed' }]);
  });
  it('one test file cannot touch the globals of the next', async () => {
    const outcome = await runTests({
      files: new Map([
        ['test/a.test.js', `import { test } from 'node:test'; globalThis.shared = 1; Math.random = () => 0; test('a', () => {});`],
        ['test/b.test.js', `import { test } from 'node:test'; test('b', () => { if (globalThis.shared || Math.random() === 0) throw new Error('leaked'); });`],
      ]),
    });
    expect(outcome.tests.map((t) => t.status)).toEqual(['passed', 'passed']);
  });
});
