/**
 * InfVer's accuracy on a corpus of release pairs: each `<dir>/<id>/` with
 * `old/`, `new/` and `truth.json` (test/fixtures/infver-real) is diffed by
 * the checker engine, in this process one pair after the other (TypeScript
 * and its lib files are loaded once), and its bump set beside the compiled
 * truth. Used by test/infver/corpusScore.test.ts (bench/infver.ts times the same pairs through the CLI).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPackages } from '../../infver/checker/index.ts';
import type { Bump } from '../../infver/manifest.ts';

export interface PairScore {
  id: string;
  truth: Bump;
  got: Bump | 'crash';
  ms: number;
  /** CPU time of this process over the pair: what the pair costs on a machine other work shares */
  cpuMs: number;
  error?: string;
}

const ORDER: Record<Bump, number> = { patch: 0, minor: 1, major: 2 };

/** The pairs of `dir` that carry a truth.json, in name order. */
export function corpusPairs(dir: string): string[] {
  return readdirSync(dir)
    .filter((id) => existsSync(join(dir, id, 'truth.json')))
    .sort();
}

export function scorePair(dir: string, id: string): PairScore {
  const truth = (JSON.parse(readFileSync(join(dir, id, 'truth.json'), 'utf8')) as { bump: Bump }).bump;
  const t = performance.now();
  const cpu = process.cpuUsage();
  const spent = (): { ms: number; cpuMs: number } => {
    const c = process.cpuUsage(cpu);
    return { ms: performance.now() - t, cpuMs: (c.user + c.system) / 1000 };
  };
  try {
    const got = checkPackages(join(dir, id, 'old'), join(dir, id, 'new')).bump;
    return { id, truth, got, ...spent() };
  } catch (err) {
    return { id, truth, got: 'crash', ...spent(), error: String(err) };
  }
}

/** A break the checker did not report: it said less than major, or crashed. */
export const missedBreak = (s: PairScore): boolean => s.truth === 'major' && (s.got === 'crash' || ORDER[s.got] < ORDER.major);

/** A bump above the truth. */
export const overReported = (s: PairScore): boolean => s.got !== 'crash' && ORDER[s.got] > ORDER[s.truth];

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? 0 : s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
