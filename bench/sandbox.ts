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
 * Then the real-suite corpus (test/fixtures/pot-real/: node:test, vitest and
 * jest suites from npm tarballs with their locked dependencies): per run, the
 * total time of `runTests()` over every package against each package's own
 * runner natively (its dependencies laid out in node_modules): `node --test`,
 * `vitest run` (this checkout's vitest), `jest --ci` (at the range the
 * package's devDependencies name, with ts-jest when they name it, transpiling
 * only, as scripts/potCorpus.mjs recorded it); the same sandbox runs each in a
 * child process as testers make them (tester/child/); and how many tests
 * agree with the native outcomes recorded in the corpus
 * (test/support/potCorpus.ts). jest is not a dependency of gopkgr: the bench
 * installs it once with npm into a cache under the temp dir (or takes
 * `--jest-tools DIR`, a dir whose node_modules holds jest and ts-jest).
 *
 * Goals: ratio sandbox/node ≤ 1.5 on the generated package, start-up < 20 ms;
 * on the corpus every runnable test agrees and sandbox/native ≤ 1.0. The last
 * line is the corpus ratio.
 *
 *   node --no-node-snapshot --import tsx bench/sandbox.ts [--runs N] [--dist] [--jest-tools DIR]
 *   (isolated-vm asks for --no-node-snapshot on Node 20+)
 *
 * Measured here (2 busy cores, Node 20.20): sandbox 69 ms, node --test 2.7 s,
 * ratio 0.03; gopkgr test as a process 3.3 s (tsx + TypeScript load); isolate
 * start-up 1.8 ms. With the jest suite (--runs 3, the machine far busier:
 * node --test took 20 s on the generated package): corpus 12 packages, 1190
 * tests, agree 1175, unsupported 15, disagree 0; per runner sandbox/native
 * jest 3.1 s/13.0 s (0.24), node --test 3.5 s/96 s (0.04), vitest 15.0 s/138 s
 * (0.11); child processes 99 s against 251 s native, ratio 0.39. With 16
 * packages (--runs 1, 2026-12-07): 2009 tests, agree 1997, unsupported 10,
 * disagree 4 (avvio, listed in test/tester/potReal.test.ts); in process 11.6 s
 * against 84.9 s native (0.14); child processes 42.8 s, ratio 0.50. A run taken
 * while the machine was far busier gave 194 s against 176 s (1.10): the ratio
 * moves with the load on the machine.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { cp, mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import ivm from 'isolated-vm';
import { readPackageDir, runTests } from '../tester/index.ts';
import { runTestsInChild as runTestsInChildFromSources } from '../tester/child/runInChild.ts';
import { compareWithNative, corpusNames, loadCorpusPackage, recordedEpoch, type CorpusPackage } from '../test/support/potCorpus.ts';

const { values } = parseArgs({ options: { runs: { type: 'string' }, dist: { type: 'boolean' }, 'jest-tools': { type: 'string' } } });
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

/** A corpus package as its runner needs it natively: its files, its dependencies in node_modules (vitest: this checkout's). */
async function layOut(p: CorpusPackage): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'gopkgr-bench-corpus-'));
  await cp(path.join(p.dir, 'pkg'), d, { recursive: true });
  for (const name of p.deps.keys()) await cp(path.join(p.dir, 'deps', name), path.join(d, 'node_modules', name), { recursive: true });
  if (p.native.runner === 'vitest') {
    await mkdir(path.join(d, 'node_modules'), { recursive: true });
    await symlink(path.join(ROOT, 'node_modules/vitest'), path.join(d, 'node_modules/vitest'));
  }
  return d;
}

/** jest (and ts-jest with the TypeScript it wants) at the package's ranges: installed once into a cache dir. */
function jestTools(p: CorpusPackage): string {
  if (values['jest-tools'] !== undefined) return path.resolve(values['jest-tools']);
  const dev = (JSON.parse(p.files.get('package.json') ?? '{}') as { devDependencies?: Record<string, string> }).devDependencies ?? {};
  const wanted = [`jest@${dev.jest ?? 'latest'}`, ...('ts-jest' in dev ? [`ts-jest@${dev['ts-jest']}`, `typescript@${dev.typescript ?? 'latest'}`] : []), ...babelPresets(p).map((d) => `${d}@${dev[d]}`)];
  const dir = path.join(tmpdir(), 'gopkgr-bench-tools', wanted.join('+').replace(/[^\w.@+-]/g, '_'));
  if (!existsSync(path.join(dir, 'node_modules/jest/bin/jest.js'))) {
    console.error(`installing ${wanted.join(' ')} into ${dir} (once)`);
    execFileSync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-package-lock', ...wanted], { stdio: 'ignore' });
  }
  return dir;
}

/** The Babel presets a jest package's devDependencies name (babel-jest reads its .babelrc). */
function babelPresets(p: CorpusPackage): string[] {
  const dev = (JSON.parse(p.files.get('package.json') ?? '{}') as { devDependencies?: Record<string, string> }).devDependencies ?? {};
  return Object.keys(dev).filter((d) => d.startsWith('@babel/preset-'));
}

/** The command line of a corpus package's own runner in its laid-out dir. */
function nativeArgs(p: CorpusPackage, dir: string): string[] {
  if (p.native.runner === 'vitest') return [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run'];
  if (p.native.runner === 'jest') {
    const tools = jestTools(p);
    const tsJest = path.join(tools, 'node_modules/ts-jest');
    // Babel resolves a configuration's presets from the package's directory
    for (const d of babelPresets(p)) {
      mkdirSync(path.dirname(path.join(dir, 'node_modules', d)), { recursive: true });
      if (!existsSync(path.join(dir, 'node_modules', d))) symlinkSync(path.join(tools, 'node_modules', d), path.join(dir, 'node_modules', d));
    }
    const config = { rootDir: dir, ...(existsSync(tsJest) ? { transform: { '^.+\\.tsx?$': tsJest }, globals: { 'ts-jest': { isolatedModules: true } } } : {}) };
    return [path.join(tools, 'node_modules/jest/bin/jest.js'), '--ci', `--config=${JSON.stringify(config)}`];
  }
  return ['--test'];
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
  let nativeFlaky = 0;
  let total = 0;
  for (const p of corpus) {
    const c = await compareWithNative(p);
    agree += c.agree.length;
    unsupported += c.unsupported.length;
    disagree += c.disagree.length;
    nativeFlaky += c.nativeFlaky.length;
    total += p.native.tests.length;
  }
  const sandboxTotals: number[] = [];
  const childTotals: number[] = [];
  const nativeTotals: number[] = [];
  /** per runner: [sandbox in process, native] medians' inputs */
  const byRunner = new Map<string, { sandbox: number[]; native: number[] }>();
  const add = (runner: string, kind: 'sandbox' | 'native', r: number, ms: number): void => {
    const e = byRunner.get(runner) ?? { sandbox: [], native: [] };
    byRunner.set(runner, e);
    e[kind][r] = (e[kind][r] ?? 0) + ms;
  };
  const args = corpus.map((p, i) => nativeArgs(p, laidOut[i]!));
  for (let r = 0; r < RUNS; r++) {
    let t = 0;
    for (const p of corpus) {
      const t0 = performance.now();
      await runTests({ files: p.files, deps: p.deps, epochMs: recordedEpoch(p.native) });
      const ms = performance.now() - t0;
      t += ms;
      add(p.native.runner, 'sandbox', r, ms);
    }
    sandboxTotals.push(t);
    let ct = 0;
    for (const p of corpus) {
      const t0 = performance.now();
      await runTestsInChild({ files: p.files, deps: p.deps, epochMs: recordedEpoch(p.native) });
      ct += performance.now() - t0;
    }
    childTotals.push(ct);
    let nt = 0;
    // each runner exits 1 when a test fails (some fail natively, and the unsupported ones may)
    for (let i = 0; i < corpus.length; i++) {
      const ms = await spawnMs(args[i]!, laidOut[i]!, [0, 1]);
      nt += ms;
      add(corpus[i]!.native.runner, 'native', r, ms);
    }
    nativeTotals.push(nt);
  }
  const s = median(sandboxTotals);
  const c = median(childTotals);
  const n = median(nativeTotals);
  console.log(`corpus: ${corpus.length} packages, ${total} tests; agree ${agree}, unsupported ${unsupported} (child processes, files written, node:module), natively nondeterministic ${nativeFlaky}, disagree ${disagree}`);
  for (const [runner, e] of [...byRunner].sort()) {
    const names = corpus.filter((p) => p.native.runner === runner).map((p) => p.native.name);
    console.log(`  ${runner} (${names.length} packages: ${names.join(', ')}): sandbox ${median(e.sandbox).toFixed(0)} ms, native ${median(e.native).toFixed(0)} ms, ratio ${(median(e.sandbox) / median(e.native)).toFixed(2)}`);
  }
  console.log(`corpus sandbox (runTests, in process): ${s.toFixed(0)} ms median of ${RUNS} (${fmt(sandboxTotals)}), ratio to native ${(s / n).toFixed(2)}`);
  console.log(`corpus sandbox in a child process per package (as testers run it): ${c.toFixed(0)} ms median of ${RUNS} (${fmt(childTotals)})`);
  console.log(`corpus native, each package's own runner in its own process: ${n.toFixed(0)} ms median of ${RUNS} (${fmt(nativeTotals)})`);
  console.log(`ratio sandbox (child process)/native runners (real corpus): ${(c / n).toFixed(2)}`);
} finally {
  for (const d of laidOut) await rm(d, { recursive: true, force: true });
}
