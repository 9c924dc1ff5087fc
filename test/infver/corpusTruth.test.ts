/**
 * The real-release corpus (test/fixtures/infver-real) carries its own proof:
 * for a "major" pair, witness.ts compiles against the old release and fails
 * against the new one with the recorded error; for a "minor" pair, added.ts
 * compiles against the new release and fails against the old one. The truth is
 * set by tsc --strict on consumer code, independently of InfVer.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consumerErrors, type Resolution } from '../support/consumerCompile.ts';

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'infver-real');

interface Truth {
  package: string;
  old: string;
  new: string;
  bump: 'major' | 'minor' | 'patch';
  why: string;
  witness?: string;
  error?: string;
  added?: string;
  /** How the consumer resolves the package; node16 (an ESM consumer) when absent. */
  resolution?: Resolution;
}

const PAIRS = readdirSync(ROOT)
  .filter((n) => existsSync(join(ROOT, n, 'truth.json')))
  .sort();

const truthOf = (id: string): Truth => JSON.parse(readFileSync(join(ROOT, id, 'truth.json'), 'utf8')) as Truth;

const versionOf = (id: string, side: 'old' | 'new'): string =>
  (JSON.parse(readFileSync(join(ROOT, id, side, 'package.json'), 'utf8')) as { version: string }).version;

const codes = (id: string, truth: Truth, side: 'old' | 'new', file: string): string[] =>
  consumerErrors(truth.package, join(ROOT, id, side), join(ROOT, id, file), truth.resolution).map((e) => `${e.code} ${e.message}`);

describe('real npm release pairs: the recorded truth holds under tsc --strict', () => {
  it('has a corpus of the promised size and mix', () => {
    const truths = PAIRS.map(truthOf);
    expect(truths.length).toBeGreaterThanOrEqual(55);
    expect(new Set(truths.map((t) => t.package)).size).toBeGreaterThanOrEqual(18);
    for (const bump of ['major', 'minor', 'patch'] as const) expect(truths.filter((t) => t.bump === bump).length).toBeGreaterThanOrEqual(10);
  });

  it.each(PAIRS)('%s', (id) => {
    const truth = truthOf(id);
    expect(id).toBe(`${truth.package.replace('/', '__')}@${truth.old}..${truth.new}`);
    expect([versionOf(id, 'old'), versionOf(id, 'new')]).toEqual([truth.old, truth.new]);
    expect(truth.why.length).toBeGreaterThan(10);
    if (truth.bump === 'major') {
      expect(truth.witness && truth.error, 'a major pair names its witness and error').toBeTruthy();
      expect(codes(id, truth, 'old', truth.witness!), 'the witness compiles against the old release').toEqual([]);
      const broken = codes(id, truth, 'new', truth.witness!);
      expect(broken.length, 'the witness fails against the new release').toBeGreaterThan(0);
      expect(broken[0]!.split(' ')[0]).toBe(truth.error);
    } else {
      expect(truth.witness, 'only a major pair has a witness').toBeUndefined();
    }
    if (truth.bump === 'minor') {
      expect(truth.added, 'a minor pair names its added.ts').toBeTruthy();
      expect(codes(id, truth, 'new', truth.added!), 'added.ts compiles against the new release').toEqual([]);
      expect(codes(id, truth, 'old', truth.added!).length, 'added.ts fails against the old release').toBeGreaterThan(0);
    } else {
      expect(truth.added, 'only a minor pair has an added.ts').toBeUndefined();
    }
  });
});
