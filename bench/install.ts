/**
 * bench/install: gopkgr get against pnpm, npm and bun on the same 500-package
 * tree, from the same local registry contents, in four scenarios (issue 19):
 *
 *   cold      no lockfile, empty cache and store, no node_modules (online)
 *   lockfile  the lockfile of a cold run, empty cache and store (online)
 *   warm      the lockfile and a warm cache, no node_modules (offline)
 *   update    an installed project whose lockfile pins a hub package (one
 *             that many packages depend on) when a new patch of it is out:
 *             update just that package (online, warm cache)
 *
 * 1. Generates N packages (default 500, bench/install/graph.ts), each version
 *    packed once with the CLI's deterministic packer (cli/pack.ts); the same
 *    tarball bytes go to both registries, and so does the hub's new patch.
 * 2. Publishes them to a real `gopkgr node --dev` process (bench/install/chain.ts)
 *    and to verdaccio 6.1 (bench/install/verdaccio.ts). The npm-side clients
 *    read verdaccio anonymously: an auth token costs verdaccio 80–100 ms a
 *    request, which would time verdaccio's auth, not the clients.
 * 3. Four consumer projects (gopkgr: comment tags in src/app.ts; pnpm, npm,
 *    bun: package.json). pnpm's minimumReleaseAge is 0 (the packages were
 *    published seconds ago). Each scenario runs --runs times (default 5), the
 *    tools interleaved within each run; every command is timed as a user runs
 *    it (gopkgr: `node bin/gopkgr.js` on the dist/ the bench builds first).
 *    Untimed between runs: removing node_modules, restoring the lockfile (and
 *    for update, a warm offline install of the old tree).
 * 4. Times the resolver alone, in this process, on the index fetched from the
 *    node (first call = cold).
 *
 * The update scenario runs `gopkgr update NAME` when this gopkgr has that
 * command, else `gopkgr get NAME@^VERSION`; the table says which.
 *
 * Peer tools are never project dependencies: on first run they are installed
 * into .tmp/bench-tools (git-ignored) with `npm install --prefix`; bun is npm's
 * `@oven/bun-linux-x64` package (its own `bun` package downloads the binary in
 * a postinstall script, which this machine's npm does not run), so bun is
 * measured on linux-x64 only and left out, with a line saying so, elsewhere.
 * Everything listens on 127.0.0.1 only; child processes are killed in `finally`.
 *
 * Output: a table of medians, the gopkgr/bun warm ratio, and as the last line
 * the worst gopkgr/pnpm ratio over the four scenarios (goals: ≤ 1 in every
 * scenario; gopkgr/bun warm ≤ 1.5).
 *
 *   npx tsx bench/install.ts [--packages 500] [--runs 5] [--only warm[,update...]] [--keep] [--hold]
 *
 * --only: measure these scenarios only (the table and ratios name only them);
 * what they start from still runs, once and unreported (cold writes the
 * lockfile every later scenario restores; lockfile fills the warm cache).
 *
 * --hold: set up (registries, projects), print where everything is, and wait
 * for Ctrl-C instead of measuring: for profiling one tool by hand.
 */
import '../node/polyfill.ts';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mapIndex, solve, type Requirement } from '../resolver/index.ts';
import { freePort } from '../test/support/ports.ts';
import { packPackage } from '../cli/pack.ts';
import { NodeClient } from '../cli/client.ts';
import { fetchIndex, mapLimit } from '../cli/install/fetchIndex.ts';
import { generateGraph, ident, packageFiles, type Built, type Pkg } from './install/graph.ts';
import { BenchChain, GOPKGR_BIN, startGopkgrNode } from './install/chain.ts';
import { publishToVerdaccio, startVerdaccio } from './install/verdaccio.ts';
import { children, countInstalled, log, median, mustRun, run, writeFiles, type RunResult } from './install/process.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const TOOLS = path.join(REPO, '.tmp/bench-tools');
const VERDACCIO_SPEC = 'verdaccio@6.1';
/** pnpm 12 is a native binary (its package declares Node >=18); pnpm 11 needs Node 22. */
const PNPM_SPEC = 'pnpm@12.21.0';
const BUN_PACKAGE = '@oven/bun-linux-x64';
const BUN_SPEC = `${BUN_PACKAGE}@1.4.5`;

const { values: opts } = parseArgs({ options: { packages: { type: 'string' }, runs: { type: 'string' }, only: { type: 'string' }, keep: { type: 'boolean' }, hold: { type: 'boolean' } } });
const N = Number(opts.packages ?? 500);
const RUNS = Number(opts.runs ?? 5);
if (!Number.isInteger(N) || N < 10) throw new Error('--packages must be an integer >= 10');
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs must be a positive integer');
/** The whole bench stops (children killed) after this long. */
const DEADLINE_MS = 45 * 60 * 1000;

// ---------------------------------------------------------------- peer tools

interface Tools {
  verdaccio: string;
  pnpm: string;
  npm: string;
  /** undefined: not installable here (the reason is in bunMissing) */
  bun?: string;
  bunMissing?: string;
}

async function ensureTools(): Promise<Tools> {
  const verdaccio = path.join(TOOLS, 'node_modules/verdaccio/bin/verdaccio');
  const pnpm = path.join(TOOLS, 'node_modules/.bin/pnpm');
  const bun = path.join(TOOLS, `node_modules/${BUN_PACKAGE}/bin/bun`);
  // npm is the one that came with this Node.
  const npm = path.join(path.dirname(process.execPath), 'npm');
  const bunHere = process.platform === 'linux' && process.arch === 'x64';
  const bunVersion = existsSync(bun) ? (JSON.parse(await readFile(path.join(TOOLS, `node_modules/${BUN_PACKAGE}/package.json`), 'utf8')) as { version: string }).version : undefined;
  const wanted = [
    ...(existsSync(verdaccio) ? [] : [VERDACCIO_SPEC]),
    ...(existsSync(pnpm) ? [] : [PNPM_SPEC]),
    ...(bunHere && bunVersion !== BUN_SPEC.split('@')[2] ? [BUN_SPEC] : []),
  ];
  if (wanted.length > 0) {
    log(`installing ${wanted.join(', ')} into ${path.relative(REPO, TOOLS)} (first run only)`);
    await mkdir(TOOLS, { recursive: true });
    // verdaccio 6.1's verdaccio-audit asks for node-fetch@"cjs", a dist-tag the registry no longer has.
    await writeFile(path.join(TOOLS, 'package.json'), JSON.stringify({ name: 'gopkgr-bench-tools', private: true, overrides: { 'node-fetch': '2.7.0' } }, null, 2) + '\n');
    // Everything named again: an npm install --no-save removes what it was not told about.
    const all = [VERDACCIO_SPEC, PNPM_SPEC, ...(bunHere ? [BUN_SPEC] : [])];
    await mustRun('npm install of the bench tools', npm, ['install', '--prefix', TOOLS, '--no-save', '--no-audit', '--no-fund', ...all], { cwd: TOOLS, timeoutMs: 10 * 60 * 1000 });
  }
  if (!bunHere) return { verdaccio, pnpm, npm, bunMissing: `${BUN_PACKAGE} is built for linux-x64 only, and this is ${process.platform}-${process.arch}` };
  return { verdaccio, pnpm, npm, bun };
}

// ---------------------------------------------------------------- the tools under test

type Scenario = 'cold' | 'lockfile' | 'warm' | 'update';
const SCENARIOS: readonly Scenario[] = ['cold', 'lockfile', 'warm', 'update'];
const isScenario = (v: string): v is Scenario => (SCENARIOS as readonly string[]).includes(v);
const onlyNames = opts.only === undefined ? [...SCENARIOS] : opts.only.split(',').map((v) => v.trim());
const unknownScenario = onlyNames.find((v) => !isScenario(v));
if (unknownScenario !== undefined) throw new Error(`--only: "${unknownScenario}" is not a scenario (${SCENARIOS.join(', ')})`);
/** The scenarios measured and reported. */
const MEASURED: readonly Scenario[] = SCENARIOS.filter((s) => onlyNames.includes(s));
/** How often a scenario runs: --runs when measured; once when a measured one starts from what it leaves (cold: the saved lockfile; lockfile: the warm cache); else never. */
function runsOf(scenario: Scenario): number {
  if (MEASURED.includes(scenario)) return RUNS;
  if (scenario === 'cold') return 1;
  if (scenario === 'lockfile' && (MEASURED.includes('warm') || MEASURED.includes('update'))) return 1;
  return 0;
}
const TITLE: Record<Scenario, string> = {
  cold: 'cold (no lockfile, empty cache)',
  lockfile: 'lockfile, empty cache',
  warm: 'warm (offline)',
  update: 'update one hub package',
};

interface Command {
  cmd: string;
  args: string[];
  env?: Record<string, string>;
}

/** One package manager as the bench drives it. */
interface Tool {
  name: string;
  /** the consumer project */
  dir: string;
  /** the lockfile it writes, relative to dir */
  lockfile: string;
  /** the command of a scenario, with its cache and store in `home` */
  command(scenario: Scenario, home: string): Command;
  /** the version of `name` its lockfile records, as far as the bench can tell */
  lockedVersion(name: string): Promise<string | undefined>;
  /** packages installed in node_modules */
  installed(): Promise<number>;
}

// ---------------------------------------------------------------- main

const root = await mkdtemp(path.join(tmpdir(), 'gopkgr-bench-install-'));
const deadline = setTimeout(() => {
  log(`still running after ${DEADLINE_MS / 60_000} min: giving up`);
  for (const c of children) c.kill('SIGKILL');
  process.exit(2);
}, DEADLINE_MS);
deadline.unref();

try {
  const tools = await ensureTools();
  if (tools.bunMissing !== undefined) log(`bun left out: ${tools.bunMissing}`);
  const t0 = performance.now();

  // 1. Packages, and the hub's new patch (published before the update scenario).
  const { pkgs, tops, hubs, namespaces } = generateGraph(N);
  const pack = async (p: Pkg, version: string): Promise<Built> => {
    const dir = path.join(root, 'src-pkgs', p.ns, `${p.short}@${version}`);
    await writeFiles(dir, packageFiles(p, version, pkgs));
    const packed = await packPackage(dir);
    return { pkg: p, version, tarball: packed.tarball, sha256: packed.sha256, packageJson: packed.packageJson };
  };
  const built: Built[] = [];
  for (const p of pkgs) for (const version of p.versions) built.push(await pack(p, version));
  // The hub most packages depend on directly.
  const dependents = (h: number): number => pkgs.filter((p) => p.deps.includes(h)).length;
  const hub = pkgs[[...hubs].sort((a, b) => dependents(b) - dependents(a))[0]!]!;
  // The next patch: the chain takes one step at a time above the newest version.
  const hubNext = hub.versions.at(-1)!.replace(/\d+$/, (d) => String(Number(d) + 1));
  const hubUpdate = await pack(hub, hubNext);
  const edges = pkgs.reduce((s, p) => s + p.deps.length, 0);
  const tarBytes = built.reduce((s, b) => s + b.tarball.length, 0);
  log(`generated ${N} packages (${built.length} versions, ${edges} dependency edges, ${namespaces.length} namespaces, ${(tarBytes / 1024).toFixed(0)} KiB of tarballs) in ${((performance.now() - t0) / 1000).toFixed(1)} s; hub ${hub.name} (${dependents(hub.index)} dependents)`);

  // 2. The dev chain and verdaccio.
  const node = await startGopkgrNode(path.join(root, 'node-home'), await freePort());
  const t1 = performance.now();
  const chain = await BenchChain.open(node.url, pkgs, namespaces);
  await chain.publish(built);
  log(`published ${built.length} versions to the dev chain at ${node.url} in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  const vPort = await freePort();
  const verdaccio = await startVerdaccio(tools.verdaccio, await mkdtemp(path.join(root, 'verdaccio-')), vPort);
  const t2 = performance.now();
  // Versions of one package in order; packages in parallel.
  const byPkg = new Map<number, Built[]>();
  for (const b of built) byPkg.set(b.pkg.index, [...(byPkg.get(b.pkg.index) ?? []), b]);
  await mapLimit([...byPkg.values()], 6, async (list) => {
    for (const b of list) await publishToVerdaccio(verdaccio.url, verdaccio.token, b);
  });
  log(`published ${built.length} versions to verdaccio at ${verdaccio.url} in ${((performance.now() - t2) / 1000).toFixed(1)} s`);

  // 3. Consumers.
  const topPkgs = tops.map((i) => pkgs[i]!);
  const mainMjs = `${topPkgs.map((p, k) => `import { ${ident(p)} as top${k} } from '${p.name}';`).join('\n')}\nconst out = [${topPkgs.map((_, k) => `top${k}()`).join(', ')}];\nconsole.log(out.length);\n`;
  const dependencies = Object.fromEntries(topPkgs.map((p) => [p.name, '^1.0.0']));
  const pkgJson = JSON.stringify({ name: 'bench-app', version: '1.0.0', private: true, type: 'module', dependencies }, null, 2) + '\n';
  // Anonymous reads (see the header); pnpm: no minimum release age.
  const npmrc = `registry=${verdaccio.url}/\nminimum-release-age=0\n`;
  const userNpmrc = path.join(root, 'user.npmrc');
  await writeFile(userNpmrc, npmrc);
  // Only our .npmrc as user config. This machine's global npmrc sets omit-lockfile-registry-resolved,
  // which makes `npm ci --offline` ask for packuments it never cached: npmFlags restores npm's default.
  const toolEnv = { npm_config_userconfig: userNpmrc, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  const gopkgrUpdate = (await run(process.execPath, [GOPKGR_BIN, 'update', '--help'], { cwd: REPO })).code === 0;
  const updateLabel: Record<string, string> = {
    gopkgr: gopkgrUpdate ? `gopkgr update ${hub.name}` : `gopkgr get ${hub.name}@^${hubNext} (no \`gopkgr update\` in this build)`,
    pnpm: `pnpm update ${hub.name}`, npm: `npm update ${hub.name}`, bun: `bun update ${hub.name}`,
  };

  const gApp = path.join(root, 'app-gopkgr');
  await writeFiles(gApp, {
    'package.json': JSON.stringify({ name: 'bench-app', private: true, type: 'module' }, null, 2) + '\n',
    'src/app.ts': `${topPkgs.map((p, k) => `import { ${ident(p)} as top${k} } from '${p.name}'; // \`ver:"^1.0.0"\``).join('\n')}\nexport const all: string[] = [${topPkgs.map((_, k) => `top${k}()`).join(', ')}];\n`,
    'main.mjs': mainMjs,
  });
  const npmProject = async (name: string, extra: Record<string, string> = {}): Promise<string> => {
    const dir = path.join(root, `app-${name}`);
    await writeFiles(dir, { 'package.json': pkgJson, '.npmrc': npmrc, 'main.mjs': mainMjs, ...extra });
    return dir;
  };
  const jsonAt = async (file: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  /** pnpm-lock.yaml and bun.lock name each resolved version as `name@version`. */
  const versionInText = async (file: string, name: string): Promise<string | undefined> => {
    const text = await readFile(file, 'utf8');
    const versions = [...text.matchAll(new RegExp(`${name.replace(/[/.]/g, '\\$&')}@(\\d+\\.\\d+\\.\\d+)`, 'g'))].map((m) => m[1]!);
    return versions.sort().at(-1);
  };

  /** Distinct package names among `@ns+name@version` directories. */
  const namesIn = async (dir: string): Promise<number> => new Set((await readdir(dir)).filter((d) => d.startsWith('@')).map((d) => d.slice(0, d.lastIndexOf('@')))).size;

  const gopkgr: Tool = {
    name: 'gopkgr', dir: gApp, lockfile: 'gopkgr.lock',
    command(scenario, home) {
      const env = { GOPKGR_HOME: home, GOPKGR_NODE: node.url };
      if (scenario === 'warm') return { cmd: process.execPath, args: [GOPKGR_BIN, 'get', '--offline'], env };
      if (scenario === 'update') return { cmd: process.execPath, args: gopkgrUpdate ? [GOPKGR_BIN, 'update', hub.name] : [GOPKGR_BIN, 'get', `${hub.name}@^${hubNext}`], env };
      return { cmd: process.execPath, args: [GOPKGR_BIN, 'get'], env };
    },
    lockedVersion: async (name) => ((await jsonAt(path.join(gApp, 'gopkgr.lock'))).packages as Record<string, { version: string }>)[name]?.version,
    installed: () => countInstalled(path.join(gApp, 'node_modules')),
  };
  const pApp = await npmProject('pnpm', { 'pnpm-workspace.yaml': 'minimumReleaseAge: 0\n' });
  const pnpm: Tool = {
    name: 'pnpm', dir: pApp, lockfile: 'pnpm-lock.yaml',
    command(scenario, home) {
      const flags = ['--store-dir', path.join(home, 'store'), '--cache-dir', path.join(home, 'cache'), '--reporter', 'silent'];
      const args = {
        cold: ['install', ...flags], lockfile: ['install', '--frozen-lockfile', ...flags],
        warm: ['install', '--offline', '--frozen-lockfile', ...flags], update: ['update', hub.name, ...flags],
      }[scenario];
      return { cmd: tools.pnpm, args, env: toolEnv };
    },
    lockedVersion: (name) => versionInText(path.join(pApp, 'pnpm-lock.yaml'), name),
    // pnpm keeps every package under node_modules/.pnpm/<name>@<version>/ (an updated one's old version too, until pruned) and links only the direct deps at the top.
    installed: () => namesIn(path.join(pApp, 'node_modules/.pnpm')),
  };
  const nApp = await npmProject('npm');
  const npm: Tool = {
    name: 'npm', dir: nApp, lockfile: 'package-lock.json',
    command(scenario, home) {
      const flags = ['--cache', path.join(home, 'cache'), '--omit-lockfile-registry-resolved=false', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel', 'error'];
      const args = { cold: ['install', ...flags], lockfile: ['ci', ...flags], warm: ['ci', '--offline', ...flags], update: ['update', hub.name, ...flags] }[scenario];
      return { cmd: tools.npm, args, env: toolEnv };
    },
    lockedVersion: async (name) => ((await jsonAt(path.join(nApp, 'package-lock.json'))).packages as Record<string, { version: string }>)[`node_modules/${name}`]?.version,
    installed: () => countInstalled(path.join(nApp, 'node_modules')),
  };
  const all: Tool[] = [gopkgr, pnpm, npm];
  if (tools.bun !== undefined) {
    const bunBin = tools.bun;
    const bApp = await npmProject('bun');
    all.push({
      name: 'bun', dir: bApp, lockfile: 'bun.lock',
      command(scenario, home) {
        const flags = ['--cache-dir', path.join(home, 'cache'), '--no-progress', '--no-summary', '--ignore-scripts'];
        const args = {
          cold: ['install', ...flags], lockfile: ['install', '--frozen-lockfile', ...flags],
          warm: ['install', '--frozen-lockfile', '--offline', ...flags], update: ['update', hub.name, ...flags],
        }[scenario];
        return { cmd: bunBin, args, env: toolEnv };
      },
      lockedVersion: (name) => versionInText(path.join(bApp, 'bun.lock'), name),
      installed: async () => {
        // bun's isolated layout keeps packages under node_modules/.bun/<name>@<version>/, its hoisted one at the top.
        const isolated = path.join(bApp, 'node_modules/.bun');
        return existsSync(isolated) ? namesIn(isolated) : countInstalled(path.join(bApp, 'node_modules'));
      },
    });
  }

  // The installed command runs the JavaScript npm compiles on install (scripts/build.mjs); make sure it is current.
  await mustRun('build', process.execPath, [path.join(REPO, 'scripts/build.mjs')], { cwd: REPO, env: {} });

  if (opts.hold === true) {
    console.log(`gopkgr node: ${node.url} (GOPKGR_NODE); verdaccio: ${verdaccio.url}; projects: ${all.map((t) => t.dir).join(' ')}`);
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    for (const c of children) c.kill('SIGKILL');
    log(`kept ${root}`);
    process.exit(0);
  }

  const times = new Map<string, number[]>();
  const homes = path.join(root, 'homes');
  const saved = path.join(root, 'saved');
  /** Each tool's reference state after its first cold run (lockfile, package.json), restored before later runs. */
  const restore = async (t: Tool): Promise<void> => {
    await rm(path.join(t.dir, 'node_modules'), { recursive: true, force: true });
    for (const f of [t.lockfile, 'package.json']) await cp(path.join(saved, t.name, f), path.join(t.dir, f));
  };
  const warmHome = new Map<string, string>();
  const timed = async (t: Tool, scenario: Scenario, home: string): Promise<RunResult> => {
    const c = t.command(scenario, home);
    const r = await mustRun(`${t.name} (${scenario})`, c.cmd, c.args, { cwd: t.dir, env: c.env });
    const key = `${scenario}/${t.name}`;
    if (MEASURED.includes(scenario)) times.set(key, [...(times.get(key) ?? []), r.ms]);
    return r;
  };
  const check = async (t: Tool, what: string): Promise<void> => {
    const installed = await t.installed();
    if (installed !== N) throw new Error(`${t.name} installed ${installed} packages ${what}, expected ${N}`);
    await mustRun(`node main.mjs after ${t.name} ${what}`, process.execPath, ['main.mjs'], { cwd: t.dir });
  };

  for (const scenario of SCENARIOS.filter((sc) => runsOf(sc) > 0)) {
    const runs = runsOf(scenario);
    if (scenario === 'update') {
      await chain.publish([hubUpdate]);
      await publishToVerdaccio(verdaccio.url, verdaccio.token, hubUpdate);
      log(`published ${hub.name}@${hubNext} to both registries`);
    }
    for (let i = 0; i < runs; i++) {
      const line: string[] = [];
      for (const t of all) {
        const home = path.join(homes, `${t.name}-${scenario}-${i}`);
        if (scenario === 'cold') {
          await rm(path.join(t.dir, 'node_modules'), { recursive: true, force: true });
          await rm(path.join(t.dir, t.lockfile), { force: true });
          await timed(t, scenario, home);
          if (i === 0) {
            await check(t, 'cold');
            await mkdir(path.join(saved, t.name), { recursive: true });
            for (const f of [t.lockfile, 'package.json']) await cp(path.join(t.dir, f), path.join(saved, t.name, f));
          }
        } else if (scenario === 'lockfile') {
          await restore(t);
          await timed(t, scenario, home);
          warmHome.set(t.name, home);
        } else if (scenario === 'warm') {
          await restore(t);
          await timed(t, scenario, warmHome.get(t.name)!);
        } else {
          // The installed old tree, from the warm cache (untimed), then the update.
          await restore(t);
          const c = t.command('warm', warmHome.get(t.name)!);
          await mustRun(`${t.name} (restore before update)`, c.cmd, c.args, { cwd: t.dir, env: c.env });
          await timed(t, scenario, warmHome.get(t.name)!);
          const locked = await t.lockedVersion(hub.name);
          if (locked !== hubNext) throw new Error(`${updateLabel[t.name]} left ${hub.name} at ${locked ?? 'nothing'}, not ${hubNext}`);
        }
        line.push(`${t.name} ${times.get(`${scenario}/${t.name}`)?.at(-1)?.toFixed(0) ?? '(untimed)'} ms`);
      }
      log(`${scenario} run ${i + 1}/${runs}${MEASURED.includes(scenario) ? '' : ' (unreported: what --only starts from)'}: ${line.join(', ')}`);
    }
    if (scenario !== 'cold') for (const t of all) await check(t, scenario);
    // Cold and lockfile runs leave a cache per run: keep only the warm one.
    if (scenario === 'lockfile') {
      for (const d of await readdir(homes)) if (![...warmHome.values()].includes(path.join(homes, d))) await rm(path.join(homes, d), { recursive: true, force: true });
    }
  }

  // 4. Cold resolve: the solver alone over the index of the whole tree, in this
  // process (which has not solved anything before: the first call is cold).
  const requirements: Requirement[] = topPkgs.map((p) => ({ name: p.name, range: '^1.0.0', origin: 'src/app.ts' }));
  const tf = performance.now();
  const fetched = await fetchIndex(requirements.map((r) => r.name), new NodeClient(node.url));
  const fetchMs = performance.now() - tf;
  const tc = performance.now();
  const solution = solve(mapIndex(fetched.packages), requirements);
  const coldMs = performance.now() - tc;
  const warmSolve: number[] = [];
  for (let i = 0; i < 5; i++) {
    const tw = performance.now();
    solve(mapIndex(fetched.packages), requirements);
    warmSolve.push(performance.now() - tw);
  }

  const med = (scenario: Scenario, tool: string): number | undefined => {
    const xs = times.get(`${scenario}/${tool}`);
    return xs === undefined ? undefined : median(xs);
  };
  const cell = (x: number | undefined): string => (x === undefined ? '-' : `${x.toFixed(0)} ms`).padStart(9);
  console.log(`packages: ${N} (${built.length} versions, ${edges} edges); runs: ${RUNS}, medians, tools interleaved; update: ${hub.name} ${hub.versions.at(-1)!} → ${hubNext}`);
  console.log(`${'scenario'.padEnd(32)}${['gopkgr', 'pnpm', 'npm', 'bun'].map((s) => s.padStart(9)).join('')}  gopkgr/pnpm`);
  const ratios: Array<[Scenario, number]> = [];
  for (const s of MEASURED) {
    const g = med(s, 'gopkgr')!;
    const p = med(s, 'pnpm')!;
    ratios.push([s, g / p]);
    console.log(`${TITLE[s].padEnd(32)}${['gopkgr', 'pnpm', 'npm', 'bun'].map((t) => cell(med(s, t))).join('')}  ${(g / p).toFixed(2)}`);
  }
  console.log(`update commands: ${all.map((t) => updateLabel[t.name]).join('; ')}`);
  if (tools.bunMissing !== undefined) console.log(`bun: not measured (${tools.bunMissing})`);
  console.log(`index fetch of ${solution.selected.size} packages from the node (GET /v1/packages, in waves): ${fetchMs.toFixed(0)} ms`);
  console.log(`cold resolve of ${solution.selected.size} packages: ${coldMs.toFixed(0)} ms (warm: ${median(warmSolve).toFixed(1)} ms; goal < 100 ms)`);
  const bunWarm = med('warm', 'bun');
  if (MEASURED.includes('warm')) console.log(`ratio gopkgr/bun warm: ${bunWarm === undefined ? '-' : (med('warm', 'gopkgr')! / bunWarm).toFixed(2)} (goal ≤ 1.5)`);
  const [worstScenario, worst] = ratios.reduce((a, b) => (b[1] > a[1] ? b : a));
  console.log(`worst ratio gopkgr/pnpm (${worstScenario}): ${worst.toFixed(2)}`);
} finally {
  clearTimeout(deadline);
  for (const c of children) c.kill('SIGKILL');
  if (opts.keep === true) log(`kept ${root}`);
  else await rm(root, { recursive: true, force: true });
}
