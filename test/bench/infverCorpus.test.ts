/**
 * bench/infver's in-process parts: the corpus it reads, how it scores InfVer
 * against the truth (a miscount would print the wrong verdict on issue 15's
 * goals), its order statistics, and the library diff it times beside the CLI,
 * run on two small pairs. The CLI part runs in test/bench/infverRun.test.ts.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listPairs, meetsCorpusGoals, scoreOutcomes, type Outcome } from '../../bench/infver/corpus.ts';
import { diffInProcess } from '../../bench/infver/inProcess.ts';
import { median, percentile } from '../../bench/infver/stats.ts';

describe('bench/infver corpus and score', () => {
  it('reads every pair with a truth, sorted, its old and new dirs present', () => {
    const pairs = listPairs();
    expect(pairs.length).toBeGreaterThanOrEqual(55);
    expect(pairs.map((p) => p.id)).toEqual([...pairs.map((p) => p.id)].sort());
    for (const p of pairs) {
      expect(existsSync(p.oldDir) && existsSync(p.newDir), p.id).toBe(true);
      expect(['major', 'minor', 'patch']).toContain(p.truth);
    }
    expect(listPairs(undefined, 2).map((p) => p.id)).toEqual(pairs.slice(0, 2).map((p) => p.id));
  });

  it('counts exact answers and sorts each miss into missed break, false major, other miss or error', () => {
    const outcomes: Outcome[] = [
      { id: 'a', truth: 'major', got: 'major' },
      { id: 'b', truth: 'patch', got: 'patch' },
      { id: 'c', truth: 'major', got: 'minor' },
      { id: 'd', truth: 'minor', got: 'major' },
      { id: 'e', truth: 'minor', got: 'patch' },
      { id: 'f', truth: 'major', error: 'exit 1' },
    ];
    const score = scoreOutcomes(outcomes);
    expect(score.total).toBe(6);
    expect(score.exact).toBe(2);
    expect(score.missedBreaks.map((o) => o.id)).toEqual(['c']);
    expect(score.falseMajors.map((o) => o.id)).toEqual(['d']);
    expect(score.otherMisses.map((o) => o.id)).toEqual(['e']);
    expect(score.errors.map((o) => o.id)).toEqual(['f']);
    expect(meetsCorpusGoals(score)).toBe(false);
  });

  it('meets the corpus goals at 95% exact with no missed break and no error, and not below', () => {
    const exact = (n: number): Outcome[] => Array.from({ length: n }, (_, i) => ({ id: `x${i}`, truth: 'minor', got: 'minor' }));
    expect(meetsCorpusGoals(scoreOutcomes([...exact(19), { id: 'm', truth: 'minor', got: 'patch' }]))).toBe(true);
    expect(meetsCorpusGoals(scoreOutcomes([...exact(18), { id: 'm', truth: 'minor', got: 'patch' }]))).toBe(false);
    expect(meetsCorpusGoals(scoreOutcomes([...exact(19), { id: 'm', truth: 'major', got: 'minor' }]))).toBe(false);
    expect(meetsCorpusGoals(scoreOutcomes([...exact(19), { id: 'm', truth: 'minor', error: 'crash' }]))).toBe(false);
    expect(meetsCorpusGoals(scoreOutcomes([]))).toBe(false);
  });

  it('takes medians and nearest-rank percentiles', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const xs = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(percentile(xs, 90)).toBe(9);
    expect(percentile(xs, 100)).toBe(10);
    expect(percentile([5], 90)).toBe(5);
    expect(Number.isNaN(median([]))).toBe(true);
  });

  it('diffs pairs in process with the library the CLI calls, one timed result per pair', async () => {
    const pairs = listPairs().filter((p) => p.id === 'yocto-queue@1.0.0..1.1.0' || p.id === 'nanoid@4.0.2..5.0.0');
    expect(pairs).toHaveLength(2);
    const runs = await diffInProcess(pairs, 1);
    expect(runs.map((r) => r.id)).toEqual(pairs.map((p) => p.id));
    for (const r of runs) {
      expect(r.error, r.id).toBeUndefined();
      expect(['major', 'minor', 'patch']).toContain(r.bump);
      expect(r.ms).toBeGreaterThan(0);
    }
  });
});
