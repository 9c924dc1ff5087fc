// Real suites from npm tarballs (test/fixtures/pot-real/, scripts/potCorpus.mjs):
// CommonJS node:test suites as their authors run them, with their locked
// dependencies, against the per-test outcomes `node --test` gave when the
// corpus was built. Every test agrees, or is `unsupported` because it needs a
// child process (never counted as a pass).
import { describe, expect, it } from 'vitest';
import { compareWithNative, corpusNames, loadCorpusPackage } from '../support/potCorpus.ts';

/** The tests the sandbox cannot run, by file: each spawns a child process to test CLI flags or `instanceof` across processes. */
const UNSUPPORTED_FILES: Record<string, string[]> = {
  '@fastify+error': ['test/instanceof.test.js'],
  'process-warning': ['test/no-warnings.test.js'],
};

describe('real suites from npm, test by test against node --test', () => {
  it('holds at least nine packages and five hundred tests', () => {
    expect(corpusNames().length).toBeGreaterThanOrEqual(9);
  });
  for (const name of corpusNames()) {
    it(`${name}: every runnable test agrees`, async () => {
      const p = await loadCorpusPackage(name);
      const c = await compareWithNative(p);
      expect(c.outcome.aborted).toBeUndefined();
      expect(c.disagree).toEqual([]);
      const files = [...new Set(c.unsupported.map((t) => t.split(' > ')[0]!))];
      expect(files).toEqual(UNSUPPORTED_FILES[name] ?? []);
      for (const t of c.outcome.tests.filter((x) => x.status === 'unsupported')) expect(t.error).toMatch(/child_process is not available/);
      expect(c.agree.length + c.unsupported.length).toBe(p.native.tests.length);
      expect(c.agree.length).toBeGreaterThan(0);
    });
  }
});
