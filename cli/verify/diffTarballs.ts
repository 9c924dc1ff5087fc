/**
 * Which files differ between the published tarball and the rebuilt one, read
 * with the installer's checked reader (cli/install/extractTarball.ts). Seen
 * from the published release: `added` is in the published tarball and not in
 * the rebuild (the source does not make it), `removed` the other way round,
 * `changed` in both with other bytes or another mode. Sorted by path.
 */
import { readTarball, type TarEntry } from '../install/extractTarball.ts';

export interface FileDiff {
  path: string;
  change: 'added' | 'removed' | 'changed';
}

type FileEntry = Extract<TarEntry, { type: 'file' }>;

export async function diffTarballs(published: Uint8Array, rebuilt: Uint8Array): Promise<FileDiff[]> {
  const before = filesOf(await readTarball(rebuilt, { label: 'the rebuild' }));
  const after = filesOf(await readTarball(published, { label: 'the published release' }));
  const diff: FileDiff[] = [];
  for (const [rel, file] of after) {
    const other = before.get(rel);
    if (other === undefined) diff.push({ path: rel, change: 'added' });
    else if (other.mode !== file.mode || Buffer.compare(other.data, file.data) !== 0) diff.push({ path: rel, change: 'changed' });
  }
  for (const rel of before.keys()) if (!after.has(rel)) diff.push({ path: rel, change: 'removed' });
  return diff.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function filesOf(entries: readonly TarEntry[]): Map<string, FileEntry> {
  const files = new Map<string, FileEntry>();
  for (const e of entries) if (e.type === 'file') files.set(e.rel, e);
  return files;
}
