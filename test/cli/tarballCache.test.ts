/**
 * The tarball cache (cli/install/tarballCache.ts): verified bytes by their
 * sha256, a damaged file dropped on read, and the directory listed once (a miss
 * costs no open); putAll on the store's writer thread.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256Of, TarballCache } from '../../cli/install/tarballCache.ts';
import { PackageStore } from '../../cli/install/packageStore.ts';
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

  it('putAll writes every tarball, on the store\'s writer thread or in this one, into a cache that does not exist yet', async () => {
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
