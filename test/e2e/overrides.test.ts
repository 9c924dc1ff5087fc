/**
 * Overrides and local packages through real processes: a dev node that mines,
 * a chain app → @acme/a → @acme/b → @acme/c published through the CLI (b asks
 * for c ^1; c has 1.0.0 and 2.0.0), and `gopkgr get` with gopkgr.json overrides
 * of c at depth 3: a range, a content hash, a git repository at a commit
 * (packed and hash-locked), each bad kind failing with a code naming the entry
 * and leaving the project as it was. Then a `file:` dependency outside the
 * project and a two-package workspace, linked (not copied) with their own
 * comment tags resolved, run by `node`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lstat, mkdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import path from 'node:path';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { commitAll } from '../support/git.ts';
import { freePort } from '../support/ports.ts';
import { gopkgr, spawnNode } from '../support/processes.ts';

const run = promisify(execFile);

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
}

const pkgJson = (name: string): string => JSON.stringify({ name, type: 'module', main: 'index.js', types: 'index.d.ts' });
/** c's source: `c()` says which build it is; 1.x also has `old()`, whose removal makes 2.0.0 a major. */
const cSource = (says: string, withOld: boolean): string => `export function c(): string {\n  return '${says}';\n}\n${withOld ? 'export function old(): number {\n  return 1;\n}\n' : ''}`;

interface Lock {
  packages: Record<string, { version: string; contentHash: string; deps: Record<string, string> }>;
  overrides?: Record<string, string>;
  links?: Record<string, string>;
}

describe('gopkgr get with overrides and local packages', () => {
  let work: string;
  let publisher: Record<string, string>;
  let consumer: Record<string, string>;
  let app: string;
  const hashes: Record<string, string> = {};

  const publish = async (dir: string): Promise<Record<string, unknown>> => {
    const r = await gopkgr(['publish', dir, '--json'], { env: publisher });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return r.json;
  };
  const get = (cwd: string, args: string[] = []): ReturnType<typeof gopkgr> => gopkgr(['get', '--json', ...args], { env: consumer, cwd });
  const getOk = async (cwd: string): Promise<Awaited<ReturnType<typeof gopkgr>>> => {
    const r = await get(cwd);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return r;
  };
  const lockOf = async (dir: string): Promise<Lock> => JSON.parse(await readFile(path.join(dir, 'gopkgr.lock'), 'utf8')) as Lock;
  const runApp = async (dir: string, args: string[] = []): Promise<string> => (await run(process.execPath, [...args, 'run.mjs'], { cwd: dir })).stdout.trim();
  const overrideWith = (dir: string, spec: string): Promise<void> => writeFile(path.join(dir, 'gopkgr.json'), JSON.stringify({ overrides: { '@acme/c': spec } }));

  beforeAll(async () => {
    work = await tempDir('gopkgr-e2e-overrides-');
    const port = await freePort();
    publisher = { GOPKGR_HOME: path.join(work, 'publisher'), GOPKGR_NODE: `http://127.0.0.1:${port}` };
    consumer = { GOPKGR_HOME: path.join(work, 'consumer'), GOPKGR_NODE: `http://127.0.0.1:${port}` };
    expect((await gopkgr(['init', '--json'], { env: publisher })).code).toBe(0);
    await spawnNode(['--dev', '--mine', '--threads', '1', '--api', `127.0.0.1:${port}`], { env: publisher });
    expect((await gopkgr(['namespace', 'claim', '@acme', '--json'], { env: publisher })).code).toBe(0);

    await write(path.join(work, 'c'), { 'package.json': pkgJson('@acme/c'), 'index.ts': cSource('c1', true) });
    await write(path.join(work, 'b'), {
      'package.json': pkgJson('@acme/b'),
      'index.ts': "import { c } from '@acme/c'; // `ver:\"^1.0.0\"`\nexport function b(): string {\n  return 'b>' + c();\n}\n",
    });
    await write(path.join(work, 'a'), {
      'package.json': pkgJson('@acme/a'),
      'index.ts': "import { b } from '@acme/b'; // `ver:\"^1.0.0\"`\nexport function a(): string {\n  return 'a>' + b();\n}\n",
    });
    hashes.c1 = (await publish(path.join(work, 'c'))).contentHash as string;
    for (const dir of ['b', 'a']) {
      // Each installs its deps first, so the packer's tsc finds them.
      const got = await gopkgr(['get', '--json'], { env: publisher, cwd: path.join(work, dir) });
      expect(got.code, got.stdout + got.stderr).toBe(0);
      await publish(path.join(work, dir));
    }
    await write(path.join(work, 'c'), { 'index.ts': cSource('c2', false) });
    const c2 = await publish(path.join(work, 'c'));
    expect(c2.version).toBe('2.0.0');
    hashes.c2 = c2.contentHash as string;

    app = path.join(work, 'app');
    await write(app, {
      'package.json': JSON.stringify({ name: 'app', type: 'module', private: true }),
      'run.mjs': "import { a } from '@acme/a'; // `ver:\"^1.0.0\"`\nconsole.log(a());\n",
    });
  }, 900_000); // a node, four publishes and two installs on a loaded 2-core machine

  afterAll(closeAll);

  it('without an override, c follows b\'s range ^1', async () => {
    await getOk(app);
    expect(await runApp(app)).toBe('a>b>c1');
  });

  it('a range override at depth 3 replaces b\'s range; get says so and the lockfile records it', async () => {
    await overrideWith(app, '^2.0.0');
    const r = await getOk(app);
    expect(await runApp(app)).toBe('a>b>c2');
    expect(r.stdout).toBe(`${JSON.stringify(r.json)}\n`);
    expect(r.json.overrides).toEqual([{ name: '@acme/c', spec: '^2.0.0', version: '2.0.0', contentHash: hashes.c2 }]);
    const lock = await lockOf(app);
    expect(lock.overrides).toEqual({ '@acme/c': '^2.0.0' });
    expect(lock.packages['@acme/c']).toMatchObject({ version: '2.0.0', contentHash: hashes.c2 });
    // b's entry keeps the range it was published with.
    expect(lock.packages['@acme/b']!.deps).toEqual({ '@acme/c': '^1.0.0' });
    const human = await gopkgr(['get'], { env: consumer, cwd: app });
    expect(human.stdout).toContain('override @acme/c "^2.0.0": @acme/c@2.0.0');
    expect(human.stdout).toContain('already up to date');
    // update applies the overrides as get does: c stays 2.0.0 and the lockfile keeps them.
    const updated = await gopkgr(['update', '--json'], { env: consumer, cwd: app });
    expect(updated.code, updated.stdout + updated.stderr).toBe(0);
    expect(await runApp(app)).toBe('a>b>c2');
    expect((await lockOf(app)).overrides).toEqual({ '@acme/c': '^2.0.0' });
  });

  it('a content-hash override takes that exact version; the changed override invalidates the locked entry', async () => {
    await overrideWith(app, `sha256:${hashes.c1}`);
    const r = await getOk(app);
    expect(r.json.installed).toEqual(['@acme/c']);
    expect(await runApp(app)).toBe('a>b>c1');
    expect((await lockOf(app)).overrides).toEqual({ '@acme/c': `sha256:${hashes.c1}` });
  });

  it('a git+file override at a full commit is cloned, packed and hash-locked', async () => {
    const repo = path.join(work, 'c-fork');
    await write(repo, { 'package.json': pkgJson('@acme/c'), 'index.ts': cSource('cgit', true) });
    const commit = commitAll(repo);
    const spec = `git+file://${repo}#${commit}`;
    await overrideWith(app, spec);
    const r = await getOk(app);
    expect(r.stderr).toContain(`cloning file://${repo} at ${commit}`);
    expect(await runApp(app)).toBe('a>b>cgit');
    const entry = (await lockOf(app)).packages['@acme/c']!;
    // The lock's content hash is the sha256 of the packed tarball in the cache.
    const tarball = await readFile(path.join(consumer.GOPKGR_HOME!, 'cache', entry.contentHash));
    expect(createHash('sha256').update(tarball).digest('hex')).toBe(entry.contentHash);
    expect(entry.contentHash).not.toBe(hashes.c1);
    expect((await lockOf(app)).overrides).toEqual({ '@acme/c': spec });

    // Locked and cached: no clone, nothing changes.
    const again = await getOk(app);
    expect(again.stderr).not.toContain('cloning');
    expect(again.json.changed).toBe(false);
    // Cache emptied: rebuilt, and the bytes match the lock.
    await rm(path.join(consumer.GOPKGR_HOME!, 'cache', entry.contentHash));
    const rebuilt = await getOk(app);
    expect(rebuilt.stderr).toContain('cloning');
    expect((await lockOf(app)).packages['@acme/c']!.contentHash).toBe(entry.contentHash);
  });

  it('a bad override fails with a code naming the entry and leaves the project as it was', async () => {
    const lockBefore = await readFile(path.join(app, 'gopkgr.lock'), 'utf8');
    const repo = path.join(work, 'c-fork');
    const cases: Array<[string, string]> = [
      [`git+file://${repo}#${'0123456789'.repeat(4)}`, 'OVERRIDE_NOT_FOUND'], // a commit the repository does not have
      [`git+file://${path.join(work, 'no-repo')}#${'0123456789'.repeat(4)}`, 'OVERRIDE_NOT_FOUND'],
      ['file:../missing-dir', 'OVERRIDE_NOT_FOUND'],
      [`sha256:${'0'.repeat(64)}`, 'OVERRIDE_NOT_FOUND'], // no version has it
      [`git+file://${repo}#main`, 'PROJECT_FILE_INVALID'], // a branch moves: a full commit is required
      ['not a range', 'PROJECT_FILE_INVALID'],
    ];
    for (const [spec, code] of cases) {
      await overrideWith(app, spec);
      const r = await get(app);
      expect(r.code, `${spec}: ${r.stdout}${r.stderr}`).toBe(1);
      const error = r.json.error as { code: string; message: string };
      expect(error.code, spec).toBe(code);
      expect(error.message, spec).toContain('overrides["@acme/c"]');
    }
    expect(await readFile(path.join(app, 'gopkgr.lock'), 'utf8')).toBe(lockBefore);
    expect(await runApp(app)).toBe('a>b>cgit');
  });

  it('a file: dependency outside the project is linked, not copied, and its own tags are resolved with the rest', async () => {
    const util = path.join(work, 'util');
    await write(util, {
      'package.json': JSON.stringify({ name: '@loc/util', type: 'module', main: 'index.js' }),
      'index.js': "import { c } from '@acme/c'; // `ver:\"^1.0.0\"`\nexport function util() {\n  return 'util>' + c();\n}\n",
    });
    const utilJson = await readFile(path.join(util, 'package.json'), 'utf8');
    const app2 = path.join(work, 'app2');
    await write(app2, {
      'package.json': JSON.stringify({ name: 'app2', type: 'module', private: true, dependencies: { '@loc/util': 'file:../util' } }),
      'run.mjs': "import { util } from '@loc/util';\nconsole.log(util());\n",
    });
    const r = await getOk(app2);
    expect(r.json.links).toEqual({ '@loc/util': '../util' });
    expect((await lstat(path.join(app2, 'node_modules/@loc/util'))).isSymbolicLink()).toBe(true);
    expect(await realpath(path.join(app2, 'node_modules/@loc/util'))).toBe(await realpath(util));
    expect(await readFile(path.join(util, 'package.json'), 'utf8')).toBe(utilJson);
    const lock = await lockOf(app2);
    expect(lock.links).toEqual({ '@loc/util': '../util' });
    expect(Object.keys(lock.packages)).toEqual(['@acme/c']);
    expect(lock.packages['@acme/c']!.version).toBe('1.0.0');
    // Node resolves a linked package's imports from its real path; outside the project, keep the link's path.
    expect(await runApp(app2, ['--preserve-symlinks'])).toBe('util>c1');
    // An edit in the linked directory is live, without another get.
    await writeFile(path.join(util, 'index.js'), "import { c } from '@acme/c'; // `ver:\"^1.0.0\"`\nexport function util() {\n  return 'edited>' + c();\n}\n");
    expect(await runApp(app2, ['--preserve-symlinks'])).toBe('edited>c1');
    expect((await getOk(app2)).json.changed).toBe(false);
  });

  it('a two-package workspace: a imports b and a public package; both linked, the public one installed', async () => {
    const ws = path.join(work, 'ws');
    await write(ws, {
      'package.json': JSON.stringify({ name: 'ws', type: 'module', private: true, workspaces: ['packages/*'] }),
      'packages/a/package.json': JSON.stringify({ name: '@ws/a', type: 'module', main: 'index.js' }),
      'packages/a/index.js': "import { b } from '@ws/b';\nimport { c } from '@acme/c'; // `ver:\"^2.0.0\"`\nexport function a() {\n  return 'a>' + b() + '>' + c();\n}\n",
      'packages/b/package.json': JSON.stringify({ name: '@ws/b', type: 'module', main: 'index.js' }),
      'packages/b/index.js': "export function b() {\n  return 'b';\n}\n",
      'run.mjs': "import { a } from '@ws/a';\nconsole.log(a());\n",
    });
    const r = await getOk(ws);
    expect(r.json.links).toEqual({ '@ws/a': 'packages/a', '@ws/b': 'packages/b' });
    for (const name of ['@ws/a', '@ws/b']) expect((await lstat(path.join(ws, 'node_modules', name))).isSymbolicLink()).toBe(true);
    expect(await runApp(ws)).toBe('a>b>c2');
    const lock = await lockOf(ws);
    expect(Object.keys(lock.packages)).toEqual(['@acme/c']);
    const importMap = JSON.parse(await readFile(path.join(ws, 'import_map.json'), 'utf8')) as { imports: Record<string, string> };
    expect(importMap.imports['@ws/b']).toBe('./node_modules/@ws/b/index.js');
    const again = await getOk(ws);
    expect(again.json.changed).toBe(false);
    // update and remove lay the local packages out as get does: the links and the lockfile stay.
    const lockBefore = await readFile(path.join(ws, 'gopkgr.lock'), 'utf8');
    const updated = await gopkgr(['update', '--json'], { env: consumer, cwd: ws });
    expect(updated.code, updated.stdout + updated.stderr).toBe(0);
    expect(await readFile(path.join(ws, 'gopkgr.lock'), 'utf8')).toBe(lockBefore);
    expect((await lstat(path.join(ws, 'node_modules', '@ws/b'))).isSymbolicLink()).toBe(true);
    expect(await runApp(ws)).toBe('a>b>c2');
    // Dropping the workspaces removes the links, and the packages' own directories stay.
    await writeFile(path.join(ws, 'package.json'), JSON.stringify({ name: 'ws', type: 'module', private: true }));
    const dropped = await getOk(ws);
    expect(dropped.json.removed).toEqual(['@ws/a', '@ws/b']);
    expect(await readFile(path.join(ws, 'packages/b/index.js'), 'utf8')).toContain("return 'b'");
  });
});
