/**
 * InfVer scored on the real-release corpus (test/fixtures/infver-real, whose
 * truth corpusTruth.test.ts proves with tsc): no break may be missed, no
 * pair may crash the checker, and at least EXACT pairs get exactly the
 * truth's bump. All pairs run in one test, in this one process, so
 * TypeScript and its lib files are loaded once (a worker per pair, or a
 * fresh compiler per pair, is what made an earlier version take minutes).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusPairs, missedBreak, scorePair } from '../support/corpusScore.ts';

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'infver-real');
/** Exact pairs reached when this was written; raise it when the checker gets better, never lower it. */
const EXACT = 84;

describe('the checker on real npm release pairs', () => {
  it('misses no break, never crashes, and is exact on the pairs it was last measured on', { timeout: 240_000 }, () => {
    const scores = corpusPairs(ROOT).map((id) => scorePair(ROOT, id));
    const show = (list: typeof scores): string => list.map((s) => `${s.id}: truth ${s.truth}, got ${s.got}${s.error === undefined ? '' : ` (${s.error})`}`).join('\n');
    expect(show(scores.filter((s) => s.got === 'crash')), 'crashes').toBe('');
    expect(show(scores.filter(missedBreak)), 'missed breaks').toBe('');
    const wrong = scores.filter((s) => s.got !== s.truth);
    expect(scores.length - wrong.length, `exact pairs; wrong:\n${show(wrong)}`).toBeGreaterThanOrEqual(EXACT);
  });
});
