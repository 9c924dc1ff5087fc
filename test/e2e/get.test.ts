/**
 * `gopkgr get` end to end, through real processes: a dev node that mines; a
 * three-level graph with a diamond (top → left, right → base) published through
 * the CLI, each level installing its own deps first; a consumer with
 * comment-tagged imports that `node` runs and `tsc --noEmit` type-checks; a
 * second run that changes nothing; a conflict explained as a chain; a tampered
 * blob and a path-traversal tarball rejected leaving nothing behind; `--offline`
 * reinstall with the node stopped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { watch } from 'node:fs';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { pack } from 'tar-stream';
import { fromHex, keyPairFromSecret, manifestHash, type Canonical } from '../../ledger/index.ts';
import { MANIFEST_FORMAT } from '../../infver/index.ts';
import { NodeClient } from '../../cli/client.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { getJson } from '../support/http.ts';
import { freePort } from '../support/ports.ts';
import { gopkgr, REPO, spawnGopkgr, spawnNode, type RunningNode } from '../support/processes.ts';
import { WAIT_TIMEOUT_MS } from '../support/timeouts.ts';


const run = promisify(execFile);
const TSC = path.join(REPO, 'node_modules/.bin/tsc');

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
}

const pkgJson = (name: string): string => JSON.stringify({ name, type: 'module', main: 'index.js', types: 'index.d.ts' });

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

type TarEntry = { name: string; body?: string; type?: 'symlink'; linkname?: string };

function tarballOf(entries: TarEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<Buffer>((r) => p.on('end', () => r(gzipSync(Buffer.concat(chunks)))));
  for (const e of entries) {
    if (e.type === 'symlink') p.entry({ name: e.name, type: 'symlink', linkname: e.linkname });
    else p.entry({ name: e.name }, e.body ?? '');
  }
  p.finalize();
  return ended;
}

/** Temp names an install makes (cli/install/leftovers.ts), wherever they are. */
const isTemp = (rel: string): boolean => /(^|\/)\.gopkgr-(staging|trash|unpack)-|\.gopkgr-tmp-/.test(rel);

/** What a directory holds, recursively, as sorted relative paths. */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      out.push(child);
      if (e.isDirectory()) await walk(child);
    }
  };
  if (await exists(dir)) await walk('');
  return out.sort();
}

describe('gopkgr get end to end', () => {
  let work: string;
  let nodeHome: string;
  let port: number;
  let node: RunningNode | undefined;
  let publisher: Record<string, string>;
  let consumerEnv: Record<string, string>;
  let app: string;
  const hashes: Record<string, string> = {};

  const publish = async (dir: string): Promise<Record<string, unknown>> => {
    const r = await gopkgr(['publish', dir, '--json'], { env: publisher });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return r.json;
  };

  beforeAll(async () => {
    work = await tempDir('gopkgr-e2e-get-');
    nodeHome = path.join(work, 'node-home');
    port = await freePort();
    publisher = { GOPKGR_HOME: nodeHome, GOPKGR_NODE: `http://127.0.0.1:${port}` };
    consumerEnv = { GOPKGR_HOME: path.join(work, 'consumer-home'), GOPKGR_NODE: `http://127.0.0.1:${port}` };
    expect((await gopkgr(['init', '--json'], { env: publisher })).code).toBe(0);
    node = await spawnNode(['--dev', '--mine', '--threads', '1', '--api', `127.0.0.1:${port}`], { env: publisher });
    expect((await gopkgr(['namespace', 'claim', '@acme', '--json'], { env: publisher })).code).toBe(0);

    const tagged = (name: string, range = '^1.0.0'): string => `import { ${name.split('/')[1]} } from '${name}'; // \`ver:"${range}"\``;
    await write(path.join(work, 'base'), {
      'package.json': pkgJson('@acme/base'),
      'index.ts': "import { twice } from './util.ts';\n/** Wrap a string. */\nexport function base(x: string): string {\n  return `base(${twice(x)})`;\n}\n",
      'util.ts': 'export function twice(x: string): string {\n  return x + x;\n}\n',
    });
    for (const side of ['left', 'right']) {
      await write(path.join(work, side), {
        'package.json': pkgJson(`@acme/${side}`),
        'index.ts': `${tagged('@acme/base')}\nexport function ${side}(x: string): string {\n  return '${side}:' + base(x);\n}\n`,
      });
    }
    await write(path.join(work, 'top'), {
      'package.json': pkgJson('@acme/top'),
      // A multi-line import list with its tag after the semicolon.
      'index.ts': `${tagged('@acme/left')}\nimport {\n  right,\n} from '@acme/right'; // \`ver:"^1.0.0"\`\nexport function top(x: string): string {\n  return left(x) + '|' + right(x);\n}\n`,
    });

    hashes.base = (await publish(path.join(work, 'base'))).contentHash as string;
    for (const dir of ['left', 'right', 'top']) {
      // A package installs its own deps (so tsc can compile it), then publishes its tree.
      const got = await gopkgr(['get', '--json'], { env: publisher, cwd: path.join(work, dir) });
      expect(got.code, got.stdout + got.stderr).toBe(0);
      const published = await publish(path.join(work, dir));
      hashes[dir] = published.contentHash as string;
    }

    app = path.join(work, 'app');
    await write(app, {
      'package.json': JSON.stringify({ name: 'app', type: 'module', private: true }),
      'src/main.ts': `import { top } from '@acme/top'; // \`ver:"^1.0.0"\`\nimport type {} from '@acme/left'; // \`ver:"^1.0.0"\`\nconst out: string = top('x');\nexport { out };\n`,
      'run.mjs': `import { top } from '@acme/top'; // \`ver:"^1.0.0"\`\nconsole.log(top('x'));\n`,
      'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: [] }, include: ['src'] }),
    });
  }, 600_000); // init, a node, four publishes and three installs: minutes on a loaded 2-core machine

  afterAll(closeAll);

  it('records each package\'s closed dependency tree on chain', async () => {
    const { body } = await getJson<{ versions: Array<{ deps: Record<string, string>; lock: Record<string, string> }> }>(`http://127.0.0.1:${port}/v1/packages/@acme/top`);
    expect(body.versions[0]!.deps).toEqual({ '@acme/left': '^1.0.0', '@acme/right': '^1.0.0' });
    expect(body.versions[0]!.lock).toEqual({ '@acme/base@1.0.0': hashes.base, '@acme/left@1.0.0': hashes.left, '@acme/right@1.0.0': hashes.right });
    // POST /v1/resolve answers the same tree in one request.
    const res = await fetch(`http://127.0.0.1:${port}/v1/resolve`, { method: 'POST', body: JSON.stringify({ requirements: { '@acme/top': '^1.0.0' } }) });
    const resolved = (await res.json()) as { lock: Record<string, string> };
    expect(resolved.lock).toEqual({ ...body.versions[0]!.lock, '@acme/top@1.0.0': hashes.top });
    expect(resolved).not.toHaveProperty('packages');
    // With "index": true, also what GET /v1/packages answers for every package of the tree (what `get` solves over).
    const withIndex = await fetch(`http://127.0.0.1:${port}/v1/resolve`, { method: 'POST', body: JSON.stringify({ requirements: { '@acme/top': '^1.0.0' }, index: true }) });
    const tree = (await withIndex.json()) as { lock: Record<string, string>; packages: Record<string, unknown> };
    expect(tree.lock).toEqual(resolved.lock);
    expect(Object.keys(tree.packages).sort()).toEqual(['@acme/base', '@acme/left', '@acme/right', '@acme/top']);
    expect(tree.packages['@acme/top']).toEqual(body);
  });

  it('installs a consumer that node runs and tsc type-checks; a second run changes nothing', async () => {
    const got = await gopkgr(['get', '--json'], { env: consumerEnv, cwd: app });
    expect(got.code, got.stdout + got.stderr).toBe(0);
    expect(got.json.installed).toEqual(['@acme/base', '@acme/left', '@acme/right', '@acme/top']);

    const { stdout } = await run(process.execPath, ['run.mjs'], { cwd: app });
    expect(stdout.trim()).toBe('left:base(xx)|right:base(xx)');
    await run(TSC, ['--noEmit', '-p', app], { cwd: app });
    // Emitted .d.ts files are there; the .ts sources they shadow are not.
    expect(await tree(path.join(app, 'node_modules/@acme/base'))).toEqual(['index.d.ts', 'index.js', 'package.json', 'util.d.ts', 'util.js']);

    const lock = JSON.parse(await readFile(path.join(app, 'gopkgr.lock'), 'utf8')) as { packages: Record<string, { version: string; contentHash: string; satisfying: Record<string, unknown> }> };
    expect(Object.keys(lock.packages)).toEqual(['@acme/base', '@acme/left', '@acme/right', '@acme/top']);
    expect(lock.packages['@acme/base']).toMatchObject({ version: '1.0.0', contentHash: hashes.base, satisfying: { '1.0.0': { contentHash: hashes.base } } });
    const importMap = JSON.parse(await readFile(path.join(app, 'import_map.json'), 'utf8')) as { imports: Record<string, string> };
    expect(importMap.imports['@acme/top']).toBe('./node_modules/@acme/top/index.js');
    expect(await exists(path.join(consumerEnv.GOPKGR_HOME!, 'cache', hashes.top!))).toBe(true);

    const before = await Promise.all(['gopkgr.lock', 'import_map.json', 'node_modules/@acme/top/index.js'].map(async (f) => (await stat(path.join(app, f))).mtimeMs));
    const again = await gopkgr(['get', '--json'], { env: consumerEnv, cwd: app });
    expect(again.code, again.stderr).toBe(0);
    expect(again.json).toMatchObject({ changed: false, installed: [], fromLockfile: true });
    const after = await Promise.all(['gopkgr.lock', 'import_map.json', 'node_modules/@acme/top/index.js'].map(async (f) => (await stat(path.join(app, f))).mtimeMs));
    expect(after).toEqual(before);
  });

  it('adds a dependency without a tag: `gopkgr get @acme/right`', async () => {
    const got = await gopkgr(['get', '@acme/right', '--json'], { env: consumerEnv, cwd: app });
    expect(got.code, got.stderr).toBe(0);
    expect(got.json.added).toEqual({ '@acme/right': '^1.0.0' });
    const lock = JSON.parse(await readFile(path.join(app, 'gopkgr.lock'), 'utf8')) as { added: Record<string, string> };
    expect(lock.added).toEqual({ '@acme/right': '^1.0.0' });
  });

  it('explains a conflict as a chain of requirements, and leaves the project as it was', async () => {
    // base 2.0.0: the API lost `base`, so InfVer makes it a major step.
    await write(path.join(work, 'base'), { 'index.ts': "export function base2(x: string): string {\n  return x;\n}\n" });
    await rm(path.join(work, 'base/util.ts'));
    expect((await publish(path.join(work, 'base'))).version).toBe('2.0.0');
    const lockBefore = await readFile(path.join(app, 'gopkgr.lock'), 'utf8');
    const nmBefore = await tree(path.join(app, 'node_modules'));
    await writeFile(path.join(app, 'src/extra.ts'), "import { base2 } from '@acme/base'; // `ver:\"^2.0.0\"`\nexport const b = base2;\n");
    const got = await gopkgr(['get'], { env: consumerEnv, cwd: app });
    await rm(path.join(app, 'src/extra.ts'));
    expect(got.code).toBe(1);
    expect(got.stderr).toContain('(RESOLVE_CONFLICT)');
    expect(got.stderr).toContain('depends on @acme/base ^1.0.0');
    expect(got.stderr).toContain('your project (src/extra.ts:1) requires @acme/base ^2.0.0');
    expect(got.stderr).toMatch(/So, because .*the requirements cannot all be met\./);
    // The explanation keeps its lines (its steps refer to each other by number).
    expect(got.stderr.split('\n').some((line) => line.startsWith('So, because '))).toBe(true);
    expect(await readFile(path.join(app, 'gopkgr.lock'), 'utf8')).toBe(lockBefore);
    expect(await tree(path.join(app, 'node_modules'))).toEqual(nmBefore);
  });

  it('rejects a tampered blob before writing anything', async () => {
    const blob = path.join(nodeHome, 'blobs', hashes.left!.slice(0, 2), hashes.left!);
    const original = await readFile(blob);
    const fresh = path.join(work, 'app-tampered');
    await cp(app, fresh, { recursive: true, filter: (src) => !src.includes('node_modules') });
    try {
      await writeFile(blob, Buffer.concat([original, Buffer.from('tampered')]));
      const got = await gopkgr(['get'], { env: { ...consumerEnv, GOPKGR_HOME: path.join(work, 'empty-cache-home') }, cwd: fresh });
      expect(got.code).toBe(1);
      expect(got.stderr.trim().split('\n')).toHaveLength(1);
      expect(got.stderr).toContain(`the tarball of @acme/left@1.0.0 from http://127.0.0.1:${port} hashes to`);
      expect(got.stderr).toContain('(BLOB_TAMPERED)');
      expect(await tree(fresh)).toEqual(['gopkgr.lock', 'import_map.json', 'package.json', 'run.mjs', 'src', 'src/main.ts', 'tsconfig.json']);
      expect(await tree(path.join(work, 'empty-cache-home', 'cache'))).toEqual([]);
    } finally {
      await writeFile(blob, original);
    }
  });

  /** Publish a tarball made by hand (the CLI's packer could never make these) as `@acme/<name>@1.0.0`; returns its hash. */
  const publishByHand = async (name: string, entries: TarEntry[]): Promise<string> => {
    const tarball = await tarballOf(entries);
    const hash = createHash('sha256').update(tarball).digest('hex');
    const keyFile = JSON.parse(await readFile(path.join(nodeHome, 'key.json'), 'utf8')) as { secretKey: string };
    const key = keyPairFromSecret(fromHex(keyFile.secretKey));
    const client = new NodeClient(`http://127.0.0.1:${port}`);
    await client.putBlob(hash, tarball);
    const created = await client.submit(key, 'create', { ns: '@acme', name });
    await client.waitForTx(created.id, WAIT_TIMEOUT_MS);
    const manifest = { format: MANIFEST_FORMAT, name: `@acme/${name}`, exports: [], internal: [] } as unknown as Canonical;
    const published = await client.submit(key, 'publish', {
      pkg: fromHex(created.id), version: '1.0.0', contentHash: fromHex(hash), size: tarball.length, apiHash: manifestHash(manifest), manifest, deps: {}, lock: {},
    });
    await client.waitForTx(published.id, WAIT_TIMEOUT_MS);
    return hash;
  };

  it('rejects a path-traversal tarball and leaves no file of it anywhere', async () => {
    const hash = await publishByHand('evil', [
      { name: 'package/package.json', body: '{"name":"@acme/evil"}' },
      { name: 'package/index.js', body: 'export {};' },
      { name: 'package/../../evil-was-here.js', body: 'pwned' },
    ]);
    const victim = path.join(work, 'victim');
    await write(victim, { 'app/main.mjs': "import '@acme/evil'; // `ver:\"^1.0.0\"`\n" });
    const project = path.join(victim, 'app');
    const got = await gopkgr(['get'], { env: consumerEnv, cwd: project });
    expect(got.code).toBe(1);
    expect(got.stderr).toContain('tarball of @acme/evil@1.0.0');
    expect(got.stderr).toContain('leaves the package directory');
    expect(got.stderr).toContain('(TARBALL_UNSAFE)');
    expect(await tree(victim)).toEqual(['app', 'app/main.mjs']);
    expect(await exists(path.join(consumerEnv.GOPKGR_HOME!, 'cache', hash))).toBe(false);
  });

  it('rejects a tarball whose symlink chain resolves outside (d -> ., e -> d/d/…/..), storing nothing', async () => {
    const hash = await publishByHand('chain', [
      { name: 'package/package.json', body: '{"name":"@acme/chain"}' },
      { name: 'package/index.js', body: 'export {};' },
      { name: 'package/d', type: 'symlink', linkname: '.' },
      { name: 'package/e', type: 'symlink', linkname: 'd/d/d/d/d/d/d/../../../../../..' },
    ]);
    const victim = path.join(work, 'victim-chain');
    await write(victim, { 'app/main.mjs': "import '@acme/chain'; // `ver:\"^1.0.0\"`\n" });
    const home = path.join(work, 'chain-home');
    const got = await gopkgr(['get'], { env: { ...consumerEnv, GOPKGR_HOME: home }, cwd: path.join(victim, 'app') });
    expect(got.code).toBe(1);
    expect(got.stderr.trim().split('\n')).toHaveLength(1);
    expect(got.stderr).toContain('tarball of @acme/chain@1.0.0');
    expect(got.stderr).toContain('symlink "e"');
    expect(got.stderr).toContain('(TARBALL_UNSAFE)');
    expect(await tree(victim)).toEqual(['app', 'app/main.mjs']);
    expect(await exists(path.join(home, 'cache', hash))).toBe(false);
    expect(await tree(path.join(home, 'store'))).toEqual([]);
  });

  it('a later run removes what a killed run left (planted as a kill leaves them), and keeps a live run\'s', async () => {
    const project = path.join(work, 'app-leftovers');
    await cp(app, project, { recursive: true, filter: (src) => !src.includes('node_modules') });
    const home = consumerEnv.GOPKGR_HOME!;
    // A pid that is certainly dead: a process that has exited.
    const dead = await new Promise<number>((resolve) => {
      const c = spawn(process.execPath, ['-e', '0']);
      c.on('exit', () => resolve(c.pid!));
    });
    const host = (await import('node:os')).hostname().toLowerCase().replace(/[^a-z0-9-]/g, '').slice(0, 32);
    const deadOwner = `${dead}@${host}`;
    const liveOwner = `${process.pid}@${host}`;
    const planted = [
      `.gopkgr-staging-${deadOwner}-0123456789ab/@acme+top/index.js`,
      `.gopkgr-trash-${deadOwner}-0123456789ab/@acme+base/index.js`,
      '.gopkgr-staging-Ab12Cd/x.js', // named by an earlier version (mkdtemp)
      `.gopkgr.lock.gopkgr-tmp-${deadOwner}-0123456789ab`,
      'node_modules/.gopkgr-state.json.tmp-0123456789ab',
    ];
    const kept = [`.gopkgr-staging-${liveOwner}-0123456789ab/y.js`, 'notes.tmp-0123456789ab'];
    for (const rel of [...planted, ...kept]) await write(project, { [rel]: 'leftover' });
    await write(home, { [`store/.gopkgr-unpack-${deadOwner}-0123456789ab/index.js`]: 'x', [`cache/.${'ab'.repeat(32)}.gopkgr-tmp-${deadOwner}-0123456789ab`]: 'x' });

    const got = await gopkgr(['get', '--json'], { env: consumerEnv, cwd: project });
    expect(got.code, got.stdout + got.stderr).toBe(0);
    const left = await tree(project);
    for (const rel of planted) expect(left).not.toContain(rel.split('/')[0] === 'node_modules' ? rel : rel.split('/')[0]);
    for (const rel of kept) expect(left).toContain(rel);
    expect((await tree(path.join(home, 'store'))).filter(isTemp)).toEqual([]);
    expect((await tree(path.join(home, 'cache'))).filter(isTemp)).toEqual([]);
    const { stdout } = await run(process.execPath, ['run.mjs'], { cwd: project });
    expect(stdout.trim()).toBe('left:base(xx)|right:base(xx)');
  });

  it('a get killed (SIGKILL) mid-install leaves nothing once the next run is done, and a working node_modules', async () => {
    let killedMidInstall = 0;
    for (let attempt = 0; attempt < 8 && killedMidInstall < 4; attempt++) {
      const project = path.join(work, `app-killed-${attempt}`);
      await cp(app, project, { recursive: true, filter: (src) => !src.includes('node_modules') });
      // Half the attempts replace an install (the trash is used), half start from nothing.
      if (attempt % 2 === 1) expect((await gopkgr(['get'], { env: consumerEnv, cwd: project })).code).toBe(0);
      if (attempt % 2 === 1) await writeFile(path.join(project, 'node_modules/.gopkgr-state.json'), JSON.stringify({ packages: { '@acme/top': 'f'.repeat(64), '@acme/base': 'f'.repeat(64), '@acme/gone': 'f'.repeat(64) } }));
      const home = path.join(work, `killed-home-${attempt}`);
      const env = { ...consumerEnv, GOPKGR_HOME: home };
      const child = spawnGopkgr(['get'], { cwd: project, env, stdio: 'ignore' });
      // Killed the moment the install makes its first temp name in the project
      // (staging, before any move), or, replacing an install, at its first move
      // in node_modules/@acme (in the middle of the moves: some packages are in
      // the trash, some new ones in place, the state file not yet final).
      const replacing = attempt % 2 === 1;
      const watcher = watch(replacing ? path.join(project, 'node_modules/@acme') : project, (_event, name) => {
        if (replacing || (name !== null && isTemp(String(name)))) child.kill('SIGKILL');
      });
      const ended = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      watcher.close();
      const leftBehind = (await tree(project)).filter(isTemp);
      if (ended === 'SIGKILL' && leftBehind.length > 0) killedMidInstall++;

      const next = await gopkgr(['get', '--json'], { env, cwd: project });
      expect(next.code, next.stdout + next.stderr).toBe(0);
      expect((await tree(project)).filter(isTemp)).toEqual([]);
      expect((await tree(path.join(home, 'store'))).filter(isTemp)).toEqual([]);
      const state = JSON.parse(await readFile(path.join(project, 'node_modules/.gopkgr-state.json'), 'utf8')) as { packages: Record<string, string> };
      expect(state.packages).toEqual({ '@acme/base': hashes.base, '@acme/left': hashes.left, '@acme/right': hashes.right, '@acme/top': hashes.top });
      const { stdout } = await run(process.execPath, ['run.mjs'], { cwd: project });
      expect(stdout.trim()).toBe('left:base(xx)|right:base(xx)');
    }
    // The kill did land mid-install (not before or after it), so the cleanup was tested.
    expect(killedMidInstall).toBeGreaterThan(0);
  }, 600_000);

  it('ends quietly when the reader of `status --json` goes away (no EPIPE stack trace)', async () => {
    const child = spawnGopkgr(['status', '--json'], { env: consumerEnv });
    child.stdout!.destroy();
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('reinstalls with --offline from the lockfile and the cache with the node stopped', async () => {
    node!.child.kill('SIGINT');
    await node!.exited;
    node = undefined;
    const lockBefore = await readFile(path.join(app, 'gopkgr.lock'), 'utf8');
    const online = await gopkgr(['get', '@acme/other'], { env: consumerEnv, cwd: app });
    expect(online.code).toBe(1);
    expect(online.stderr).toMatch(/cannot reach a gopkgr node at .* \(NODE_UNREACHABLE\); .*--offline/);
    expect(await readFile(path.join(app, 'gopkgr.lock'), 'utf8')).toBe(lockBefore);

    await rm(path.join(app, 'node_modules'), { recursive: true, force: true });
    const got = await gopkgr(['get', '--offline', '--json'], { env: consumerEnv, cwd: app });
    expect(got.code, got.stdout + got.stderr).toBe(0);
    expect(got.json.installed).toEqual(['@acme/base', '@acme/left', '@acme/right', '@acme/top']);
    const { stdout } = await run(process.execPath, ['run.mjs'], { cwd: app });
    expect(stdout.trim()).toBe('left:base(xx)|right:base(xx)');
  });
});
