/**
 * bench/install: a warm `gopkgr get --offline` against a warm `pnpm install
 * --offline` and `npm ci --offline` of the same 500-package tree (issue 5).
 *
 * 1. Generates N packages (default 500) with a layered dependency graph: leaves
 *    with no deps, a few hubs that many packages depend on, mid-level packages
 *    with 1–5 deps, ~20 top packages that a consumer project depends on (every
 *    package is in the consumer's tree), caret ranges, every tenth package with
 *    two versions (1.0.0 and 1.0.1). Each package is prebuilt JavaScript with
 *    declarations (index.js/.d.ts, lib/util.js/.d.ts, README, LICENSE), packed
 *    once with the CLI's deterministic packer (cli/pack.ts); the same tarball
 *    bytes go to both registries.
 * 2. Publishes them to a real `gopkgr node --dev` process (no --mine) directly
 *    over its HTTP API: blobs PUT, txs signed in this process (one namespace and
 *    key per ~20 packages, so no sender hits the mempool's 64-tx cap), blocks
 *    mined in this process; each version's lock tree is the closure of its deps
 *    at the newest version published so far (closed and in range, which the
 *    node checks).
 * 3. Publishes the same tarballs to verdaccio 6.1 (no uplinks, loopback, temp
 *    storage) with npm's publish body over HTTP.
 * 4. Three consumer projects: gopkgr (comment tags in src/app.ts), npm and pnpm
 *    (package.json). One online install each fills the caches and writes the
 *    lockfile; then, interleaved, `--runs` times each: delete node_modules and
 *    time the whole warm offline command as a user runs it (gopkgr: `node
 *    bin/gopkgr.js`, on the dist/ that npm install compiles, rebuilt first).
 * 5. Times the resolver alone, in this process, on the index fetched from the
 *    node (first call = cold).
 *
 * The seeded PRNG and the free-port helper are the tests' own
 * (test/support/prng.ts and ports.ts, neither of which loads the test runner).
 *
 * Peer tools are never project dependencies: on first run they are installed into
 * .tmp/bench-tools (git-ignored) with `npm install --prefix`. Everything listens on
 * 127.0.0.1 only; child processes are killed in `finally`.
 *
 *   npx tsx bench/install.ts [--packages 500] [--runs 3] [--keep]
 */
import '../node/polyfill.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  encodeTx, fromHex, keyPairFromSecret, manifestHash, sha256, signTx, toHex, txId, type BodyByType, type Canonical, type KeyPair, type SignedTxType,
  type UnsignedTx,
} from '../ledger/index.ts';
import { mapIndex, solve, type Requirement } from '../resolver/index.ts';
import type { Work } from '../node/index.ts';
import { buildCandidate, httpSource, mineOnThisThread, type WorkSource } from '../miner/index.ts';
import { prng } from '../test/support/prng.ts';
import { freePort } from '../test/support/ports.ts';
import { MANIFEST_FORMAT } from '../infver/index.ts';
import { packPackage } from '../cli/pack.ts';
import { NodeClient } from '../cli/client.ts';
import { fetchIndex, mapLimit } from '../cli/install/fetchIndex.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const GOPKGR_BIN = path.join(REPO, 'bin/gopkgr.js');
const TOOLS = path.join(REPO, '.tmp/bench-tools');
const VERDACCIO_SPEC = 'verdaccio@6.1';
/** pnpm 12 is a native binary (its package declares Node >=18); pnpm 11 needs Node 22. */
const PNPM_SPEC = 'pnpm@12.21.0';

const { values: opts } = parseArgs({ options: { packages: { type: 'string' }, runs: { type: 'string' }, keep: { type: 'boolean' } } });
const N = Number(opts.packages ?? 500);
const RUNS = Number(opts.runs ?? 3);
if (!Number.isInteger(N) || N < 10) throw new Error('--packages must be an integer >= 10');
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs must be a positive integer');
/** The whole bench stops (children killed) after this long. */
const DEADLINE_MS = 20 * 60 * 1000;
const COMMAND_TIMEOUT_MS = 5 * 60 * 1000;

// ---------------------------------------------------------------- small helpers

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

const children = new Set<ChildProcess>();

/** Run a command to completion, timing it from spawn to exit. */
function run(cmd: string, args: string[], o: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, args, { cwd: o.cwd, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? COMMAND_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      children.delete(child);
      reject(err);
    });
    child.on('close', (code) => {
      const ms = performance.now() - start;
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr, ms });
    });
  });
}

async function mustRun(what: string, cmd: string, args: string[], o: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<RunResult> {
  const r = await run(cmd, args, o);
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
}

/** Packages installed in a node_modules (scoped directories, not dot-directories). */
async function countInstalled(nm: string): Promise<number> {
  let n = 0;
  for (const scope of await readdir(nm).catch(() => [] as string[])) {
    if (!scope.startsWith('@')) continue;
    n += (await readdir(path.join(nm, scope))).length;
  }
  return n;
}

// ---------------------------------------------------------------- peer tools

async function ensureTools(): Promise<{ verdaccio: string; pnpm: string; npm: string }> {
  const verdaccio = path.join(TOOLS, 'node_modules/verdaccio/bin/verdaccio');
  const pnpm = path.join(TOOLS, 'node_modules/.bin/pnpm');
  // npm is the one that came with this Node.
  const npm = path.join(path.dirname(process.execPath), 'npm');
  if (!existsSync(verdaccio) || !existsSync(pnpm)) {
    log(`installing ${VERDACCIO_SPEC} and ${PNPM_SPEC} into ${path.relative(REPO, TOOLS)} (first run only)`);
    await mkdir(TOOLS, { recursive: true });
    // verdaccio 6.1's verdaccio-audit asks for node-fetch@"cjs", a dist-tag the registry no longer has.
    await writeFile(path.join(TOOLS, 'package.json'), JSON.stringify({ name: 'gopkgr-bench-tools', private: true, overrides: { 'node-fetch': '2.7.0' } }, null, 2) + '\n');
    await mustRun('npm install of the bench tools', npm, ['install', '--prefix', TOOLS, '--no-save', '--no-audit', '--no-fund', VERDACCIO_SPEC, PNPM_SPEC], { cwd: TOOLS, timeoutMs: 10 * 60 * 1000 });
  }
  return { verdaccio, pnpm, npm };
}

// ---------------------------------------------------------------- the package graph

interface Pkg {
  index: number;
  ns: string;
  short: string;
  name: string;
  deps: number[];
  versions: string[];
}

const ADJ = ['fast', 'tiny', 'deep', 'safe', 'micro', 'pure', 'lazy', 'quick', 'plain', 'strict', 'smart', 'lean'];
const NOUN = ['parse', 'glob', 'path', 'color', 'date', 'hash', 'queue', 'cache', 'stream', 'event', 'format', 'schema', 'merge', 'retry', 'semver', 'url', 'mime', 'buffer', 'lru', 'diff'];
const PER_NAMESPACE = 20;

function generateGraph(n: number): { pkgs: Pkg[]; tops: number[]; namespaces: string[] } {
  // Seeded, so every run builds the same graph.
  const rand = prng(0x5eed + n).next;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const nsCount = Math.ceil(n / PER_NAMESPACE);
  const namespaces = Array.from({ length: nsCount }, (_, i) => `@bench-${String(i).padStart(2, '0')}`);
  const leafEnd = Math.floor(n * 0.35);
  const topCount = Math.min(20, Math.floor(n / 5));
  const topStart = n - topCount;
  const hubs = new Set<number>();
  while (hubs.size < Math.max(3, Math.round(n * 0.02))) hubs.add(Math.floor(rand() * Math.floor(n * 0.3)));
  const hubList = [...hubs].sort((a, b) => a - b);
  const pkgs: Pkg[] = [];
  for (let i = 0; i < n; i++) {
    const ns = namespaces[i % nsCount]!;
    const short = `${pick(ADJ)}-${pick(NOUN)}-${i}`;
    const deps = new Set<number>();
    if (i >= leafEnd && i < topStart) {
      const r = rand();
      const k = r < 0.25 ? 1 : r < 0.5 ? 2 : r < 0.7 ? 3 : r < 0.85 ? 4 : 5;
      const window = Math.floor(n * 0.4);
      for (let t = 0; t < k * 3 && deps.size < k; t++) {
        const lowerHubs = hubList.filter((h) => h < i);
        if (rand() < 0.35 && lowerHubs.length > 0) deps.add(pick(lowerHubs));
        else deps.add(Math.max(0, i - window) + Math.floor(rand() * Math.min(i, window)));
      }
    } else if (i >= topStart) {
      const k = 3 + Math.floor(rand() * 6);
      while (deps.size < k) deps.add(leafEnd + Math.floor(rand() * (topStart - leafEnd)));
    }
    // Every tenth package has a second (patch) version.
    pkgs.push({ index: i, ns, short, name: `${ns}/${short}`, deps: [...deps], versions: i % 10 === 3 ? ['1.0.0', '1.0.1'] : ['1.0.0'] });
  }
  // Every package in the consumer's tree: one that nothing reachable depends on
  // becomes a dependency of a later, reachable package (all later ones are, by induction).
  const tops = pkgs.slice(topStart).map((p) => p.index);
  const reached = new Set<number>(tops);
  for (let j = n - 1; j >= 0; j--) {
    if (!reached.has(j)) {
      const k = j + 1 + Math.floor(rand() * Math.min(60, n - 1 - j));
      pkgs[k]!.deps.push(j);
    }
    for (const d of pkgs[j]!.deps) reached.add(d);
    reached.add(j);
  }
  for (const p of pkgs) p.deps.sort((a, b) => a - b);
  return { pkgs, tops, namespaces };
}

const ident = (p: Pkg): string => p.short.replace(/-/g, '_');

/** The files of one version: prebuilt JS with declarations (no compile step), a README and a licence. */
function packageFiles(p: Pkg, version: string, all: readonly Pkg[]): Record<string, string> {
  const deps = p.deps.map((d) => all[d]!);
  const dependencies: Record<string, string> = {};
  for (const d of deps) dependencies[d.name] = '^1.0.0';
  const imports = deps.map((d, k) => `import { id as dep${k} } from '${d.name}'; // \`ver:"^1.0.0"\``).join('\n');
  const fn = ident(p);
  const helpers = Array.from({ length: 12 }, (_, k) => [
    `/** Helper ${k} of ${p.name}: folds a string into a small number. */`,
    `export function ${fn}_helper${k}(input) {`,
    `  let acc = ${k + 1};`,
    '  for (let i = 0; i < input.length; i++) acc = (acc * 31 + input.charCodeAt(i)) % 1000003;',
    `  return acc + ${p.index};`,
    '}',
  ].join('\n')).join('\n\n');
  const helperDecls = Array.from({ length: 12 }, (_, k) => `/** Helper ${k} of ${p.name}. */\nexport declare function ${fn}_helper${k}(input: string): number;`).join('\n');
  return {
    'package.json': JSON.stringify({
      name: p.name, version, description: `Benchmark package ${p.index}`, type: 'module', main: 'index.js', types: 'index.d.ts',
      license: 'MIT', ...(deps.length > 0 ? { dependencies } : {}),
    }, null, 2) + '\n',
    'index.js': `${imports}\nexport * from './lib/util.js';\n\nexport const id = '${p.name}@${version}';\n\n/** This package's id and its direct dependencies' ids. */\nexport function ${fn}() {\n  return [id${deps.map((_, k) => `, dep${k}`).join('')}].join(' ');\n}\n`,
    'index.d.ts': `export * from './lib/util.js';\nexport declare const id: string;\n/** This package's id and its direct dependencies' ids. */\nexport declare function ${fn}(): string;\n`,
    'lib/util.js': `${helpers}\n`,
    'lib/util.d.ts': `${helperDecls}\n`,
    'README.md': `# ${p.name}\n\nA generated package for gopkgr's install benchmark (package ${p.index}, version ${version}).\n\n## Usage\n\n\`\`\`ts\nimport { ${fn} } from '${p.name}';\nconsole.log(${fn}());\n\`\`\`\n\nIt depends on ${deps.length === 0 ? 'nothing' : deps.map((d) => `\`${d.name}\``).join(', ')}.\n`,
    LICENSE: `MIT License\n\nCopyright (c) 2026 gopkgr bench\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the "Software"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.\n`,
  };
}

interface Built {
  pkg: Pkg;
  version: string;
  tarball: Uint8Array;
  sha256: string;
  packageJson: Record<string, unknown>;
}

// ---------------------------------------------------------------- gopkgr: the dev chain

interface GopkgrNode {
  child: ChildProcess;
  url: string;
}

function startGopkgrNode(home: string, port: number): Promise<GopkgrNode> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GOPKGR_BIN, 'node', '--dev', '--json', '--api', `127.0.0.1:${port}`, '--listen', '/ip4/127.0.0.1/tcp/0'], {
      cwd: REPO, env: { ...process.env, GOPKGR_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`gopkgr node did not start in 60 s:\n${stderr}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const nl = stdout.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        const ready = JSON.parse(stdout.slice(0, nl)) as { api: string };
        resolve({ child, url: ready.api });
      } catch (err) {
        reject(err);
      }
    });
    child.on('close', (code) => {
      children.delete(child);
      clearTimeout(timer);
      reject(new Error(`gopkgr node exited (${code}):\n${stderr}`));
    });
  });
}

const MINER_KEY = keyPairFromSecret(sha256(new TextEncoder().encode('bench-install-miner'))).publicKey;

function mineBlock(work: Work): Uint8Array {
  const candidate = buildCandidate(work, MINER_KEY, Math.max(Date.now(), work.minTime + 1));
  return mineOnThisThread(candidate).bytes;
}

class ChainPublisher {
  private readonly client: NodeClient;
  private readonly source: WorkSource;
  private readonly nonces = new Map<string, number>();
  private readonly pendingBySender = new Map<string, number>();
  private pendingBytes = 0;
  blocks = 0;
  txs = 0;

  constructor(readonly url: string, private readonly chainId: Uint8Array, private readonly workBits: number) {
    this.client = new NodeClient(url);
    this.source = httpSource(url);
  }

  /** Sign and submit; returns the tx id. Mines first when a sender or the block would be full. */
  async submit<K extends SignedTxType>(key: KeyPair, type: K, body: BodyByType[K]): Promise<string> {
    const sender = toHex(key.publicKey);
    if ((this.pendingBySender.get(sender) ?? 0) >= 56 || this.pendingBytes > 2.5 * 1024 * 1024) await this.flush();
    let nonce = this.nonces.get(sender);
    if (nonce === undefined) nonce = (await this.client.get<{ nextNonce: number }>(`/v1/accounts/id:${sender}`)).nextNonce;
    const tx = signTx({ type, from: key.publicKey, nonce, body } as Omit<UnsignedTx, 'stamp' | 'v'>, key.secretKey, this.chainId, this.workBits);
    const bytes = encodeTx(tx);
    await this.client.request('POST', '/v1/txs', bytes, 'application/cbor');
    this.nonces.set(sender, nonce + 1);
    this.pendingBySender.set(sender, (this.pendingBySender.get(sender) ?? 0) + 1);
    this.pendingBytes += bytes.length;
    this.txs++;
    return toHex(txId(bytes));
  }

  /** Mine blocks until the pool is empty. */
  async flush(): Promise<void> {
    for (;;) {
      const work = await this.source.getWork();
      if (work.txs.length === 0) break;
      const result = await this.source.submit(mineBlock(work));
      const after = await this.source.getWork();
      if (after.parent === work.parent) throw new Error(`mined block did not become the head: ${JSON.stringify(result)}`);
      this.blocks++;
    }
    this.pendingBySender.clear();
    this.pendingBytes = 0;
  }
}

async function publishToChain(url: string, built: readonly Built[], pkgs: readonly Pkg[], namespaces: readonly string[]): Promise<void> {
  const client = new NodeClient(url);
  const status = await client.status();
  const pub = new ChainPublisher(url, fromHex(status.chainId), status.txWorkBits);
  const keys = new Map(namespaces.map((ns) => [ns, keyPairFromSecret(sha256(new TextEncoder().encode(`bench-install-${ns}`)))]));
  const manifestOf = (name: string): Canonical => ({ format: MANIFEST_FORMAT, name, exports: [], internal: [] }) as unknown as Canonical;

  await mapLimit(built, 8, (b) => client.putBlob(b.sha256, b.tarball));
  for (const ns of namespaces) await pub.submit(keys.get(ns)!, 'claim', { ns });

  // name → newest version published so far and its hash; version → transitive closure.
  const latest = new Map<number, { version: string; hash: string }>();
  const closure = new Map<number, Set<number>>();
  const closureOf = (i: number): Set<number> => {
    let c = closure.get(i);
    if (c === undefined) {
      c = new Set<number>();
      for (const d of pkgs[i]!.deps) {
        c.add(d);
        for (const x of closureOf(d)) c.add(x);
      }
      closure.set(i, c);
    }
    return c;
  };
  const ids = new Map<number, string>();
  for (const b of built) {
    const p = b.pkg;
    const key = keys.get(p.ns)!;
    if (!ids.has(p.index)) ids.set(p.index, await pub.submit(key, 'create', { ns: p.ns, name: p.short }));
    const deps: Record<string, string> = {};
    for (const d of p.deps) deps[pkgs[d]!.name] = '^1.0.0';
    const lock: Record<string, Uint8Array> = {};
    for (const d of closureOf(p.index)) {
      const l = latest.get(d)!;
      lock[`${pkgs[d]!.name}@${l.version}`] = fromHex(l.hash);
    }
    const manifest = manifestOf(p.name);
    await pub.submit(key, 'publish', {
      pkg: fromHex(ids.get(p.index)!), version: b.version, contentHash: fromHex(b.sha256), size: b.tarball.length,
      apiHash: manifestHash(manifest), manifest, deps, lock,
    });
    latest.set(p.index, { version: b.version, hash: b.sha256 });
  }
  await pub.flush();
  log(`chain: ${pub.txs} txs in ${pub.blocks} blocks`);
}

// ---------------------------------------------------------------- npm side: verdaccio

async function startVerdaccio(bin: string, dir: string, port: number): Promise<{ child: ChildProcess; url: string; token: string }> {
  const config = [
    `storage: ${JSON.stringify(path.join(dir, 'storage'))}`,
    'auth:',
    '  htpasswd:',
    `    file: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
    '    max_users: 100',
    'uplinks: {}',
    'packages:',
    "  '@*/*':",
    '    access: $all',
    '    publish: $all',
    "  '**':",
    '    access: $all',
    '    publish: $all',
    'web:',
    '  enable: false',
    'max_body_size: 100mb',
    'log: { type: stdout, format: json, level: error }',
    '',
  ].join('\n');
  const configPath = path.join(dir, 'config.yaml');
  await writeFile(configPath, config);
  const child = spawn(process.execPath, [bin, '--config', configPath, '--listen', `127.0.0.1:${port}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  child.on('close', () => children.delete(child));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/-/ping`)).ok, 60_000, `verdaccio to start (${output.slice(-2000)})`);
  const res = await fetch(`${url}/-/user/org.couchdb.user:bench`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ _id: 'org.couchdb.user:bench', name: 'bench', password: 'bench-password', type: 'user', roles: [], date: new Date().toISOString() }),
  });
  const body = (await res.json()) as { token?: string; error?: string };
  if (!res.ok || body.token === undefined) throw new Error(`verdaccio adduser failed: HTTP ${res.status} ${JSON.stringify(body)}`);
  return { child, url, token: body.token };
}

/** What `npm publish` sends (libnpmpublish): the version's manifest with dist, and the tarball as a base64 attachment. */
async function publishToVerdaccio(url: string, token: string, b: Built): Promise<void> {
  const name = b.pkg.name;
  const tarballName = `${name}-${b.version}.tgz`;
  const bytes = Buffer.from(b.tarball);
  const manifest = {
    ...b.packageJson,
    _id: `${name}@${b.version}`,
    dist: {
      integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
      shasum: createHash('sha1').update(bytes).digest('hex'),
      tarball: `${url}/${name}/-/${b.pkg.short}-${b.version}.tgz`,
    },
  };
  const root = {
    _id: name, name, description: b.packageJson.description, 'dist-tags': { latest: b.version }, versions: { [b.version]: manifest }, access: null,
    _attachments: { [tarballName]: { content_type: 'application/octet-stream', data: bytes.toString('base64'), length: bytes.length } },
  };
  const res = await fetch(`${url}/${name.replace('/', '%2f')}`, {
    method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(root),
  });
  if (!res.ok) throw new Error(`verdaccio publish of ${name}@${b.version}: HTTP ${res.status} ${await res.text()}`);
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
  const t0 = performance.now();

  // 1. Packages.
  const { pkgs, tops, namespaces } = generateGraph(N);
  const built: Built[] = [];
  for (const p of pkgs) {
    for (const version of p.versions) {
      const dir = path.join(root, 'src-pkgs', p.ns, `${p.short}@${version}`);
      await writeFiles(dir, packageFiles(p, version, pkgs));
      const packed = await packPackage(dir);
      built.push({ pkg: p, version, tarball: packed.tarball, sha256: packed.sha256, packageJson: packed.packageJson });
    }
  }
  const edges = pkgs.reduce((s, p) => s + p.deps.length, 0);
  const tarBytes = built.reduce((s, b) => s + b.tarball.length, 0);
  log(`generated ${N} packages (${built.length} versions, ${edges} dependency edges, ${namespaces.length} namespaces, ${(tarBytes / 1024).toFixed(0)} KiB of tarballs) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // 2. The dev chain.
  const nodePort = await freePort();
  const node = await startGopkgrNode(path.join(root, 'node-home'), nodePort);
  const t1 = performance.now();
  await publishToChain(node.url, built, pkgs, namespaces);
  log(`published ${built.length} versions to the dev chain at ${node.url} in ${((performance.now() - t1) / 1000).toFixed(1)} s`);

  // 3. verdaccio.
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

  // 4. Consumers.
  const topPkgs = tops.map((i) => pkgs[i]!);
  const mainMjs = `${topPkgs.map((p, k) => `import { ${ident(p)} as top${k} } from '${p.name}';`).join('\n')}\nconst out = [${topPkgs.map((_, k) => `top${k}()`).join(', ')}];\nconsole.log(out.length);\n`;
  const gApp = path.join(root, 'app-gopkgr');
  await writeFiles(gApp, {
    'package.json': JSON.stringify({ name: 'bench-app', private: true, type: 'module' }, null, 2) + '\n',
    'src/app.ts': `${topPkgs.map((p, k) => `import { ${ident(p)} as top${k} } from '${p.name}'; // \`ver:"^1.0.0"\``).join('\n')}\nexport const all: string[] = [${topPkgs.map((_, k) => `top${k}()`).join(', ')}];\n`,
    'main.mjs': mainMjs,
  });
  const dependencies = Object.fromEntries(topPkgs.map((p) => [p.name, '^1.0.0']));
  const npmrc = `registry=${verdaccio.url}/\n//127.0.0.1:${vPort}/:_authToken=${verdaccio.token}\n`;
  const pkgJson = JSON.stringify({ name: 'bench-app', version: '1.0.0', private: true, type: 'module', dependencies }, null, 2) + '\n';
  const nApp = path.join(root, 'app-npm');
  const pApp = path.join(root, 'app-pnpm');
  await writeFiles(nApp, { 'package.json': pkgJson, '.npmrc': npmrc, 'main.mjs': mainMjs });
  await writeFiles(pApp, { 'package.json': pkgJson, '.npmrc': npmrc, 'main.mjs': mainMjs });
  const userNpmrc = path.join(root, 'user.npmrc');
  await writeFile(userNpmrc, npmrc);

  const gEnv = { GOPKGR_HOME: path.join(root, 'consumer-home'), GOPKGR_NODE: node.url };
  const npmCache = path.join(root, 'npm-cache');
  // Only our .npmrc as user config. This machine's global npmrc sets omit-lockfile-registry-resolved,
  // which makes `npm ci --offline` ask for packuments it never cached: npmFlags restores npm's default.
  const toolEnv = { npm_config_userconfig: userNpmrc, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  const pnpmFlags = ['--store-dir', path.join(root, 'pnpm-store'), '--cache-dir', path.join(root, 'pnpm-cache'), '--reporter', 'silent'];
  const npmFlags = ['--cache', npmCache, '--omit-lockfile-registry-resolved=false', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel', 'error'];
  const gopkgrArgs = (offline: boolean): string[] => [GOPKGR_BIN, 'get', ...(offline ? ['--offline'] : [])];

  // The installed command runs the JavaScript npm compiles on install (scripts/build.mjs); make sure it is current.
  await mustRun('build', process.execPath, [path.join(REPO, 'scripts/build.mjs')], { cwd: REPO, env: {} });
  const first = {
    gopkgr: await mustRun('gopkgr get', process.execPath, gopkgrArgs(false), { cwd: gApp, env: gEnv }),
    pnpm: await mustRun('pnpm install', tools.pnpm, ['install', ...pnpmFlags], { cwd: pApp, env: toolEnv }),
    npm: await mustRun('npm install', tools.npm, ['install', ...npmFlags], { cwd: nApp, env: toolEnv }),
  };
  log(`first (online, cold cache) installs: gopkgr get ${first.gopkgr.ms.toFixed(0)} ms, pnpm install ${first.pnpm.ms.toFixed(0)} ms, npm install ${first.npm.ms.toFixed(0)} ms`);
  for (const [tool, dir] of [['gopkgr', gApp], ['pnpm', pApp], ['npm', nApp]] as const) {
    // pnpm keeps every package under node_modules/.pnpm/<name>@<version>/ and links only the direct deps at the top.
    const installed = tool === 'pnpm'
      ? (await readdir(path.join(dir, 'node_modules/.pnpm'))).filter((d) => d.startsWith('@')).length
      : await countInstalled(path.join(dir, 'node_modules'));
    const ran = await mustRun(`node main.mjs after ${tool}`, process.execPath, ['main.mjs'], { cwd: dir });
    log(`${tool}: ${installed} packages installed, main.mjs ran (${ran.stdout.trim()} tops)`);
    if (installed !== N) throw new Error(`${tool} installed ${installed} packages, expected ${N}`);
  }

  // 5. Cold resolve: the solver alone over the index of the whole tree, in this
  // process (which has not solved anything before: the first call is cold).
  const requirements: Requirement[] = topPkgs.map((p) => ({ name: p.name, range: '^1.0.0', origin: 'src/app.ts' }));
  const tf = performance.now();
  const fetched = await fetchIndex(requirements.map((r) => r.name), new NodeClient(node.url));
  const fetchMs = performance.now() - tf;
  const tc = performance.now();
  const solution = solve(mapIndex(fetched.packages), requirements);
  const coldMs = performance.now() - tc;
  const selected = solution.selected.size;
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) {
    const tw = performance.now();
    solve(mapIndex(fetched.packages), requirements);
    warm.push(performance.now() - tw);
  }
  const warmMs = median(warm);

  // The node is stopped for the offline runs: gopkgr must not need it.
  node.child.kill('SIGINT');
  await new Promise<void>((r) => (node.child.exitCode !== null ? r() : node.child.once('close', () => r())));

  const times = { gopkgr: [] as number[], pnpm: [] as number[], npm: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    await rm(path.join(gApp, 'node_modules'), { recursive: true, force: true });
    times.gopkgr.push((await mustRun('gopkgr get --offline', process.execPath, gopkgrArgs(true), { cwd: gApp, env: gEnv })).ms);
    await rm(path.join(pApp, 'node_modules'), { recursive: true, force: true });
    times.pnpm.push((await mustRun('pnpm install --offline', tools.pnpm, ['install', '--offline', '--frozen-lockfile', ...pnpmFlags], { cwd: pApp, env: toolEnv })).ms);
    await rm(path.join(nApp, 'node_modules'), { recursive: true, force: true });
    times.npm.push((await mustRun('npm ci --offline', tools.npm, ['ci', '--offline', ...npmFlags], { cwd: nApp, env: toolEnv })).ms);
    log(`run ${i + 1}/${RUNS}: gopkgr ${times.gopkgr.at(-1)!.toFixed(0)} ms, pnpm ${times.pnpm.at(-1)!.toFixed(0)} ms, npm ${times.npm.at(-1)!.toFixed(0)} ms`);
  }
  for (const [tool, dir] of [['gopkgr', gApp], ['pnpm', pApp], ['npm', nApp]] as const) {
    await mustRun(`node main.mjs after the offline ${tool} install`, process.execPath, ['main.mjs'], { cwd: dir });
  }

  const g = median(times.gopkgr);
  const p = median(times.pnpm);
  const n = median(times.npm);
  console.log(`packages: ${N} (${built.length} versions, ${edges} edges); runs: ${RUNS}, medians`);
  console.log(`gopkgr get --offline (warm): ${g.toFixed(0)} ms`);
  console.log(`pnpm install --offline (warm): ${p.toFixed(0)} ms`);
  console.log(`npm ci --offline (warm): ${n.toFixed(0)} ms`);
  console.log(`index fetch of ${selected} packages from the node (HTTP): ${fetchMs.toFixed(0)} ms`);
  console.log(`cold resolve of ${selected} packages: ${coldMs.toFixed(0)} ms (warm: ${warmMs.toFixed(1)} ms; goal < 100 ms)`);
  console.log(`ratio gopkgr/npm: ${(g / n).toFixed(2)}`);
  console.log(`ratio gopkgr/pnpm: ${(g / p).toFixed(2)}`);
} finally {
  clearTimeout(deadline);
  for (const c of children) c.kill('SIGKILL');
  if (opts.keep === true) log(`kept ${root}`);
  else await rm(root, { recursive: true, force: true });
}
