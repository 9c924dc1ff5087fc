/**
 * The real-release corpus (test/fixtures/infver-real: `<id>/old`, `<id>/new`,
 * `<id>/truth.json`, the truth set by tsc on consumer code, independently of
 * InfVer) and how a run of InfVer over it is scored against issue 15's goals:
 * exact on at least 95% of pairs, no missed break, no crash.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Bump = 'major' | 'minor' | 'patch';

export const CORPUS_DIR = fileURLToPath(new URL('../../test/fixtures/infver-real/', import.meta.url));

export interface Pair {
  /** `<package with / as __>@old..new` */
  id: string;
  oldDir: string;
  newDir: string;
  truth: Bump;
}

/** Every pair of the corpus that has a truth, sorted by id; the first `limit` only when given. */
export function listPairs(root = CORPUS_DIR, limit?: number): Pair[] {
  const ids = readdirSync(root)
    .filter((n) => existsSync(join(root, n, 'truth.json')))
    .sort();
  return ids.slice(0, limit ?? ids.length).map((id) => {
    const { bump } = JSON.parse(readFileSync(join(root, id, 'truth.json'), 'utf8')) as { bump: Bump };
    if (bump !== 'major' && bump !== 'minor' && bump !== 'patch') throw new Error(`${id}: truth.json has no bump`);
    return { id, oldDir: join(root, id, 'old'), newDir: join(root, id, 'new'), truth: bump };
  });
}

/** What InfVer said about one pair: a bump, or why it gave none (a crash, an error exit, unreadable output, a timeout). */
export interface Outcome {
  id: string;
  truth: Bump;
  got?: Bump;
  error?: string;
}

export interface Score {
  total: number;
  exact: number;
  /** truth major, InfVer less: a consumer's build would break on a caret update */
  missedBreaks: Outcome[];
  /** InfVer major, truth less: a needless major */
  falseMajors: Outcome[];
  /** minor and patch confused either way (neither a missed break nor a false major) */
  otherMisses: Outcome[];
  /** no bump at all */
  errors: Outcome[];
}

export function scoreOutcomes(outcomes: readonly Outcome[]): Score {
  const score: Score = { total: outcomes.length, exact: 0, missedBreaks: [], falseMajors: [], otherMisses: [], errors: [] };
  for (const o of outcomes) {
    if (o.got === undefined) score.errors.push(o);
    else if (o.got === o.truth) score.exact++;
    else if (o.truth === 'major') score.missedBreaks.push(o);
    else if (o.got === 'major') score.falseMajors.push(o);
    else score.otherMisses.push(o);
  }
  return score;
}

/** Issue 15's goals for the corpus. */
export const GOALS = { exactShare: 0.95, medianDiffMs: 1000, extractionRatio: 0.3 } as const;

/** Whether a score meets the corpus goals: exact share, no missed break, no error. */
export function meetsCorpusGoals(score: Score): boolean {
  return score.total > 0 && score.exact / score.total >= GOALS.exactShare && score.missedBreaks.length === 0 && score.errors.length === 0;
}
