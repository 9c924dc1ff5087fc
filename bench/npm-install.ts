/**
 * bench/npm-install: `gopkgr get --offline` of a real npm tree of about 100
 * packages against `pnpm install --offline` and `npm ci --offline` of the same
 * tree, all warm (issue 20; goal ≤ 1.0× pnpm).
 *
 * 1. The tree: eslint 9, typescript 5.9, chalk 2, semver 6 and rimraf 3 with
 *    their closures (129 releases imported, 103 installed: 8 nested duplicates,
 *    chalk 2's closure under eslint and one under @eslint-community/eslint-utils,
 *    peers, one optional peer, eight `bin` commands), resolved and downloaded
 *    from the user's npm registry into .tmp/npm-install-bench/ once
 *    (bench/npm-install/recordTree.ts; benches may use the network, tests may not).
 * 2. Served by the local npm-compatible registry of the tests
 *    (test/support/npmRegistry.ts) to all three tools; imported into a real
 *    `gopkgr node --dev --mine` with `gopkgr import` (the CLI, as a user runs it).
 * 3. One online install each (untimed): gopkgr get, pnpm install, npm install;
 *    they fill the caches/stores and write the lockfiles. Then the tree is
 *    checked (issue 20, "nested duplicates, peers and the lockfile on a bigger
 *    real tree"): gopkgr's layout against npm's package-lock.json location by
 *    location, no peer left unmet, the project runs (every root imported), the
 *    `.bin` links run (`tsc --version`, `eslint --version`), a second `get`
 *    changes nothing, and an offline `get` from the lock alone writes the same lock.
 * 4. Warm: node_modules removed (untimed), then each tool installs offline from
 *    its lockfile and warm cache, interleaved, --runs times (default 5); every
 *    command is timed as a user runs it (gopkgr: `node bin/gopkgr.js` on the
 *    dist/ the bench builds first).
 *
 * pnpm comes from .tmp/bench-tools-npm (installed on first run, git-ignored); npm
 * is the one that came with this Node. Everything listens on 127.0.0.1 only;
 * child processes are killed in `finally`. Output: medians, and as the LAST line
 * the gopkgr/pnpm ratio.
 *
 *   npm run bench:npm-install -- [--runs 5] [--keep]
 */
import '../node/polyfill.ts';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { closeAll } from '../test/support/cleanup.ts';
import { startNpmRegistry } from '../test/support/npmRegistry.ts';
import { freePort } from '../test/support/ports.ts';
import { GOPKGR_BIN, startGopkgrNode } from './install/chain.ts';
import { children, log, median, mustRun, run, writeFiles, type RunResult } from './install/process.ts';
import { recordTree } from './npm-install/recordTree.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const TREE_DIR = path.join(REPO, '.tmp/npm-install-bench');
const TOOLS = path.join(REPO, '.tmp/bench-tools-npm');
/** The pnpm bench/install measures (a native binary; its package declares Node >=18). */
const PNPM_SPEC = 'pnpm@12.21.0';

/** The project's npm dependencies: name → range (the same in the tags and in package.json). */
const ROOTS: Record<string, string> = { eslint: '^9.0.0', typescript: '~5.9.0', chalk: '^2.4.0', semver: '^6.3.0', rimraf: '^3.0.0' };

const { values: opts } = parseArgs({ options: { runs: { type: 'string' }, keep: { type: 'boolean' } } });
const RUNS = Number(opts.runs ?? 5);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs must be a positive integer');
const DEADLINE_MS = 30 * 60 * 1000;

async function ensurePnpm(): Promise<string> {
  const pnpm = path.join(TOOLS, 'node_modules/.bin/pnpm');
  if (existsSync(pnpm)) return pnpm;
  log(`installing ${PNPM_SPEC} into ${path.relative(REPO, TOOLS)} (first run only)`);
  await mkdir(TOOLS, { recursive: true });
  await writeFile(path.join(TOOLS, 'package.json'), JSON.stringify({ name: 'gopkgr-bench-tools-npm', private: true }) + '\n');
  await mustRun('npm install of pnpm', npmBin(), ['install', '--prefix', TOOLS, '--no-save', '--no-audit', '--no-fund', PNPM_SPEC], { cwd: TOOLS, timeoutMs: 10 * 60 * 1000 });
  return pnpm;
}

const npmBin = (): string => path.join(path.dirname(process.execPath), 'npm');
const jsonOf = (r: RunResult): Record<string, unknown> => JSON.parse(r.stdout) as Record<string, unknown>;

const root = await mkdtemp(path.join(tmpdir(), 'gopkgr-bench-npm-install-'));
const deadline = setTimeout(() => {
  log(`still running after ${DEADLINE_MS / 60_000} min: giving up`);
  for (const c of children) c.kill('SIGKILL');
  process.exit(2);
}, DEADLINE_MS);
deadline.unref();

try {
  const pnpmBin = await ensurePnpm();
  const tree = await recordTree(TREE_DIR, Object.entries(ROOTS).map(([n, r]) => `${n}@${r}`));
  await mustRun('build', process.execPath, [path.join(REPO, 'scripts/build.mjs')], { cwd: REPO, env: {} });
  const registry = await startNpmRegistry(TREE_DIR);

  // gopkgr: a mining dev node, an identity, the whole tree imported through the CLI.
  const home = path.join(root, 'gopkgr-home');
  const nodeHome = path.join(root, 'node-home');
  // --mine needs an identity (the miner's reward key).
  await mustRun('gopkgr init (node)', process.execPath, [GOPKGR_BIN, 'init'], { cwd: root, env: { GOPKGR_HOME: nodeHome } });
  const node = await startGopkgrNode(nodeHome, await freePort(), ['--mine', '--threads', '1']);
  const gEnv = { GOPKGR_HOME: home, GOPKGR_NODE: node.url };
  const gopkgr = (args: string[], cwd: string): Promise<RunResult> => run(process.execPath, [GOPKGR_BIN, ...args], { cwd, env: gEnv, timeoutMs: 10 * 60 * 1000 });
  await mustRun('gopkgr init', process.execPath, [GOPKGR_BIN, 'init'], { cwd: root, env: gEnv });
  const t0 = performance.now();
  const specs = Object.entries(ROOTS).map(([n, r]) => `npm:${n}@${r}`);
  let imported = 0;
  // One sender may have 64 txs pending: a release the mempool turned away is imported by the next pass.
  for (let pass = 1; ; pass++) {
    const r = await gopkgr(['import', ...specs, '--registry', registry.url, '--json', '--timeout', '600'], root);
    const out = r.stdout.trim() === '' ? {} : jsonOf(r);
    imported += (out.imported as unknown[] | undefined)?.length ?? 0;
    if (r.code === 0) break;
    if (pass === 4) throw new Error(`gopkgr import still failing after ${pass} passes:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
    log(`import pass ${pass}: ${(out.failed as unknown[] | undefined)?.length ?? '?'} failed, again`);
  }
  log(`imported ${imported} of ${tree.releases.length} releases into the dev chain at ${node.url} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // The three projects: the same roots and ranges.
  const mainMjs = `${Object.keys(ROOTS).map((n, i) => `import * as m${i} from '${n}';`).join('\n')}\nconsole.log([${Object.keys(ROOTS).map((_, i) => `m${i}`).join(', ')}].filter((m) => Object.keys(m).length > 0).length);\n`;
  const gApp = path.join(root, 'app-gopkgr');
  await writeFiles(gApp, {
    'package.json': JSON.stringify({ name: 'bench-app', private: true, type: 'module' }, null, 2) + '\n',
    'src/app.mjs': `${Object.entries(ROOTS).map(([n, r], i) => `import * as m${i} from '${n}'; // \`npm:"${r}"\``).join('\n')}\nexport const all = [${Object.keys(ROOTS).map((_, i) => `m${i}`).join(', ')}];\n`,
    'main.mjs': mainMjs,
  });
  const npmrc = `registry=${registry.url}/\nminimum-release-age=0\n`;
  const userNpmrc = path.join(root, 'user.npmrc');
  await writeFile(userNpmrc, npmrc);
  // Only our .npmrc as user config (this machine's global npmrc sets omit-lockfile-registry-resolved; see bench/install.ts).
  const toolEnv = { npm_config_userconfig: userNpmrc, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  const pkgJson = JSON.stringify({ name: 'bench-app', version: '1.0.0', private: true, type: 'module', dependencies: ROOTS }, null, 2) + '\n';
  const pApp = path.join(root, 'app-pnpm');
  const nApp = path.join(root, 'app-npm');
  await writeFiles(pApp, { 'package.json': pkgJson, '.npmrc': npmrc, 'main.mjs': mainMjs, 'pnpm-workspace.yaml': 'minimumReleaseAge: 0\n' });
  await writeFiles(nApp, { 'package.json': pkgJson, '.npmrc': npmrc, 'main.mjs': mainMjs });
  const pnpmFlags = ['--store-dir', path.join(root, 'pnpm-home/store'), '--cache-dir', path.join(root, 'pnpm-home/cache'), '--reporter', 'silent', '--ignore-scripts'];
  const npmFlags = ['--cache', path.join(root, 'npm-home/cache'), '--omit-lockfile-registry-resolved=false', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel', 'error'];

  const tools = [
    { name: 'gopkgr', dir: gApp, online: [process.execPath, GOPKGR_BIN, 'get', '--json'], warm: [process.execPath, GOPKGR_BIN, 'get', '--offline'], env: gEnv },
    { name: 'pnpm', dir: pApp, online: [pnpmBin, 'install', ...pnpmFlags], warm: [pnpmBin, 'install', '--offline', '--frozen-lockfile', ...pnpmFlags], env: toolEnv },
    { name: 'npm', dir: nApp, online: [npmBin(), 'install', ...npmFlags], warm: [npmBin(), 'ci', '--offline', ...npmFlags], env: toolEnv },
  ];

  // 3. Online once (untimed), then the checks.
  const first = new Map<string, RunResult>();
  for (const t of tools) {
    const r = await mustRun(`${t.name} (online)`, t.online[0]!, t.online.slice(1), { cwd: t.dir, env: t.env });
    first.set(t.name, r);
    log(`${t.name} online install: ${r.ms.toFixed(0)} ms`);
  }
  const got = jsonOf(first.get('gopkgr')!);
  const gLock = JSON.parse(await readFile(path.join(gApp, 'gopkgr.lock'), 'utf8')) as { npm: Record<string, { name: string; version: string }> };
  const nLock = JSON.parse(await readFile(path.join(nApp, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; name?: string }> };
  const gLayout = new Map(Object.entries(gLock.npm).map(([loc, e]) => [loc, `${e.name}@${e.version}`]));
  const nLayout = new Map(Object.entries(nLock.packages).filter(([loc]) => loc !== '').map(([loc, e]) => [loc, `${e.name ?? loc.slice(loc.lastIndexOf('node_modules/') + 13)}@${e.version}`]));
  const layoutDiff = [...new Set([...gLayout.keys(), ...nLayout.keys()])].sort().filter((l) => gLayout.get(l) !== nLayout.get(l))
    .map((l) => `${l}: gopkgr ${gLayout.get(l) ?? '-'}, npm ${nLayout.get(l) ?? '-'}`);
  const nested = [...gLayout.keys()].filter((l) => l.split('node_modules/').length > 2);
  log(`layout: ${gLayout.size} packages, ${nested.length} nested (${nested.join(', ')})`);
  if (layoutDiff.length > 0) throw new Error(`gopkgr's layout differs from npm's package-lock.json:\n  ${layoutDiff.join('\n  ')}`);
  const peers = got.peers as unknown[];
  if (peers.length > 0) throw new Error(`gopkgr reports unmet peers on a tree npm installs without complaint: ${JSON.stringify(peers)}`);
  log(`layout identical to npm's package-lock.json; peers: none unmet; bin links: ${(got.binLinks as string[]).join(', ')}`);
  const checkRuns = async (t: (typeof tools)[number], what: string): Promise<void> => {
    const r = await mustRun(`node main.mjs after ${t.name} ${what}`, process.execPath, ['main.mjs'], { cwd: t.dir });
    if (r.stdout.trim() !== String(Object.keys(ROOTS).length)) throw new Error(`main.mjs after ${t.name} ${what} printed ${r.stdout}`);
  };
  for (const t of tools) await checkRuns(t, 'online');
  const tscVersion = (await mustRun('node_modules/.bin/tsc --version', path.join(gApp, 'node_modules/.bin/tsc'), ['--version'], { cwd: gApp })).stdout.trim();
  const eslintVersion = (await mustRun('node_modules/.bin/eslint --version', path.join(gApp, 'node_modules/.bin/eslint'), ['--version'], { cwd: gApp })).stdout.trim();
  log(`.bin runs: tsc --version → ${tscVersion}; eslint --version → ${eslintVersion}`);
  const again = jsonOf(await mustRun('gopkgr get (again)', process.execPath, [GOPKGR_BIN, 'get', '--json'], { cwd: gApp, env: gEnv }));
  if (again.changed !== false) throw new Error(`a second gopkgr get changed something: ${JSON.stringify(again.installed)}`);
  const lockBytes = await readFile(path.join(gApp, 'gopkgr.lock'), 'utf8');
  await rm(path.join(gApp, 'node_modules'), { recursive: true, force: true });
  const offline = jsonOf(await mustRun('gopkgr get --offline (check)', process.execPath, [GOPKGR_BIN, 'get', '--offline', '--json'], { cwd: gApp, env: { ...gEnv, GOPKGR_NODE: 'http://127.0.0.1:9' } }));
  if (offline.fromLockfile !== true || (await readFile(path.join(gApp, 'gopkgr.lock'), 'utf8')) !== lockBytes) throw new Error('gopkgr get --offline did not reproduce the lockfile');
  log('second get: nothing changed; offline get from the lock alone: the same lockfile');

  // 4. Warm, interleaved.
  const times = new Map<string, number[]>();
  for (let i = 0; i < RUNS; i++) {
    const line: string[] = [];
    for (const t of tools) {
      await rm(path.join(t.dir, 'node_modules'), { recursive: true, force: true });
      const r = await mustRun(`${t.name} (warm)`, t.warm[0]!, t.warm.slice(1), { cwd: t.dir, env: t.env });
      times.set(t.name, [...(times.get(t.name) ?? []), r.ms]);
      line.push(`${t.name} ${r.ms.toFixed(0)} ms`);
    }
    log(`warm run ${i + 1}/${RUNS}: ${line.join(', ')}`);
  }
  for (const t of tools) await checkRuns(t, 'warm');

  const med = (name: string): number => median(times.get(name)!);
  console.log(`tree: ${gLayout.size} npm packages (${nested.length} nested duplicates; roots ${Object.entries(ROOTS).map(([n, r]) => `${n}@${r}`).join(', ')}), ${(tree.tarballBytes / 1024 / 1024).toFixed(1)} MiB of tarballs; runs: ${RUNS}, medians, tools interleaved`);
  console.log(`warm offline install: gopkgr ${med('gopkgr').toFixed(0)} ms, pnpm ${med('pnpm').toFixed(0)} ms, npm ${med('npm').toFixed(0)} ms`);
  console.log(`ratio gopkgr/npm warm: ${(med('gopkgr') / med('npm')).toFixed(2)}`);
  console.log(`ratio gopkgr/pnpm warm: ${(med('gopkgr') / med('pnpm')).toFixed(2)} (goal ≤ 1.0)`);
} finally {
  clearTimeout(deadline);
  for (const c of children) c.kill('SIGKILL');
  await closeAll();
  if (opts.keep === true) log(`kept ${root}`);
  else await rm(root, { recursive: true, force: true });
}
