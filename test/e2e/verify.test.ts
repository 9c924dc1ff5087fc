/**
 * Reproducible releases through real processes, real git and a real dev node:
 * `gopkgr publish` in a clean git work tree records the repository (a local
 * file:// URL), the commit and the package's source tree, and the package API
 * shows them; `gopkgr verify` clones that commit, installs the locked
 * dependencies, runs the recorded build in a clean environment, packs and
 * compares. A tarball built from an edited tree under a recorded commit
 * differs, naming the file; a dirty tree is refused (PUBLISH_DIRTY_TREE), and
 * with --allow-dirty nothing is recorded, so verify finds it unverifiable; an
 * unreachable repository is unverifiable too.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeClient } from '../../cli/client.ts';
import { loadIdentity } from '../../cli/context.ts';
import { apiVersion, findExisting, lockTree, packRelease, signRelease, submitPublish } from '../../cli/publish/index.ts';
import { readProvenance } from '../../cli/publish/provenance.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { getJson } from '../support/http.ts';
import { freePort } from '../support/ports.ts';
import { gopkgr, spawnNode, type CliResult } from '../support/processes.ts';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@example.com', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@example.com',
  GIT_AUTHOR_DATE: '2024-03-01T12:00:00Z', GIT_COMMITTER_DATE: '2024-03-01T12:00:00Z',
  GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1',
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
}

interface VersionView {
  contentHash: string;
  repo?: string;
  commit?: string;
  sourceTree?: string;
  build?: string;
}

/**
 * A build whose output depends on the clean environment verify promises:
 * the commit's time, in UTC, under the C locale. Run by hand before publishing,
 * as an author would, with the same environment.
 */
const GEN = [
  "import { writeFileSync } from 'node:fs';",
  'const at = new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000);',
  "writeFileSync('stamp.ts', `export const BUILT_AT: string = ${JSON.stringify(at.toString())};\\n`);",
  '',
].join('\n');

describe('gopkgr verify: rebuild a release from its recorded repository and commit', () => {
  let work: string;
  let repo: string;
  let repoUrl: string;
  let api: string;
  let publisher: Record<string, string>;
  /** another user: an empty cache and no identity */
  let verifier: Record<string, string>;

  const baseDir = (): string => path.join(repo, 'packages', 'base');
  const appDir = (): string => path.join(repo, 'packages', 'app');

  async function publish(dir: string, ...extra: string[]): Promise<CliResult> {
    return gopkgr(['publish', dir, '--json', ...extra], { env: publisher });
  }

  async function verify(spec: string, json = true): Promise<CliResult> {
    return gopkgr(['verify', spec, ...(json ? ['--json'] : [])], { env: verifier });
  }

  async function versionView(spec: string): Promise<VersionView> {
    const { status, body } = await getJson<VersionView>(`${api}/v1/packages/${spec.replace(/@(\d)/, '/$1')}`);
    expect(status).toBe(200);
    return body;
  }

  beforeAll(async () => {
    work = await tempDir('gopkgr-e2e-verify-');
    repo = path.join(work, 'repo');
    repoUrl = `file://${repo}`;
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    publisher = { GOPKGR_HOME: path.join(work, 'publisher'), GOPKGR_NODE: api };
    verifier = { GOPKGR_HOME: path.join(work, 'verifier'), GOPKGR_NODE: api };
    expect((await gopkgr(['init'], { env: publisher })).code).toBe(0);
    await spawnNode(['--dev', '--mine', '--threads', '1', '--api', `127.0.0.1:${port}`], { env: publisher });
    expect((await gopkgr(['namespace', 'claim', '@acme'], { env: publisher })).code).toBe(0);

    // A monorepo: @acme/base, and @acme/app which depends on it and has a build step.
    const pkgJson = (name: string, extra: Record<string, unknown> = {}): string =>
      JSON.stringify({ name, type: 'module', main: 'index.js', types: 'index.d.ts', repository: { type: 'git', url: repoUrl }, ...extra }, null, 2);
    await write(repo, {
      '.gitignore': 'node_modules/\nstamp.ts\ngopkgr.lock\nimport_map.json\n',
      'packages/base/package.json': pkgJson('@acme/base'),
      'packages/base/index.ts': "import { twice } from './util.ts';\nexport function base(x: string): string {\n  return `base(${twice(x)})`;\n}\n",
      'packages/base/util.ts': 'export function twice(x: string): string {\n  return x + x;\n}\n',
      'packages/app/package.json': pkgJson('@acme/app', { scripts: { build: 'node gen.mjs' } }),
      'packages/app/gen.mjs': GEN,
      'packages/app/index.ts': "import { base } from '@acme/base'; // `ver:\"^1.0.0\"`\nimport { BUILT_AT } from './stamp.ts';\nexport function app(x: string): string {\n  return base(x) + ' at ' + BUILT_AT;\n}\n",
    });
    git(repo, 'init', '-q');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'two packages');
  });

  afterAll(closeAll);

  it('records repo, commit and source tree from a clean work tree; the package API shows them; verify says reproduced', async () => {
    const published = await publish(baseDir());
    expect(published.code, published.stderr).toBe(0);
    const head = git(repo, 'rev-parse', 'HEAD');
    expect(published.json).toMatchObject({ version: '1.0.0', repo: repoUrl, commit: head, sourceTree: git(repo, 'rev-parse', 'HEAD:packages/base'), build: null });
    expect(published.stderr).toContain(`source: ${repoUrl} at ${head}`);
    expect(await versionView('@acme/base@1.0.0')).toMatchObject({ repo: repoUrl, commit: head, sourceTree: git(repo, 'rev-parse', 'HEAD:packages/base') });

    const r = await verify('@acme/base@1.0.0');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.json).toMatchObject({ verdict: 'reproduced', contentHash: published.json.contentHash, rebuiltHash: published.json.contentHash, diff: [] });
    const human = await verify('@acme/base@1.0.0', false);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`reproduced @acme/base@1.0.0 from ${repoUrl} at ${head.slice(0, 12)}`);
  });

  it('reproduces a package with locked dependencies and a build step run with the commit\'s time, TZ=UTC and LC_ALL=C', async () => {
    // The author installs the deps and builds (node_modules, stamp.ts and gopkgr.lock are ignored), then publishes.
    const got = await gopkgr(['get', '--json'], { env: publisher, cwd: appDir() });
    expect(got.code, got.stderr).toBe(0);
    const epoch = git(repo, 'show', '-s', '--format=%ct', 'HEAD');
    execFileSync(process.execPath, ['gen.mjs'], { cwd: appDir(), env: { ...process.env, SOURCE_DATE_EPOCH: epoch, TZ: 'UTC', LC_ALL: 'C' } });
    expect(await readFile(path.join(appDir(), 'stamp.ts'), 'utf8')).toContain('Fri Mar 01 2024 12:00:00 GMT+0000');
    const published = await publish(appDir());
    expect(published.code, published.stderr).toBe(0);
    expect(published.json).toMatchObject({ repo: repoUrl, build: 'node gen.mjs', lock: { '@acme/base@1.0.0': expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(published.json.files).toContain('stamp.js');

    // The verifier's own zone, locale and epoch must not reach the build.
    const r = await gopkgr(['verify', '@acme/app@1.0.0', '--json'], { env: { ...verifier, TZ: 'Asia/Tokyo', LC_ALL: 'de_DE.UTF-8', SOURCE_DATE_EPOCH: '1' } });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.json).toMatchObject({ verdict: 'reproduced', rebuiltHash: published.json.contentHash, build: 'node gen.mjs' });
    expect(r.stderr).toContain('installed 1 locked dependency');
    expect(r.stderr).toContain(`SOURCE_DATE_EPOCH=${epoch}`);
  });

  it('a tarball built from an edited tree under the recorded commit differs, naming the file', async () => {
    // A publisher that lies: provenance read from the clean tree, then the tarball packed from an edited one.
    const key = await loadIdentity(publisher.GOPKGR_HOME!);
    const client = new NodeClient(api);
    const { provenance } = await readProvenance(baseDir());
    expect(provenance?.commit).toBe(git(repo, 'rev-parse', 'HEAD'));
    const util = path.join(baseDir(), 'util.ts');
    await writeFile(util, 'export function twice(x: string): string {\n  return x + x + x;\n}\n');
    try {
      const packed = await packRelease(baseDir());
      const existing = await findExisting(client, packed);
      const apiVer = await apiVersion(baseDir(), client, packed.fullName, existing);
      const tree = await lockTree(baseDir(), packed.fullName, apiVer.version, client);
      const signed = await signRelease(client, key, {
        ns: packed.ns, name: packed.name, existingId: existing!.id, version: apiVer.version, contentHash: packed.packed.sha256,
        size: packed.packed.tarball.length, manifest: apiVer.manifest, tree, provenance,
        ...(apiVer.baseApiHash === undefined ? {} : { baseApiHash: apiVer.baseApiHash }),
      });
      const receipt = await submitPublish(client, { sha256: packed.packed.sha256, bytes: packed.packed.tarball }, signed, { wait: true, timeoutMs: 60_000 });
      expect(receipt.status).toBe('confirmed');
      expect(apiVer.version).toBe('1.0.1');
    } finally {
      git(repo, 'checkout', '--', 'packages/base/util.ts');
    }

    const r = await verify('@acme/base@1.0.1');
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.json.verdict).toBe('differs');
    expect(r.json.rebuiltHash).not.toBe(r.json.contentHash);
    // The rebuild is 1.0.0's bytes: the commit is unchanged.
    expect(r.json.rebuiltHash).toBe((await versionView('@acme/base@1.0.0')).contentHash);
    expect(r.json.diff).toEqual([{ path: 'util.js', change: 'changed' }, { path: 'util.ts', change: 'changed' }]);
    const human = await verify('@acme/base@1.0.1', false);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('differs @acme/base@1.0.1');
    expect(human.stdout).toContain('  changed util.ts');
  });

  it('refuses a dirty work tree with PUBLISH_DIRTY_TREE; with --allow-dirty it records no commit and verify says unverifiable', async () => {
    await writeFile(path.join(baseDir(), 'extra.ts'), 'export const EXTRA = 1;\n');
    const refused = await publish(baseDir());
    expect(refused.code).not.toBe(0);
    expect(refused.json).toMatchObject({ error: { code: 'PUBLISH_DIRTY_TREE', message: expect.stringContaining('extra.ts') } });

    const dirty = await publish(baseDir(), '--allow-dirty');
    expect(dirty.code, dirty.stderr).toBe(0);
    // extra.ts is not reachable from the package's entry point: a patch.
    expect(dirty.json).toMatchObject({ version: '1.0.2', repo: null, commit: null });
    expect(dirty.stderr).toContain('no repository or commit recorded');
    const view = await versionView('@acme/base@1.0.2');
    expect(view).not.toHaveProperty('commit');
    expect(view).not.toHaveProperty('repo');

    const r = await verify('@acme/base@1.0.2');
    expect(r.code, r.stderr + r.stdout).toBe(2);
    expect(r.json).toMatchObject({ verdict: 'unverifiable', rebuiltHash: null, diff: null, commit: null, reason: expect.stringContaining('no repository and commit') });
  });

  it('a repository that cannot be reached is unverifiable', async () => {
    const lost = path.join(work, 'lost');
    await write(lost, {
      'package.json': JSON.stringify({ name: '@acme/lost', type: 'module', exports: './index.ts', repository: `file://${path.join(work, 'gone')}` }),
      'index.ts': 'export const lost = true;\n',
    });
    git(lost, 'init', '-q');
    git(lost, 'add', '-A');
    git(lost, 'commit', '-q', '-m', 'lost');
    const published = await publish(lost);
    expect(published.code, published.stderr + published.stdout).toBe(0);
    const r = await verify('@acme/lost@1.0.0');
    expect(r.code, r.stderr + r.stdout).toBe(2);
    expect(r.json).toMatchObject({ verdict: 'unverifiable', reason: expect.stringContaining('cannot be cloned') });
  });

  it('an error verifies nothing and exits 2, never 1 (differs)', async () => {
    const r = await verify('@acme/lost@9.9.9');
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ error: { code: 'UNKNOWN_VERSION' } });
  });
});
