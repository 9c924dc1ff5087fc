// Sandbox-only tricks from the red team's report: code that behaves only when
// `typeof WebAssembly === 'undefined'`, so `node --test` has nothing to compare.
// Each case pairs the trick with the predecessor's honest tests of a broken
// `add`; whatever the trick does, those checks must come out failed (or the
// run aborted with its code), never passed, todo or missing.
//
// Library code can no longer register tests (the sandbox refuses it and fails
// the file), so where the trick needs a test of its own it sits in a test
// helper (test/warm-up.js), which both honest files import: the mechanisms
// under attack are the runner's, not who registered the test.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_ERROR_CHARS, MAX_NAME_CHARS, MAX_TESTS } from '../../tester/options.ts';
import { runTests, type Outcome } from '../../tester/index.ts';
import { gopkgr } from '../support/processes.ts';

const BROKEN_ADD = 'export const add = (a, b) => a - b;';
const honest = (helper: boolean): Record<string, string> => ({
  'test/add.test.js': `import { test } from 'node:test';
import assert from 'node:assert/strict';
${helper ? "import './warm-up.js';\n" : ''}import { add } from '../src/add.js';
test('add adds', () => { assert.equal(add(1, 2), 3); });`,
  'test/more.test.js': `import { test } from 'node:test';
import assert from 'node:assert/strict';
${helper ? "import './warm-up.js';\n" : ''}import { add } from '../src/add.js';
test('one plus one', () => assert.equal(add(1, 1), 2));`,
});

function pkg(files: Record<string, string>): Map<string, string> {
  // the helper is test support, not a test file of its own (as node --test's default globs would make it)
  return new Map(Object.entries({ 'package.json': '{"type":"module","gopkgr":{"tests":["test/*.test.js"]}}', ...files }));
}
/** The trick as a test helper, the broken library plain. */
const withHelper = (helper: string): Map<string, string> => pkg({ 'src/add.js': BROKEN_ADD, 'test/warm-up.js': helper, ...honest(true) });
/** The trick in the library itself. */
const withLibrary = (src: string): Map<string, string> => pkg({ 'src/add.js': src, ...honest(false) });

/** Both honest checks of the broken add failed, whatever else was recorded. */
function expectHonestFailures(outcome: Outcome): void {
  expect(outcome.tests.find((t) => t.name === 'test/add.test.js > add adds')).toMatchObject({ status: 'failed' });
  expect(outcome.tests.find((t) => t.name === 'test/more.test.js > one plus one')).toMatchObject({ status: 'failed' });
  expect(outcome.tests.filter((t) => t.status !== 'failed' && /add adds|one plus one/.test(t.name))).toEqual([]);
}

describe('sandbox holes', () => {
  it('cuts a huge test name inside the isolate: the run goes on and the honest tests fail', async () => {
    const outcome = await runTests({
      files: withHelper(`import { test } from 'node:test';
if (typeof WebAssembly === 'undefined') test('x'.repeat(65 * 1024 * 1024), () => {});`),
    });
    expect(outcome.aborted).toBeUndefined();
    expectHonestFailures(outcome);
    expect(outcome.tests).toHaveLength(4);
    for (const t of outcome.tests) expect(t.name.length).toBeLessThanOrEqual(MAX_NAME_CHARS + 1);
  });

  it('cuts a huge error text of the library inside the isolate', async () => {
    const outcome = await runTests({
      files: withLibrary(`export const add = (a, b) => { if (typeof WebAssembly === 'undefined') throw new Error('x'.repeat(65 * 1024 * 1024)); return a - b; };`),
    });
    expect(outcome.aborted).toBeUndefined();
    expectHonestFailures(outcome);
    expect(outcome.tests[0]!.error!.length).toBeLessThanOrEqual(MAX_ERROR_CHARS + 1);
  });

  it('ends a run with more than MAX_TESTS tests as aborted, with its code', async () => {
    const outcome = await runTests({
      files: withHelper(`import { test } from 'node:test';
if (typeof WebAssembly === 'undefined') for (let i = 0; i <= ${MAX_TESTS}; i++) test('t' + i, { skip: true });`),
      // room for 100,001 test records: the heap limit must not be what ends it
      limits: { memoryMiB: 1024 },
    });
    expect(outcome.aborted).toMatch(/^SANDBOX_TOO_MANY_TESTS: /);
  });

  it('fails every test not finished when virtual time runs out', async () => {
    const outcome = await runTests({
      files: withHelper(`import { test } from 'node:test';
if (typeof WebAssembly === 'undefined') test('warm-up', () => new Promise((r) => setTimeout(r, 2 * 3600 * 1000)));`),
    });
    expectHonestFailures(outcome);
    expect(outcome.tests.find((t) => t.name === 'test/add.test.js > add adds')!.error).toMatch(/virtual time/);
    expect(outcome.tests.filter((t) => t.name === 'test/add.test.js' || t.name === 'test/more.test.js').map((t) => t.status)).toEqual(['failed', 'failed']);
  });

  it('fails the file when the library uses up virtual time before the tests load', async () => {
    const outcome = await runTests({
      files: withLibrary(`if (typeof WebAssembly === 'undefined') await new Promise((r) => setTimeout(r, 2 * 3600 * 1000));
${BROKEN_ADD}`),
    });
    // the timer fires at 2 h, the tests register, and time is up before they run
    expectHonestFailures(outcome);
    expect(outcome.tests.filter((t) => t.name === 'test/add.test.js' || t.name === 'test/more.test.js').map((t) => t.status)).toEqual(['failed', 'failed']);
    for (const t of outcome.tests) expect(t.error).toMatch(/virtual time/);
  });

  it('records a failure when it gives up on a storm of unhandled rejections', async () => {
    const outcome = await runTests({
      files: withHelper(`import { test } from 'node:test';
if (typeof WebAssembly === 'undefined') {
  test.todo('warm-up', async (t) => {
    setInterval(() => { Promise.reject(new Error('noise')); }, 1);
    await t.test('inner', () => new Promise(() => {}));
  });
}`),
    });
    expectHonestFailures(outcome);
    expect(outcome.tests.find((t) => t.name === 'test/add.test.js > add adds')!.error).toMatch(/unhandled rejections/);
    // reported under the file that registered it, as node --test reports a test
    expect(outcome.tests.find((t) => t.name === 'test/warm-up.js > warm-up')).toMatchObject({ status: 'failed' });
  });

  it('refuses tests and hooks registered by library code, and fails the file', async () => {
    const outcome = await runTests({
      files: withLibrary(`import { test, beforeEach, describe } from 'node:test';
if (typeof WebAssembly === 'undefined') {
  beforeEach((t) => t.todo());
  test('a library test', () => {});
  describe('a library suite', () => {});
}
${BROKEN_ADD}`),
    });
    expectHonestFailures(outcome);
    expect(outcome.tests.map((t) => t.name)).not.toContain('test/add.test.js > a library test');
    const file = outcome.tests.find((t) => t.name === 'test/add.test.js');
    expect(file).toMatchObject({ status: 'failed' });
    expect(file!.error).toBe('Error: src/add.js called node:test beforeEach(), but it is not a test file nor under a test folder: only tests may register tests and hooks');
  });

  it('gives the same resultHash on every run whatever the garbage collector does (WeakRef, FinalizationRegistry)', async () => {
    const files = pkg({
      'test/gc.test.js': `import { test } from 'node:test';
test('weakref', async () => {
  const keep = [];
  const firsts = [];
  let finalized = 0;
  const registry = new FinalizationRegistry(() => { finalized++; });
  for (let round = 0; round < 4; round++) {
    const target = { round };
    const ref = new WeakRef(target);
    registry.register(target, round);
    let step = 0;
    for (; step < 100 && ref.deref() !== undefined; step++) {
      await new Promise((r) => setTimeout(r, 1));
      for (let k = 0; k < 2000; k++) keep.push({ k, s: 'v' + k });
      if (keep.length > 200000) keep.length = 0;
    }
    firsts.push(step);
  }
  throw new Error(\`collected after \${firsts.join(',')} macrotasks, \${finalized} finalized\`);
});`,
    });
    const hashes = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const outcome = await runTests({ files });
      expect(outcome.tests[0]!.error).toBe('Error: collected after 100,100,100,100 macrotasks, 0 finalized');
      hashes.add(outcome.resultHash);
    }
    expect(hashes.size).toBe(1);
  });

  it('leaves no way to a resizable or transferable buffer, and ordinary buffers still work', async () => {
    const outcome = await runTests({
      files: pkg({
        'test/buffers.test.js': `import { test } from 'node:test';
test('facts', () => {
  const facts = [];
  const tryIt = (f) => { try { return String(f()); } catch (e) { return e.name; } };
  facts.push(tryIt(() => new ArrayBuffer(8, { maxByteLength: 16 }).resizable));
  facts.push(tryIt(() => new ArrayBuffer(8, { get maxByteLength() { return 16; } }).resizable));
  facts.push(tryIt(() => new ArrayBuffer(8, {}).byteLength), tryIt(() => new ArrayBuffer(8).resizable), tryIt(() => ArrayBuffer(8)));
  class Sub extends ArrayBuffer {}
  facts.push(tryIt(() => new Sub(4) instanceof Sub), tryIt(() => new Sub(4, { maxByteLength: 8 })));
  const viaView = Object.getPrototypeOf(new Uint8Array(4).buffer).constructor;
  facts.push(viaView === ArrayBuffer, tryIt(() => new viaView(1, { maxByteLength: 8 })));
  facts.push(tryIt(() => new Uint8Array(4).buffer.slice(0, 2).byteLength), tryIt(() => ArrayBuffer.isView(new DataView(new ArrayBuffer(2)))));
  for (const m of ['resize', 'transfer', 'transferToFixedLength']) facts.push(typeof ArrayBuffer.prototype[m]);
  facts.push(typeof WebAssembly, typeof SharedArrayBuffer, typeof Atomics.wait, typeof Atomics.waitAsync);
  throw new Error(facts.join(','));
});`,
      }),
    });
    expect(outcome.tests[0]!.error).toBe(
      'Error: RangeError,RangeError,8,false,TypeError,true,RangeError,true,RangeError,2,true,undefined,undefined,undefined,undefined,undefined,undefined,undefined',
    );
  });

  it('survives 40,000 resizable ArrayBuffers of 4 GiB each: a RangeError, not a host crash', async () => {
    const dir = fileURLToPath(new URL('../fixtures/tester/reserve/', import.meta.url));
    const { code, stdout, stderr } = await gopkgr(['test', dir, '--json']);
    expect(stderr).not.toMatch(/FATAL|Check failed/);
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as Outcome;
    expect(result.aborted).toBeUndefined();
    expect(result.tests).toEqual([{ name: 'test/a.test.js > reserve address space', status: 'failed', error: 'RangeError: resizable ArrayBuffers (maxByteLength) are not available in the gopkgr sandbox' }]);
  });
});
