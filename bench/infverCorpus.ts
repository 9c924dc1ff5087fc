/**
 * InfVer's accuracy and speed on the real-release corpus (or any directory
 * of `<id>/{old,new,truth.json}` pairs): one line per pair (id, truth, the
 * checker's bump, wall and CPU ms), then exact / missed breaks / over-reported / crashes,
 * and the median time per pair. All pairs run in this process, one after the
 * other; the first pays for loading TypeScript's lib files.
 * The last line is the ratio median/first (how much a warm diff costs against a cold one).
 * Run: npx tsx bench/infverCorpus.ts [dir]
 */
import { join, resolve } from 'node:path';
import { corpusPairs, median, missedBreak, overReported, scorePair } from '../test/support/corpusScore.ts';

const dir = resolve(process.argv[2] ?? join(import.meta.dirname, '..', 'test', 'fixtures', 'infver-real'));
const scores = corpusPairs(dir).map((id) => {
  const s = scorePair(dir, id);
  const mark = s.got === s.truth ? '' : missedBreak(s) ? '  MISSED BREAK' : '  WRONG';
  console.log(`${s.id.padEnd(44)} truth ${s.truth.padEnd(5)} got ${s.got.padEnd(5)} ${s.ms.toFixed(0).padStart(6)} ms ${s.cpuMs.toFixed(0).padStart(6)} ms cpu${mark}${s.error === undefined ? '' : `  ${s.error}`}`);
  return s;
});
const exact = scores.filter((s) => s.got === s.truth).length;
const times = scores.map((s) => s.ms);
const cpu = scores.map((s) => s.cpuMs);
console.log(`exact ${exact}/${scores.length} (${((100 * exact) / Math.max(1, scores.length)).toFixed(1)}%), missed breaks ${scores.filter(missedBreak).length}, over-reported ${scores.filter(overReported).length}, crashes ${scores.filter((s) => s.got === 'crash').length}`);
console.log(`median ${median(times).toFixed(0)} ms per pair, max ${Math.max(...times).toFixed(0)} ms, total ${(times.reduce((a, t) => a + t, 0) / 1000).toFixed(1)} s`);
console.log(`cpu: median ${median(cpu).toFixed(0)} ms per pair, max ${Math.max(...cpu).toFixed(0)} ms, total ${(cpu.reduce((a, t) => a + t, 0) / 1000).toFixed(1)} s`);
console.log(`median/first ${(median(times) / (times[0] ?? 1)).toFixed(2)}`);
