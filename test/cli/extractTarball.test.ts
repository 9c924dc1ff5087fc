/**
 * Safe extraction (cli/install/extractTarball.ts): a tarball that tries to leave
 * its directory (.., absolute paths, links out), breaks a cap (bytes, entries) or
 * carries a device is rejected with TARBALL_UNSAFE and leaves nothing on disk;
 * a good one extracts with the .ts sources that have .d.ts siblings left out.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdir, readFile, lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { GopkgrError } from '../../ledger/index.ts';
import { extractTarball, readTarball, writeEntries } from '../../cli/install/extractTarball.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { prng } from '../support/prng.ts';
import { tarball, type TarballEntry } from '../support/tarballs.ts';
import { skipShadowingSource } from '../../cli/install/installPackages.ts';

type Entry = TarballEntry;

let root: string;
beforeEach(async () => {
  root = await tempDir('gopkgr-extract-');
});
afterEach(closeAll);

async function rejects(entries: Entry[], message: RegExp, opts = {}): Promise<void> {
  const dest = path.join(root, 'pkg');
  const err = await extractTarball(await tarball(entries), dest, { label: '@evil/x@1.0.0', ...opts }).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(GopkgrError);
  expect((err as GopkgrError).code).toBe('TARBALL_UNSAFE');
  expect((err as GopkgrError).message).toMatch(message);
  expect((err as GopkgrError).message).toContain('nothing of it was written');
  // Nothing at all was written: not the package directory, not a file outside it.
  expect(await readdir(root)).toEqual([]);
}

describe('extractTarball: rejected, nothing left on disk', () => {
  it('path traversal with ..', () => rejects([{ name: 'package/ok.js', body: 'ok' }, { name: 'package/../../evil.js', body: 'pwned' }], /leaves the package directory/));
  it('an absolute path', () => rejects([{ name: '/tmp/evil.js', body: 'pwned' }], /absolute path/));
  it('a symlink pointing out of the package', () => rejects([{ name: 'package/link', type: 'symlink', linkname: '../../../etc/passwd' }], /points to .*outside the package/));
  it('an absolute symlink', () => rejects([{ name: 'package/link', type: 'symlink', linkname: '/etc/passwd' }], /outside the package/));
  it('a hard link pointing out', () => rejects([{ name: 'package/hard', type: 'link', linkname: 'package/../../secret' }], /leaves the package directory|outside the package/));
  it('writing through a symlinked directory', () => rejects([{ name: 'package/dir', type: 'symlink', linkname: '.' }, { name: 'package/dir/x.js', body: 'x' }], /through the symlink/));
  it('a device file', () => rejects([{ name: 'package/dev', type: 'character-device' }], /not a file, directory or link/));
  it('more bytes than the cap', () => rejects([{ name: 'package/big.js', body: 'x'.repeat(5000) }], /more than 1000 bytes/, { maxBytes: 1000 }));
  it('more entries than the cap', () => rejects(Array.from({ length: 6 }, (_, i) => ({ name: `package/f${i}.js`, body: 'x' })), /more than 5 entries/, { maxFiles: 5 }));
  it('the same entry twice', () => rejects([{ name: 'package/a.js', body: '1' }, { name: 'package/a.js', body: '2' }], /appears twice/));

  // Each link alone looks inside when read lexically; followed through the tree, each leaves.
  it('the symlink chain of the issue: d -> . and e -> d/d/d/d/d/d/d/../../../../../..', () =>
    rejects([{ name: 'package/d', type: 'symlink', linkname: '.' }, { name: 'package/e', type: 'symlink', linkname: 'd/d/d/d/d/d/d/../../../../../..' }], /symlink "e" .*resolves outside the package/));
  it('the same chain with the links in the other order', () =>
    rejects([{ name: 'package/e', type: 'symlink', linkname: 'd/d/d/../../..' }, { name: 'package/d', type: 'symlink', linkname: '.' }], /symlink "e"/));
  it('a link to a link that climbs from a subdirectory', () =>
    rejects([{ name: 'package/sub/up', type: 'symlink', linkname: '..' }, { name: 'package/sub/l', type: 'symlink', linkname: 'up/..' }], /symlink "sub\/l"/));
  it('a link in a subdirectory through a dot link at the root', () =>
    rejects([{ name: 'package/d', type: 'symlink', linkname: '.' }, { name: 'package/x/y', type: 'symlink', linkname: '../d/..' }], /symlink "x\/y"/));
  it('a chain of three links, each one step', () =>
    rejects([
      { name: 'package/a/b/c/one', type: 'symlink', linkname: '../two' },
      { name: 'package/a/b/two', type: 'symlink', linkname: '../three' },
      { name: 'package/a/three', type: 'symlink', linkname: '../four/../..' },
    ], /symlink "a\/b\/c\/one"|symlink "a\/b\/two"|symlink "a\/three"/));
  it('links that loop', () => rejects([{ name: 'package/a', type: 'symlink', linkname: 'b' }, { name: 'package/b', type: 'symlink', linkname: 'a' }], /loops/));
  it('a file written through a symlink to the parent (a -> .. then a/x)', () => rejects([{ name: 'package/a', type: 'symlink', linkname: '..' }, { name: 'package/a/x', body: 'pwned' }], /outside the package|through the symlink/));
  it('a file written through a symlink named in another letter case', () => rejects([{ name: 'package/D', type: 'symlink', linkname: '.' }, { name: 'package/d/x', body: 'x' }], /through the symlink/));
  it('a chain through a symlink named in another letter case', () =>
    rejects([{ name: 'package/d', type: 'symlink', linkname: '.' }, { name: 'package/e', type: 'symlink', linkname: 'D/D/D/../../..' }], /symlink "e"/));
  it('a duplicate entry replacing a directory with a link', () =>
    rejects([{ name: 'package/lib/', type: 'directory' }, { name: 'package/lib/x.js', body: 'x' }, { name: 'package/lib', type: 'symlink', linkname: '.' }], /appears twice|through the symlink|replace the symlink/));
  it('a file entry replacing a symlink', () => rejects([{ name: 'package/l', type: 'symlink', linkname: 'x' }, { name: 'package/L', body: 'x' }], /replace the symlink/));
  it('a hard link to a file through a symlinked directory', () =>
    rejects([{ name: 'package/d', type: 'symlink', linkname: '.' }, { name: 'package/f', body: 'x' }, { name: 'package/h', type: 'link', linkname: 'package/d/f' }], /hard link "h"/));
  it('a hard link to something that is not a file', () => rejects([{ name: 'package/h', type: 'link', linkname: 'package/nothing' }], /hard link "h"/));
  it('the package root as a symlink', () => rejects([{ name: 'package', type: 'symlink', linkname: '.' }], /root is a link/));
  it('a Windows path with backslashes', () => rejects([{ name: 'package\\..\\..\\evil.js', body: 'x' }], /backslash/));
  it('a Windows drive path', () => rejects([{ name: 'C:/evil.js', body: 'x' }], /absolute path/));
  it('a drive-relative Windows path', () => rejects([{ name: 'c:evil.js', body: 'x' }], /absolute path/));
  it('a symlink to a Windows drive', () => rejects([{ name: 'package/l', type: 'symlink', linkname: 'C:/Windows' }], /outside the package/));
  it('a symlink with backslashes', () => rejects([{ name: 'package/l', type: 'symlink', linkname: '..\\..\\x' }], /outside the package/));
  it('a symlink target with a segment of three dots', () => rejects([{ name: 'package/l', type: 'symlink', linkname: 'a/.../x' }], /outside the package/));
  it('a file written through a symlink named with a trailing dot (Windows drops it)', () => rejects([{ name: 'package/d', type: 'symlink', linkname: '.' }, { name: 'package/d./x', body: 'x' }], /through the symlink/));
  it('a segment of three dots (Windows reads it as ..)', () => rejects([{ name: 'package/.../evil.js', body: 'x' }], /dots only/));

  it('links that would take too long to resolve (many long chained targets)', () =>
    rejects(Array.from({ length: 1200 }, (_, i) => ({ name: `package/l${i}`, type: 'symlink' as const, linkname: 'x/'.repeat(1000) + 'f' })), /more than 1000000 steps/));
  it('a path longer than PATH_MAX', () => rejects([{ name: `package/${'a/'.repeat(2100)}f.js`, body: 'x' }], /longer than 4096/));

  it('a gzip bomb stops at the cap', async () => {
    const dest = path.join(root, 'pkg');
    const bomb = await tarball([{ name: 'package/zeros', body: '\0'.repeat(2_000_000) }]);
    expect(bomb.length).toBeLessThan(10_000);
    await expect(extractTarball(bomb, dest, { maxBytes: 100_000, maxFiles: 10 })).rejects.toThrow(/more than 100000 bytes/);
    expect(await readdir(root)).toEqual([]);
  });

  it('bytes that are not gzip are TARBALL_CORRUPT', async () => {
    await expect(extractTarball(new Uint8Array([1, 2, 3]), path.join(root, 'pkg'))).rejects.toMatchObject({ code: 'TARBALL_CORRUPT' });
    expect(await readdir(root)).toEqual([]);
  });

  it('a tarball too big to gunzip on the main thread (over 256 KiB) is read the same way, caps and all', async () => {
    const noise = Buffer.from(prng(7).bytes(400_000)).toString('base64');
    const big = await tarball([{ name: 'package/noise.txt', body: noise }, { name: 'package/index.js', body: 'export {};' }]);
    expect(big.length).toBeGreaterThan(256 * 1024);
    const dest = path.join(root, 'pkg');
    expect(await extractTarball(big, dest)).toEqual(['index.js', 'noise.txt']);
    expect(await readFile(path.join(dest, 'noise.txt'), 'utf8')).toBe(noise);
    await expect(extractTarball(big, path.join(root, 'capped'), { maxBytes: 100_000 })).rejects.toThrow(/more than 100000 bytes/);
    await expect(extractTarball(big.subarray(0, big.length - 100), path.join(root, 'cut'))).rejects.toMatchObject({ code: 'TARBALL_CORRUPT' });
  });
});

describe('extractTarball: a good tarball', () => {
  it('extracts files, modes and inside links; leaves out .ts sources shadowed by .d.ts', async () => {
    const dest = path.join(root, 'pkg');
    const files = await extractTarball(await tarball([
      { name: 'package/package.json', body: '{}' },
      { name: 'package/index.ts', body: 'export const a = 1;' },
      { name: 'package/index.js', body: 'export const a = 1;' },
      { name: 'package/index.d.ts', body: 'export declare const a = 1;' },
      { name: 'package/only-source.ts', body: 'export const b = 2;' },
      { name: 'package/bin/cli.js', body: '#!/usr/bin/env node', mode: 0o4755 },
      { name: 'package/alias.js', type: 'symlink', linkname: 'index.js' },
    ]), dest, { skip: skipShadowingSource });
    expect(files).toEqual(['alias.js', 'bin/cli.js', 'index.d.ts', 'index.js', 'only-source.ts', 'package.json']);
    expect((await lstat(path.join(dest, 'bin/cli.js'))).mode & 0o7777).toBe(0o755);
    expect(await readlink(path.join(dest, 'alias.js'))).toBe('index.js');
    expect(await readFile(path.join(dest, 'index.js'), 'utf8')).toBe('export const a = 1;');
  });
});

describe('extractTarball: links that stay inside', () => {
  it('accepts chains that resolve inside, and each resolves inside on disk', async () => {
    const dest = path.join(root, 'pkg');
    await extractTarball(await tarball([
      { name: 'package/src/index.js', body: 'export {};' },
      { name: 'package/lib', type: 'symlink', linkname: 'src' },
      { name: 'package/alias.js', type: 'symlink', linkname: 'lib/index.js' },
      { name: 'package/d', type: 'symlink', linkname: '.' },
      { name: 'package/e', type: 'symlink', linkname: 'd/d/d/d/src/../lib/index.js' },
      { name: 'package/src/up', type: 'symlink', linkname: '..' },
      { name: 'package/dangling', type: 'symlink', linkname: 'nothing/here' },
    ]), dest);
    const inside = await realpath(dest);
    for (const l of ['lib', 'alias.js', 'd', 'e', 'src/up']) expect((await realpath(path.join(dest, l))).startsWith(inside)).toBe(true);
    expect(await readFile(path.join(dest, 'e'), 'utf8')).toBe('export {};');
  });

  /**
   * Random trees of links over a tiny alphabet (so chains, loops and dot links are
   * common): whatever the in-memory check accepts must, written to disk, resolve
   * inside the package (writeEntries checks every link with realpath and throws
   * otherwise). Both verdicts must occur, or the search proves nothing.
   */
  it('never accepts a tree of links that resolves outside on disk (random search)', async () => {
    const rand = prng(0x5eed);
    const names = ['a', 'b', 'd', 's/a', 's/b', 's/t/a'];
    const segs = ['.', '..', 'a', 'b', 'd', 's', 't'];
    let accepted = 0;
    let refused = 0;
    for (let round = 0; round < 300; round++) {
      const used = new Set<string>();
      const entries: Entry[] = [{ name: 'package/f.js', body: 'f' }];
      for (let i = 1 + rand.int(4); i > 0; i--) {
        const name = rand.pick(names);
        if (used.has(name)) continue;
        used.add(name);
        const target = Array.from({ length: 1 + rand.int(6) }, () => rand.pick(segs)).join('/');
        entries.push({ name: `package/${name}`, type: 'symlink', linkname: target });
      }
      const bytes = await tarball(entries);
      const parsed = await readTarball(bytes).then((e) => e, (e: unknown) => e as GopkgrError);
      if (parsed instanceof GopkgrError) {
        expect(parsed.code).toBe('TARBALL_UNSAFE');
        refused++;
        continue;
      }
      const dest = path.join(root, `r${round}`);
      await writeEntries(dest, parsed);
      // Checked here again on its own, not only by writeEntries.
      const inside = await realpath(dest);
      for (const e of parsed) {
        if (e.type !== 'symlink') continue;
        const real = await realpath(path.join(dest, e.rel)).catch((err: NodeJS.ErrnoException) => err.code ?? 'error');
        if (real === 'ELOOP') throw new Error(`accepted a looping link ${e.rel}`);
        if (real !== 'ENOENT' && real !== 'ENOTDIR') expect(real === inside || real.startsWith(inside + path.sep), `${e.rel} -> ${e.target} resolves to ${real}`).toBe(true);
      }
      accepted++;
    }
    expect(accepted).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
  });
});
