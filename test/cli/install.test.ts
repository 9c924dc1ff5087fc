/**
 * The install's fast paths, each against what it replaces:
 * - the package store (cli/install/packageStore.ts): a package is unpacked once
 *   and hard-linked into place; an unsafe tarball stores nothing; a store file
 *   edited through node_modules is caught before it is linked again;
 * - solutionFromLock (cli/install/resolveProject.ts): when the lockfile already
 *   solves the requirements it gives exactly what the solver gives, and it steps
 *   aside (undefined) whenever it does not;
 * - resolveProject with a lockfile that falls short asks the node only for the
 *   packages the lockfile cannot answer for, and for everything only when that
 *   is not enough (a loopback HTTP server answering /v1/packages, counting asks);
 * - resolveProject without a lockfile takes the whole tree's index in one
 *   POST /v1/resolve, and falls back to GET /v1/packages waves when the node
 *   has no such route or answers a tree its own index does not hold up; so
 *   does resolveUpdate, asking GET only for the names that answer leaves out.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lstat, mkdir, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { mapIndex, solve, type IndexVersion, type Requirement } from '../../resolver/index.ts';
import { PackageStore } from '../../cli/install/packageStore.ts';
import { PACKAGE_JSON_DIR, STORED_MTIME_MS } from '../../cli/install/storedPackageJsons.ts';
import { commitInstall, installedPackageJson, planInstall, skipShadowingSource } from '../../cli/install/installPackages.ts';
import { buildImportMap, importsOf } from '../../cli/install/buildImportMap.ts';
import { lockIndex, type Lockfile } from '../../cli/install/lockfile.ts';
import { resolveProject, solutionFromLock, satisfyingVersions } from '../../cli/install/resolveProject.ts';
import { NodeClient } from '../../cli/client.ts';
import { fetchIndex, nodeSource } from '../../cli/install/fetchIndex.ts';
import { resolveUpdate } from '../../cli/install/resolveUpdate.ts';
import { createServer, type Server } from 'node:http';
import { closeAll, tempDir } from '../support/cleanup.ts';

async function tarball(files: Record<string, string>, extra: Array<{ name: string; type: 'symlink'; linkname: string }> = []): Promise<Uint8Array> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((r) => p.on('end', () => r()));
  for (const [name, body] of Object.entries(files)) {
    await new Promise<void>((resolve, reject) => p.entry({ name: `package/${name}`, mode: name.endsWith('.sh') ? 0o755 : 0o644 }, body, (err) => (err ? reject(err) : resolve())));
  }
  for (const e of extra) await new Promise<void>((resolve, reject) => p.entry({ name: `package/${e.name}`, type: e.type, linkname: e.linkname }, (err) => (err ? reject(err) : resolve())));
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

const HASH = 'ab'.repeat(32);
const opts = { label: '@acme/x@1.0.0', skip: skipShadowingSource };

/** A store's data dir and a project dir, fresh for each test of the describe blocks below. */
const storeAndProject = async (): Promise<{ data: string; project: string }> => ({ data: await tempDir('gopkgr-store-'), project: await tempDir('gopkgr-project-') });

describe('PackageStore', () => {
  let data: string;
  let project: string;
  beforeEach(async () => ({ data, project } = await storeAndProject()));
  afterEach(closeAll);

  it('unpacks once, then hard-links every file (modes and symlinks kept, shadowed .ts sources left out)', async () => {
    const store = new PackageStore(data);
    expect(store.check(HASH)).toBeUndefined();
    const bytes = await tarball({
      'package.json': '{"name":"@acme/x","main":"lib/main.js"}', 'lib/main.js': 'export {}', 'lib/main.d.ts': 'export type {}', 'lib/main.ts': 'export {}', 'bin/run.sh': '#!/bin/sh',
    }, [{ name: 'lib/alias.js', type: 'symlink', linkname: 'main.js' }]);
    await store.add(HASH, bytes, opts);
    const fresh = new PackageStore(data);
    expect(fresh.check(HASH)?.entry).toBe('lib/main.js');
    const a = path.join(project, 'a');
    const b = path.join(project, 'b');
    expect(fresh.linkInto(HASH, a)).toBe('lib/main.js');
    fresh.linkInto(HASH, b);
    expect((await readdir(path.join(a, 'lib'))).sort()).toEqual(['alias.js', 'main.d.ts', 'main.js']);
    const [sa, sb, ss] = await Promise.all([stat(path.join(a, 'lib/main.js')), stat(path.join(b, 'lib/main.js')), stat(fresh.pathOf(HASH, 'lib/main.js'))]);
    expect(sa.ino).toBe(ss.ino);
    expect(sb.ino).toBe(ss.ino);
    expect(sa.nlink).toBe(3);
    expect((await stat(path.join(a, 'bin/run.sh'))).mode & 0o777).toBe(0o755);
    expect(await readFile(path.join(a, 'lib/alias.js'), 'utf8')).toBe('export {}');
  });

  it('stores nothing of an unsafe tarball', async () => {
    const store = new PackageStore(data);
    const bad = await tarball({ '../escape.js': 'x' });
    await expect(store.add(HASH, bad, opts)).rejects.toMatchObject({ code: 'TARBALL_UNSAFE' });
    expect(store.check(HASH)).toBeUndefined();
    expect(await readdir(path.join(data, 'store')).catch(() => [])).toEqual([]);
  });

  it('stores nothing of a tarball whose symlink chain resolves outside', async () => {
    const store = new PackageStore(data);
    const bad = await tarball({ 'package.json': '{}' }, [{ name: 'd', type: 'symlink', linkname: '.' }, { name: 'e', type: 'symlink', linkname: 'd/d/d/d/d/d/d/../../../../../..' }]);
    await expect(store.add(HASH, bad, opts)).rejects.toMatchObject({ code: 'TARBALL_UNSAFE', message: expect.stringContaining('"e"') });
    expect(store.check(HASH)).toBeUndefined();
    expect(await readdir(path.join(data, 'store')).catch(() => [])).toEqual([]);
  });

  it('refuses an index edited on disk to point a symlink out, and never links it', async () => {
    const bytes = await tarball({ 'package.json': '{}', 'index.js': 'export {}' }, [{ name: 'alias.js', type: 'symlink', linkname: 'index.js' }]);
    await new PackageStore(data).add(HASH, bytes, opts);
    const indexFile = path.join(data, 'store', `${HASH}.json`);
    const index = JSON.parse(await readFile(indexFile, 'utf8')) as { symlinks: Array<[string, string]>; files: Array<[string, number, number, number]> };
    await writeFile(indexFile, JSON.stringify({ ...index, symlinks: [['d', '.'], ['alias.js', 'd/d/d/../../..']] }));
    expect(new PackageStore(data).check(HASH)).toBeUndefined();
    await writeFile(indexFile, JSON.stringify({ ...index, files: [...index.files, ['../../outside', 420, 0, 0]] }));
    expect(new PackageStore(data).check(HASH)).toBeUndefined();
  });

  it('refuses an index without symlinks edited on disk to a path that is not plain, or to one path twice', async () => {
    const bytes = await tarball({ 'package.json': '{}', 'index.js': 'export {}' });
    await new PackageStore(data).add(HASH, bytes, opts);
    const indexFile = path.join(data, 'store', `${HASH}.json`);
    const index = JSON.parse(await readFile(indexFile, 'utf8')) as { dirs: string[]; files: Array<[string, number, number, number, string]>; symlinks: unknown[] };
    expect(index.symlinks).toEqual([]);
    expect(new PackageStore(data).check(HASH)).toBeDefined();
    // Each names a file or directory that is there, as the index says, so only the layout rules can refuse it.
    const file = index.files.find(([f]) => f === 'index.js')!;
    const files = [`../${HASH}/index.js`, './index.js', `x/../index.js`, path.join(data, 'store', HASH, 'index.js'), 'index.js'];
    const dirs = ['..', '.', `../${HASH}`, '...'];
    for (const bad of files) {
      await writeFile(indexFile, JSON.stringify({ ...index, files: [...index.files, [bad, ...file.slice(1)]] }));
      expect(new PackageStore(data).check(HASH), bad).toBeUndefined();
    }
    for (const bad of dirs) {
      await writeFile(indexFile, JSON.stringify({ ...index, dirs: [...index.dirs, bad] }));
      expect(new PackageStore(data).check(HASH), bad).toBeUndefined();
    }
    await writeFile(indexFile, JSON.stringify({ ...index, dirs: [...index.dirs, 'x'] }));
    expect(new PackageStore(data).check(HASH)).toBeDefined();
  });

  it('refuses a store file swapped for a symlink to a file elsewhere', async () => {
    const bytes = await tarball({ 'package.json': '{}', 'index.js': 'export {}' });
    const store = new PackageStore(data);
    await store.add(HASH, bytes, opts);
    const secret = path.join(project, 'secret');
    await writeFile(secret, 'export {}'); // same size, so only the file type tells
    const file = store.pathOf(HASH, 'index.js');
    const { mtimeMs } = await stat(file);
    await rm(file);
    await symlink(secret, file);
    const index = JSON.parse(await readFile(path.join(data, 'store', `${HASH}.json`), 'utf8')) as { files: Array<[string, number, number, number, string]> };
    // Even with the index agreeing on size and mtime of the link's target.
    const secretStat = await stat(secret);
    await writeFile(path.join(data, 'store', `${HASH}.json`), JSON.stringify({ ...index, files: index.files.map((f) => (f[0] === 'index.js' ? [f[0], f[1], secretStat.size, secretStat.mtimeMs, f[4]] : f)) }));
    expect(mtimeMs).toBeGreaterThan(0);
    expect(new PackageStore(data).check(HASH)).toBeUndefined();
  });

  it('unpacks many before committing any: an uncommitted entry is only files no index names, and commit writes every index', async () => {
    const store = new PackageStore(data);
    const hashes = ['01', '02', '03'].map((b) => b.repeat(32));
    const pending = await Promise.all(hashes.map(async (h, i) => store.unpack(h, await tarball({ 'package.json': `{"name":"@acme/p${i}"}`, 'index.js': `export const i = ${i};\n` }), opts)));
    // What a run killed here leaves: store files, no entry.
    expect(await readdir(path.join(data, 'store'))).toEqual(['files']);
    for (const h of hashes) expect(new PackageStore(data).check(h)).toBeUndefined();
    await store.commit(pending);
    expect((await readdir(path.join(data, 'store'))).sort()).toEqual(['files', ...hashes.map((h) => `${h}.json`)].sort());
    const fresh = new PackageStore(data);
    for (const h of hashes) expect(fresh.check(h)?.entry).toBe('index.js');
    fresh.linkInto(hashes[2]!, path.join(project, 'p2'));
    expect(await readFile(path.join(project, 'p2/index.js'), 'utf8')).toBe('export const i = 2;\n');
  });

  it('discards unpacked entries of a failed install', async () => {
    const store = new PackageStore(data);
    const pending = [await store.unpack(HASH, await tarball({ 'package.json': '{}' }), opts)];
    expect(await readdir(path.join(data, 'store'))).toEqual(['files']);
    await store.discard(pending);
    expect(await readdir(path.join(data, 'store')).catch(() => [])).toEqual([]);
  });

  it('catches a store file edited through a hard link, and a new add restores it', async () => {
    const bytes = await tarball({ 'package.json': '{"name":"@acme/x"}', 'index.js': 'export const a = 1;\n' });
    await new PackageStore(data).add(HASH, bytes, opts);
    const store = new PackageStore(data);
    store.check(HASH);
    const dest = path.join(project, 'x');
    store.linkInto(HASH, dest);
    await writeFile(path.join(dest, 'index.js'), 'export const a = 2; // edited in node_modules\n');
    const next = new PackageStore(data);
    expect(next.check(HASH)).toBeUndefined();
    await next.add(HASH, bytes, opts);
    next.linkInto(HASH, path.join(project, 'y'));
    expect(await readFile(path.join(project, 'y/index.js'), 'utf8')).toBe('export const a = 1;\n');
  });
});

describe('PackageStore: files stored by content (format 2)', () => {
  let data: string;
  let project: string;
  beforeEach(async () => ({ data, project } = await storeAndProject()));
  afterEach(closeAll);

  const A = 'aa'.repeat(32);
  const B = 'bb'.repeat(32);
  const LICENSE = 'MIT License, the same words in every package\n';
  const pkgA = (): Promise<Uint8Array> => tarball({ 'package.json': '{"name":"@acme/a"}', 'index.js': 'export const a = 1;\n', LICENSE });
  const pkgB = (): Promise<Uint8Array> => tarball({ 'package.json': '{"name":"@acme/b"}', 'index.js': 'export const b = 1;\n', LICENSE, 'run.sh': LICENSE });

  it('stores a file two packages share once, and one of the same bytes but executable apart', async () => {
    const store = new PackageStore(data);
    await store.add(A, await pkgA(), opts);
    await store.add(B, await pkgB(), opts);
    const fresh = new PackageStore(data);
    expect(fresh.check(A)).toBeDefined();
    expect(fresh.check(B)).toBeDefined();
    expect(fresh.pathOf(A, 'LICENSE')).toBe(fresh.pathOf(B, 'LICENSE'));
    expect(fresh.pathOf(B, 'run.sh')).not.toBe(fresh.pathOf(B, 'LICENSE'));
    fresh.linkInto(A, path.join(project, 'a'));
    fresh.linkInto(B, path.join(project, 'b'));
    const [la, lb, run] = await Promise.all([stat(path.join(project, 'a/LICENSE')), stat(path.join(project, 'b/LICENSE')), stat(path.join(project, 'b/run.sh'))]);
    expect(la.ino).toBe(lb.ino);
    expect(run.ino).not.toBe(la.ino);
    expect(run.mode & 0o777).toBe(0o755);
    expect(la.mode & 0o111).toBe(0);
    // No directory per package: only the content-addressed files and one index each.
    expect((await readdir(path.join(data, 'store'))).sort()).toEqual(['files', `${A}.json`, `${B}.json`].sort());
  });

  it('unpacks an entry again when a file of it is missing, and replaces a file a killed run left short', async () => {
    const store = new PackageStore(data);
    await store.add(A, await pkgA(), opts);
    const file = store.pathOf(A, 'index.js');
    await rm(file);
    expect(new PackageStore(data).check(A)).toBeUndefined();
    // What a run killed while writing leaves: the file under its final name, short, named by no index.
    await writeFile(file, 'export const');
    const next = new PackageStore(data);
    expect(next.check(A)).toBeUndefined();
    await next.add(A, await pkgA(), opts);
    expect(await readFile(file, 'utf8')).toBe('export const a = 1;\n');
    const again = new PackageStore(data);
    again.check(A);
    again.linkInto(A, path.join(project, 'a'));
    expect(await readFile(path.join(project, 'a/index.js'), 'utf8')).toBe('export const a = 1;\n');
  });

  it('keeps a shared file intact when an entry is discarded, and removes only what that entry created', async () => {
    const store = new PackageStore(data);
    await store.add(A, await pkgA(), opts);
    const pending = await store.unpack(B, await pkgB(), opts);
    await store.discard([pending]);
    const fresh = new PackageStore(data);
    expect(fresh.check(A)).toBeDefined();
    expect(fresh.check(B)).toBeUndefined();
    expect(await readFile(fresh.pathOf(A, 'LICENSE'), 'utf8')).toBe(LICENSE);
    // B's own files (its index.js, package.json, executable run.sh) are gone: only A's three remain.
    const left: string[] = [];
    for (const d of await readdir(path.join(data, 'store/files'))) left.push(...(await readdir(path.join(data, 'store/files', d))));
    expect(left.sort()).toEqual(['LICENSE', 'index.js', 'package.json'].map((rel) => path.basename(fresh.pathOf(A, rel))).sort());
  });

  it('refuses an index whose file hash or mode is not one the store names files by', async () => {
    const store = new PackageStore(data);
    await store.add(A, await pkgA(), opts);
    const indexFile = path.join(data, 'store', `${A}.json`);
    const index = JSON.parse(await readFile(indexFile, 'utf8')) as { files: Array<[string, number, number, number, string]> };
    expect(new PackageStore(data).check(A)).toBeDefined();
    for (const bad of [(f: [string, number, number, number, string]) => [f[0], f[1], f[2], f[3], `../../${f[4]}`], (f: [string, number, number, number, string]) => [f[0], 0o4755, f[2], f[3], f[4]], (f: [string, number, number, number, string]) => f.slice(0, 4)]) {
      await writeFile(indexFile, JSON.stringify({ ...index, files: index.files.map((f) => (f[0] === 'index.js' ? bad(f) : f)) }));
      expect(new PackageStore(data).check(A)).toBeUndefined();
    }
  });

  it('does not read an entry of format 1 (a directory per package): unpacks it again and removes the directory', async () => {
    // A format-1 entry as earlier versions wrote it: <hash>/ with the files, <hash>.json without a format.
    const old = path.join(data, 'store', A);
    await mkdir(old, { recursive: true });
    await writeFile(path.join(old, 'index.js'), 'export const a = 0; // old\n');
    const st = await stat(path.join(old, 'index.js'));
    await writeFile(path.join(data, 'store', `${A}.json`), JSON.stringify({ entry: 'index.js', dirs: [], files: [['index.js', 0o644, st.size, st.mtimeMs]], symlinks: [] }));
    const store = new PackageStore(data);
    expect(store.check(A)).toBeUndefined();
    await store.add(A, await pkgA(), opts);
    expect((await readdir(path.join(data, 'store'))).sort()).toEqual(['files', `${A}.json`].sort());
    const fresh = new PackageStore(data);
    expect(fresh.check(A)?.entry).toBe('index.js');
    fresh.linkInto(A, path.join(project, 'a'));
    expect(await readFile(path.join(project, 'a/index.js'), 'utf8')).toBe('export const a = 1;\n');
  });
});

describe('PackageStore: store files written on a worker thread (writeOffThread)', () => {
  let data: string;
  let project: string;
  beforeEach(async () => ({ data, project } = await storeAndProject()));
  afterEach(closeAll);

  const LICENSE = 'MIT License, the same words in every package\n';
  const pkg = (i: number): Promise<Uint8Array> => tarball({ 'package.json': `{"name":"@acme/p${i}"}`, 'lib/index.js': `export const i = ${i};\n`, LICENSE, 'bin/run.sh': '#!/bin/sh\n' });
  const hashes = ['01', '02', '03', '04'].map((b) => b.repeat(32));

  it('writes what the thread of the caller writes: the same indexes, files and links', async () => {
    const inline = new PackageStore(path.join(data, 'inline'));
    const worker = new PackageStore(path.join(data, 'worker'));
    worker.writeOffThread();
    try {
      for (const store of [inline, worker]) await store.commit(await Promise.all(hashes.map(async (h, i) => store.unpack(h, await pkg(i), opts))));
    } finally {
      await worker.close();
    }
    const strip = (index: unknown): unknown => ({ ...(index as object), files: (index as { files: unknown[][] }).files.map((f) => [f[0], f[1], f[2], f[4]]) });
    for (const h of hashes) {
      const a = new PackageStore(path.join(data, 'inline'));
      const b = new PackageStore(path.join(data, 'worker'));
      expect(strip(b.check(h))).toEqual(strip(a.check(h)));
      b.linkInto(h, path.join(project, h));
      expect(await readFile(path.join(project, h, 'lib/index.js'), 'utf8')).toBe(`export const i = ${hashes.indexOf(h)};\n`);
      expect((await stat(path.join(project, h, 'bin/run.sh'))).mode & 0o777).toBe(0o755);
    }
    expect((await stat(path.join(project, hashes[0]!, 'LICENSE'))).ino).toBe((await stat(path.join(project, hashes[3]!, 'LICENSE'))).ino);
  });

  it('commits in the background: entries usable at once by this store, on disk for others once settled', async () => {
    const store = new PackageStore(data);
    store.writeOffThread();
    try {
      await store.commit(await Promise.all(hashes.map(async (h, i) => store.unpack(h, await pkg(i), opts))), true);
      for (const h of hashes) expect(store.check(h)).toBeDefined();
      store.linkInto(hashes[1]!, path.join(project, 'p1'));
      expect(await readFile(path.join(project, 'p1/lib/index.js'), 'utf8')).toBe('export const i = 1;\n');
      await store.settled();
    } finally {
      await store.close();
    }
    const fresh = new PackageStore(data);
    for (const h of hashes) expect(fresh.check(h)?.entry).toBe('index.js');
    expect((await readdir(path.join(data, 'store'))).sort()).toEqual(['files', ...hashes.map((h) => `${h}.json`)].sort());
  });

  it('discards through the thread: nothing is left in the store', async () => {
    const store = new PackageStore(data);
    store.writeOffThread();
    try {
      const pending = await Promise.all(hashes.map(async (h, i) => store.unpack(h, await pkg(i), opts)));
      expect(await readdir(path.join(data, 'store'))).toEqual(['files']);
      await store.discard(pending);
    } finally {
      await store.close();
    }
    expect(await readdir(path.join(data, 'store')).catch(() => [])).toEqual([]);
  });

  it('passes on an error of the thread with its code, and removes what that unpack had created', async () => {
    const store = new PackageStore(data);
    store.writeOffThread();
    const bytes = await tarball({ 'package.json': '{"name":"@acme/x"}', 'index.js': 'export const x = 1;\n' });
    // A file where the prefix directory of index.js's store file belongs: creating it fails (ENOTDIR).
    const probe = new PackageStore(path.join(data, 'probe'));
    await probe.add(HASH, bytes, opts);
    const prefix = path.basename(path.dirname(probe.pathOf(HASH, 'index.js')));
    const pjPrefix = path.basename(path.dirname(probe.pathOf(HASH, 'package.json')));
    expect(pjPrefix).not.toBe(prefix);
    await mkdir(path.join(data, 'store/files'), { recursive: true });
    await writeFile(path.join(data, 'store/files', prefix), 'in the way');
    try {
      await expect(store.unpack(HASH, bytes, opts)).rejects.toMatchObject({ code: 'ENOTDIR' });
    } finally {
      await store.close();
    }
    expect((await readdir(path.join(data, 'store/files'))).sort()).toEqual([prefix]);
    expect(new PackageStore(data).check(HASH)).toBeUndefined();
  });
});

describe('solutionFromLock', () => {
  const v = (version: string, deps: Record<string, string> = {}, deprecated = false): IndexVersion => ({ version, contentHash: version.replace(/\./g, '').padStart(64, '0'), deps, deprecated });
  // A diamond: app → a, b; a → c ^1; b → c ^1.1; plus a stray d in the index.
  const index = new Map<string, IndexVersion[]>([
    ['@t/a', [v('1.0.0', { '@t/c': '^1.0.0' }), v('1.1.0', { '@t/c': '^1.0.0' })]],
    ['@t/b', [v('2.0.0', { '@t/c': '^1.1.0' })]],
    ['@t/c', [v('1.0.0'), v('1.1.0'), v('1.2.0', {}, true), v('2.0.0')]],
    ['@t/d', [v('1.0.0')]],
  ]);
  const requirements: Requirement[] = [{ name: '@t/a', range: '^1.0.0', origin: 'src/app.ts:1' }, { name: '@t/b', range: '^2.0.0', origin: 'src/app.ts:2' }];

  function lockOf(reqs: Requirement[], extra: Record<string, string> = {}): Lockfile {
    const solution = solve(mapIndex(index), reqs);
    const satisfying = satisfyingVersions(index, solution);
    const lock: Lockfile = { lockfileVersion: 1, added: {}, packages: {} } as Lockfile;
    for (const [name, sel] of solution.selected) lock.packages[name] = { version: sel.version, contentHash: sel.contentHash, deps: sel.deps, satisfying: satisfying.get(name) ?? {} };
    for (const [name, version] of Object.entries(extra)) {
      const sel = index.get(name)!.find((x) => x.version === version)!;
      lock.packages[name] = { version, contentHash: sel.contentHash, deps: sel.deps, satisfying: { [version]: { contentHash: sel.contentHash, deps: sel.deps } } };
    }
    return lock;
  }

  it('gives what the solver gives when the lock solves the requirements', () => {
    const lock = lockOf(requirements, { '@t/d': '1.0.0' });
    const li = lockIndex(lock);
    const preferred = Object.fromEntries(Object.entries(lock.packages).map(([n, p]) => [n, p.version]));
    const fast = solutionFromLock(li, lock, requirements);
    expect(fast).toBeDefined();
    expect(fast).toEqual(solve(mapIndex(li), requirements, { preferred }));
    // Only what the requirements reach: the stray @t/d is not selected.
    expect([...fast!.selected.keys()]).toEqual(['@t/a', '@t/b', '@t/c']);
  });

  it('keeps a locked deprecated version, as the solver does with a preferred one', () => {
    const lock = lockOf([{ name: '@t/c', range: '1.2.0' }]);
    const reqs: Requirement[] = [{ name: '@t/c', range: '^1.0.0' }];
    const li = lockIndex(lock);
    expect(solutionFromLock(li, lock, reqs)?.selected.get('@t/c')?.version).toBe('1.2.0');
    expect(solve(mapIndex(li), reqs, { preferred: { '@t/c': '1.2.0' } }).selected.get('@t/c')?.version).toBe('1.2.0');
  });

  it('steps aside when a requirement, a dependency or a hashlock is not met by the lock', () => {
    const lock = lockOf(requirements);
    const li = lockIndex(lock);
    expect(solutionFromLock(li, lock, [...requirements, { name: '@t/c', range: '^2.0.0' }])).toBeUndefined();
    expect(solutionFromLock(li, lock, [...requirements, { name: '@t/d', range: '^1.0.0' }])).toBeUndefined();
    expect(solutionFromLock(li, lock, [{ name: '@t/a', range: '^1.0.0', hash: 'ff'.repeat(32) }])).toBeUndefined();
    const broken = structuredClone(lock);
    broken.packages['@t/c']!.version = '2.0.0';
    broken.packages['@t/c']!.satisfying['2.0.0'] = { contentHash: index.get('@t/c')![3]!.contentHash, deps: {} };
    expect(solutionFromLock(lockIndex(broken), broken, requirements)).toBeUndefined();
  });
});

describe('resolveProject with a lockfile that falls short', () => {
  const v = (version: string, deps: Record<string, string> = {}): IndexVersion => ({ version, contentHash: version.replace(/\./g, '').padStart(64, '1'), deps, deprecated: false });
  const chain = new Map<string, IndexVersion[]>([
    ['@t/a', [v('1.0.0', { '@t/c': '^1.0.0' })]],
    ['@t/b', [v('2.0.0')]],
    ['@t/c', [v('1.0.0'), v('1.1.0')]],
    ['@t/e', [v('1.0.0', { '@t/f': '^1.0.0' })]],
    ['@t/f', [v('1.0.0')]],
  ]);
  let server: Server;
  let url: string;
  const asked: string[] = [];
  beforeEach(async () => {
    asked.length = 0;
    server = createServer((req, res) => {
      const name = decodeURIComponent(req.url!.replace('/v1/packages/', ''));
      asked.push(name);
      const versions = chain.get(name);
      res.writeHead(versions === undefined ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(versions === undefined ? { error: { code: 'NOT_FOUND', message: name } } : { name, versions }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
  });

  async function lockFor(requirements: Requirement[]): Promise<Lockfile> {
    const { solution, index } = await resolveProject({ requirements, client: new NodeClient(url) });
    const satisfying = satisfyingVersions(index, solution);
    const lock = { lockfileVersion: 1, added: {}, packages: {} } as Lockfile;
    for (const [name, sel] of solution.selected) lock.packages[name] = { version: sel.version, contentHash: sel.contentHash, deps: sel.deps, satisfying: satisfying.get(name) ?? {} };
    asked.length = 0;
    return lock;
  }

  it('asks only for the new package and what it needs', async () => {
    const base: Requirement[] = [{ name: '@t/a', range: '^1.0.0' }, { name: '@t/b', range: '^2.0.0' }];
    const lock = await lockFor(base);
    const r = await resolveProject({ requirements: [...base, { name: '@t/e', range: '^1.0.0' }], lock, client: new NodeClient(url) });
    expect(asked.sort()).toEqual(['@t/e', '@t/f']);
    expect(r.fromLockfile).toBe(false);
    expect(Object.fromEntries([...r.solution.selected].map(([n, x]) => [n, x.version]))).toEqual({ '@t/a': '1.0.0', '@t/b': '2.0.0', '@t/c': '1.1.0', '@t/e': '1.0.0', '@t/f': '1.0.0' });
  });

  it('asks for everything when the lockfile\'s candidates do not fit, and still explains a conflict', async () => {
    const lock = await lockFor([{ name: '@t/a', range: '^1.0.0' }]);
    await expect(resolveProject({ requirements: [{ name: '@t/a', range: '^1.0.0' }, { name: '@t/c', range: '^2.0.0' }], lock, client: new NodeClient(url) }))
      .rejects.toMatchObject({ code: 'RESOLVE_CONFLICT' });
    expect(asked).toContain('@t/a');
    expect(asked.filter((n) => n === '@t/c')).toHaveLength(2);
  });
});

describe('what an install writes for the ecosystem\'s tools', () => {
  let data: string;
  let project: string;
  beforeEach(async () => ({ data, project } = await storeAndProject()));
  afterEach(closeAll);

  it('the installed package.json carries the version and dependencies from the chain; the store copy stays as packed', async () => {
    const packedJson = '{"name":"@acme/x","type":"module","exports":{".":{"types":"./dist/index.d.ts","default":"./dist/index.js"}},"dependencies":{"left-pad":"^1.0.0"}}';
    const store = new PackageStore(data);
    await store.add(HASH, await tarball({ 'package.json': packedJson, 'dist/index.js': 'export {}', 'dist/index.d.ts': 'export {}' }), opts);
    const target = { name: '@acme/x', version: '2.1.0', contentHash: HASH, deps: { '@acme/base': '^1.2.0' } };
    const plan = await planInstall(project, [target]);
    let seen: Map<string, Record<string, string>> | undefined;
    await commitInstall({ projectDir: project, plan, store, files: (entries) => {
      seen = new Map(entries);
      return { 'import_map.json': buildImportMap(entries) };
    } });
    const installed = JSON.parse(await readFile(path.join(project, 'node_modules/@acme/x/package.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(installed).slice(0, 2)).toEqual(['name', 'version']);
    expect(installed).toMatchObject({ name: '@acme/x', version: '2.1.0', dependencies: { 'left-pad': '^1.0.0', '@acme/base': '^1.2.0' } });
    expect(await readFile(store.pathOf(HASH, 'package.json'), 'utf8')).toBe(packedJson);
    expect(seen?.get('@acme/x')).toEqual({ '': 'dist/index.js' });
    expect(JSON.parse(await readFile(path.join(project, 'import_map.json'), 'utf8'))).toEqual({ imports: { '@acme/x': './node_modules/@acme/x/dist/index.js' } });
  });

  it('reads the packed package.json from the store index, or from the entry when an earlier version wrote the index', async () => {
    const packedJson = '{"name":"@acme/x","main":"lib/x.js","bin":{"x":"lib/x.js"}}';
    const store = new PackageStore(data);
    await store.add(HASH, await tarball({ 'package.json': packedJson, 'lib/x.js': 'export {}' }), opts);
    const indexFile = path.join(data, 'store', `${HASH}.json`);
    const index = JSON.parse(await readFile(indexFile, 'utf8')) as Record<string, unknown>;
    expect(index.packageJson).toBe(packedJson);
    const install = async (dir: string, s: PackageStore): Promise<{ json: string; imports: Record<string, string> | undefined }> => {
      const target = { name: '@acme/x', version: '1.0.0', contentHash: HASH };
      expect(s.check(HASH)).toBeDefined();
      let imports: Record<string, string> | undefined;
      const result = await commitInstall({ projectDir: dir, plan: await planInstall(dir, [target]), store: s, files: (entries) => {
        imports = entries.get('@acme/x');
        return {};
      } });
      expect(result.manifests.get('@acme/x')).toMatchObject({ bin: { x: 'lib/x.js' } });
      const file = path.join(dir, 'node_modules/@acme/x/package.json');
      // The installed package.json, never a hard link to the packed one.
      expect((await stat(file)).ino).not.toBe((await stat(s.pathOf(HASH, 'package.json'))).ino);
      return { json: await readFile(file, 'utf8'), imports };
    };
    const fromIndex = await install(project, store);
    expect(JSON.parse(fromIndex.json)).toEqual({ name: '@acme/x', version: '1.0.0', main: 'lib/x.js', bin: { x: 'lib/x.js' } });
    expect(fromIndex.imports).toEqual({ '': 'lib/x.js', '/': '' });
    delete index.packageJson;
    await writeFile(indexFile, JSON.stringify(index));
    const other = await tempDir('gopkgr-project-');
    expect(await install(other, new PackageStore(data))).toEqual(fromIndex);
  });

  it('writes the installed package.json of a package whose package.json is a symlink in place of the link', async () => {
    const store = new PackageStore(data);
    await store.add(HASH, await tarball({ 'real.json': '{"name":"@acme/x","main":"i.js"}', 'i.js': 'export {}' }, [{ name: 'package.json', type: 'symlink', linkname: 'real.json' }]), opts);
    const target = { name: '@acme/x', version: '1.0.0', contentHash: HASH };
    await commitInstall({ projectDir: project, plan: await planInstall(project, [target]), store, files: () => ({}) });
    const file = path.join(project, 'node_modules/@acme/x/package.json');
    expect((await lstat(file)).isFile()).toBe(true);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ name: '@acme/x', version: '1.0.0' });
    expect(await readFile(store.pathOf(HASH, 'real.json'), 'utf8')).toBe('{"name":"@acme/x","main":"i.js"}');
  });

  it('links the installed package.json from the store once an install wrote it, and writes it anew when the stored one was edited, removed or swapped', async () => {
    const store = new PackageStore(data);
    await store.add(HASH, await tarball({ 'package.json': '{"name":"@acme/x","main":"i.js"}', 'i.js': 'export {}' }), opts);
    const target = { name: '@acme/x', version: '1.0.0', contentHash: HASH };
    const wanted = installedPackageJson({ name: '@acme/x', main: 'i.js' }, target);
    const kept = path.join(data, 'store', PACKAGE_JSON_DIR, `${createHash('sha256').update(wanted).digest('hex')}.json`);
    const install = async (): Promise<string> => {
      const dir = await tempDir('gopkgr-project-');
      await commitInstall({ projectDir: dir, plan: await planInstall(dir, [target]), store, files: () => ({}) });
      const file = path.join(dir, 'node_modules/@acme/x/package.json');
      expect((await lstat(file)).isFile()).toBe(true);
      expect(await readFile(file, 'utf8')).toBe(wanted);
      return file;
    };
    const first = await install();
    expect(await readdir(path.join(data, 'store', PACKAGE_JSON_DIR))).toEqual([path.basename(kept)]);
    expect((await stat(kept)).ino).toBe((await stat(first)).ino);
    expect((await stat(kept)).mtimeMs).toBe(STORED_MTIME_MS);
    const second = await install();
    expect((await stat(second)).ino).toBe((await stat(kept)).ino);
    expect((await stat(second)).nlink).toBe(3);

    // Edited in place in one project (same size: only the mtime tells), which edits the stored file.
    await writeFile(second, wanted.replace('1.0.0', '9.9.9'));
    expect(await readFile(kept, 'utf8')).not.toBe(wanted);
    const third = await install();
    expect((await stat(third)).ino).not.toBe((await stat(second)).ino);
    expect((await stat(kept)).ino).toBe((await stat(third)).ino);
    expect(await readFile(kept, 'utf8')).toBe(wanted);

    await rm(kept);
    expect((await stat(await install())).ino).toBe((await stat(kept)).ino);

    // Swapped for a symlink to a file with the right text and mtime: never linked through.
    const elsewhere = path.join(project, 'elsewhere.json');
    await writeFile(elsewhere, wanted);
    await utimes(elsewhere, STORED_MTIME_MS / 1000, STORED_MTIME_MS / 1000);
    await rm(kept);
    await symlink(elsewhere, kept);
    const fifth = await install();
    expect((await stat(fifth)).ino).not.toBe((await stat(elsewhere)).ino);
    expect((await lstat(kept)).isFile()).toBe(true);
    expect((await stat(elsewhere)).nlink).toBe(1);
  });

  it('installedPackageJson: adds a version where the author wrote none, replaces one they wrote', () => {
    expect(installedPackageJson({ name: '@a/b', main: 'i.js' }, { name: '@a/b', version: '1.0.0', contentHash: HASH })).toBe('{\n  "name": "@a/b",\n  "version": "1.0.0",\n  "main": "i.js"\n}\n');
    expect(JSON.parse(installedPackageJson({ version: '9.9.9', name: '@a/b' }, { name: '@a/b', version: '1.0.1', contentHash: HASH, deps: {} }))).toEqual({ name: '@a/b', version: '1.0.1' });
  });
});

describe('importsOf: the import map of one package', () => {
  it('maps every exports subpath, taking browser/import/module/default in the object\'s order, never types, node or require', () => {
    expect(importsOf({
      exports: {
        '.': { types: './dist/index.d.ts', node: './dist/node.js', browser: './dist/browser.js', default: './dist/index.js' },
        './util': { types: './dist/util.d.ts', require: './dist/util.cjs', import: './dist/util.js' },
        './fallback': [{ worker: './w.js' }, './dist/f.js'],
        './features/*': './dist/features/*',
        './suffix/*': './dist/suffix/*.js',
        './types-only': { types: './dist/t.d.ts' },
        './blocked': null,
      },
    })).toEqual({ '': 'dist/browser.js', '/util': 'dist/util.js', '/fallback': 'dist/f.js', '/features/': 'dist/features/' });
  });

  it('a string or conditions-only exports is the bare name; no exports maps main and the directory', () => {
    expect(importsOf({ exports: './index.js' })).toEqual({ '': 'index.js' });
    expect(importsOf({ exports: { import: './esm.js', default: './cjs.cjs' } })).toEqual({ '': 'esm.js' });
    expect(importsOf({ main: './lib/main.js' })).toEqual({ '': 'lib/main.js', '/': '' });
    expect(importsOf({})).toEqual({ '': 'index.js', '/': '' });
  });

  it('buildImportMap writes each key under the package name, sorted', () => {
    const text = buildImportMap(new Map<string, Record<string, string>>([['@b/y', { '': 'i.js', '/': '' }], ['@a/x', { '/util': 'u.js', '': 'm.js' }]]));
    expect(JSON.parse(text)).toEqual({ imports: { '@a/x': './node_modules/@a/x/m.js', '@a/x/util': './node_modules/@a/x/u.js', '@b/y': './node_modules/@b/y/i.js', '@b/y/': './node_modules/@b/y/' } });
    expect(Object.keys((JSON.parse(text) as { imports: object }).imports)).toEqual(['@a/x', '@a/x/util', '@b/y', '@b/y/']);
  });
});

describe('resolveProject without a lockfile: the whole tree in one request', () => {
  const v = (version: string, deps: Record<string, string> = {}): IndexVersion => ({ version, contentHash: version.replace(/\./g, '').padStart(64, '2'), deps, deprecated: false, lock: {} });
  const chain = new Map<string, IndexVersion[]>([
    ['@t/a', [v('1.0.0', { '@t/c': '^1.0.0' }), v('1.1.0', { '@t/c': '^1.1.0' })]],
    ['@t/b', [v('2.0.0', { '@t/c': '^1.0.0' })]],
    // 2.0.0 is in no tree these requirements allow: its dependency is outside the node's resolution.
    ['@t/c', [v('1.0.0'), v('1.1.0'), v('2.0.0', { '@t/d': '^1.0.0' })]],
    ['@t/d', [v('1.0.0')]],
  ]);
  const requirements: Requirement[] = [{ name: '@t/a', range: '^1.0.0' }, { name: '@t/b', range: '^2.0.0' }];
  const expected = { '@t/a': '1.1.0', '@t/b': '2.0.0', '@t/c': '1.1.0' };
  let server: Server;
  let url: string;
  const asked: string[] = [];
  /** how the stub answers POST /v1/resolve: the real tree, a tree its index does not hold up, or no such route */
  let mode: 'tree' | 'bad-tree' | 'no-route' | 'wrong-picks' = 'tree';
  beforeEach(async () => {
    asked.length = 0;
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const reply = (status: number, body: unknown): void => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        if (req.method === 'POST' && req.url === '/v1/resolve') {
          asked.push('POST /v1/resolve');
          if (mode === 'no-route') return reply(404, { error: { code: 'NOT_FOUND', message: 'no route' } });
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { requirements: Record<string, string>; index?: boolean };
          expect(body.index).toBe(true);
          const solution = solve(mapIndex(chain), Object.entries(body.requirements).map(([name, range]) => ({ name, range })));
          const resolved = Object.fromEntries([...solution.selected].map(([n, x]) => [n, { version: x.version, contentHash: x.contentHash, deps: x.deps }]));
          // wrong-picks: c at a version a@1.1.0's range leaves out (the index itself is whole).
          if (mode === 'wrong-picks') resolved['@t/c']!.version = '1.0.0';
          // bad-tree: the answer leaves out @t/c's versions, so its own index cannot satisfy @t/a.
          const packages = Object.fromEntries([...solution.selected.keys()].map((n) => [n, { name: n, versions: mode === 'bad-tree' && n === '@t/c' ? [] : chain.get(n) }]));
          return reply(200, { resolved, lock: {}, packages });
        }
        const name = decodeURIComponent(req.url!.replace('/v1/packages/', ''));
        asked.push(name);
        const versions = chain.get(name);
        reply(versions === undefined ? 404 : 200, versions === undefined ? { error: { code: 'NOT_FOUND', message: name } } : { name, versions });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
  });

  const versions = (r: { solution: { selected: ReadonlyMap<string, IndexVersion> } }): Record<string, string> => Object.fromEntries([...r.solution.selected].map(([n, x]) => [n, x.version]));

  it('asks one POST /v1/resolve and solves over its index to what the solver gives over the whole chain', async () => {
    const r = await resolveProject({ requirements, client: new NodeClient(url) });
    expect(asked).toEqual(['POST /v1/resolve']);
    expect(versions(r)).toEqual(expected);
    expect(versions(r)).toEqual(Object.fromEntries([...solve(mapIndex(chain), requirements).selected].map(([n, x]) => [n, x.version])));
    expect(r.index.get('@t/c')?.map((x) => x.version)).toEqual(['1.0.0', '1.1.0', '2.0.0']);
    expect(r.sources.get('@t/c')).toBe(url);
  });

  it('solves again over the answer when the node\'s picks do not meet every range, without asking more', async () => {
    mode = 'wrong-picks';
    const r = await resolveProject({ requirements, client: new NodeClient(url) });
    expect(asked).toEqual(['POST /v1/resolve']);
    expect(versions(r)).toEqual(expected);
    expect(r.solution.requiredBy.get('@t/c')?.map((n) => n.range).sort()).toEqual(['^1.0.0', '^1.1.0']);
  });

  it('falls back to the waves when the node has no such route, or answers a tree its own index does not hold up', async () => {
    for (const m of ['no-route', 'bad-tree'] as const) {
      mode = m;
      asked.length = 0;
      const r = await resolveProject({ requirements, client: new NodeClient(url) });
      expect(asked[0]).toBe('POST /v1/resolve');
      expect(asked.slice(1).sort()).toEqual(['@t/a', '@t/b', '@t/c', '@t/d']);
      expect(versions(r)).toEqual(expected);
    }
  });

  it('update takes the tree in one POST /v1/resolve and asks GET only for the names its answer leaves out', async () => {
    mode = 'tree';
    const client = new NodeClient(url);
    const r = await resolveUpdate({ requirements, lock: undefined, source: nodeSource(client), tree: client });
    expect(asked).toEqual(['POST /v1/resolve', '@t/d']);
    expect(versions(r)).toEqual(expected);
    // The same index as the waves bring, so update solves over every name the tree can reach.
    const waves = await fetchIndex(requirements.map((q) => q.name), client);
    expect(new Map([...r.index].sort())).toEqual(new Map([...waves.packages].sort()));
    expect(r.sources.get('@t/d')).toBe(url);
    expect(r.views?.get('@t/d')).toMatchObject({ name: '@t/d' });
  });

  it('update falls back to the waves when the node has no such route; without `tree` it never asks for one', async () => {
    mode = 'no-route';
    const client = new NodeClient(url);
    const r = await resolveUpdate({ requirements, lock: undefined, source: nodeSource(client), tree: client });
    expect(asked[0]).toBe('POST /v1/resolve');
    expect(asked.slice(1).sort()).toEqual(['@t/a', '@t/b', '@t/c', '@t/d']);
    expect(versions(r)).toEqual(expected);
    mode = 'tree';
    asked.length = 0;
    await resolveUpdate({ requirements, lock: undefined, source: nodeSource(client) });
    expect(asked).not.toContain('POST /v1/resolve');
  });

  it('asks the waves, not the tree, when a chain tag names another node', async () => {
    mode = 'tree';
    const r = await resolveProject({ requirements, client: new NodeClient(url), chains: { '@t/b': url.replace('127.0.0.1', 'localhost') } });
    expect(asked).not.toContain('POST /v1/resolve');
    expect(versions(r)).toEqual(expected);
  });
});
