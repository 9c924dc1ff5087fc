/**
 * bench/sandbox: the Proof-of-Test sandbox against Node's own test runner.
 *
 * Generates a package of 500 tests (10 files of 50, plain JavaScript so that
 * `node --test` needs no loader) in a temp dir and runs it, interleaved, N
 * times each way: `runTests()` in this process (one isolate, a fresh context
 * per file) and `node --test` on the same files as a child process (one
 * process per file, as Node does it). Also the whole `gopkgr test --json`
 * command as a child process, and the isolate start-up: new Isolate + context
 * + compile + run of a trivial script.
 *
 * Then the real-suite corpus (test/fixtures/pot-real/: CommonJS node:test
 * suites from npm tarballs with their locked dependencies): per run, the total
 * time of `runTests()` over every package against `node --test` in each
 * package (its dependencies laid out in node_modules), the same runs each in a
 * child process as testers make them (tester/child/), and how many tests agree
 * with the native outcomes recorded in the corpus (test/support/potCorpus.ts).
 *
 * Goals: ratio sandbox/node ≤ 1.5 on the generated package, start-up < 20 ms;
 * on the corpus every runnable test agrees and sandbox/native ≤ 1.0. The last
 * line is the corpus ratio.
 *
 *   node --no-node-snapshot --import tsx bench/sandbox.ts [--runs N] [--dist]
 *   (isolated-vm asks for --no-node-snapshot on Node 20+)
 *
 * Measured here (2 busy cores, Node 20.20): sandbox 69 ms, node --test 2.7 s,
 * ratio 0.03; gopkgr test as a process 3.3 s (tsx + TypeScript load); isolate
 * start-up 1.8 ms.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import ivm from 'isolated-vm';
import { readPackageDir, runTests } from '../tester/index.ts';
import { runTestsInChild as runTestsInChildFromSources } from '../tester/child/runInChild.ts';
import { compareWithNative, corpusNames, loadCorpusPackage, type CorpusPackage } from '../test/support/potCorpus.ts';

const { values } = parseArgs({ options: { runs: { type: 'string' }, dist: { type: 'boolean' } } });
const RUNS = Number(values.runs ?? 5);
const FILES = 10;
const PER_FILE = 50;
const ROOT = fileURLToPath(new URL('../', import.meta.url));

function testFile(f: number): string {
  const lines = [`import { test, describe } from 'node:test';`, `import assert from 'node:assert/strict';`, ''];
  lines.push(`function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }`);
  lines.push(`describe('file ${f}', () => {`);
  for (let i = 0; i < PER_FILE; i++) {
    switch (i % 5) {
      case 0: lines.push(`  test('arith ${i}', () => { assert.equal(${i} * 2 + 1, ${i * 2 + 1}); });`); break;
      case 1: lines.push(`  test('deep ${i}', () => { assert.deepEqual({ a: [${i}, { b: 'x${i}' }], s: new Set([1, 2]) }, { a: [${i}, { b: 'x${i}' }], s: new Set([2, 1]) }); });`); break;
      case 2: lines.push(`  test('string ${i}', () => { assert.match('item-${i}'.toUpperCase(), /^ITEM-\\d+$/); });`); break;
      case 3: lines.push(`  test('async ${i}', async () => { assert.equal(await Promise.resolve(${i}), ${i}); });`); break;
      default: lines.push(`  test('work ${i}', () => { assert.equal(fib(15), 610); assert.throws(() => { throw new TypeError('t'); }, TypeError); });`);
    }
  }
  lines.push('});', '');
  return lines.join('\n');
}

async function makePackage(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gopkgr-bench-sandbox-'));
  await mkdir(path.join(dir, 'test'));
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: '@bench/sandbox', version: '1.0.0', type: 'module' }));
  for (let f = 0; f < FILES; f++) await writeFile(path.join(dir, 'test', `t${String(f).padStart(2, '0')}.test.js`), testFile(f));
  return dir;
}

function spawnMs(args: string[], cwd: string, okCodes: number[] = [0]): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, _stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      if (!okCodes.includes(code)) return reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`));
      resolve(performance.now() - start);
    });
  });
}

function startupMs(): number {
  const start = performance.now();
  const isolate = new ivm.Isolate({ memoryLimit: 128 });
  const context = isolate.createContextSync();
  const script = isolate.compileScriptSync('1 + 1');
  script.runSync(context);
  const ms = performance.now() - start;
  isolate.dispose();
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(', ');

const dir = await makePackage();
try {
  const files = await readPackageDir(dir);
  const testFiles = [...files.keys()].filter((f) => f.endsWith('.test.js')).sort();
  const warm = await runTests({ files });
  if (warm.passed !== FILES * PER_FILE || warm.failed !== 0) throw new Error(`the bench package should pass: ${JSON.stringify({ ...warm, tests: warm.tests.filter((t) => t.status !== 'passed').slice(0, 3) })}`);
  startupMs();

  const sandbox: number[] = [];
  const node: number[] = [];
  const cli: number[] = [];
  const startup: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    await runTests({ files });
    sandbox.push(performance.now() - t0);
    node.push(await spawnMs(['--test', ...testFiles], dir));
    cli.push(await spawnMs(['--no-node-snapshot', path.join(ROOT, 'bin/gopkgr.js'), 'test', dir, '--json'], ROOT));
    for (let i = 0; i < 5; i++) startup.push(startupMs());
  }
  const s = median(sandbox);
  const n = median(node);
  const c = median(cli);
  console.log(`package: ${FILES * PER_FILE} tests in ${FILES} files`);
  console.log(`sandbox (runTests, in process): ${s.toFixed(0)} ms median of ${RUNS} (${fmt(sandbox)})`);
  console.log(`node --test (child process):    ${n.toFixed(0)} ms median of ${RUNS} (${fmt(node)})`);
  console.log(`gopkgr test --json (child process, incl. tsx + CLI start): ${c.toFixed(0)} ms median (${fmt(cli)}), ratio to node --test ${(c / n).toFixed(2)}`);
  console.log(`isolate start-up (new Isolate + context + compile + run): ${median(startup).toFixed(2)} ms median of ${startup.length}`);
  console.log(`ratio sandbox/node --test (generated package): ${(s / n).toFixed(2)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}

/** A corpus package as `node --test` needs it: its files, its dependencies in node_modules. */
async function layOut(p: CorpusPackage): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'gopkgr-bench-corpus-'));
  await cp(path.join(p.dir, 'pkg'), d, { recursive: true });
  for (const name of p.deps.keys()) await cp(path.join(p.dir, 'deps', name), path.join(d, 'node_modules', name), { recursive: true });
  return d;
}

// --dist: the child processes run the compiled dist/ (as the installed command does; run `npm run build` first),
// not the sources through tsx, which costs each child ~0.3 s of loading.
const runTestsInChild: typeof runTestsInChildFromSources = values.dist === true ? ((await import(path.join(ROOT, 'dist/tester/child/runInChild.js'))) as { runTestsInChild: typeof runTestsInChildFromSources }).runTestsInChild : runTestsInChildFromSources;
const corpus = await Promise.all(corpusNames().map((n) => loadCorpusPackage(n)));
const laidOut = await Promise.all(corpus.map((p) => layOut(p)));
try {
  let agree = 0;
  let unsupported = 0;
  let disagree = 0;
  let total = 0;
  for (const p of corpus) {
    const c = await compareWithNative(p);
    agree += c.agree.length;
    unsupported += c.unsupported.length;
    disagree += c.disagree.length;
    total += p.native.tests.length;
  }
  const sandboxTotals: number[] = [];
  const childTotals: number[] = [];
  const nodeTotals: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let t = 0;
    for (const p of corpus) {
      const t0 = performance.now();
      await runTests({ files: p.files, deps: p.deps });
      t += performance.now() - t0;
    }
    sandboxTotals.push(t);
    let ct = 0;
    for (const p of corpus) {
      const t0 = performance.now();
      await runTestsInChild({ files: p.files, deps: p.deps });
      ct += performance.now() - t0;
    }
    childTotals.push(ct);
    let nt = 0;
    // node --test exits 1 when a test fails (the unsupported ones do not fail natively)
    for (const d of laidOut) nt += await spawnMs(['--test'], d, [0, 1]);
    nodeTotals.push(nt);
  }
  const s = median(sandboxTotals);
  const c = median(childTotals);
  const n = median(nodeTotals);
  console.log(`corpus: ${corpus.length} packages, ${total} tests; agree ${agree}, unsupported ${unsupported} (child processes), disagree ${disagree}`);
  console.log(`corpus sandbox (runTests, in process): ${s.toFixed(0)} ms median of ${RUNS} (${fmt(sandboxTotals)}), ratio to node --test ${(s / n).toFixed(2)}`);
  console.log(`corpus sandbox in a child process per package (as testers run it): ${c.toFixed(0)} ms median of ${RUNS} (${fmt(childTotals)})`);
  console.log(`corpus node --test (one process per package): ${n.toFixed(0)} ms median of ${RUNS} (${fmt(nodeTotals)})`);
  console.log(`ratio sandbox (child process)/node --test (real corpus): ${(c / n).toFixed(2)}`);
} finally {
  for (const d of laidOut) await rm(d, { recursive: true, force: true });
}
