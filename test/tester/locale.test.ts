// Every tester sees the same environment: `gopkgr test --json` on a package that
// looks at the time zone and the locale gives the same outcomes and resultHash
// whatever the host's TZ, LANG and LC_ALL say.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gopkgr } from '../support/processes.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/tester/locale/', import.meta.url));

interface Result {
  tests: { name: string; status: string; error?: string }[];
  resultHash: string;
}

async function gopkgrTest(env: Record<string, string>): Promise<Result> {
  // Only what the test names: none of the machine's own zone or locale.
  const r = await gopkgr(['test', FIXTURE, '--json'], { env: { TZ: undefined, LANG: undefined, LC_ALL: undefined, LC_TIME: undefined, ...env } });
  // exit code 1: the first test fails on purpose
  if (r.code !== 1 && r.code !== 0) throw new Error(`gopkgr test exited ${r.signal ?? r.code}\n${r.stderr}`);
  return JSON.parse(r.stdout) as Result;
}

describe('time zone and locale', () => {
  it('Tokyo with a German locale, UTC, and Lima with a Turkish locale agree', async () => {
    const [tokyo, utc, lima] = await Promise.all([
      gopkgrTest({ TZ: 'Asia/Tokyo', LC_ALL: 'de_DE.UTF-8', LANG: 'de_DE.UTF-8' }),
      gopkgrTest({ TZ: 'UTC' }),
      gopkgrTest({ TZ: 'America/Lima', LANG: 'tr_TR.UTF-8' }),
    ]);
    expect(tokyo.tests.map((t) => [t.name, t.status])).toEqual([
      ['test/environment.test.js > shows what it saw', 'failed'],
      ['test/environment.test.js > sees UTC and en-US', 'passed'],
    ]);
    // what the first test saw is in its error, hence in the hash
    expect(tokyo.tests[0]!.error).toContain('"toString": "Mon Jun 15 2020 13:45:30 GMT+0000 (Coordinated Universal Time)"');
    expect(tokyo.tests[0]!.error).toContain('"dateTimeFormat": [\\n  "en-US",\\n  "UTC"');
    expect(tokyo.tests[0]!.error).toContain('"number": "1,234,567.891"');
    expect(utc.tests).toEqual(tokyo.tests);
    expect(lima.tests).toEqual(tokyo.tests);
    expect(tokyo.resultHash).toMatch(/^[0-9a-f]{64}$/);
    expect(utc.resultHash).toBe(tokyo.resultHash);
    expect(lima.resultHash).toBe(tokyo.resultHash);
  });
});
