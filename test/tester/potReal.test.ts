// Real suites from npm tarballs (test/fixtures/pot-real/, scripts/potCorpus.mjs;
// dedent and cookie-es publish only their build, so their sources and tests
// come from their repositories at the published version: a jest suite in
// TypeScript through Babel with file snapshots, and an ES-module vitest suite
// that reads the clock, run from the day they were recorded; @fastify/busboy's
// node:test suite drives streams, events and Buffer hard):
// node:test suites (CommonJS, and ESM: ghtml), a vitest suite (zod's v3
// tests, one inline snapshot among them) and a jest suite in TypeScript
// through ts-jest (tsconfig-paths: `done` callbacks, jest's CommonJS
// transform, a require() of a computed path, a helper under __tests__ that
// jest fails for holding no test) as their authors run them, with their locked
// dependencies, against the per-test outcomes their own runner gave when the
// corpus was built. Every test agrees, or is `unsupported` because it needs a
// child process or to write files (never counted as a pass), or is natively
// nondeterministic (NATIVE_FLAKY in test/support/potCorpus.ts, listed apart). A file that
// requires node:child_process runs its other tests: only the tests that call
// it are unsupported.
import { describe, expect, it } from 'vitest';
import { compareWithNative, corpusNames, loadCorpusPackage, NATIVE_FLAKY } from '../support/potCorpus.ts';

/**
 * The tests the sandbox cannot run, by package, and why: each spawns node with
 * CLI flags, or lays out node_modules in a temp dir to fork a process there
 * (`instanceof` across installations).
 */
const UNSUPPORTED: Record<string, { tests: number; files: string[]; reason: RegExp }> = {
  '@fastify+error': { tests: 1, files: ['test/instanceof.test.js'], reason: /fs\.mkdirSync is not available in the gopkgr sandbox: the package's files are read-only/ },
  // hooks Module.prototype._compile to cover a fallback; spawns node to check a parse does not hang
  '@fastify+busboy': { tests: 2, files: ['test/decode-text-coverage.test.js', 'test/multipart-constructor.test.js'], reason: /node:module is not available in the gopkgr sandbox|node:child_process is not available in the gopkgr sandbox \(child processes cannot be deterministic\): spawnSync\(\) was called/ },
  // spawns node to check a listener count warning
  avvio: { tests: 1, files: ['test/events-listeners.test.js'], reason: /node:child_process is not available in the gopkgr sandbox \(child processes cannot be deterministic\): spawn\(\) was called/ },
  'process-warning': { tests: 6, files: ['test/no-warnings.test.js'], reason: /node:child_process is not available in the gopkgr sandbox \(child processes cannot be deterministic\): spawnSync\(\) was called/ },
};

/**
 * Disagreements not fixed yet, each with its cause; the list is exact, so a
 * fix (or a new disagreement) shows here.
 */
const KNOWN_DISAGREE: Record<string, string[]> = {};

const cause = (d: string): string => d.replace(/^(.*?: \w+ → \w+).*$/s, '$1');

describe('real suites from npm, test by test against node --test', () => {
  it('holds node:test, vitest and jest suites', async () => {
    expect(corpusNames().length).toBeGreaterThanOrEqual(16);
    const runners = new Set<string>();
    for (const name of corpusNames()) runners.add((await loadCorpusPackage(name)).native.runner);
    expect([...runners].sort()).toEqual(['jest', 'node --test', 'vitest']);
  });
  for (const name of corpusNames()) {
    it(`${name}: every runnable test agrees`, async () => {
      const p = await loadCorpusPackage(name);
      const c = await compareWithNative(p);
      expect(c.outcome.aborted).toBeUndefined();
      expect(c.disagree.map(cause)).toEqual(KNOWN_DISAGREE[name] ?? []);
      // a natively nondeterministic test (NATIVE_FLAKY) is listed, never counted as agreeing
      expect(c.nativeFlaky.map((d) => d.split(': ')[0])).toEqual(Object.keys(NATIVE_FLAKY[p.native.name] ?? {}));
      const files = [...new Set(c.unsupported.map((t) => t.split(' > ')[0]!))];
      const expected = UNSUPPORTED[name];
      expect(files).toEqual(expected?.files ?? []);
      expect(c.unsupported.length).toBe(expected?.tests ?? 0);
      for (const t of c.outcome.tests.filter((x) => x.status === 'unsupported')) expect(t.error).toMatch(expected!.reason);
      expect(c.agree.length + c.unsupported.length + c.nativeFlaky.length + c.disagree.filter((d) => !/: missing → /.test(d)).length).toBe(p.native.tests.length);
      expect(c.agree.length).toBeGreaterThan(0);
    });
  }
});
