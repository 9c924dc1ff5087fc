/**
 * Benchmark (issue 16): `gopkgr publish --dry-run` of a small package (3
 * sources) and a large one (hundreds of generated sources), both the common
 * `outDir: "dist"` layout, against the baseline an npm author runs for the same
 * package: `tsc -p .` followed by `npm pack`, in the same run, on the same
 * files. A dry run packs, compiles, checks (a consumer install, node import,
 * tsc under three resolutions), extracts the API and signs, and submits
 * nothing, so there is no block wait to exclude. Each is run RUNS times as a
 * whole process (what a user waits for); medians are reported. The goal is a
 * ratio of at most 1.5; the last line is the ratio of the worse size.
 *
 *   npm run build && npm run bench:publish [-- --runs N --files N]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '../test/support/ports.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const GOPKGR_BIN = path.join(REPO, 'bin/gopkgr.js');
const TSC = path.join(REPO, 'node_modules/.bin/tsc');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, files: { type: 'string', default: '300' } } });
const RUNS = Number(values.runs);
const LARGE_FILES = Number(values.files);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Run a command to completion, timing it from spawn to exit; a non-zero exit is an error. */
function timed(cmd: string, args: string[], o: { cwd: string; env?: Record<string, string> }): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, args, { cwd: o.cwd, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - start) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out.slice(-2000)}`))));
  });
}

/** A package of `n` sources under src/ (each a function and an interface, importing its neighbour), built to dist/. */
async function writePackage(dir: string, name: string, n: number): Promise<void> {
  await mkdir(path.join(dir, 'src'), { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', exports: './src/index.ts' }, null, 2));
  await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, declaration: true, outDir: 'dist', rootDir: 'src', types: [], skipLibCheck: true, rewriteRelativeImportExtensions: true },
    include: ['src'],
  }, null, 2));
  const exports: string[] = [];
  for (let i = 0; i < n; i++) {
    const dep = i === 0 ? '' : `import { f${i - 1}, type Shape${i - 1} } from './m${i - 1}.ts';\n`;
    const body = i === 0 ? 'return { id: x, label: String(x) };' : `const prev: Shape${i - 1} = f${i - 1}(x + 1);\n  return { id: prev.id + ${i}, label: prev.label + '-${i}' };`;
    await writeFile(path.join(dir, 'src', `m${i}.ts`), `${dep}export interface Shape${i} {\n  id: number;\n  label: string;\n}\n\n/** Module ${i} of the generated package. */\nexport function f${i}(x: number): Shape${i} {\n  ${body}\n}\n`);
    exports.push(`export { f${i}, type Shape${i} } from './m${i}.ts';`);
  }
  await writeFile(path.join(dir, 'src', 'index.ts'), `${exports.join('\n')}\n`);
}

const children = new Set<ChildProcess>();

function startNode(home: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GOPKGR_BIN, 'node', '--dev', '--json', '--api', `127.0.0.1:${port}`, '--listen', '/ip4/127.0.0.1/tcp/0'], {
      cwd: REPO, env: { ...process.env, GOPKGR_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`gopkgr node did not start in 60 s:\n${stderr}`)), 60_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    child.on('close', (code) => {
      children.delete(child);
      clearTimeout(timer);
      reject(new Error(`gopkgr node exited (${code}):\n${stderr}`));
    });
  });
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'gopkgr-bench-publish-'));
  try {
    const home = path.join(work, 'home');
    const port = await freePort();
    const env = { GOPKGR_HOME: home, GOPKGR_NODE: `http://127.0.0.1:${port}` };
    await timed(process.execPath, [GOPKGR_BIN, 'init', '--json'], { cwd: work, env });
    await startNode(home, port);
    const ratios: number[] = [];
    for (const [label, n] of [['small', 3], ['large', LARGE_FILES]] as const) {
      const dir = path.join(work, label);
      await writePackage(dir, `@bench/${label}`, n);
      const packDest = path.join(work, `${label}-tgz`);
      await mkdir(packDest);
      const gopkgr: number[] = [];
      const baseline: number[] = [];
      // Alternate the two, so machine load falls on both alike; the first pair warms the disk cache.
      for (let r = 0; r <= RUNS; r++) {
        await rm(path.join(dir, 'dist'), { recursive: true, force: true });
        const g = await timed(process.execPath, [GOPKGR_BIN, 'publish', dir, '--dry-run', '--json'], { cwd: work, env });
        const t = await timed(TSC, ['-p', '.'], { cwd: dir });
        const p = await timed('npm', ['pack', '--silent', '--pack-destination', packDest], { cwd: dir });
        await rm(path.join(dir, 'dist'), { recursive: true, force: true });
        if (r === 0) continue;
        gopkgr.push(g);
        baseline.push(t + p);
      }
      const ratio = median(gopkgr) / median(baseline);
      ratios.push(ratio);
      console.log(`${label} (${n} sources): gopkgr publish --dry-run ${median(gopkgr).toFixed(0)} ms, tsc -p . + npm pack ${median(baseline).toFixed(0)} ms (medians of ${RUNS}), ratio ${ratio.toFixed(2)}`);
    }
    console.log(`ratio (gopkgr publish --dry-run / tsc -p . + npm pack, worse of small and large; goal <= 1.5): ${Math.max(...ratios).toFixed(2)}`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await rm(work, { recursive: true, force: true });
  }
}

await main();
