/**
 * `gopkgr update`, `outdated`, `why`, `remove` and `search` end to end, through
 * real processes: a dev node that mines; a diamond (top → left, right → base)
 * published through the CLI, each package installing its deps first, so left's
 * and right's recorded lock trees name base@1.0.0; an app tagging top. Then
 * base 1.0.1 is published: `get` (with the lockfile, and without it) keeps
 * 1.0.0, `outdated` says base is behind and exits 1, `update @acme/base` moves
 * the deep dependency without an `added` entry, a deprecation's reason shows
 * in `outdated` and does not stop `update`, `publish` records the tree
 * gopkgr.json's overrides give, `why` prints both chains,
 * `remove` drops an added package, and `search` finds a package by an export
 * and by words of its description.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, readFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { exists, writeFiles } from '../support/files.ts';
import { freePort } from '../support/ports.ts';
import { gopkgr, spawnNode } from '../support/processes.ts';

const run = promisify(execFile);
const pkgJson = (name: string): string => JSON.stringify({ name, type: 'module', main: 'index.js', types: 'index.d.ts' });
const tagged = (name: string): string => `import { ${name.split('/')[1]} } from '${name}'; // \`ver:"^1.0.0"\``;

interface LockJson {
  added: Record<string, string>;
  packages: Record<string, { version: string }>;
}

describe('gopkgr update, outdated, why, remove and search end to end', () => {
  let work: string;
  let publisher: Record<string, string>;
  let consumer: Record<string, string>;
  let app: string;

  const publish = async (dir: string): Promise<Record<string, unknown>> => {
    const r = await gopkgr(['publish', dir, '--json'], { env: publisher });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return r.json;
  };
  const lockOf = async (dir: string): Promise<LockJson> => JSON.parse(await readFile(path.join(dir, 'gopkgr.lock'), 'utf8')) as LockJson;
  const cli = (args: string[], cwd = app): ReturnType<typeof gopkgr> => gopkgr(args, { env: consumer, cwd });

  beforeAll(async () => {
    work = await tempDir('gopkgr-e2e-update-');
    const port = await freePort();
    publisher = { GOPKGR_HOME: path.join(work, 'node-home'), GOPKGR_NODE: `http://127.0.0.1:${port}` };
    consumer = { GOPKGR_HOME: path.join(work, 'consumer-home'), GOPKGR_NODE: `http://127.0.0.1:${port}` };
    expect((await gopkgr(['init', '--json'], { env: publisher })).code).toBe(0);
    await spawnNode(['--dev', '--mine', '--threads', '1', '--api', `127.0.0.1:${port}`], { env: publisher });
    expect((await gopkgr(['namespace', 'claim', '@acme', '--json'], { env: publisher })).code).toBe(0);

    await writeFiles(path.join(work, 'base'), {
      'package.json': pkgJson('@acme/base'),
      'index.ts': "export function base(x: string): string {\n  return `base(${x})`;\n}\n",
    });
    for (const side of ['left', 'right']) {
      await writeFiles(path.join(work, side), {
        'package.json': pkgJson(`@acme/${side}`),
        'index.ts': `${tagged('@acme/base')}\nexport function ${side}(x: string): string {\n  return '${side}:' + base(x);\n}\n`,
      });
    }
    await writeFiles(path.join(work, 'top'), {
      'package.json': pkgJson('@acme/top'),
      'index.ts': `${tagged('@acme/left')}\n${tagged('@acme/right')}\nexport function top(x: string): string {\n  return left(x) + '|' + right(x);\n}\n`,
    });
    await writeFiles(path.join(work, 'extra'), {
      // A description with a control character and a line break, as package.json files have: published as one clean line.
      'package.json': JSON.stringify({ ...JSON.parse(pkgJson('@acme/extra')) as object, description: 'Centre\u001b[31m strings\nin a terminal column' }),
      'index.ts': "/** Center a string in `width` columns. */\nexport function padCenter(x: string, width: number): string {\n  const left = Math.max(0, Math.floor((width - x.length) / 2));\n  return ' '.repeat(left) + x;\n}\n",
    });
    await publish(path.join(work, 'base'));
    for (const dir of ['left', 'right', 'top']) {
      const got = await gopkgr(['get', '--json'], { env: publisher, cwd: path.join(work, dir) });
      expect(got.code, got.stdout + got.stderr).toBe(0);
      await publish(path.join(work, dir));
    }
    await publish(path.join(work, 'extra'));

    app = path.join(work, 'app');
    await writeFiles(app, {
      'package.json': JSON.stringify({ name: 'app', type: 'module', private: true }),
      'run.mjs': `${tagged('@acme/top')}\nconsole.log(top('x'));\n`,
    });
    const got = await cli(['get', '--json']);
    expect(got.code, got.stdout + got.stderr).toBe(0);
    expect((await lockOf(app)).packages['@acme/base']!.version).toBe('1.0.0');

    // A new patch of the hub package, published after the app's lockfile was written.
    await writeFiles(path.join(work, 'base'), { 'index.ts': "export function base(x: string): string {\n  return `base[${x}]`;\n}\n" });
    expect((await publish(path.join(work, 'base'))).version).toBe('1.0.1');
  }, 900_000); // init, a node, six publishes and four installs: minutes on a loaded 2-core machine

  afterAll(closeAll);

  it('`get` keeps the hub at the version the dependents recorded, with the lockfile and without it', async () => {
    const again = await cli(['get', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json).toMatchObject({ changed: false });
    const fresh = path.join(work, 'app-no-lock');
    await cp(path.join(app, 'run.mjs'), path.join(fresh, 'run.mjs'));
    await cp(path.join(app, 'package.json'), path.join(fresh, 'package.json'));
    const got = await cli(['get', '--json'], fresh);
    expect(got.code, got.stderr).toBe(0);
    expect((await lockOf(fresh)).packages['@acme/base']!.version).toBe('1.0.0');
  });

  it('`outdated` lists the deep dependency behind its wanted version and exits 1', async () => {
    const out = await cli(['outdated', '--json']);
    expect(out.code, out.stderr).toBe(1);
    const rows = out.json.packages as Array<{ name: string; type: string; installed: string; wanted: string; latest: string; outdated: boolean; ranges: unknown[] }>;
    expect(rows.map((r) => r.name)).toEqual(['@acme/base', '@acme/left', '@acme/right', '@acme/top']);
    expect(rows[0]).toMatchObject({ name: '@acme/base', type: 'deep', installed: '1.0.0', wanted: '1.0.1', latest: '1.0.1', outdated: true });
    expect(rows[0]!.ranges).toEqual([{ range: '^1.0.0', by: '@acme/left@1.0.0' }, { range: '^1.0.0', by: '@acme/right@1.0.0' }]);
    expect(rows[3]).toMatchObject({ name: '@acme/top', type: 'direct', installed: '1.0.0', wanted: '1.0.0', latest: '1.0.0', outdated: false });
    const human = await cli(['outdated']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^Package\s+Installed\s+Wanted\s+Latest\s+Type\n@acme\/base\s+1\.0\.0\s+1\.0\.1\s+1\.0\.1\s+deep\n/);
    expect(human.stdout).toContain('1 of 4 packages are behind');
  });

  it('`why` prints every chain that pulls a package in, from the tag through the lockfile', async () => {
    const why = await cli(['why', '@acme/base', '--json']);
    expect(why.code, why.stderr).toBe(0);
    expect(why.json).toMatchObject({ name: '@acme/base', version: '1.0.0', complete: true });
    expect(why.json.chains).toEqual([
      { origin: 'run.mjs:1', steps: [{ name: '@acme/top', version: '1.0.0', range: '^1.0.0' }, { name: '@acme/left', version: '1.0.0', range: '^1.0.0' }, { name: '@acme/base', version: '1.0.0', range: '^1.0.0' }] },
      { origin: 'run.mjs:1', steps: [{ name: '@acme/top', version: '1.0.0', range: '^1.0.0' }, { name: '@acme/right', version: '1.0.0', range: '^1.0.0' }, { name: '@acme/base', version: '1.0.0', range: '^1.0.0' }] },
    ]);
    const human = await cli(['why', '@acme/base']);
    expect(human.stdout).toContain('run.mjs:1 → @acme/top@1.0.0 (^1.0.0) → @acme/left@1.0.0 (^1.0.0) → @acme/base@1.0.0 (^1.0.0)');
    const unknown = await cli(['why', '@acme/nothing', '--json']);
    expect(unknown.code).toBe(1);
    expect(unknown.json).toMatchObject({ error: { code: 'NOT_A_DEPENDENCY' } });
  });

  it('`update @acme/base` moves the deep dependency to its new patch, installs it, and adds no `added` entry', async () => {
    const unknown = await cli(['update', '@acme/nothing', '--json']);
    expect(unknown.code).toBe(1);
    expect(unknown.json).toMatchObject({ error: { code: 'NOT_A_DEPENDENCY' } });

    const up = await cli(['update', '@acme/base', '--json']);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.json).toMatchObject({ updated: [{ name: '@acme/base', from: '1.0.0', to: '1.0.1' }], installed: ['@acme/base'], changed: true });
    const lock = await lockOf(app);
    expect(lock.added).toEqual({});
    expect(Object.fromEntries(Object.entries(lock.packages).map(([n, p]) => [n, p.version]))).toEqual({ '@acme/base': '1.0.1', '@acme/left': '1.0.0', '@acme/right': '1.0.0', '@acme/top': '1.0.0' });
    const { stdout } = await run(process.execPath, ['run.mjs'], { cwd: app });
    expect(stdout.trim()).toBe('left:base[x]|right:base[x]');
    // `get` keeps what update chose, and `outdated` has nothing left to say.
    expect((await cli(['get', '--json'])).json).toMatchObject({ changed: false });
    const out = await cli(['outdated', '--json']);
    expect(out.code, out.stderr).toBe(0);
    expect((out.json.packages as Array<{ outdated: boolean }>).every((r) => !r.outdated)).toBe(true);
    // Every package at once: nothing newer now.
    const all = await cli(['update', '--json']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.json).toMatchObject({ updated: [], removed: [], changed: false });
  });

  it('`publish` applies gopkgr.json overrides to the lock tree it records; a file: override it needs is refused', async () => {
    // Without an override the tree keeps base at what top's dependents recorded (1.0.0), as `get` does.
    const dir = path.join(work, 'pub');
    await writeFiles(dir, {
      'package.json': pkgJson('@acme/pub'),
      'index.ts': `${tagged('@acme/top')}\nexport function pub(x: string): string {\n  return top(x);\n}\n`,
    });
    const dry = await gopkgr(['publish', dir, '--dry-run'], { env: publisher });
    expect(dry.stderr).toContain('dependency tree: @acme/base@1.0.0,');
    // A range override at depth 4 (pub → top → left/right → base) within the published ranges: base 1.0.1 is recorded.
    await writeFiles(dir, { 'gopkgr.json': JSON.stringify({ overrides: { '@acme/base': '>=1.0.1' } }) });
    const pub = await publish(dir);
    expect(Object.keys(pub.lock as Record<string, string>).sort()).toEqual(['@acme/base@1.0.1', '@acme/left@1.0.0', '@acme/right@1.0.0', '@acme/top@1.0.0']);
    // A file: override of a name the tree needs names a version on no chain: refused before anything is submitted.
    await writeFiles(dir, { 'gopkgr.json': JSON.stringify({ overrides: { '@acme/base': 'file:../base' } }) });
    const local = await gopkgr(['publish', dir, '--json'], { env: publisher });
    expect(local.code).toBe(1);
    expect(local.json).toMatchObject({ error: { code: 'PUBLISH_LOCAL_OVERRIDE' } });
  });

  it('a deprecated installed version: `outdated` gives the reason, and `update` keeps it when nothing newer fits, with a warning', async () => {
    const dep = await gopkgr(['deprecate', '@acme/right@1.0.0', '--reason', 'SECURITY: CVE-2026-0001', '--json'], { env: publisher });
    expect(dep.code, dep.stdout + dep.stderr).toBe(0);
    const out = await cli(['outdated']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^@acme\/right\s+1\.0\.0\s+1\.0\.0\s+-\s+deep$/m);
    expect(out.stdout).toContain('warning: @acme/right@1.0.0 is deprecated: SECURITY: CVE-2026-0001');
    const all = await cli(['update']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('warning: @acme/right@1.0.0 is deprecated (pinned)');
    expect((await lockOf(app)).packages['@acme/right']!.version).toBe('1.0.0');
  });

  it('`remove` drops an added package and reinstalls; a tagged one is refused with the tag\'s place', async () => {
    expect((await cli(['get', '@acme/extra', '--json'])).code).toBe(0);
    expect((await lockOf(app)).added).toEqual({ '@acme/extra': '^1.0.0' });
    expect(await exists(path.join(app, 'node_modules/@acme/extra/package.json'))).toBe(true);
    const why = await cli(['why', '@acme/extra', '--json']);
    expect((why.json.chains as Array<{ origin: string }>).map((c) => c.origin)).toEqual(['gopkgr.lock "added"']);

    const removed = await cli(['remove', '@acme/extra', '--json']);
    expect(removed.code, removed.stdout + removed.stderr).toBe(0);
    expect(removed.json).toMatchObject({ added: {}, removed: ['@acme/extra'], changed: true });
    const lock = await lockOf(app);
    expect(lock.added).toEqual({});
    expect(Object.keys(lock.packages)).not.toContain('@acme/extra');
    expect(await exists(path.join(app, 'node_modules/@acme/extra'))).toBe(false);

    const tagged = await cli(['remove', '@acme/top', '--json']);
    expect(tagged.code).toBe(1);
    expect(tagged.json).toMatchObject({ error: { code: 'NOT_ADDED' } });
    expect((tagged.json.error as { message: string }).message).toContain('run.mjs:1');
  });

  it('`search` finds a package by a name its latest version exports, and by its name', async () => {
    const bySymbol = await cli(['search', 'padCen', '--json']);
    expect(bySymbol.code, bySymbol.stderr).toBe(0);
    expect(bySymbol.json.results).toEqual([expect.objectContaining({ name: '@acme/extra', latest: '1.0.0', symbols: ['padcenter'] })]);
    const byName = await cli(['search', 'ba']);
    expect(byName.stdout.trim().split('\n')).toEqual(['@acme/base@1.0.1']);
    expect((await cli(['search', 'zzz'])).stdout.trim()).toBe('nothing matches "zzz"');
    // By words of its description, several at once.
    const byWords = await cli(['search', 'terminal', 'centre']);
    expect(byWords.code, byWords.stderr).toBe(0);
    expect(byWords.stdout.trim().split('\n')).toEqual(['@acme/extra@1.0.0  Centre [31m strings in a terminal column']);
  });
});
