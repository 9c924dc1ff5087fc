// Builds test/fixtures/pot-real/: real npm packages that ship their tests, the
// files their tests need, their runtime dependencies (as a tester gets them,
// from the lock tree), and the per-test outcome of their own runner, run
// natively here once (node --test with the reporter that prints one line a
// test; `vitest run` or `jest --ci` with their JSON reporters). Needs the npm
// registry; the tests that read the corpus do not.
//
//   node scripts/potCorpus.mjs name@version[:dev-dep,...][;runner=vitest|jest][;keep=prefix,...][;drop=path,...][;src=dir] ...
//
// runner: the package's own runner (default node --test). vitest is the one
// this checkout installs; jest is installed into a temp dir at the range the
// package's devDependencies name, and run with --ci (a missing snapshot
// fails). keep: only files under these path prefixes (and package.json,
// LICENSE) are kept, and run natively: a part of a large package's suite.
// deps=: no dependency is installed (for a package whose tests load none of
// its dependencies, such as a CLI's, so the corpus stays small). drop: paths
// under the fixture dir (deps/<name>/dist, ...) left out after the native run,
// files no test reaches (a dependency's second build), so the corpus stays
// small. A jest package whose devDependencies name ts-jest is run through
// ts-jest as its authors do, transpiling only (isolatedModules: type errors
// are not test outcomes; the sandbox strips types too); its jest.config, which
// tarballs rarely carry, is not there, so jest's defaults apply, as in the
// sandbox. A jest package with a Babel configuration is run through
// babel-jest (jest's default) with the Babel presets its devDependencies name.
// src: a directory of files from the package's repository at the published
// version (its sources, tests and snapshots, for a package whose tarball holds
// only its build), copied over the tarball's files before anything runs.
//
// Kept per package, under <dir>/pkg: package.json, the sources, LICENSE and
// test/; left out: README, CHANGELOG, type declarations and type tests, CI and
// lint configuration. Dependencies go under <dir>/deps/<name>/ with the same
// rule; <dir>/native.json holds {name, version, node, runner, tests, ms}.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'test/fixtures/pot-real');
const reporter = path.join(root, 'test/fixtures/tester/reporter.mjs');

// .babelrc stays: jest's babel-jest reads it (a package's TypeScript through Babel)
const SKIP = /^(README|CHANGELOG|HISTORY|SECURITY|CONTRIBUTING|\.(?!babelrc$))(\b|$)|\.d\.[cm]?ts$|\.tst\.ts$|\.test-d\.ts$/i;
/**
 * Left out at a package's top level only: a `types/` deeper down may be code,
 * and a `tsconfig-loader.ts` or a test's `tsconfig.json` fixture is not the
 * package's own configuration.
 */
const SKIP_TOP = /^(bench|benchmarks?|docs?|types|coverage|examples?|eslint\.config\.[cm]?[jt]s|tsconfig(\.[\w-]+)?\.json)$/i;

function copyKept(from, to, rel = '') {
  for (const name of readdirSync(path.join(from, rel))) {
    const r = rel ? `${rel}/${name}` : name;
    // Markdown is documentation at the top level only (a test may read a .md fixture)
    if (name === 'node_modules' || SKIP.test(name) || (rel === '' && (SKIP_TOP.test(name) || /\.md$/i.test(name)))) continue;
    const st = statSync(path.join(from, r));
    if (st.isDirectory()) copyKept(from, to, r);
    else {
      mkdirSync(path.dirname(path.join(to, r)), { recursive: true });
      cpSync(path.join(from, r), path.join(to, r));
    }
  }
}

function pack(spec, dir) {
  const file = JSON.parse(execFileSync('npm', ['pack', spec, '--json'], { cwd: dir, encoding: 'utf8' }))[0].filename;
  const into = path.join(dir, 'x');
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['xzf', path.join(dir, file), '-C', into, '--strip-components=1']);
  return into;
}

/** One line per test in the shape the node reporter gives: vitest's and jest's JSON reports are alike. */
function fromJsonReport(report, pkgDir) {
  const tests = [];
  for (const file of report.testResults) {
    const rel = path.relative(pkgDir, file.name ?? file.testFilePath);
    // a file that failed before any test ran is reported as the file itself, as node --test does
    if ((file.assertionResults ?? []).length === 0) {
      tests.push({ name: rel, status: file.status === 'passed' ? 'passed' : 'failed' });
      continue;
    }
    for (const t of file.assertionResults) {
      const status = t.status === 'pending' || t.status === 'skipped' || t.status === 'disabled' ? 'skipped' : t.status === 'todo' ? 'todo' : t.status;
      tests.push({ name: [rel, ...t.ancestorTitles, t.title].join(' > '), status });
    }
  }
  return tests;
}

function runNative(runner, pkgDir, work, pkg) {
  if (runner === 'node') {
    let stdout = '';
    try {
      stdout = execFileSync(process.execPath, ['--test', `--test-reporter=${reporter}`], { cwd: pkgDir, encoding: 'utf8', timeout: 120_000 });
    } catch (err) {
      stdout = err.stdout ?? '';
    }
    // A file that ran no test is reported as a test named by its absolute path: that is the file itself.
    return stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)).map((t) => ({ name: t.name === t.file ? path.relative(pkgDir, t.file) : `${path.relative(pkgDir, t.file)} > ${t.name}`, status: t.status }));
  }
  const report = path.join(work, 'report.json');
  let args;
  if (runner === 'vitest') {
    // test files import 'vitest': the package sees this checkout's copy (a dev tool, never a locked dependency)
    mkdirSync(path.join(pkgDir, 'node_modules'), { recursive: true });
    symlinkSync(path.join(root, 'node_modules/vitest'), path.join(pkgDir, 'node_modules/vitest'));
    args = [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=json', `--outputFile=${report}`];
  } else {
    const tools = path.join(work, 'jest');
    mkdirSync(tools);
    const dev = pkg.devDependencies ?? {};
    const tsJest = 'ts-jest' in dev;
    const presets = Object.keys(dev).filter((d) => d.startsWith('@babel/preset-'));
    const wanted = [`jest@${dev.jest ?? 'latest'}`, ...(tsJest ? [`ts-jest@${dev['ts-jest']}`, `typescript@${dev.typescript ?? 'latest'}`] : []), ...presets.map((d) => `${d}@${dev[d]}`)];
    execFileSync('npm', ['install', '--prefix', tools, '--no-audit', '--no-fund', '--no-package-lock', ...wanted], { stdio: 'ignore' });
    // Babel resolves a configuration's presets from the package's directory
    for (const d of presets) {
      mkdirSync(path.dirname(path.join(pkgDir, 'node_modules', d)), { recursive: true });
      symlinkSync(path.join(tools, 'node_modules', d), path.join(pkgDir, 'node_modules', d));
    }
    linked.push(...presets.map((d) => path.join(pkgDir, 'node_modules', d)));
    const config = { rootDir: pkgDir, ...(tsJest ? { transform: { '^.+\\.tsx?$': path.join(tools, 'node_modules/ts-jest') }, globals: { 'ts-jest': { isolatedModules: true } } } : {}) };
    args = [path.join(tools, 'node_modules/jest/bin/jest.js'), '--ci', '--json', `--outputFile=${report}`, `--config=${JSON.stringify(config)}`];
  }
  try {
    execFileSync(process.execPath, args, { cwd: pkgDir, stdio: 'ignore', timeout: 300_000 });
  } catch {
    /* failing tests exit 1; the report says which */
  }
  if (runner === 'vitest') rmSync(path.join(pkgDir, 'node_modules/vitest'));
  for (const l of linked.splice(0)) rmSync(l);
  if (existsSync(path.join(pkgDir, 'node_modules/@babel')) && readdirSync(path.join(pkgDir, 'node_modules/@babel')).length === 0) rmSync(path.join(pkgDir, 'node_modules/@babel'), { recursive: true });
  return fromJsonReport(JSON.parse(readFileSync(report, 'utf8')), pkgDir);
}

/** Symlinks runNative made into the package's node_modules, removed after the run. */
const linked = [];

/** Keep only the files under these prefixes (package.json and LICENSE always). */
function prune(dir, prefixes, rel = '') {
  for (const name of readdirSync(path.join(dir, rel))) {
    const r = rel ? `${rel}/${name}` : name;
    if (r === 'package.json' || r === 'LICENSE' || r === 'node_modules' || prefixes.some((p) => r.startsWith(p))) continue;
    if (statSync(path.join(dir, r)).isDirectory() && prefixes.some((p) => p.startsWith(r + '/'))) prune(dir, prefixes, r);
    else rmSync(path.join(dir, r), { recursive: true, force: true });
  }
}

for (const arg of process.argv.slice(2)) {
  const [head, ...opts] = arg.split(';');
  const options = Object.fromEntries(opts.map((o) => o.split('=')));
  const runner = options.runner ?? 'node';
  const [spec, devList] = head.split(':');
  const work = mkdtempSync(path.join(tmpdir(), 'pot-corpus-'));
  try {
    const pkgDir = pack(spec, work);
    if (options.src) cpSync(path.resolve(options.src), pkgDir, { recursive: true });
    if (options.keep) prune(pkgDir, options.keep.split(','));
    const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    const extra = devList ? devList.split(',') : [];
    const needs = options.deps === '' ? [] : [...Object.keys(pkg.dependencies ?? {}), ...extra];
    // A dev dependency the tests require is installed as a dependency would be
    // (and locked as one: a tester gets it from the lock tree); package.json is
    // put back before it is copied.
    const pkgText = readFileSync(path.join(pkgDir, 'package.json'), 'utf8');
    if (extra.length > 0) writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({ ...pkg, dependencies: { ...pkg.dependencies, ...Object.fromEntries(extra.map((d) => [d, pkg.devDependencies[d]])) }, devDependencies: {} }));
    if (needs.length > 0) execFileSync('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', '--omit=dev', '--no-package-lock'], { cwd: pkgDir, stdio: 'ignore' });
    writeFileSync(path.join(pkgDir, 'package.json'), pkgText);
    const start = performance.now();
    const tests = runNative(runner, pkgDir, work, pkg);
    const ms = performance.now() - start;
    const dest = path.join(out, pkg.name.replace('/', '+'));
    rmSync(dest, { recursive: true, force: true });
    copyKept(pkgDir, path.join(dest, 'pkg'));
    // Every installed package is a locked dependency (npm's flat tree).
    const nm = path.join(pkgDir, 'node_modules');
    const installed = [];
    if (existsSync(nm)) {
      for (const a of readdirSync(nm)) {
        if (a.startsWith('.')) continue;
        const names = a.startsWith('@') ? readdirSync(path.join(nm, a)).map((b) => `${a}/${b}`) : [a];
        for (const name of names) {
          copyKept(path.join(nm, name), path.join(dest, 'deps', name));
          installed.push(`${name}@${JSON.parse(readFileSync(path.join(nm, name, 'package.json'), 'utf8')).version}`);
        }
      }
    }
    for (const d of options.drop?.split(',') ?? []) rmSync(path.join(dest, d), { recursive: true, force: true });
    writeFileSync(path.join(dest, 'native.json'), JSON.stringify({ name: pkg.name, version: pkg.version, node: process.version, runner: runner === 'node' ? 'node --test' : runner, recorded: new Date().toISOString().slice(0, 10), src: options.src ? 'repository' : undefined, keep: options.keep?.split(','), deps: installed.sort(), ms: Math.round(ms), tests }, null, 1) + '\n');
    console.log(`${pkg.name}@${pkg.version}: ${tests.length} tests natively (${tests.filter((t) => t.status === 'passed').length} passed) in ${ms.toFixed(0)} ms; deps ${installed.join(', ') || '-'}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
