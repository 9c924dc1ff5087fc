/**
 * verify's file list (cli/verify/diffTarballs.ts) on tarballs the packer made:
 * seen from the published release, a file only it has is `added`, one only the
 * rebuild has is `removed`, one with other bytes or another mode is `changed`.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packPackage } from '../../cli/pack.ts';
import { diffTarballs } from '../../cli/verify/diffTarballs.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

async function packed(files: Record<string, string>, executable: string[] = []): Promise<Uint8Array> {
  const dir = await tempDir('gopkgr-diff-');
  for (const [rel, text] of Object.entries({ 'package.json': '{"name":"@acme/d","type":"module"}', ...files })) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
  for (const rel of executable) await chmod(path.join(dir, rel), 0o755);
  return (await packPackage(dir)).tarball;
}

afterAll(closeAll);

describe('diffTarballs', () => {
  it('names added, removed and changed files (bytes or mode), sorted by path', async () => {
    const rebuilt = await packed({ 'a.js': 'a', 'lib/same.js': 's', 'lib/gone.js': 'g', 'bin.js': 'b' });
    const published = await packed({ 'a.js': 'A', 'lib/same.js': 's', 'extra.js': 'e', 'bin.js': 'b' }, ['bin.js']);
    expect(await diffTarballs(published, rebuilt)).toEqual([
      { path: 'a.js', change: 'changed' },
      { path: 'bin.js', change: 'changed' },
      { path: 'extra.js', change: 'added' },
      { path: 'lib/gone.js', change: 'removed' },
    ]);
  });

  it('is empty for the same files', async () => {
    const files = { 'a.js': 'a', 'b/c.js': 'c' };
    expect(await diffTarballs(await packed(files), await packed(files))).toEqual([]);
  });
});
