/**
 * bench/infver (issue 15): InfVer on real releases, through the CLI, and its
 * API extraction against @microsoft/api-extractor, in one run.
 *
 * 1. Rebuilds dist/ (scripts/build.mjs) so `gopkgr` runs compiled JavaScript,
 *    as an installed one does (--no-build: run whatever bin/gopkgr.js picks).
 * 2. For every pair of test/fixtures/infver-real (consecutive npm releases with
 *    a truth compiled by tsc on consumer code), runs `node bin/gopkgr.js
 *    infver diff OLD NEW --json` as a fresh process, `--runs` times, and times
 *    each from spawn to exit. Scores the bumps against the truth: exact,
 *    missed breaks (truth major, InfVer less), false majors, other misses,
 *    crashes and errors; prints the median and p90 of the per-pair times.
 * 3. The same diffs in this process (`diffPackages`, TypeScript loaded once),
 *    so the CLI's start and loading overhead is visible beside it.
 * 4. rxjs's API extracted by InfVer and by api-extractor, interleaved,
 *    `--extraction-runs` times each (bench/infver/extraction.ts).
 *
 * Goals (issue 15): exact on >= 95% of pairs, no missed break, no crash; median
 * diff under 1 s; extraction <= 0.3x api-extractor. Each is printed beside the
 * measured figure; the last line is the extraction ratio.
 *
 * --pairs N keeps the first N pairs by id, --only ID,ID... names them (the
 * smoke test in test/bench/ runs two small pairs, once).
 *
 *   npm run bench:infver -- [--pairs N | --only ID,...] [--runs 1] [--extraction-runs 5] [--timeout 120] [--no-build]
 *   (or npx tsx bench/infver.ts ...)
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDist, REPO, runCliDiff } from './infver/cliDiff.ts';
import { CORPUS_DIR, GOALS, listPairs, meetsCorpusGoals, scoreOutcomes, type Bump, type Outcome } from './infver/corpus.ts';
import { measureExtraction } from './infver/extraction.ts';
import { diffInProcess } from './infver/inProcess.ts';
import { median, percentile } from './infver/stats.ts';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string' },
    only: { type: 'string' },
    runs: { type: 'string', default: '1' },
    'extraction-runs': { type: 'string', default: '5' },
    timeout: { type: 'string', default: '120' },
    'no-build': { type: 'boolean', default: false },
  },
});

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${text}`);
  return n;
}

const pairLimit = positiveInt('pairs', values.pairs);
const runs = positiveInt('runs', values.runs)!;
const extractionRuns = positiveInt('extraction-runs', values['extraction-runs'])!;
const timeoutMs = positiveInt('timeout', values.timeout)! * 1000;

const ms = (x: number): string => `${x.toFixed(0)} ms`;
const ids = (os: readonly Outcome[], why: (o: Outcome) => string): string => (os.length === 0 ? '' : `: ${os.map(why).join(', ')}`);
const goal = (met: boolean): string => (met ? 'met' : 'NOT met');

if (!values['no-build']) await buildDist();

const only = values.only?.split(',').filter((id) => id !== '');
const pairs = listPairs(CORPUS_DIR, pairLimit).filter((p) => only === undefined || only.includes(p.id));
const unknown = (only ?? []).filter((id) => !pairs.some((p) => p.id === id));
if (unknown.length > 0) throw new Error(`--only: no such pair in the corpus: ${unknown.join(', ')}`);
if (pairs.length === 0) throw new Error('no pairs to run');
const counts = (['major', 'minor', 'patch'] as const).map((b) => `${b} ${pairs.filter((p) => p.truth === b).length}`).join(', ');
console.log(`corpus: ${pairs.length} pairs (${counts}) from ${relative(REPO, CORPUS_DIR)}`);
console.log(`cli: node bin/gopkgr.js infver diff OLD NEW --json, a fresh process per diff, ${runs} run(s) per pair, ${values['no-build'] ? 'dist/ as found (--no-build)' : 'dist/ rebuilt'}`);

// 2. Through the CLI, pair by pair.
const outcomes: Outcome[] = [];
const cliTimes: number[] = [];
for (const pair of pairs) {
  const times: number[] = [];
  const bumps = new Set<Bump>();
  const errors: string[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await runCliDiff(pair.oldDir, pair.newDir, timeoutMs);
    times.push(run.ms);
    if (run.bump !== undefined) bumps.add(run.bump);
    if (run.error !== undefined) errors.push(run.error);
  }
  const t = median(times);
  cliTimes.push(t);
  // A pair that errs once, or answers differently across runs, is not counted as answered.
  const error = errors[0] ?? (bumps.size > 1 ? `unstable across runs: ${[...bumps].join(', ')}` : undefined);
  const outcome: Outcome = error === undefined ? { id: pair.id, truth: pair.truth, got: [...bumps][0]! } : { id: pair.id, truth: pair.truth, error };
  outcomes.push(outcome);
  const mark = outcome.got === pair.truth ? ' ' : '!';
  console.log(`${mark} ${pair.id.padEnd(40)} truth ${pair.truth.padEnd(5)} got ${(outcome.got ?? 'ERROR').padEnd(5)} ${ms(t).padStart(8)}${error === undefined ? '' : `  ${error}`}`);
}

const score = scoreOutcomes(outcomes);
const share = score.total === 0 ? 0 : score.exact / score.total;
const cliMedian = median(cliTimes);
console.log('');
console.log(`exact: ${score.exact}/${score.total} (${(share * 100).toFixed(1)}%)   goal >= ${GOALS.exactShare * 100}%: ${goal(share >= GOALS.exactShare)}`);
console.log(`missed breaks (truth major, got less): ${score.missedBreaks.length}   goal 0${ids(score.missedBreaks, (o) => `${o.id} (got ${o.got})`)}`);
console.log(`false majors (got major, truth less): ${score.falseMajors.length}${ids(score.falseMajors, (o) => `${o.id} (truth ${o.truth})`)}`);
console.log(`minor/patch misses: ${score.otherMisses.length}${ids(score.otherMisses, (o) => `${o.id} (truth ${o.truth}, got ${o.got})`)}`);
console.log(`crashes/errors: ${score.errors.length}   goal 0${ids(score.errors, (o) => `${o.id} (${o.error})`)}`);
console.log(`corpus goals (exact >= 95%, no missed break, no crash): ${goal(meetsCorpusGoals(score))}`);
console.log(`cli diff per pair: median ${ms(cliMedian)}, p90 ${ms(percentile(cliTimes, 90))}, max ${ms(Math.max(...cliTimes))}   goal median < ${ms(GOALS.medianDiffMs)}: ${goal(cliMedian < GOALS.medianDiffMs)}`);

// 3. The same diffs in process.
console.log('');
const inProcess = await diffInProcess(pairs, runs, (r) => {
  const i = pairs.findIndex((p) => p.id === r.id);
  console.log(`  ${r.id.padEnd(40)} in-process ${ms(r.ms).padStart(8)}   cli ${ms(cliTimes[i]!).padStart(8)}${r.error === undefined ? '' : `  ${r.error}`}`);
});
const inTimes = inProcess.map((r) => r.ms);
const inMedian = median(inTimes);
console.log(`in-process diff per pair (diffPackages, TypeScript loaded): median ${ms(inMedian)}, p90 ${ms(percentile(inTimes, 90))}; cli start and loading ~${ms(median(inTimes.map((t, i) => cliTimes[i]! - t)))} a run (median of per-pair differences)`);
const disagree = inProcess.filter((r, i) => r.bump !== outcomes[i]!.got || (r.error === undefined) !== (outcomes[i]!.error === undefined));
console.log(`in-process vs cli: ${disagree.length === 0 ? 'same bump on every pair' : `differ on ${disagree.map((r) => `${r.id} (${r.bump ?? r.error})`).join(', ')}`}`);

// 4. Extraction against api-extractor.
const ex = await measureExtraction(extractionRuns);
const ratio = ex.infverMs / ex.apiExtractorMs;
console.log(`extraction input: rxjs ${ex.rxjsVersion} dist/types (${ex.exports} exports; manifest ${ex.manifestBytes} bytes as JSON; api-extractor report ${ex.reportLines} lines), ${ex.runs} run(s) each, medians`);
console.log(`infver extraction: ${ms(ex.infverMs)}`);
console.log(`api-extractor: ${ms(ex.apiExtractorMs)}`);
console.log(`ratio infver extraction / api-extractor (rxjs): ${ratio.toFixed(2)} (goal <= ${GOALS.extractionRatio}: ${goal(ratio <= GOALS.extractionRatio)})`);
