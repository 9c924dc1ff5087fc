// The sandbox's clock starts at a fixed time, the same for every tester:
// SANDBOX_EPOCH_MS by default, or the epoch a run is given (the time the
// version was published), so a test that compares the clock with a date goes
// as it went for its authors. An epoch a Date cannot hold is the default.
import { describe, expect, it } from 'vitest';
import { runTests, SANDBOX_EPOCH_MS } from '../../tester/index.ts';

const files = new Map([
  ['package.json', '{"name":"e"}'],
  ['test/e.test.js', `const { test } = require('node:test');\ntest('now', () => { console.log('now=' + Date.now() + ' ' + new Date().toISOString()); });\n`],
]);

async function nowIn(epochMs?: number): Promise<string> {
  let out = '';
  const outcome = await runTests({ files, epochMs, onOutput: (_s, text) => (out += text) });
  expect(outcome.tests.map((t) => t.status)).toEqual(['passed']);
  return /now=(\S+ \S+)/.exec(out)![1]!;
}

describe('the sandbox clock', () => {
  it('starts at the default epoch, or at the one given', async () => {
    expect(await nowIn()).toBe(`${SANDBOX_EPOCH_MS} 2000-01-01T00:00:00.000Z`);
    const published = Date.UTC(2026, 11, 6);
    expect(await nowIn(published)).toBe(`${published} 2026-12-06T00:00:00.000Z`);
    expect(await nowIn(Number.NaN)).toBe(`${SANDBOX_EPOCH_MS} 2000-01-01T00:00:00.000Z`);
    expect(await nowIn(1e20)).toBe(`${SANDBOX_EPOCH_MS} 2000-01-01T00:00:00.000Z`);
  });
});
