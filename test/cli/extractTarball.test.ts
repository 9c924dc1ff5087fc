/**
 * Safe extraction (cli/install/extractTarball.ts): a tarball that tries to leave
 * its directory (.., absolute paths, links out), breaks a cap (bytes, entries) or
 * carries a device is rejected with TARBALL_UNSAFE and leaves nothing on disk;
 * a good one extracts with the .ts sources that have .d.ts siblings left out.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, lstat, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { GopkgrError } from '../../node/index.ts';
import { extractTarball } from '../../cli/install/extractTarball.ts';
import { skipShadowingSource } from '../../cli/install/installPackages.ts';

type Entry = { name: string; body?: string; type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'fifo'; linkname?: string; mode?: number };

async function tarball(entries: Entry[]): Promise<Uint8Array> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((r) => p.on('end', () => r()));
  for (const e of entries) {
    const isFile = e.type === undefined || e.type === 'file';
    await new Promise<void>((resolve, reject) => {
      const header = { name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: e.mode ?? 0o644, size: isFile ? Buffer.byteLength(e.body ?? '') : 0 };
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (isFile) p.entry(header, e.body ?? '', cb);
      else p.entry(header, cb);
    });
  }
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'gopkgr-extract-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

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
