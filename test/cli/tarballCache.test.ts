/**
 * The tarball cache (cli/install/tarballCache.ts): verified bytes by their
 * sha256, a damaged file dropped on read, and the directory listed once (a miss
 * costs no open); putAll on the store's writer thread, packing many tarballs
 * into one file, whose damaged or malformed parts are never returned.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PACK_FROM, PACK_MAX_BYTES, sha256Of, TarballCache } from '../../cli/install/tarballCache.ts';
import { PackageStore } from '../../cli/install/packageStore.ts';
import { fetchIntoStore, type TarballRequest } from '../../cli/install/fetchTarballs.ts';
import { tarball } from '../support/tarballs.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

afterEach(closeAll);

describe('TarballCache', () => {
  it('a miss in a cache that does not exist yet, then what put stored', async () => {
    const cache = new TarballCache(await tempDir());
    const bytes = new TextEncoder().encode('a tarball');
    const hash = sha256Of(bytes);
    expect(await cache.get(hash)).toBeUndefined();
    cache.put(hash, bytes);
    expect(await cache.get(hash)).toEqual(bytes);
    expect(await new TarballCache(path.dirname(cache.dir)).get(hash)).toEqual(bytes);
  });

  it('putAll writes fewer than PACK_FROM tarballs a file each, on the store\'s writer thread or in this one, into a cache that does not exist yet', async () => {
    const tarballs = new Map(['one', 'two', 'three'].map((t) => new TextEncoder().encode(`tarball ${t}`)).map((b) => [sha256Of(b), b] as const));
    const store = new PackageStore(await tempDir());
    store.writeOffThread();
    for (const writer of [store.fileWriter(), undefined]) {
      const data = await tempDir();
      const cache = new TarballCache(data);
      expect(await cache.get([...tarballs.keys()][0]!)).toBeUndefined();
      try {
        await cache.putAll(tarballs, writer);
      } finally {
        await store.close();
      }
      for (const [hash, bytes] of tarballs) {
        expect(await cache.get(hash)).toEqual(bytes);
        expect(await new TarballCache(data).get(hash)).toEqual(bytes);
      }
      expect((await readdir(cache.dir)).sort()).toEqual([...tarballs.keys()].sort());
    }
  });

  it('drops a file whose bytes do not hash to its name', async () => {
    const data = await tempDir();
    const hash = sha256Of(new TextEncoder().encode('the real bytes'));
    await mkdir(path.join(data, 'cache'));
    await writeFile(path.join(data, 'cache', hash), 'tampered');
    expect(await new TarballCache(data).get(hash)).toBeUndefined();
    expect(existsSync(path.join(data, 'cache', hash))).toBe(false);
  });

  it('reads the directory once: a file another process adds later is seen by the next instance', async () => {
    const data = await tempDir();
    const bytes = new TextEncoder().encode('cached by another process');
    const hash = sha256Of(bytes);
    const cache = new TarballCache(data);
    expect(await cache.get(hash)).toBeUndefined();
    await mkdir(path.join(data, 'cache'));
    await writeFile(path.join(data, 'cache', hash), bytes);
    expect(await cache.get(hash)).toBeUndefined();
    expect(await new TarballCache(data).get(hash)).toEqual(bytes);
  });
});

const tarballsOf = (n: number, size = 0): Map<string, Uint8Array> =>
  new Map(Array.from({ length: n }, (_, i) => {
    const bytes = new Uint8Array(Math.max(size, 16));
    bytes.set(new TextEncoder().encode(`tarball ${i}`));
    bytes.fill(i % 251, 16);
    return [sha256Of(bytes), bytes] as const;
  }));

describe('TarballCache packs', () => {
  it('putAll packs PACK_FROM tarballs or more into one file, on the writer thread or in this one, read back whole by this and a new cache', async () => {
    const tarballs = tarballsOf(PACK_FROM + 5, 1000);
    const store = new PackageStore(await tempDir());
    store.writeOffThread();
    for (const writer of [store.fileWriter(), undefined]) {
      const data = await tempDir();
      const cache = new TarballCache(data);
      expect(cache.has([...tarballs.keys()][0]!)).toBe(false);
      try {
        await cache.putAll(tarballs, writer);
      } finally {
        await store.close();
      }
      const files = await readdir(cache.dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^[0-9a-f]{64}\.pack$/);
      for (const c of [cache, new TarballCache(data)]) {
        for (const [hash, bytes] of tarballs) {
          expect(c.has(hash)).toBe(true);
          expect(await c.get(hash)).toEqual(bytes);
        }
      }
    }
  });

  it('starts another pack past PACK_MAX_BYTES, and a tarball larger than that is a pack of its own', async () => {
    const big = Math.floor(PACK_MAX_BYTES * 0.6);
    const tarballs = new Map([...tarballsOf(2, big), ...tarballsOf(PACK_FROM)].slice(0, 2 + PACK_FROM));
    tarballs.set(...[...tarballsOf(1, PACK_MAX_BYTES + 10)][0]!);
    const data = await tempDir();
    await new TarballCache(data).putAll(tarballs);
    const packs = await readdir(path.join(data, 'cache'));
    expect(packs.length).toBe(3);
    const sizes = await Promise.all(packs.map(async (p) => (await readFile(path.join(data, 'cache', p))).length));
    expect(Math.max(...sizes)).toBeGreaterThan(PACK_MAX_BYTES);
    const cache = new TarballCache(data);
    // By hash: a deep equality of 20 MB arrays costs the test runner gigabytes.
    for (const hash of tarballs.keys()) expect(sha256Of((await cache.get(hash))!)).toBe(hash);
  });

  it('never returns a damaged tarball of a pack; the pack\'s others still read, and the same tarball alone elsewhere is found', async () => {
    const tarballs = tarballsOf(PACK_FROM, 64);
    const data = await tempDir();
    await new TarballCache(data).putAll(tarballs);
    const [packName] = await readdir(path.join(data, 'cache'));
    const packFile = path.join(data, 'cache', packName!);
    const packed = await readFile(packFile);
    const [firstHash, firstBytes] = [...tarballs][0]!;
    // The first tarball's bytes start right after the index: flip one of them.
    const at = packed.indexOf(Buffer.from(firstBytes));
    packed[at + 20] ^= 0xff;
    await writeFile(packFile, packed);
    const cache = new TarballCache(data);
    expect(await cache.get(firstHash)).toBeUndefined();
    expect(cache.has(firstHash)).toBe(false);
    expect(existsSync(packFile)).toBe(true);
    for (const [hash, bytes] of [...tarballs].slice(1)) expect(await cache.get(hash)).toEqual(bytes);
    // Cached again alone (as a later download would be): that copy is read, the damaged one skipped.
    cache.put(firstHash, firstBytes);
    expect(await new TarballCache(data).get(firstHash)).toEqual(firstBytes);
  });

  it('lists nothing of a pack whose header or index is malformed, and nothing past its end', async () => {
    const data = await tempDir();
    const dir = path.join(data, 'cache');
    await mkdir(dir);
    const bytes = new TextEncoder().encode('a tarball');
    const hash = sha256Of(bytes);
    const name = (i: number): string => `${String(i).repeat(64).slice(0, 64)}.pack`;
    const index = (entries: unknown): string => JSON.stringify(entries);
    const packs = [
      'not a pack at all',
      `gopkgr-tarball-pack 2 2\n[]`,
      `gopkgr-tarball-pack 1 999\n${index([[hash, 0, bytes.length]])}`,
      `gopkgr-tarball-pack 1 5\n{"a":`,
      `gopkgr-tarball-pack 1 ${index({ [hash]: 0 }).length}\n${index({ [hash]: 0 })}`,
      `gopkgr-tarball-pack 1 ${index([[hash, -1, 9]]).length}\n${index([[hash, -1, 9]])}a tarball`,
      `gopkgr-tarball-pack 1 ${index([[hash, 0, 900]]).length}\n${index([[hash, 0, 900]])}a tarball`,
      `gopkgr-tarball-pack 1 ${index([['../x', 0, 9]]).length}\n${index([['../x', 0, 9]])}a tarball`,
    ];
    await Promise.all(packs.map((text, i) => writeFile(path.join(dir, name(i)), text)));
    const cache = new TarballCache(data);
    expect(await cache.get(hash)).toBeUndefined();
    // A well-formed one beside them is read.
    const good = index([[hash, 0, bytes.length]]);
    await writeFile(path.join(dir, `${'f'.repeat(64)}.pack`), `gopkgr-tarball-pack 1 ${good.length}\n${good}a tarball`);
    expect(await new TarballCache(data).get(hash)).toEqual(bytes);
  });

  it('an offline install reads its tarballs from a pack (fetchIntoStore without a node)', async () => {
    const tarballs = new Map<string, Uint8Array>();
    const wanted: TarballRequest[] = [];
    for (let i = 0; i < PACK_FROM; i++) {
      const bytes = await tarball([{ name: 'package/package.json', body: `{"name":"@acme/p${i}"}` }, { name: 'package/index.js', body: `export const i = ${i};\n` }]);
      tarballs.set(sha256Of(bytes), bytes);
      wanted.push({ name: `@acme/p${i}`, version: '1.0.0', contentHash: sha256Of(bytes) });
    }
    const data = await tempDir();
    await new TarballCache(data).putAll(tarballs);
    expect(await readdir(path.join(data, 'cache'))).toHaveLength(1);
    const store = new PackageStore(data);
    await fetchIntoStore(wanted, { cache: new TarballCache(data), store, progress: false, extract: (w) => ({ label: w.name }) });
    for (const w of wanted) expect(store.check(w.contentHash)).toBeDefined();
  });
});
