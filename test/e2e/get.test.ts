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
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { pack } from 'tar-stream';
import { fromHex, keyPairFromSecret, manifestHash, type Canonical } from '../../node/index.ts';
import { MANIFEST_FORMAT } from '../../infver/index.ts';
import { NodeClient } from '../../cli/client.ts';
import { freePort, getJson, gopkgr, REPO, startNode, type RunningNode } from './cliProcess.ts';

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
    work = await mkdtemp(path.join(tmpdir(), 'gopkgr-e2e-get-'));
    nodeHome = path.join(work, 'node-home');
    port = await freePort();
    publisher = { GOPKGR_HOME: nodeHome, GOPKGR_NODE: `http://127.0.0.1:${port}` };
    consumerEnv = { GOPKGR_HOME: path.join(work, 'consumer-home'), GOPKGR_NODE: `http://127.0.0.1:${port}` };
    expect((await gopkgr(['init', '--json'], { env: publisher })).code).toBe(0);
    node = await startNode(['--dev', '--mine', '--threads', '1', '--api', `127.0.0.1:${port}`], { env: publisher });
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
  });

  afterAll(async () => {
    node?.child.kill('SIGKILL');
    await rm(work, { recursive: true, force: true });
  });

  it('records each package\'s closed dependency tree on chain', async () => {
    const { body } = await getJson<{ versions: Array<{ deps: Record<string, string>; lock: Record<string, string> }> }>(`http://127.0.0.1:${port}/v1/packages/@acme/top`);
    expect(body.versions[0]!.deps).toEqual({ '@acme/left': '^1.0.0', '@acme/right': '^1.0.0' });
    expect(body.versions[0]!.lock).toEqual({ '@acme/base@1.0.0': hashes.base, '@acme/left@1.0.0': hashes.left, '@acme/right@1.0.0': hashes.right });
    // POST /v1/resolve answers the same tree in one request.
    const res = await fetch(`http://127.0.0.1:${port}/v1/resolve`, { method: 'POST', body: JSON.stringify({ requirements: { '@acme/top': '^1.0.0' } }) });
    const resolved = (await res.json()) as { lock: Record<string, string> };
    expect(resolved.lock).toEqual({ ...body.versions[0]!.lock, '@acme/top@1.0.0': hashes.top });
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

  it('rejects a path-traversal tarball and leaves no file of it anywhere', async () => {
    // Published by hand: the CLI's packer could never make this tarball.
    const p = pack();
    const chunks: Buffer[] = [];
    p.on('data', (c: unknown) => chunks.push(c as Buffer));
    const ended = new Promise<void>((r) => p.on('end', () => r()));
    p.entry({ name: 'package/package.json' }, '{"name":"@acme/evil"}');
    p.entry({ name: 'package/index.js' }, 'export {};');
    p.entry({ name: 'package/../../evil-was-here.js' }, 'pwned');
    p.finalize();
    await ended;
    const tarball = gzipSync(Buffer.concat(chunks));
    const hash = createHash('sha256').update(tarball).digest('hex');
    const keyFile = JSON.parse(await readFile(path.join(nodeHome, 'key.json'), 'utf8')) as { secretKey: string };
    const key = keyPairFromSecret(fromHex(keyFile.secretKey));
    const client = new NodeClient(`http://127.0.0.1:${port}`);
    await client.putBlob(hash, tarball);
    const created = await client.submit(key, 'create', { ns: '@acme', name: 'evil' });
    await client.waitForTx(created.id, 30_000);
    const manifest = { format: MANIFEST_FORMAT, name: '@acme/evil', exports: [], internal: [] } as unknown as Canonical;
    const published = await client.submit(key, 'publish', {
      pkg: fromHex(created.id), version: '1.0.0', contentHash: fromHex(hash), size: tarball.length, apiHash: manifestHash(manifest), manifest, deps: {}, lock: {},
    });
    await client.waitForTx(published.id, 30_000);

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
