/**
 * `gopkgr outdated` and `gopkgr update` with npm packages, end to end: a dev
 * node that mines, the local npm-compatible registry serving real recorded
 * packuments and tarballs (test/support/npmRegistry.ts), the CLI as real
 * processes. chalk 4.1.1 is imported and installed; once 4.1.2 is imported too,
 * `get` keeps the locked 4.1.1, `outdated` names 4.1.2 as wanted, and
 * `update npm:chalk` moves the install, the lockfile and node_modules to it;
 * `why npm:has-flag` prints the chain through chalk and supports-color.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { startNpmRegistry, type TestNpmRegistry } from '../support/npmRegistry.ts';
import { freePort } from '../support/ports.ts';
import { gopkgr, spawnNode } from '../support/processes.ts';

const versionAt = async (dir: string): Promise<string> => (JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;

interface Row { name: string; location?: string; installed: string; wanted: string | null; latest: string | null; outdated: boolean }

describe('outdated and update with npm packages end to end', () => {
  let registry: TestNpmRegistry;
  let env: Record<string, string>;
  let app: string;

  beforeAll(async () => {
    const work = await tempDir('gopkgr-e2e-npmupdate-');
    registry = await startNpmRegistry();
    const port = await freePort();
    env = { GOPKGR_HOME: path.join(work, 'home'), GOPKGR_NODE: `http://127.0.0.1:${port}`, npm_config_registry: registry.url };
    expect((await gopkgr(['init'], { env })).code).toBe(0);
    await spawnNode(['--dev', '--mine', '--threads', '1', '--api', `127.0.0.1:${port}`], { env });
    const imported = await gopkgr(['import', 'npm:chalk@4.1.1', '--registry', registry.url, '--json'], { env });
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    app = path.join(work, 'app');
    await mkdir(path.join(app, 'src'), { recursive: true });
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await writeFile(path.join(app, 'src/app.mjs'), "import chalk from 'chalk'; // `npm:\"^4.1.0\"`\nconsole.log(chalk.level);\n");
    const got = await gopkgr(['get', '--dir', app, '--json'], { env });
    expect(got.code, got.stdout + got.stderr).toBe(0);
    expect(await versionAt(path.join(app, 'node_modules/chalk'))).toBe('4.1.1');
  });

  afterAll(closeAll);

  it('a newer release on chain: get keeps the lock, outdated names it, update npm:chalk takes it', async () => {
    const newer = await gopkgr(['import', 'npm:chalk@4.1.2', '--registry', registry.url, '--json'], { env });
    expect(newer.code, newer.stdout + newer.stderr).toBe(0);

    const kept = await gopkgr(['get', '--dir', app, '--json'], { env });
    expect(kept.code, kept.stdout + kept.stderr).toBe(0);
    expect(kept.json.changed).toBe(false);
    expect(await versionAt(path.join(app, 'node_modules/chalk'))).toBe('4.1.1');

    const before = await gopkgr(['outdated', '--dir', app, '--json'], { env });
    expect(before.code, before.stdout + before.stderr).toBe(1);
    expect(before.json.npmNoticesChecked).toBe(true);
    const rows = before.json.packages as Row[];
    expect(rows.find((r) => r.name === 'npm:chalk')).toMatchObject({ location: 'node_modules/chalk', installed: '4.1.1', wanted: '4.1.2', latest: '4.1.2', outdated: true });
    expect(rows.filter((r) => r.outdated).map((r) => r.name)).toEqual(['npm:chalk']);
    const human = await gopkgr(['outdated', '--dir', app], { env });
    expect(human.stdout).toMatch(/npm:chalk\s+4\.1\.1\s+4\.1\.2\s+4\.1\.2\s+direct/);

    const updated = await gopkgr(['update', 'npm:chalk', '--dir', app, '--json'], { env });
    expect(updated.code, updated.stdout + updated.stderr).toBe(0);
    expect(updated.json.updated).toEqual([{ name: 'npm:chalk', location: 'node_modules/chalk', from: '4.1.1', to: '4.1.2' }]);
    expect(await versionAt(path.join(app, 'node_modules/chalk'))).toBe('4.1.2');
    const lock = JSON.parse(await readFile(path.join(app, 'gopkgr.lock'), 'utf8')) as { npm: Record<string, { version: string }> };
    expect(lock.npm['node_modules/chalk']!.version).toBe('4.1.2');
    expect(lock.npm['node_modules/supports-color']!.version).toBe('7.2.0');

    const after = await gopkgr(['outdated', '--dir', app, '--json'], { env });
    expect(after.code, after.stdout + after.stderr).toBe(0);
    expect((after.json.packages as Row[]).some((r) => r.outdated)).toBe(false);
  });

  it('why npm:NAME prints the chain from the tag through the npm lock', async () => {
    const r = await gopkgr(['why', 'npm:has-flag', '--dir', app, '--json'], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json).toMatchObject({ name: 'npm:has-flag', version: '4.0.0', copies: [{ location: 'node_modules/has-flag', version: '4.0.0' }], complete: true });
    const human = await gopkgr(['why', 'npm:has-flag', '--dir', app], { env });
    expect(human.stdout).toContain('src/app.mjs:1 → npm:chalk@4.1.2 (^4.1.0) → npm:supports-color@7.2.0 (^7.1.0) → npm:has-flag@4.0.0 (^4.0.0)');
  });

  it('update of an npm name the project does not use is NOT_A_DEPENDENCY, and nothing changes', async () => {
    const lockBefore = await readFile(path.join(app, 'gopkgr.lock'), 'utf8');
    const r = await gopkgr(['update', 'npm:left-pad', '--dir', app, '--json'], { env });
    expect(r.code).not.toBe(0);
    expect(r.json).toMatchObject({ error: { code: 'NOT_A_DEPENDENCY', message: expect.stringContaining('npm:left-pad') } });
    expect(await readFile(path.join(app, 'gopkgr.lock'), 'utf8')).toBe(lockBefore);
  });
});
