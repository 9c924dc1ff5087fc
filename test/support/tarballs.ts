/** Building gzip'd tar archives entry by entry, for tests of what reads tarballs (npm layout: `package/<path>`). */
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export type TarballEntry = { name: string; body?: string; type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'fifo'; linkname?: string; mode?: number };

export async function tarball(entries: TarballEntry[]): Promise<Uint8Array> {
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
