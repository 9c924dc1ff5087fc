/**
 * npm packages for one platform, end to end, on the linux machine the suite
 * runs on: chokidar 3.6.0 has fsevents (`os: ["darwin"]`) as an optional
 * dependency. `gopkgr import` leaves it off the chain and says so;
 * `--all-platforms` imports it with its os recorded; `get` installs chokidar
 * without it either way (a skipped optional dependency, with the reason), and
 * node loads chokidar. A dev node that mines, the local npm-compatible
 * registry serving the recorded packuments and tarballs, the CLI as real
 * processes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { getJson } from '../support/http.ts';
import { startNpmRegistry, type TestNpmRegistry } from '../support/npmRegistry.ts';
import { freePort } from '../support/ports.ts';
import { gopkgr, spawnNode } from '../support/processes.ts';

const run = promisify(execFile);

interface Skip { name: string; range: string; by: string; reason: string }

describe('npm packages for another platform (fsevents on linux) end to end', () => {
  let registry: TestNpmRegistry;
  let env: Record<string, string>;
  let api: string;
  let app: string;

  beforeAll(async () => {
    expect(process.platform).toBe('linux');
    const work = await tempDir('gopkgr-e2e-npmplat-');
    registry = await startNpmRegistry();
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    env = { GOPKGR_HOME: path.join(work, 'home'), GOPKGR_NODE: api, npm_config_registry: registry.url };
    expect((await gopkgr(['init'], { env })).code).toBe(0);
    await spawnNode(['--dev', '--mine', '--threads', '1', '--api', `127.0.0.1:${port}`], { env });
    app = path.join(work, 'app');
    await mkdir(path.join(app, 'src'), { recursive: true });
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
    await writeFile(path.join(app, 'src', 'watch.mjs'), "import chokidar from 'chokidar'; // `npm:\"^3.6.0\"`\nconsole.log(typeof chokidar.watch);\n");
  });

  afterAll(closeAll);

  it('import leaves fsevents off the chain on linux and says why; get installs chokidar without it and node loads it', async () => {
    const r = await gopkgr(['import', 'npm:chokidar@^3.6.0', '--registry', registry.url, '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const imported = (r.json.imported as Array<{ name: string }>).map((i) => i.name);
    expect(imported).toHaveLength(14);
    expect(imported).not.toContain('npm:fsevents');
    expect(r.json.otherPlatform).toEqual([{ name: 'npm:fsevents', version: '2.3.3', by: 'chokidar@3.6.0', reason: 'os darwin excludes linux' }]);
    expect((await fetch(`${api}/v1/packages/npm:fsevents`)).status).toBe(404);
    const human = await gopkgr(['import', 'npm:chokidar@^3.6.0', '--registry', registry.url], { env });
    expect(human.stdout).toMatch(/npm:fsevents@2\.3\.3 skipped: optional dependency of chokidar@3\.6\.0 for another platform \(os darwin excludes linux on linux /);

    const get = await gopkgr(['get', '--dir', app, '--json'], { env });
    expect(get.code, get.stderr).toBe(0);
    expect((get.json.skippedOptional as Skip[]).map((s) => [s.name, s.reason])).toEqual([['fsevents', 'npm:fsevents is not on chain']]);
    await expect(stat(path.join(app, 'node_modules', 'fsevents'))).rejects.toThrow();
    const out = await run(process.execPath, [path.join(app, 'src', 'watch.mjs')], { cwd: app });
    expect(out.stdout.trim()).toBe('function');
    const required = await run(process.execPath, ['-e', "console.log(typeof require('chokidar').watch)"], { cwd: app });
    expect(required.stdout.trim()).toBe('function');
  });

  it('--all-platforms imports fsevents with os ["darwin"] on record; get on linux still skips it, offline too', async () => {
    const r = await gopkgr(['import', 'npm:chokidar@^3.6.0', '--all-platforms', '--registry', registry.url, '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect((r.json.imported as Array<{ name: string; version: string }>).map((i) => `${i.name}@${i.version}`)).toEqual(['npm:fsevents@2.3.3']);
    expect(r.json.otherPlatform).toEqual([]);
    const onChain = await getJson<{ versions: Array<{ version: string; os?: string[]; cpu?: string[] }> }>(`${api}/v1/packages/npm:fsevents`);
    expect(onChain.body.versions).toEqual([expect.objectContaining({ version: '2.3.3', os: ['darwin'] })]);
    expect(onChain.body.versions[0]).not.toHaveProperty('cpu');
    const chokidar = await getJson<{ versions: Array<Record<string, unknown>> }>(`${api}/v1/packages/npm:chokidar`);
    expect(chokidar.body.versions[0]).not.toHaveProperty('os');

    // Resolved afresh from the node's records (the lock of the first get was written before fsevents was on chain).
    await rm(path.join(app, 'gopkgr.lock'));
    const get = await gopkgr(['get', '--dir', app, '--json'], { env });
    expect(get.code, get.stderr).toBe(0);
    expect((get.json.skippedOptional as Skip[]).map((s) => [s.name, s.reason])).toEqual([['fsevents', 'npm:fsevents@2.3.3 is not for this platform (os darwin excludes linux)']]);
    await expect(stat(path.join(app, 'node_modules', 'fsevents'))).rejects.toThrow();
    const lock = JSON.parse(await readFile(path.join(app, 'gopkgr.lock'), 'utf8')) as { npm: Record<string, unknown>; npmOtherPlatform: Record<string, unknown> };
    expect(Object.keys(lock.npm)).toHaveLength(14);
    expect(Object.keys(lock.npm)).not.toContain('node_modules/fsevents');
    // Kept for a macOS machine that installs from this lock, never installed here.
    expect(lock.npmOtherPlatform).toEqual({ 'fsevents@2.3.3': expect.objectContaining({ name: 'fsevents', version: '2.3.3', os: ['darwin'] }) });
    const human = await gopkgr(['get', '--dir', app, '--offline'], { env });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout + human.stderr).toContain('optional fsevents@~2.3.2 of chokidar@3.6.0 left out: npm:fsevents@2.3.3 is not for this platform (os darwin excludes linux)');
    const out = await run(process.execPath, [path.join(app, 'src', 'watch.mjs')], { cwd: app });
    expect(out.stdout.trim()).toBe('function');
  });

  it('a tag of fsevents itself (required, not optional) on linux: NPM_PLATFORM_UNSUPPORTED, as npm says EBADPLATFORM, and the project stays as it was', async () => {
    const lockBefore = await readFile(path.join(app, 'gopkgr.lock'), 'utf8');
    const mac = path.join(app, 'src', 'mac.mjs');
    await writeFile(mac, "import fsevents from 'fsevents'; // `npm:\"^2.3.0\"`\nconsole.log(typeof fsevents);\n");
    try {
      const get = await gopkgr(['get', '--dir', app, '--json'], { env });
      expect(get.code).toBe(1);
      const error = get.json.error as { code: string; message: string };
      expect(error.code).toBe('NPM_PLATFORM_UNSUPPORTED');
      expect(error.message).toContain('npm:fsevents@2.3.3 (node_modules/fsevents, required by src/mac.mjs:1): os darwin excludes linux');
      const human = await gopkgr(['get', '--dir', app], { env });
      expect(human.stderr).toMatch(new RegExp(`^gopkgr: not for this machine \\(linux ${process.arch}[^)]*\\): npm:fsevents@2\\.3\\.3 .*\\(NPM_PLATFORM_UNSUPPORTED\\); install on a machine it supports`, "m"));
      expect(await readFile(path.join(app, 'gopkgr.lock'), 'utf8')).toBe(lockBefore);
      await expect(stat(path.join(app, 'node_modules', 'fsevents'))).rejects.toThrow();
    } finally {
      await rm(mac);
    }
  });
});
