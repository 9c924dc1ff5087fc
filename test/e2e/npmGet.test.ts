/**
 * `gopkgr get` with npm packages, end to end: a dev node that mines, the local
 * npm-compatible registry serving real recorded packuments and tarballs
 * (test/support/npmRegistry.ts), the CLI as real processes. A tagged npm range
 * not on chain is NPM_NOT_IMPORTED naming the import command, and `get --import`
 * runs it; a mixed project (a gopkgr package beside chalk 4 and supports-color
 * 5, which chalk 4 needs at 7) installs with the minimal nested duplicate, runs
 * in node and type-checks with tsc; the lockfile hash-locks every npm package
 * by location; npm's deprecation of an installed release shows on every get;
 * a package's `bin` is linked into node_modules/.bin and runs; `get npm:NAME`
 * adds an npm package no import names, and `remove npm:NAME` drops it;
 * `--offline` reinstalls from the lock and the cache with no node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { deprecatedFixtures, startNpmRegistry, type TestNpmRegistry } from '../support/npmRegistry.ts';
import { freePort } from '../support/ports.ts';
import { gopkgr, REPO, spawnNode, stopProcess, type RunningNode } from '../support/processes.ts';

const run = promisify(execFile);
const TSC = path.join(REPO, 'node_modules/.bin/tsc');

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
}

const versionAt = async (dir: string): Promise<string> => (JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;

describe('gopkgr get with npm packages end to end', () => {
  let registry: TestNpmRegistry;
  let env: Record<string, string>;
  let work: string;
  let app: string;
  let node: RunningNode | undefined;

  beforeAll(async () => {
    work = await tempDir('gopkgr-e2e-npmget-');
    registry = await startNpmRegistry();
    const port = await freePort();
    // npm_config_registry: where the npm notices are asked (never the network).
    env = { GOPKGR_HOME: path.join(work, 'home'), GOPKGR_NODE: `http://127.0.0.1:${port}`, npm_config_registry: registry.url };
    expect((await gopkgr(['init'], { env })).code).toBe(0);
    node = await spawnNode(['--dev', '--mine', '--threads', '1', '--api', `127.0.0.1:${port}`], { env });
    expect((await gopkgr(['namespace', 'claim', '@acme', '--json'], { env })).code).toBe(0);
    await write(path.join(work, 'greet'), {
      'package.json': JSON.stringify({ name: '@acme/greet', type: 'module', main: 'index.js', types: 'index.d.ts' }),
      'index.ts': '/** A greeting. */\nexport function greet(who: string): string {\n  return `hello ${who}`;\n}\n',
    });
    const pub = await gopkgr(['publish', path.join(work, 'greet'), '--json'], { env });
    expect(pub.code, pub.stdout + pub.stderr).toBe(0);

    app = path.join(work, 'app');
    await write(app, {
      'package.json': JSON.stringify({ name: 'app', private: true, type: 'module' }),
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, outDir: 'dist', skipLibCheck: true, types: [] }, include: ['src/*.ts'] }),
      'src/app.ts': [
        "import { greet } from '@acme/greet'; // `ver:\"^1.0.0\"`",
        "import chalk from 'chalk'; // `npm:\"^4.1.0\"`",
        'const level: number = chalk.level;',
        "console.log(JSON.stringify({ greeting: greet('npm'), red: chalk.red('x').length > 0, level }));",
        '',
      ].join('\n'),
      // supports-color 5 ships no declarations: plain JavaScript, run by node.
      'src/colors.mjs': "import supportsColor from 'supports-color'; // `npm:\"^5.0.0\"`\nconsole.log(typeof supportsColor.supportsColor);\n",
    });
  });

  afterAll(closeAll);

  it('a tagged npm range not on chain: NPM_NOT_IMPORTED with the exact import command, nothing written', async () => {
    const r = await gopkgr(['get', '--dir', app, '--json'], { env });
    expect(r.code).toBe(1);
    const error = r.json.error as { code: string; message: string };
    expect(error.code).toBe('NPM_NOT_IMPORTED');
    expect(error.message).toContain('Run: gopkgr import npm:chalk@^4.1.0 npm:supports-color@^5.0.0');
    await expect(readFile(path.join(app, 'gopkgr.lock'))).rejects.toThrow();
  });

  it('get --import brings them in, installs the mixed tree with one nested duplicate, and node and tsc take it', async () => {
    const r = await gopkgr(['get', '--dir', app, '--import', '--registry', registry.url, '--json'], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((r.json.imported as string[]).sort()).toEqual([
      'npm:ansi-styles@4.3.0', 'npm:chalk@4.1.2', 'npm:color-convert@2.0.1', 'npm:color-name@1.1.4', 'npm:has-flag@3.0.0', 'npm:has-flag@4.0.0',
      'npm:supports-color@5.5.0', 'npm:supports-color@7.2.0',
    ]);
    const npm = Object.fromEntries((r.json.npm as Array<{ location: string; version: string }>).map((p) => [p.location, p.version]));
    expect(npm).toEqual({
      'node_modules/chalk': '4.1.2', 'node_modules/supports-color': '5.5.0', 'node_modules/has-flag': '3.0.0',
      'node_modules/ansi-styles': '4.3.0', 'node_modules/color-convert': '2.0.1', 'node_modules/color-name': '1.1.4',
      'node_modules/chalk/node_modules/supports-color': '7.2.0', 'node_modules/chalk/node_modules/has-flag': '4.0.0',
    });
    expect(await versionAt(path.join(app, 'node_modules/chalk/node_modules/supports-color'))).toBe('7.2.0');
    expect(await versionAt(path.join(app, 'node_modules/supports-color'))).toBe('5.5.0');
    expect(r.json.installScripts).toEqual([]);

    await run(TSC, ['-p', '.'], { cwd: app });
    const out = await run(process.execPath, ['dist/app.js'], { cwd: app });
    expect(JSON.parse(out.stdout)).toMatchObject({ greeting: 'hello npm', red: true });
    expect((await run(process.execPath, ['src/colors.mjs'], { cwd: app })).stdout.trim()).toBe('function');

    const lock = JSON.parse(await readFile(path.join(app, 'gopkgr.lock'), 'utf8')) as { packages: Record<string, unknown>; npm: Record<string, { version: string; integrity: string; contentHash: string }> };
    expect(Object.keys(lock.packages)).toEqual(['@acme/greet']);
    expect(Object.keys(lock.npm)).toHaveLength(8);
    expect(lock.npm['node_modules/chalk/node_modules/supports-color']).toMatchObject({ version: '7.2.0', integrity: expect.stringMatching(/^sha512-/), contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const again = await gopkgr(['get', '--dir', app, '--json'], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.changed).toBe(false);
  });

  it('an npm release deprecated on the registry after the install: every get shows it, also when nothing changes', async () => {
    const deprecated = await startNpmRegistry(await deprecatedFixtures({ 'chalk@4.1.2': 'SECURITY: use chalk 5' }));
    const withDeprecation = { ...env, npm_config_registry: deprecated.url };
    const r = await gopkgr(['get', '--dir', app, '--json'], { env: withDeprecation });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json).toMatchObject({ changed: false, npmNoticesChecked: true });
    expect(r.json.notices).toEqual([{ kind: 'deprecated', name: 'npm:chalk', version: '4.1.2', reason: 'SECURITY: use chalk 5' }]);
    const human = await gopkgr(['get', '--dir', app], { env: withDeprecation });
    expect(human.stderr).toContain('notice: npm:chalk@4.1.2 is deprecated: SECURITY: use chalk 5');
    expect(human.stdout).toContain('already up to date');
  });

  it('a package with bin gets node_modules/.bin/<command>, which runs; removing the tag removes the link', async () => {
    await write(app, { 'src/cli.mjs': "import semver from 'semver'; // `npm:\"^7.7.0\"`\nconsole.log(semver.valid('1.0.0'));\n" });
    const r = await gopkgr(['get', '--dir', app, '--import', '--registry', registry.url, '--json'], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.imported).toEqual(['npm:semver@7.7.2']);
    expect(r.json.binLinks).toEqual(['.bin/semver']);
    const bin = path.join(app, 'node_modules/.bin/semver');
    expect((await run(bin, ['1.2.3', '-r', '^1'])).stdout.trim()).toBe('1.2.3');

    await rm(path.join(app, 'src/cli.mjs'));
    const gone = await gopkgr(['get', '--dir', app, '--json'], { env });
    expect(gone.code, gone.stdout + gone.stderr).toBe(0);
    expect(gone.json.removed).toEqual(['semver']);
    await expect(readFile(bin)).rejects.toThrow();

    await write(app, { 'src/cli.mjs': "import semver from 'semver'; // `npm:\"^7.7.0\"`\nconsole.log(semver.valid('1.0.0'));\n" });
    const back = await gopkgr(['get', '--dir', app, '--json'], { env });
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(back.json.binLinks).toEqual(['.bin/semver']);
  });

  it('get npm:NAME adds a package no import names (kept under "added", the caret of what it chose), why and outdated see it, remove npm:NAME drops it', async () => {
    const lockAt = async (): Promise<{ added: Record<string, string>; npm: Record<string, { name: string; version: string }> }> => JSON.parse(await readFile(path.join(app, 'gopkgr.lock'), 'utf8'));
    const bad = await gopkgr(['get', 'npm:Not A Name', '--dir', app, '--json'], { env });
    expect(bad.code).toBe(1);
    expect((bad.json.error as { code: string }).code).toBe('BAD_NAME');
    const notOnChain = await gopkgr(['get', 'npm:is-number', '--dir', app, '--json'], { env });
    expect(notOnChain.code).toBe(1);
    expect((notOnChain.json.error as { code: string; message: string })).toMatchObject({ code: 'NPM_NOT_IMPORTED', message: expect.stringContaining('gopkgr import npm:is-number@*') });
    expect((await lockAt()).added).toEqual({});

    const r = await gopkgr(['get', 'npm:is-number', '--dir', app, '--import', '--registry', registry.url, '--json'], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.imported).toEqual(['npm:is-number@7.0.0']);
    expect((await lockAt()).added).toEqual({ 'npm:is-number': '^7.0.0' });
    expect((await lockAt()).npm['node_modules/is-number']).toMatchObject({ name: 'is-number', version: '7.0.0' });
    expect((await run(process.execPath, ['-e', "console.log(require('is-number')(5))"], { cwd: app })).stdout.trim()).toBe('true');

    const again = await gopkgr(['get', '--dir', app, '--json'], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.changed).toBe(false);
    const why = await gopkgr(['why', 'npm:is-number', '--dir', app], { env });
    expect(why.code, why.stderr).toBe(0);
    expect(why.stdout).toContain('gopkgr.lock "added"');
    // Exits 1 (supports-color 5 is behind 7 on chain), as npm outdated does; the added package is a direct one.
    const outdated = await gopkgr(['outdated', '--dir', app, '--json'], { env });
    expect(outdated.stderr).toBe('');
    const row = (outdated.json.packages as Array<{ name: string; type: string; ranges: unknown }>).find((p) => p.name === 'npm:is-number');
    expect(row).toMatchObject({ type: 'direct', ranges: [{ range: '^7.0.0', by: 'gopkgr.lock "added"' }] });

    const tagged = await gopkgr(['remove', 'npm:chalk', '--dir', app, '--json'], { env });
    expect(tagged.code).toBe(1);
    expect((tagged.json.error as { code: string; message: string })).toMatchObject({ code: 'NOT_ADDED', message: expect.stringContaining('is not in gopkgr.lock "added": the tag at') });
    const removed = await gopkgr(['remove', 'npm:is-number', '--dir', app, '--json'], { env });
    expect(removed.code, removed.stdout + removed.stderr).toBe(0);
    expect(removed.json.removed).toEqual(['is-number']);
    expect(await lockAt()).toMatchObject({ added: {} });
    expect((await lockAt()).npm['node_modules/is-number']).toBeUndefined();
  });

  it('--offline reinstalls from the lockfile and the cache with the node stopped', async () => {
    await stopProcess(node!.child);
    node = undefined;
    await rm(path.join(app, 'node_modules'), { recursive: true });
    const r = await gopkgr(['get', '--dir', app, '--offline', '--json'], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await versionAt(path.join(app, 'node_modules/chalk/node_modules/has-flag'))).toBe('4.0.0');
    const out = await run(process.execPath, ['dist/app.js'], { cwd: app });
    expect(JSON.parse(out.stdout)).toMatchObject({ greeting: 'hello npm', red: true });
    await expect(run(path.join(app, 'node_modules/.bin/semver'), ['2.0.0', '-r', '^1'])).rejects.toMatchObject({ code: 1 });
    expect((await run(path.join(app, 'node_modules/.bin/semver'), ['2.0.0', '-r', '^2'])).stdout.trim()).toBe('2.0.0');
  });
});
