// Sandbox-only tricks from the red team's report (notes: sandbox red team):
// a library that behaves only when `typeof process === 'undefined'`, so
// `node --test` has nothing to compare. Each case pairs the library with the
// predecessor's honest tests; whatever the library does, a failing check of
// its broken `add` must come out failed (or the run aborted), never passed,
// todo or missing.
import { describe, expect, it } from 'vitest';
import { MAX_ERROR_CHARS, MAX_NAME_CHARS, MAX_TESTS } from '../../tester/options.ts';
import { runTests, type Outcome } from '../../tester/index.ts';

const HONEST = {
  'test/add.test.js': `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add } from '../src/add.js';
test('add adds', () => { assert.equal(add(1, 2), 3); });`,
  'test/more.test.js': `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add } from '../src/add.js';
test('one plus one', () => assert.equal(add(1, 1), 2));`,
};

function withLibrary(src: string, tests: Record<string, string> = HONEST): Map<string, string> {
  return new Map(Object.entries({ 'package.json': '{"type":"module"}', 'src/add.js': src, ...tests }));
}

/** Both honest checks of the broken add failed, whatever else was recorded. */
function expectHonestFailures(outcome: Outcome): void {
  expect(outcome.tests.find((t) => t.name === 'test/add.test.js > add adds')).toMatchObject({ status: 'failed' });
  expect(outcome.tests.find((t) => t.name === 'test/more.test.js > one plus one')).toMatchObject({ status: 'failed' });
  expect(outcome.tests.filter((t) => t.status === 'passed' && /add adds|one plus one/.test(t.name))).toEqual([]);
}

describe('sandbox holes', () => {
  it('cuts a huge test name inside the isolate: the run goes on and the honest tests fail', async () => {
    const outcome = await runTests({
      files: withLibrary(`import { test } from 'node:test';
if (typeof process === 'undefined') test('x'.repeat(65 * 1024 * 1024), () => {});
export const add = (a, b) => a - b;`),
    });
    expect(outcome.aborted).toBeUndefined();
    expectHonestFailures(outcome);
    for (const t of outcome.tests) expect(t.name.length).toBeLessThanOrEqual(MAX_NAME_CHARS + 1);
  });

  it('cuts a huge error text inside the isolate', async () => {
    const outcome = await runTests({
      files: withLibrary(`export const add = (a, b) => { if (typeof process === 'undefined') throw new Error('x'.repeat(65 * 1024 * 1024)); return a - b; };`),
    });
    expect(outcome.aborted).toBeUndefined();
    expectHonestFailures(outcome);
    expect(outcome.tests[0]!.error!.length).toBeLessThanOrEqual(MAX_ERROR_CHARS + 1);
  });

  it('ends a run with more than MAX_TESTS tests as aborted, with its code', async () => {
    const outcome = await runTests({
      files: withLibrary(`import { test } from 'node:test';
if (typeof process === 'undefined') for (let i = 0; i <= ${MAX_TESTS}; i++) test.skip('t' + i);
export const add = (a, b) => a - b;`),
      // room for 100,001 test records: the heap limit must not be what ends it
      limits: { memoryMiB: 1024 },
    });
    expect(outcome.aborted).toMatch(/^SANDBOX_TOO_MANY_TESTS: /);
  });

  it('fails every test not finished when virtual time runs out', async () => {
    const outcome = await runTests({
      files: withLibrary(`import { test } from 'node:test';
if (typeof process === 'undefined') test('warm-up', () => new Promise((r) => setTimeout(r, 2 * 3600 * 1000)));
export const add = (a, b) => a - b;`),
    });
    expectHonestFailures(outcome);
    expect(outcome.tests.find((t) => t.name === 'test/add.test.js > add adds')!.error).toMatch(/virtual time/);
    expect(outcome.tests.filter((t) => t.name === 'test/add.test.js' || t.name === 'test/more.test.js').map((t) => t.status)).toEqual(['failed', 'failed']);
  });

  it('records a failure when it gives up on a storm of unhandled rejections', async () => {
    const outcome = await runTests({
      files: withLibrary(`import { test } from 'node:test';
if (typeof process === 'undefined') {
  test.todo('warm-up', async (t) => {
    setInterval(() => { Promise.reject(new Error('noise')); }, 1);
    await t.test('inner', () => new Promise(() => {}));
  });
}
export const add = (a, b) => a - b;`),
    });
    expectHonestFailures(outcome);
    expect(outcome.tests.find((t) => t.name === 'test/add.test.js > add adds')!.error).toMatch(/unhandled rejections/);
    expect(outcome.tests.find((t) => t.name === 'test/add.test.js > warm-up')).toMatchObject({ status: 'failed' });
  });
});
