// Builds test/fixtures/pot-real/: real npm packages that ship their tests, the
// files their tests need, their runtime dependencies (as a tester gets them,
// from the lock tree), and the per-test outcome of their own runner, run
// natively here once (node --test with the reporter that prints one line a
// test). Needs the npm registry; the tests that read the corpus do not.
//
//   node scripts/potCorpus.mjs name@version[:dev-dep,...] ...
//
// Kept per package, under <dir>/pkg: package.json, the sources, LICENSE and
// test/; left out: README, CHANGELOG, type declarations and type tests, CI and
// lint configuration. Dependencies go under <dir>/deps/<name>/ with the same
// rule; <dir>/native.json holds {name, version, node, runner, tests, ms}.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'test/fixtures/pot-real');
const reporter = path.join(root, 'test/fixtures/tester/reporter.mjs');

const SKIP = /^(README|CHANGELOG|HISTORY|SECURITY|CONTRIBUTING|\.|eslint\.config|tsconfig)(\b|$)|\.d\.[cm]?ts$|\.tst\.ts$|\.test-d\.ts$|\.md$/i;
/** Directories left out at a package's top level only (a `types/` deeper down may be code). */
const SKIP_TOP = /^(bench|benchmarks?|docs?|types|coverage|examples?)$/i;

function copyKept(from, to, rel = '') {
  for (const name of readdirSync(path.join(from, rel))) {
    const r = rel ? `${rel}/${name}` : name;
    if (name === 'node_modules' || SKIP.test(name) || (rel === '' && SKIP_TOP.test(name))) continue;
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

for (const arg of process.argv.slice(2)) {
  const [spec, devList] = arg.split(':');
  const work = mkdtempSync(path.join(tmpdir(), 'pot-corpus-'));
  try {
    const pkgDir = pack(spec, work);
    const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    const extra = devList ? devList.split(',') : [];
    const needs = [...Object.keys(pkg.dependencies ?? {}), ...extra];
    // A dev dependency the tests require is installed as a dependency would be
    // (and locked as one: a tester gets it from the lock tree); package.json is
    // put back before it is copied.
    const pkgText = readFileSync(path.join(pkgDir, 'package.json'), 'utf8');
    if (extra.length > 0) writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({ ...pkg, dependencies: { ...pkg.dependencies, ...Object.fromEntries(extra.map((d) => [d, pkg.devDependencies[d]])) }, devDependencies: {} }));
    if (needs.length > 0) execFileSync('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', '--omit=dev', '--no-package-lock'], { cwd: pkgDir, stdio: 'ignore' });
    writeFileSync(path.join(pkgDir, 'package.json'), pkgText);
    const start = performance.now();
    let stdout = '';
    try {
      stdout = execFileSync(process.execPath, ['--test', `--test-reporter=${reporter}`], { cwd: pkgDir, encoding: 'utf8', timeout: 120_000 });
    } catch (err) {
      stdout = err.stdout ?? '';
    }
    const ms = performance.now() - start;
    // A file that ran no test is reported as a test named by its absolute path: that is the file itself.
    const tests = stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)).map((t) => ({ name: t.name === t.file ? path.relative(pkgDir, t.file) : `${path.relative(pkgDir, t.file)} > ${t.name}`, status: t.status }));
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
    writeFileSync(path.join(dest, 'native.json'), JSON.stringify({ name: pkg.name, version: pkg.version, node: process.version, runner: 'node --test', deps: installed.sort(), ms: Math.round(ms), tests }, null, 1) + '\n');
    console.log(`${pkg.name}@${pkg.version}: ${tests.length} tests natively (${tests.filter((t) => t.status === 'passed').length} passed) in ${ms.toFixed(0)} ms; deps ${installed.join(', ') || '-'}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
