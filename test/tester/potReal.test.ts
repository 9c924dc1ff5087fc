// Real suites from npm tarballs (test/fixtures/pot-real/, scripts/potCorpus.mjs):
// node:test suites (CommonJS, and ESM: ghtml), a vitest suite (zod's v3
// tests, one inline snapshot among them) and a jest suite in TypeScript
// through ts-jest (tsconfig-paths: `done` callbacks, jest's CommonJS
// transform, a require() of a computed path, a helper under __tests__ that
// jest fails for holding no test) as their authors run them, with their locked
// dependencies, against the per-test outcomes their own runner gave when the
// corpus was built. Every test agrees, or is `unsupported` because it needs a
// child process (never counted as a pass).
import { describe, expect, it } from 'vitest';
import { compareWithNative, corpusNames, loadCorpusPackage } from '../support/potCorpus.ts';

/** The tests the sandbox cannot run, by file: each spawns a child process to test CLI flags or `instanceof` across processes. */
const UNSUPPORTED_FILES: Record<string, string[]> = {
  '@fastify+error': ['test/instanceof.test.js'],
  'process-warning': ['test/no-warnings.test.js'],
};
/** Why each unsupported test is: a child process. */
const UNSUPPORTED_REASON = /child_process is not available/;

describe('real suites from npm, test by test against node --test', () => {
  it('holds node:test, vitest and jest suites', async () => {
    expect(corpusNames().length).toBeGreaterThanOrEqual(12);
    const runners = new Set<string>();
    for (const name of corpusNames()) runners.add((await loadCorpusPackage(name)).native.runner);
    expect([...runners].sort()).toEqual(['jest', 'node --test', 'vitest']);
  });
  for (const name of corpusNames()) {
    it(`${name}: every runnable test agrees`, async () => {
      const p = await loadCorpusPackage(name);
      const c = await compareWithNative(p);
      expect(c.outcome.aborted).toBeUndefined();
      expect(c.disagree).toEqual([]);
      const files = [...new Set(c.unsupported.map((t) => t.split(' > ')[0]!))];
      expect(files).toEqual(UNSUPPORTED_FILES[name] ?? []);
      for (const t of c.outcome.tests.filter((x) => x.status === 'unsupported')) expect(t.error).toMatch(UNSUPPORTED_REASON);
      expect(c.agree.length + c.unsupported.length).toBe(p.native.tests.length);
      expect(c.agree.length).toBeGreaterThan(0);
    });
  }
});
