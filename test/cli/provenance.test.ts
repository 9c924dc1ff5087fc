/**
 * What a publish records about its source (cli/publish/provenance.ts), read
 * from real git repositories in temp dirs: repository URL, full commit, the
 * package directory's tree id, the build script; PUBLISH_DIRTY_TREE for
 * changes under the package (what the packer never takes aside), --allow-dirty
 * recording nothing, and nothing at all outside a work tree.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ignoredPackedFiles, ignoredPaths, readProvenance, repositoryUrl } from '../../cli/publish/provenance.ts';
import { rejectsWith } from '../support/chain.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@example.com', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@example.com',
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

/** A repository with a package at packages/lib and another file at its root, all committed. */
async function monorepo(pkg: Record<string, unknown> = {}): Promise<{ root: string; dir: string }> {
  const root = await tempDir('gopkgr-provenance-');
  const dir = path.join(root, 'packages', 'lib');
  await write(root, {
    'README.md': '# monorepo\n',
    'packages/lib/package.json': JSON.stringify({ name: '@acme/lib', type: 'module', ...pkg }),
    'packages/lib/index.ts': 'export const x = 1;\n',
  });
  git(root, 'init', '-q');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'init');
  return { root, dir };
}

afterAll(closeAll);

describe('repositoryUrl: package.json "repository" as a URL git clones', () => {
  it.each([
    ['https://example.com/acme/lib.git', 'https://example.com/acme/lib.git'],
    [{ type: 'git', url: 'git+https://example.com/acme/lib.git' }, 'https://example.com/acme/lib.git'],
    ['git+ssh://git@example.com/acme/lib.git', 'ssh://git@example.com/acme/lib.git'],
    ['github:acme/lib', 'https://github.com/acme/lib.git'],
    ['gitlab:acme/lib', 'https://gitlab.com/acme/lib.git'],
    ['acme/lib', 'https://github.com/acme/lib.git'],
    ['file:///srv/git/lib', 'file:///srv/git/lib'],
    // A token in the URL must never reach the chain.
    ['https://user:s3cret@example.com/acme/lib.git', 'https://example.com/acme/lib.git'],
  ])('%j → %s', (field, url) => {
    expect(repositoryUrl(field)).toBe(url);
  });

  it('gives nothing for a missing or empty field', () => {
    expect(repositoryUrl(undefined)).toBeUndefined();
    expect(repositoryUrl('')).toBeUndefined();
    expect(repositoryUrl({ type: 'git' })).toBeUndefined();
  });
});

describe('readProvenance', () => {
  it('records the repository, the full commit, the package directory\'s tree and the build script', async () => {
    const { root, dir } = await monorepo({ repository: 'file:///srv/git/mono', scripts: { build: 'node gen.mjs' } });
    const { provenance } = await readProvenance(dir);
    expect(provenance).toEqual({
      repo: 'file:///srv/git/mono',
      commit: git(root, 'rev-parse', 'HEAD'),
      tree: git(root, 'rev-parse', 'HEAD:packages/lib'),
      build: 'node gen.mjs',
    });
    expect(provenance!.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('takes the origin remote without credentials when package.json names no repository, and records no build without a build script', async () => {
    const { root, dir } = await monorepo();
    git(root, 'remote', 'add', 'origin', 'https://bot:token123@example.com/acme/mono.git');
    const { provenance } = await readProvenance(dir);
    expect(provenance?.repo).toBe('https://example.com/acme/mono.git');
    expect(provenance).not.toHaveProperty('build');
  });

  it('records nothing, with a note and refusing nothing, without a repository URL or outside a git work tree', async () => {
    const { dir } = await monorepo();
    expect(await readProvenance(dir)).toEqual({ note: expect.stringContaining('no "repository"') });
    await writeFile(path.join(dir, 'index.ts'), 'export const x = 2;\n');
    expect(await readProvenance(dir)).toEqual({ note: expect.stringContaining('no "repository"') });
    const plain = await tempDir('gopkgr-provenance-plain-');
    await write(plain, { 'package.json': '{"name":"@acme/plain"}' });
    expect(await readProvenance(plain)).toEqual({ note: expect.stringContaining('not in a git work tree') });
  });

  it('PUBLISH_DIRTY_TREE for an edited, a new or a renamed file under the package, naming it', async () => {
    const { dir } = await monorepo({ repository: 'file:///srv/git/mono' });
    await writeFile(path.join(dir, 'index.ts'), 'export const x = 2;\n');
    const edited = await rejectsWith(readProvenance(dir), 'PUBLISH_DIRTY_TREE');
    expect(edited.message).toContain('index.ts');
    expect(edited.hint).toContain('--allow-dirty');

    const fresh = await monorepo({ repository: 'file:///srv/git/mono' });
    await write(fresh.dir, { 'src/new.ts': 'export {};\n' });
    expect((await rejectsWith(readProvenance(fresh.dir), 'PUBLISH_DIRTY_TREE')).message).toContain('src/new.ts');

    const moved = await monorepo({ repository: 'file:///srv/git/mono' });
    git(moved.root, 'mv', 'packages/lib/index.ts', 'packages/lib/main.ts');
    const renamed = await rejectsWith(readProvenance(moved.dir), 'PUBLISH_DIRTY_TREE');
    expect(renamed.message).toContain('main.ts');
    expect(renamed.message).toContain('index.ts');
  });

  it('ignores changes outside the package and what the packer never takes', async () => {
    const { root, dir } = await monorepo({ repository: 'file:///srv/git/mono' });
    await writeFile(path.join(root, 'README.md'), '# changed\n');
    await write(dir, {
      'node_modules/@acme/dep/index.js': 'x',
      '.env': 'SECRET=1',
      'gopkgr.lock': '{}',
      'import_map.json': '{}',
      'tsconfig.tsbuildinfo': '{}',
    });
    const { provenance } = await readProvenance(dir);
    expect(provenance?.commit).toBe(git(root, 'rev-parse', 'HEAD'));
  });

  it('--allow-dirty records nothing for a dirty tree, and everything for a clean one', async () => {
    const { dir } = await monorepo({ repository: 'file:///srv/git/mono' });
    expect((await readProvenance(dir, { allowDirty: true })).provenance?.repo).toBe('file:///srv/git/mono');
    await rename(path.join(dir, 'index.ts'), path.join(dir, 'other.ts'));
    expect(await readProvenance(dir, { allowDirty: true })).toEqual({ note: expect.stringContaining('--allow-dirty') });
  });

  it('PUBLISH_PROVENANCE_TOO_LONG for a build script longer than the chain records', async () => {
    const { dir } = await monorepo({ repository: 'file:///srv/git/mono', scripts: { build: `echo ${'x'.repeat(600)}` } });
    await rejectsWith(readProvenance(dir), 'PUBLISH_PROVENANCE_TOO_LONG');
  });

  it('finds the packed files git ignores: what a rebuild from the commit lacks', async () => {
    const { dir } = await monorepo({ repository: 'file:///srv/git/mono' });
    await write(dir, { '.gitignore': 'gen/\nlocal.js\n', 'gen/table.js': 't', 'gen/deep/x.js': 'x', 'local.js': 'l', 'node_modules/d/i.js': 'd' });
    // A clean tree all the same: ignored files are no change.
    git(path.dirname(path.dirname(dir)), 'add', 'packages/lib/.gitignore');
    git(path.dirname(path.dirname(dir)), 'commit', '-q', '-m', 'ignore');
    expect((await readProvenance(dir)).provenance).toBeDefined();
    const ignored = await ignoredPaths(dir);
    expect(ignored.sort()).toEqual(['gen/', 'local.js']);
    expect(ignoredPackedFiles(ignored, ['gen/deep/x.js', 'gen/table.js', 'index.js', 'index.ts', 'local.js', 'package.json'])).toEqual(['gen/deep/x.js', 'gen/table.js', 'local.js']);
  });
});
