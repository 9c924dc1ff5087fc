// Determinism: the same package gives the same resultHash in separate processes
// (spawned `gopkgr test --json`), whatever order its files are handed in.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readPackageDir, resultHash, runTests } from '../../tester/index.ts';
import { gopkgr } from '../support/processes.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/tester/determinism/', import.meta.url));

async function gopkgrTest(dir: string): Promise<{ code: number | null; stdout: string }> {
  const { code, stdout } = await gopkgr(['test', dir, '--json'], { env: { TZ: 'Pacific/Chatham' } });
  return { code, stdout };
}

describe('determinism', () => {
  it('two processes give the same resultHash', async () => {
    const [a, b] = await Promise.all([gopkgrTest(FIXTURE), gopkgrTest(FIXTURE)]);
    expect(a.code).toBe(1);
    expect(b.code).toBe(1);
    const ja = JSON.parse(a.stdout) as Record<string, unknown>;
    const jb = JSON.parse(b.stdout) as Record<string, unknown>;
    expect(Object.keys(ja)).toEqual(['passed', 'failed', 'skipped', 'tests', 'resultHash']);
    expect(ja.resultHash).toMatch(/^[0-9a-f]{64}$/);
    expect(jb.resultHash).toBe(ja.resultHash);
    expect(jb.tests).toEqual(ja.tests);
    // and this process, in a different time zone, agrees
    const here = await runTests({ files: await readPackageDir(FIXTURE) });
    expect(here.resultHash).toBe(ja.resultHash);
  });

  it('pins what the clock, the seed and the timers give', async () => {
    const outcome = await runTests({ files: await readPackageDir(FIXTURE) });
    const byName = new Map(outcome.tests.map((t) => [t.name, t]));
    expect(byName.get('test/random.spec.ts > the clock shows up in the failure message')?.error).toContain(
      "'Sat Jan 01 2000 00:00:01 GMT+0000 (Coordinated Universal Time) 1234 1234' !== 'a real clock'",
    );
    expect(byName.get('test/random.spec.ts > local time reads as UTC')?.status).toBe('passed');
    expect(byName.get('test/order.test.js > order is stable')?.status).toBe('passed');
    expect(outcome.tests.map((t) => t.name)).toEqual([
      'test/order.test.js > timer 30',
      'test/order.test.js > timer 10',
      'test/order.test.js > timer 20',
      'test/order.test.js > order is stable',
      'test/order.test.js > passes',
      'test/random.spec.ts > random values show up in the failure message',
      'test/random.spec.ts > shuffle is seeded',
      'test/random.spec.ts > the clock shows up in the failure message',
      'test/random.spec.ts > local time reads as UTC',
    ]);
  });

  it('does not depend on the order files are handed in', async () => {
    const files = await readPackageDir(FIXTURE);
    const reversed = new Map([...files].reverse());
    const [a, b] = await Promise.all([runTests({ files }), runTests({ files: reversed })]);
    expect(b.resultHash).toBe(a.resultHash);
  });

  it('a different seed gives a different hash', async () => {
    const files = await readPackageDir(FIXTURE);
    const [a, b] = await Promise.all([runTests({ files }), runTests({ files, seed: 'other' })]);
    expect(b.resultHash).not.toBe(a.resultHash);
  });

  it('hashes outcomes, not timings or output', () => {
    const tests = [{ name: 'a', status: 'passed' as const }, { name: 'b', status: 'failed' as const, error: 'x' }];
    // pinned: changing the hashed bytes must be a deliberate, versioned change
    expect(resultHash(tests)).toBe(resultHash(tests.map((t) => ({ ...t }))));
    expect(resultHash(tests)).not.toBe(resultHash(tests, 'SANDBOX_CPU_LIMIT'));
    expect(resultHash(tests)).not.toBe(resultHash([...tests].reverse()));
    expect(resultHash([])).toBe('1bb8d7eb020be587b550aea18c1ade8c3fb019d7777971807dd31c04862b68f0');
    // sha256 of ["gopkgr/test-outcome/v6",[["a","passed",null],["b","failed","x"]],null]
    expect(resultHash(tests)).toBe('52074cf0203ae64c22cf69366f878f60288bf686b730a18c3a4c0f288ee5a12b');
  });
});
