/**
 * Releases consumers can load (issue 16), through real processes: a dev node
 * that mines; four ordinary layouts published with `gopkgr publish` (sources in
 * src/ with outDir and .ts exports, published from the parent directory; .ts
 * exports beside the sources; `main: index.ts`; prebuilt JavaScript with
 * declarations and ESM/CJS conditions), installed into a consumer with
 * `gopkgr get`, then run with node (import and require, subpaths included) and
 * type-checked with tsc under node16, nodenext and bundler resolution. Broken
 * layouts are refused with their codes and leave nothing on chain, and esbuild
 * bundles the consumer for node and the browser, vitest runs a test of it; and
 * `--dry-run` prints version, files, hash and checks without submitting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { freePort } from '../support/ports.ts';
import { gopkgr, REPO, spawnNode } from '../support/processes.ts';

const run = promisify(execFile);
const TSC = path.join(REPO, 'node_modules/.bin/tsc');
// Deno from npm (the devDependency `deno`: its binary comes in the optional @deno/<platform> package), else one on PATH.
const DENO = existsSync(path.join(REPO, 'node_modules/.bin/deno')) ? path.join(REPO, 'node_modules/.bin/deno') : 'deno';
// Debian's chromium package; where the machine has none, the browser test says so and is not registered.
const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) console.warn(`installable.test.ts: no ${CHROMIUM} on this machine (apt-get install chromium): the headless browser import-map test is not run`);
const ALL = 'outdir,tsexports,main,prebuilt,4,6,12';

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
}

const pkg = (name: string, fields: Record<string, unknown>): string => JSON.stringify({ name, type: 'module', ...fields }, null, 2);
const NODE_TEST = "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\n";

const LAYOUTS: Record<string, Record<string, string>> = {
  // The common outDir layout, .ts exports, a test file importing node:test with no @types/node around.
  outdir: {
    'package.json': pkg('@lay/outdir', { exports: { '.': './src/index.ts', './util': './src/util.ts' } }),
    'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, outDir: 'dist', rootDir: 'src', types: [] }, include: ['src'] }),
    'src/index.ts': "export { twice } from './util.ts';\nexport const layout: string = 'outdir';\n",
    'src/util.ts': 'export function twice(x: number): number {\n  return 2 * x;\n}\n',
    'test/index.test.ts': `${NODE_TEST}import { twice } from '../src/index.ts';\ntest('twice', () => assert.equal(twice(2), 4));\n`,
  },
  tsexports: {
    'package.json': pkg('@lay/tsexports', { exports: './src/index.ts' }),
    'src/index.ts': "export const layout: string = 'tsexports';\n",
  },
  main: {
    'package.json': pkg('@lay/main', { main: 'index.ts' }),
    'index.ts': "export const layout: string = 'main';\n",
  },
  // Tagged dependencies, no prior `gopkgr get` (publish installs them for its compiler), node:test tests, no @types/node.
  withdep: {
    'package.json': pkg('@lay/withdep', { exports: './src/index.ts' }),
    'src/index.ts': "import { twice } from '@lay/outdir'; // `ver:\"^1.0.0\"`\nexport function quad(x: number): number {\n  return twice(twice(x));\n}\n",
    'test/quad.test.ts': `${NODE_TEST}import { quad } from '../src/index.ts';\ntest('quad', () => assert.equal(quad(1), 4));\n`,
  },
  prebuilt: {
    'package.json': pkg('@lay/prebuilt', { exports: { '.': { types: './lib/index.d.ts', import: './lib/index.js', require: './lib/index.cjs' } } }),
    'lib/index.js': "export const layout = 'prebuilt';\n",
    'lib/index.cjs': "exports.layout = 'prebuilt-cjs';\n",
    'lib/index.d.ts': 'export declare const layout: string;\n',
  },
};

const BROKEN: Record<string, { files: Record<string, string>; code: string }> = {
  // Built output named but never built: what "outDir: dist" gave consumers before.
  nodist: {
    files: { 'package.json': pkg('@lay/nodist', { exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } } }), 'src/index.ts': 'export const x: number = 1;\n' },
    code: 'PUBLISH_ENTRY_MISSING',
  },
  notypes: {
    files: { 'package.json': pkg('@lay/notypes', { exports: './index.js' }), 'index.js': 'export const x = 1;\n' },
    code: 'PUBLISH_TYPES_MISSING',
  },
};

describe('publish layouts consumers can load', () => {
  let work: string;
  let port: number;
  let publisher: Record<string, string>;
  let app: string;
  const published: Record<string, Record<string, unknown>> = {};

  beforeAll(async () => {
    work = await tempDir('gopkgr-e2e-installable-');
    port = await freePort();
    publisher = { GOPKGR_HOME: path.join(work, 'home'), GOPKGR_NODE: `http://127.0.0.1:${port}` };
    expect((await gopkgr(['init', '--json'], { env: publisher })).code).toBe(0);
    await spawnNode(['--dev', '--mine', '--threads', '1', '--api', `127.0.0.1:${port}`], { env: publisher });
    expect((await gopkgr(['namespace', 'claim', '@lay', '--json'], { env: publisher })).code).toBe(0);
    for (const [dir, files] of Object.entries({ ...LAYOUTS, ...Object.fromEntries(Object.entries(BROKEN).map(([k, v]) => [k, v.files])) })) await write(path.join(work, dir), files);
    for (const dir of Object.keys(LAYOUTS)) {
      // From the parent directory, with a relative path: type roots come from the package, not the cwd.
      const r = await gopkgr(['publish', dir, '--json'], { env: publisher, cwd: work });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      published[dir] = r.json;
    }
    app = path.join(work, 'app');
    await write(app, {
      'package.json': JSON.stringify({ name: 'app', type: 'module', private: true }),
      'src/main.ts': [
        "import { layout as a, twice } from '@lay/outdir';",
        "import { twice as t2 } from '@lay/outdir/util';",
        "import { layout as b } from '@lay/tsexports';",
        "import { layout as c } from '@lay/main';",
        "import { layout as d } from '@lay/prebuilt';",
        "import { quad } from '@lay/withdep';",
        'export const all: string = [a, b, c, d, twice(2), t2(3), quad(3)].join(",");',
        '',
      ].join('\n'),
      'run.mjs': [
        "import { createRequire } from 'node:module';",
        "import { layout as a, twice } from '@lay/outdir';",
        "import { twice as t2 } from '@lay/outdir/util';",
        "import { layout as b } from '@lay/tsexports';",
        "import { layout as c } from '@lay/main';",
        "import { layout as d } from '@lay/prebuilt';",
        "import { quad } from '@lay/withdep';",
        "const e = createRequire(import.meta.url)('@lay/prebuilt').layout;",
        "console.log([a, b, c, d, e, twice(2), t2(3), quad(3)].join(','));",
        '',
      ].join('\n'),
    });
    for (const [resolution, module] of [['node16', 'Node16'], ['nodenext', 'NodeNext'], ['bundler', 'ESNext']] as const) {
      await writeFile(path.join(app, `tsconfig.${resolution}.json`), JSON.stringify({
        compilerOptions: { target: 'ES2022', module, moduleResolution: resolution, strict: true, noEmit: true, types: [] }, include: ['src'],
      }));
    }
  }, 600_000); // init, a node, four publishes (each packs, checks and waits to be mined)

  afterAll(closeAll);

  it('each ordinary layout publishes; .ts entry points are rewritten to the emitted files', () => {
    expect(Object.keys(published)).toEqual(['outdir', 'tsexports', 'main', 'withdep', 'prebuilt']);
    expect(published.outdir!.files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/util.js', 'dist/util.d.ts', 'test/index.test.ts']));
    expect(published.outdir!.files).not.toContain('dist/index.test.js');
    for (const p of Object.values(published)) expect(p.version).toBe('1.0.0');
  });

  it('publishes a package with tagged dependencies from its parent directory, with no prior get, node:test tests and no @types/node', async () => {
    expect(published.withdep).toMatchObject({ deps: { '@lay/outdir': '^1.0.0' }, lock: { '@lay/outdir@1.0.0': published.outdir!.contentHash } });
    expect(published.withdep!.files).toEqual(expect.arrayContaining(['src/index.js', 'src/index.d.ts', 'test/quad.test.ts']));
    // The dependencies were installed for the compiler elsewhere: the package directory is left as it was.
    await expect(readFile(path.join(work, 'withdep/node_modules/@lay/outdir/package.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readFile(path.join(work, 'withdep/gopkgr.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('installs them with gopkgr get: node imports and requires each, tsc type-checks them under node16, nodenext and bundler', async () => {
    const got = await gopkgr(['get', '@lay/outdir', '@lay/tsexports', '@lay/main', '@lay/prebuilt', '@lay/withdep', '--json'], { env: { ...publisher, GOPKGR_HOME: path.join(work, 'consumer-home') }, cwd: app });
    expect(got.code, got.stdout + got.stderr).toBe(0);
    const { stdout } = await run(process.execPath, ['run.mjs'], { cwd: app });
    expect(stdout.trim()).toBe('outdir,tsexports,main,prebuilt,prebuilt-cjs,4,6,12');
    for (const resolution of ['node16', 'nodenext', 'bundler']) {
      const r = await run(TSC, ['-p', `tsconfig.${resolution}.json`], { cwd: app }).catch((err: { stdout?: string }) => ({ stdout: `tsc ${resolution} failed: ${err.stdout ?? String(err)}` }));
      expect(r.stdout, resolution).toBe('');
    }
  });

  it('esbuild (a bundler, from the repo\'s toolchain) bundles the installed consumer for node and for the browser', async () => {
    const esbuild = path.join(REPO, 'node_modules/.bin/esbuild');
    await run(esbuild, ['run.mjs', '--bundle', '--platform=node', '--format=esm', '--outfile=out/node.mjs', '--log-level=error'], { cwd: app });
    expect((await run(process.execPath, ['out/node.mjs'], { cwd: app })).stdout.trim()).toBe('outdir,tsexports,main,prebuilt,prebuilt-cjs,4,6,12');
    await run(esbuild, ['src/main.ts', '--bundle', '--platform=browser', '--format=esm', '--outfile=out/browser.mjs', '--log-level=error'], { cwd: app });
    const { all } = await import(path.join(app, 'out/browser.mjs')) as { all: string };
    expect(all).toBe('outdir,tsexports,main,prebuilt,4,6,12');
  });

  it('vitest (another consumer runtime, through vite\'s resolver) runs a test that imports them', async () => {
    await write(app, {
      'checks/use.test.ts': [
        "import { expect, test } from 'vitest';",
        "import { layout as a, twice } from '@lay/outdir';",
        "import { twice as t2 } from '@lay/outdir/util';",
        "import { layout as b } from '@lay/tsexports';",
        "import { layout as c } from '@lay/main';",
        "import { layout as d } from '@lay/prebuilt';",
        "test('installed layouts', () => expect([a, b, c, d, twice(2), t2(3)].join(',')).toBe('outdir,tsexports,main,prebuilt,4,6'));",
        '',
      ].join('\n'),
      'vitest.config.mjs': "export default { test: { include: ['checks/**/*.test.ts'] } };\n",
    });
    const vitest = path.join(REPO, 'node_modules/.bin/vitest');
    const { stdout } = await run(vitest, ['run', '--root', app, '--reporter=json'], { cwd: app, env: { ...process.env, VITEST: undefined, VITEST_WORKER_ID: undefined, VITEST_POOL_ID: undefined, NODE_OPTIONS: '' } });
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { numPassedTests: number; numFailedTests: number };
    expect(report).toMatchObject({ numPassedTests: 1, numFailedTests: 0 });
  });

  it('tsx runs a TypeScript consumer of them', async () => {
    await write(app, { 'src/print.ts': "import { all } from './main.ts';\nconsole.log(all);\n" });
    const { stdout } = await run(path.join(REPO, 'node_modules/.bin/tsx'), ['src/print.ts'], { cwd: app, env: { ...process.env, NODE_OPTIONS: '' } });
    expect(stdout.trim()).toBe(ALL);
  });

  it('Deno (from npm) runs and type-checks the consumer through import_map.json, and through node_modules; deno check catches a type error', async () => {
    await write(app, {
      'src/print.ts': "import { all } from './main.ts';\nconsole.log(all);\n",
      'src/wrong.ts': "import { quad } from '@lay/withdep';\nconst s: string = quad(1);\nconsole.log(s);\n",
    });
    const env = { ...process.env, DENO_DIR: path.join(work, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
    const withMap = ['--no-config', '--import-map=import_map.json'];
    expect((await run(DENO, ['run', ...withMap, 'src/print.ts'], { cwd: app, env })).stdout.trim()).toBe(ALL);
    await run(DENO, ['check', ...withMap, 'src/main.ts'], { cwd: app, env });
    const wrong = await run(DENO, ['check', ...withMap, 'src/wrong.ts'], { cwd: app, env }).then(() => 'passed', (err: { stderr?: string }) => err.stderr ?? String(err));
    expect(wrong).toMatch(/TS2322/);
    // node_modules as laid out by gopkgr get, found through the app's package.json, no import map.
    expect((await run(DENO, ['run', '--node-modules-dir=manual', 'src/print.ts'], { cwd: app, env })).stdout.trim()).toBe(ALL);
    await run(DENO, ['check', '--node-modules-dir=manual', 'src/main.ts'], { cwd: app, env });
  });

  if (HAS_CHROMIUM) {
    it('headless Chromium loads them through the import map', async () => {
      const map = await readFile(path.join(app, 'import_map.json'), 'utf8');
      await write(app, {
        'index.html': `<!doctype html><html><head><script type="importmap">${map}</script></head><body>loading</body>`
          + "<script type=\"module\">import { layout as a, twice } from '@lay/outdir'; import { twice as t2 } from '@lay/outdir/util'; import { layout as b } from '@lay/tsexports';"
          + " import { layout as c } from '@lay/main'; import { layout as d } from '@lay/prebuilt'; import { quad } from '@lay/withdep';"
          + " document.body.textContent = 'result:' + [a, b, c, d, twice(2), t2(3), quad(3)].join(',');</script></html>",
      });
      const server: Server = createServer((req, res) => {
        const file = path.join(app, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
        if (!file.startsWith(app)) return void res.writeHead(403).end();
        readFile(file).then((body) => {
          res.writeHead(200, { 'content-type': file.endsWith('.html') ? 'text/html' : 'text/javascript' }).end(body);
        }, () => res.writeHead(404).end());
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port: httpPort } = server.address() as { port: number };
        const { stdout } = await run(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', `--user-data-dir=${path.join(work, 'chromium-profile')}`,
          '--virtual-time-budget=20000', '--dump-dom', `http://127.0.0.1:${httpPort}/index.html`], { timeout: 180_000 });
        expect(stdout).toContain(`result:${ALL}`);
      } finally {
        server.close();
      }
    }, 240_000);
  }

  it('the installed package.json keeps the version; import_map.json maps every exports subpath', async () => {
    const installed = JSON.parse(await readFile(path.join(app, 'node_modules/@lay/outdir/package.json'), 'utf8')) as Record<string, unknown>;
    expect(installed).toMatchObject({ name: '@lay/outdir', version: '1.0.0', exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } } });
    const map = JSON.parse(await readFile(path.join(app, 'import_map.json'), 'utf8')) as { imports: Record<string, string> };
    expect(map.imports).toMatchObject({
      '@lay/outdir': './node_modules/@lay/outdir/dist/index.js',
      '@lay/outdir/util': './node_modules/@lay/outdir/dist/util.js',
      '@lay/tsexports': './node_modules/@lay/tsexports/src/index.js',
      '@lay/main': './node_modules/@lay/main/index.js',
      '@lay/prebuilt': './node_modules/@lay/prebuilt/lib/index.js',
    });
  });

  it('refuses each broken layout with its code, and puts nothing on chain', async () => {
    for (const [dir, { code }] of Object.entries(BROKEN)) {
      const r = await gopkgr(['publish', path.join(work, dir), '--json'], { env: publisher });
      expect(r.code, r.stdout + r.stderr).not.toBe(0);
      expect((r.json.error as { code?: string } | undefined)?.code, r.stdout + r.stderr).toBe(code);
      const res = await fetch(`http://127.0.0.1:${port}/v1/packages/@lay/${dir}`);
      expect(res.status).toBe(404);
    }
  });

  it('--dry-run prints version, files, hash and checks (and failed checks with exit 1), and submits nothing', async () => {
    const dir = path.join(work, 'dry');
    await write(dir, { 'package.json': pkg('@lay/dry', { main: 'index.ts' }), 'index.ts': 'export const dry: boolean = true;\n' });
    const r = await gopkgr(['publish', dir, '--dry-run', '--json'], { env: publisher });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(Object.keys(r.json)).toEqual(expect.arrayContaining(['name', 'version', 'bump', 'changes', 'files', 'contentHash', 'checks']));
    expect(r.json).toMatchObject({ name: '@lay/dry', version: '1.0.0', files: ['index.d.ts', 'index.js', 'index.ts', 'package.json'] });
    const checks = r.json.checks as Array<{ name: string; ok: boolean }>;
    expect(checks.length).toBeGreaterThan(3);
    expect(checks.every((c) => c.ok)).toBe(true);
    expect((await fetch(`http://127.0.0.1:${port}/v1/packages/@lay/dry`)).status).toBe(404);

    const broken = await gopkgr(['publish', path.join(work, 'notypes'), '--dry-run', '--json'], { env: publisher });
    expect(broken.code).toBe(1);
    expect((broken.json.checks as Array<{ ok: boolean; code?: string }>).filter((c) => !c.ok).map((c) => c.code)).toContain('PUBLISH_TYPES_MISSING');
  });
});
