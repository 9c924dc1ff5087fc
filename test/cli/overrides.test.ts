/**
 * Overrides and local packages in process (cli/project/overrideLayer.ts,
 * localPackages.ts, overrides.ts): the real solver over a small index with an
 * override at depth 3 (app → a → b → c), each override kind, the lock entries
 * a changed override drops; and the file: dependencies and workspaces a
 * package.json declares, each malformed entry LOCAL_PACKAGE_INVALID naming it.
 * End to end, through `gopkgr get` and a dev node: test/e2e/overrides.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { lstat, mkdir, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GopkgrError } from '../../ledger/index.ts';
import type { IndexVersion } from '../../resolver/index.ts';
import type { PackageSource } from '../../cli/install/fetchIndex.ts';
import type { Lockfile } from '../../cli/install/lockfile.ts';
import { readLockfile, serializeLockfile } from '../../cli/install/lockfile.ts';
import { commitInstall, planInstall } from '../../cli/install/installPackages.ts';
import { PackageStore } from '../../cli/install/packageStore.ts';
import { buildImportMap } from '../../cli/install/buildImportMap.ts';
import { resolveProject } from '../../cli/install/resolveProject.ts';
import type { PackageJson } from '../../cli/packages.ts';
import { OverrideLayer, type Forced } from '../../cli/project/overrideLayer.ts';
import { findLocalPackages, linkHash } from '../../cli/project/localPackages.ts';
import { dropChangedOverrides } from '../../cli/project/dropChangedOverrides.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

afterAll(closeAll);

const h = (c: string): string => c.repeat(64);
const v = (version: string, hash: string, deps: Record<string, string> = {}): IndexVersion => ({ version, contentHash: h(hash), deps, deprecated: false });
/** app → @x/a → @x/b → @x/c; c has 1.0.0, 1.1.0 and 2.0.0, b asks for ^1. */
const INDEX: ReadonlyMap<string, IndexVersion[]> = new Map([
  ['@x/a', [v('1.0.0', 'a', { '@x/b': '^1.0.0' })]],
  ['@x/b', [v('1.0.0', 'b', { '@x/c': '^1.0.0' })]],
  ['@x/c', [v('1.0.0', '1'), v('1.1.0', '2'), v('2.0.0', '3')]],
]);
const APP = [{ name: '@x/a', range: '^1.0.0', origin: 'src/main.ts:1' }];
const layer = (entries: Record<string, Forced>): OverrideLayer => new OverrideLayer(new Map(Object.entries(entries)));

/** A package source over INDEX that records what it was asked. */
function source(asked: string[]): PackageSource {
  return {
    async lookup(name) {
      asked.push(name);
      const versions = INDEX.get(name);
      if (versions === undefined) return undefined;
      const pkg: PackageJson = { name, id: '', owner: '', maintainers: [], versions: versions.map((x) => ({ version: x.version, contentHash: x.contentHash, deps: x.deps, deprecated: false, lock: {}, height: 1, block: '', txId: '' })) };
      return { pkg, url: 'http://node' };
    },
  };
}

describe('the override layer, over the real solver', () => {
  it('without overrides, c follows b\'s range', () => {
    const s = layer({}).solve(INDEX, APP, {});
    expect(s.selected.get('@x/c')!.version).toBe('1.1.0');
  });

  it('a range override at depth 3 replaces b\'s range, and b keeps its own record', () => {
    const s = layer({ '@x/c': { kind: 'range', range: '^2.0.0', spec: '^2.0.0' } }).solve(INDEX, APP, {});
    expect(s.selected.get('@x/c')!.version).toBe('2.0.0');
    // The lockfile records what b was published with, not the rewritten range.
    expect(s.selected.get('@x/b')).toBe(INDEX.get('@x/b')![0]);
    expect(s.selected.get('@x/b')!.deps).toEqual({ '@x/c': '^1.0.0' });
  });

  it('a hash override takes that exact version, and only it', () => {
    const l = layer({ '@x/c': { kind: 'hash', contentHash: h('1'), spec: `sha256:${h('1')}` } });
    expect(l.solve(INDEX, APP, {}).selected.get('@x/c')!.version).toBe('1.0.0');
    expect(l.inject(INDEX).get('@x/c')!.map((x) => x.version)).toEqual(['1.0.0']);
  });

  it('a local version is the one candidate, its own deps followed, and no registry hears its name', async () => {
    const local = v('0.0.0', 'e', { '@x/a': '^1.0.0' });
    const asked: string[] = [];
    const r = await resolveProject({
      requirements: [{ name: '@x/c', range: '^1.0.0', origin: 'src/main.ts:1' }],
      client: source(asked),
      overrides: layer({ '@x/c': { kind: 'version', version: local, spec: 'file:../c' } }),
    });
    expect(r.solution.selected.get('@x/c')).toBe(local);
    expect([...r.solution.selected.keys()]).toEqual(['@x/a', '@x/b', '@x/c']);
    expect(asked).not.toContain('@x/c');
    expect(r.sources.has('@x/c')).toBe(false);
  });

  it('a hash override no version has is OVERRIDE_NOT_FOUND naming the entry', async () => {
    const err = await resolveProject({
      requirements: APP, client: source([]), overrides: layer({ '@x/c': { kind: 'hash', contentHash: h('9'), spec: `sha256:${h('9')}` } }),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GopkgrError);
    expect((err as GopkgrError).code).toBe('OVERRIDE_NOT_FOUND');
    expect((err as GopkgrError).message).toContain('overrides["@x/c"]');
  });

  it('resolves from the lockfile with the override applied, without asking anyone', async () => {
    const lock: Lockfile = { lockfileVersion: 1, added: {}, packages: {} };
    for (const [name, versions] of INDEX) {
      const top = versions.at(-1)!;
      lock.packages[name] = { version: top.version, contentHash: top.contentHash, deps: top.deps, satisfying: Object.fromEntries(versions.map((x) => [x.version, { contentHash: x.contentHash, deps: x.deps }])) };
    }
    const r = await resolveProject({ requirements: APP, lock, overrides: layer({ '@x/c': { kind: 'range', range: '~1.0.0', spec: '~1.0.0' } }) });
    expect(r.fromLockfile).toBe(true);
    expect(r.solution.selected.get('@x/c')!.version).toBe('1.0.0');
  });
});

describe('the lockfile and changed overrides', () => {
  const lock: Lockfile = {
    lockfileVersion: 1, added: {}, overrides: { '@x/c': '^2.0.0', '@x/gone': '^1.0.0' },
    packages: { '@x/c': { version: '2.0.0', contentHash: h('3'), deps: {}, satisfying: {} }, '@x/gone': { version: '1.0.0', contentHash: h('4'), deps: {}, satisfying: {} }, '@x/b': { version: '1.0.0', contentHash: h('b'), deps: {}, satisfying: {} } },
  };

  it('keeps the entries of unchanged overrides and drops those of changed, added or removed ones', () => {
    expect(dropChangedOverrides(lock, { '@x/c': '^2.0.0', '@x/gone': '^1.0.0' })).toBe(lock);
    expect(Object.keys(dropChangedOverrides(lock, { '@x/c': '~2.0.0', '@x/b': '^1.0.0' })!.packages)).toEqual([]);
    expect(Object.keys(dropChangedOverrides(lock, { '@x/c': '^2.0.0' })!.packages).sort()).toEqual(['@x/b', '@x/c']);
  });

  it('writes and reads the overrides and links sections', async () => {
    const dir = await tempDir('gopkgr-overrides-lock-');
    const file = path.join(dir, 'gopkgr.lock');
    await writeFile(file, serializeLockfile({ ...lock, links: { '@ws/b': 'packages/b' } }));
    expect(await readLockfile(file)).toMatchObject({ overrides: lock.overrides, links: { '@ws/b': 'packages/b' } });
    await writeFile(file, JSON.stringify({ lockfileVersion: 1, overrides: { '@x/c': 2 } }));
    await expect(readLockfile(file)).rejects.toMatchObject({ code: 'LOCKFILE_INVALID' });
  });
});

describe('local packages of package.json', () => {
  async function project(pkg: Record<string, unknown>, packages: Record<string, Record<string, unknown>> = {}): Promise<string> {
    const root = await tempDir('gopkgr-local-');
    const app = path.join(root, 'app');
    await mkdir(app);
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', ...pkg }));
    for (const [rel, json] of Object.entries(packages)) {
      await mkdir(path.join(root, rel), { recursive: true });
      await writeFile(path.join(root, rel, 'package.json'), JSON.stringify(json));
    }
    return app;
  }
  const codeAndMessage = (p: Promise<unknown>): Promise<{ code: string; message: string }> => p.then(() => ({ code: 'none', message: '' }), (e: GopkgrError) => ({ code: e.code, message: e.message }));

  it('finds file: dependencies and workspaces (a directory, a directory/*, yarn\'s object form)', async () => {
    const app = await project(
      { dependencies: { '@loc/util': 'file:../util', zod: '^3' }, workspaces: ['packages/*', 'tools/one'] },
      { util: { name: '@loc/util', version: '1.2.0' }, 'app/packages/a': { name: '@ws/a' }, 'app/packages/b': { name: '@ws/b' }, 'app/tools/one': { name: 'one', version: '1.0.0-beta.1' } },
    );
    const found = await findLocalPackages(app);
    expect(found.map((p) => [p.name, path.relative(app, p.dir), p.version])).toEqual([
      ['@loc/util', '../util', '1.2.0'], ['@ws/a', 'packages/a', '0.0.0'], ['@ws/b', 'packages/b', '0.0.0'], ['one', 'tools/one', '0.0.0'],
    ]);
    const yarn = await project({ workspaces: { packages: ['packages/*'] } }, { 'app/packages/a': { name: '@ws/a' } });
    expect((await findLocalPackages(yarn)).map((p) => p.name)).toEqual(['@ws/a']);
  });

  it('refuses each malformed entry with LOCAL_PACKAGE_INVALID naming it', async () => {
    const cases: Array<[Record<string, unknown>, Record<string, Record<string, unknown>>, string]> = [
      [{ dependencies: { '@loc/util': 'file:../nowhere' } }, {}, 'dependencies["@loc/util"]'],
      [{ dependencies: { '@loc/util': 'file:../util' } }, { util: { name: '@loc/other' } }, 'dependencies["@loc/util"]'],
      [{ devDependencies: { '@loc/util': 'file:../util' } }, { util: { name: '../../evil' } }, 'devDependencies["@loc/util"]'],
      [{ workspaces: ['../outside'] }, {}, 'workspaces[0]'],
      [{ workspaces: ['packages/**/x'] }, {}, 'workspaces[0]'],
      [{ workspaces: 'packages/*' }, {}, 'workspaces'],
      [{ workspaces: ['a', 'b'] }, { 'app/a': { name: '@ws/same' }, 'app/b': { name: '@ws/same' } }, 'workspaces[1]'],
    ];
    for (const [pkg, packages, field] of cases) {
      const r = await codeAndMessage(findLocalPackages(await project(pkg, packages)));
      expect(r.code, JSON.stringify(pkg)).toBe('LOCAL_PACKAGE_INVALID');
      expect(r.message).toContain(field);
    }
  });
});

describe('laying a local package out', () => {
  it('is a relative symlink in the same commit as the rest; its directory is never written, and removing the link leaves it', async () => {
    const root = await tempDir('gopkgr-link-');
    const project = path.join(root, 'app');
    const lib = path.join(root, 'lib');
    await mkdir(project);
    await mkdir(lib);
    const libJson = JSON.stringify({ name: '@ws/lib', type: 'module', exports: { '.': './main.js', './extra': './extra.js' } });
    await writeFile(path.join(lib, 'package.json'), libJson);
    const store = new PackageStore(path.join(root, 'data'));
    const target = { name: '@ws/lib', version: '0.0.0', contentHash: linkHash(lib), link: lib };
    const files = (entries: ReadonlyMap<string, Record<string, string>>): Record<string, string> => ({ 'import_map.json': buildImportMap(entries) });

    const plan = await planInstall(project, [target]);
    expect(plan.toInstall.map((t) => t.name)).toEqual(['@ws/lib']);
    await commitInstall({ projectDir: project, plan, store, files });
    const at = path.join(project, 'node_modules/@ws/lib');
    expect((await lstat(at)).isSymbolicLink()).toBe(true);
    expect(await readlink(at)).toBe('../../../lib');
    expect(await readFile(path.join(lib, 'package.json'), 'utf8')).toBe(libJson);
    expect(JSON.parse(await readFile(path.join(project, 'import_map.json'), 'utf8'))).toEqual({ imports: { '@ws/lib': './node_modules/@ws/lib/main.js', '@ws/lib/extra': './node_modules/@ws/lib/extra.js' } });

    // Unchanged: kept. Gone from the targets: the link goes, the directory stays.
    expect((await planInstall(project, [target])).kept.map((t) => t.name)).toEqual(['@ws/lib']);
    const removal = await planInstall(project, []);
    expect(removal.toRemove).toEqual(['@ws/lib']);
    await commitInstall({ projectDir: project, plan: removal, store, files });
    expect(await lstat(at).then(() => true, () => false)).toBe(false);
    expect(await readFile(path.join(lib, 'package.json'), 'utf8')).toBe(libJson);
  });
});

