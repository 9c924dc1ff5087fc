/**
 * Notices end to end, through real processes: a dev node that mines, @acme/base
 * and @acme/mid (which depends on base) published through the CLI, and an app
 * that requires mid. After the app's lockfile was written, base@1.0.0 is
 * deprecated "SECURITY: …": `get` with the lockfile up to date (nothing to
 * install, nothing written) prints it, for a package the app reaches only
 * through mid. Then a critical advisory on mid stops `get` (exit code, error
 * code, nothing installed in a fresh project, nothing changed in the old one)
 * until `--allow-advisory ID` names it. Offline, `get` says notices were not
 * checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { freePort } from '../support/ports.ts';
import { gopkgr, spawnNode } from '../support/processes.ts';

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
}

const pkgJson = (name: string): string => JSON.stringify({ name, type: 'module', main: 'index.js', types: 'index.d.ts' });
const REASON = 'SECURITY: CVE-2026-0001 lets a crafted string run code; use @acme/base@^2';

/** What a project directory holds at its top (missing: []). */
async function top(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).sort();
}

describe('notices on gopkgr get', () => {
  let work: string;
  let publisher: Record<string, string>;
  let consumer: Record<string, string>;
  let app: string;
  const appFiles = {
    'package.json': JSON.stringify({ name: 'app', type: 'module', private: true }),
    'main.ts': "import { mid } from '@acme/mid'; // `ver:\"^1.0.0\"`\nexport const out: string = mid('x');\n",
  };

  beforeAll(async () => {
    work = await tempDir('gopkgr-e2e-notices-');
    const port = await freePort();
    const nodeUrl = `http://127.0.0.1:${port}`;
    publisher = { GOPKGR_HOME: path.join(work, 'publisher-home'), GOPKGR_NODE: nodeUrl };
    consumer = { GOPKGR_HOME: path.join(work, 'consumer-home'), GOPKGR_NODE: nodeUrl };
    expect((await gopkgr(['init', '--json'], { env: publisher })).code).toBe(0);
    await spawnNode(['--dev', '--mine', '--threads', '1', '--api', `127.0.0.1:${port}`], { env: publisher });
    expect((await gopkgr(['namespace', 'claim', '@acme', '--json'], { env: publisher })).code).toBe(0);
    await write(path.join(work, 'base'), {
      'package.json': pkgJson('@acme/base'),
      'index.ts': 'export function base(x: string): string {\n  return `base(${x})`;\n}\n',
    });
    await write(path.join(work, 'mid'), {
      'package.json': pkgJson('@acme/mid'),
      'index.ts': "import { base } from '@acme/base'; // `ver:\"^1.0.0\"`\nexport function mid(x: string): string {\n  return 'mid:' + base(x);\n}\n",
    });
    const published = await gopkgr(['publish', path.join(work, 'base'), '--json'], { env: publisher });
    expect(published.code, published.stdout + published.stderr).toBe(0);
    const got = await gopkgr(['get', '--json'], { env: publisher, cwd: path.join(work, 'mid') });
    expect(got.code, got.stdout + got.stderr).toBe(0);
    const mid = await gopkgr(['publish', path.join(work, 'mid'), '--json'], { env: publisher });
    expect(mid.code, mid.stdout + mid.stderr).toBe(0);
    app = path.join(work, 'app');
    await write(app, appFiles);
  }, 600_000); // init, a node, two publishes and an install: minutes on a loaded 2-core machine

  afterAll(closeAll);

  it('prints a deprecation made after the lockfile was written, with the lockfile up to date', async () => {
    const first = await gopkgr(['get', '--json'], { env: consumer, cwd: app });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.json).toMatchObject({ installed: ['@acme/base', '@acme/mid'], notices: [], noticesChecked: true });

    const dep = await gopkgr(['deprecate', '@acme/base@1.0.0', '--reason', REASON, '--json'], { env: publisher });
    expect(dep.code, dep.stdout + dep.stderr).toBe(0);
    const lockBefore = await readFile(path.join(app, 'gopkgr.lock'), 'utf8');

    const again = await gopkgr(['get', '--json'], { env: consumer, cwd: app });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.json).toMatchObject({ changed: false, installed: [], fromLockfile: true, noticesChecked: true });
    expect(again.json.notices).toEqual([{ kind: 'deprecated', name: '@acme/base', version: '1.0.0', reason: REASON }]);
    // Under --json the notices are in the object only; stdout is the one object.
    expect(again.stderr).not.toContain('notice:');

    const human = await gopkgr(['get'], { env: consumer, cwd: app });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('already up to date');
    expect(human.stderr).toContain(`notice: @acme/base@1.0.0 is deprecated: ${REASON}`);
    expect(await readFile(path.join(app, 'gopkgr.lock'), 'utf8')).toBe(lockBefore);
  });

  it('says notices were not checked when offline', async () => {
    const off = await gopkgr(['get', '--offline'], { env: consumer, cwd: app });
    expect(off.code, off.stderr).toBe(0);
    expect(off.stderr).toContain('notices not checked (offline)');
    expect(off.stderr).not.toContain('notice: @acme/base');
    const offJson = await gopkgr(['get', '--offline', '--json'], { env: consumer, cwd: app });
    expect(offJson.json).toMatchObject({ noticesChecked: false, notices: [] });
  });

  it('refuses a critical advisory, installing nothing, until --allow-advisory names it', async () => {
    const added = await gopkgr(['advisory', 'add', '@acme/mid', '--range', '<2.0.0', '--severity', 'critical', '--text', 'mid leaks the token; no fix yet', '--json'], { env: publisher });
    expect(added.code, added.stdout + added.stderr).toBe(0);
    const id = added.json.id as string;
    expect(id).toMatch(/^[0-9a-f]{64}$/);

    // base 1.0.1, not deprecated (a fresh project could not take the deprecated 1.0.0 at all).
    await write(path.join(work, 'base'), { 'index.ts': 'export function base(x: string): string {\n  return `base[${x}]`;\n}\n' });
    const patch = await gopkgr(['publish', path.join(work, 'base'), '--json'], { env: publisher });
    expect(patch.code, patch.stdout + patch.stderr).toBe(0);
    expect(patch.json.version).toBe('1.0.1');

    // A fresh project: nothing may be left behind.
    const fresh = path.join(work, 'fresh');
    await write(fresh, appFiles);
    const refused = await gopkgr(['get', '--json'], { env: { ...consumer, GOPKGR_HOME: path.join(work, 'fresh-home') }, cwd: fresh });
    expect(refused.code).toBe(1);
    const error = (refused.json as { error?: { code: string; message: string; hint?: string } }).error;
    expect(error?.code).toBe('ADVISORY_CRITICAL');
    expect(error?.message).toContain(id);
    expect(error?.message).toContain('@acme/mid@1.0.0');
    expect(error?.hint).toContain(`--allow-advisory ${id}`);
    expect(await top(fresh)).toEqual(['main.ts', 'package.json']);

    // The project installed before: refused too, and left as it was.
    const lockBefore = await readFile(path.join(app, 'gopkgr.lock'), 'utf8');
    const human = await gopkgr(['get'], { env: consumer, cwd: app });
    expect(human.code).toBe(1);
    expect(human.stderr).toContain('(ADVISORY_CRITICAL)');
    expect(human.stderr).toContain(`--allow-advisory ${id}`);
    expect(await readFile(path.join(app, 'gopkgr.lock'), 'utf8')).toBe(lockBefore);
    // update would move base to 1.0.1, and the critical advisory on mid stops it too, before anything is written.
    const update = await gopkgr(['update', '--json'], { env: consumer, cwd: app });
    expect(update.code).toBe(1);
    expect((update.json as { error?: { code: string } }).error?.code).toBe('ADVISORY_CRITICAL');
    expect(await readFile(path.join(app, 'gopkgr.lock'), 'utf8')).toBe(lockBefore);

    // Another id does not let it through; its own does (a 12-digit prefix, as `advisory list` shows, too).
    const wrong = await gopkgr(['get', '--json', '--allow-advisory', '0'.repeat(64)], { env: { ...consumer, GOPKGR_HOME: path.join(work, 'fresh-home') }, cwd: fresh });
    expect((wrong.json as { error?: { code: string } }).error?.code).toBe('ADVISORY_CRITICAL');
    const allowed = await gopkgr(['get', '--json', '--allow-advisory', id], { env: { ...consumer, GOPKGR_HOME: path.join(work, 'fresh-home') }, cwd: fresh });
    expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
    expect(allowed.json.installed).toEqual(['@acme/base', '@acme/mid']);
    expect(allowed.json.packages).toEqual([expect.objectContaining({ name: '@acme/base', version: '1.0.1' }), expect.objectContaining({ name: '@acme/mid', version: '1.0.0' })]);
    expect(allowed.json.notices).toEqual([
      { kind: 'advisory', name: '@acme/mid', version: '1.0.0', id, severity: 'critical', range: '<2.0.0', text: 'mid leaks the token; no fix yet', allowed: true },
    ]);
    expect(await top(fresh)).toEqual(['gopkgr.lock', 'import_map.json', 'main.ts', 'node_modules', 'package.json']);
    const prefix = await gopkgr(['get', '--allow-advisory', id.slice(0, 12)], { env: consumer, cwd: app });
    expect(prefix.code, prefix.stderr).toBe(0);
    expect(prefix.stderr).toContain(`notice: @acme/base@1.0.0 is deprecated: ${REASON}`);
    expect(prefix.stderr).toContain(`notice: @acme/mid@1.0.0 has a critical advisory ${id.slice(0, 12)} (affects <2.0.0): mid leaks the token; no fix yet [allowed by --allow-advisory]`);
  });
});
