/**
 * A published tarball into the sandbox's file map, in memory: gunzip, then
 * tar-stream; only regular files under `package/` (npm's layout, cli/pack.ts),
 * paths normalised and refused if they climb out; caps on entries and bytes, as
 * the packer's (a tarball is hostile input too).
 */
import { posix } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import { GopkgrError, sha256Hex } from '../ledger/index.ts';
import { MAX_PACKAGE_BYTES, MAX_PACKAGE_FILES } from './readPackage.ts';

export async function extractTarball(tgz: Uint8Array, expectedSha256?: string): Promise<Map<string, string>> {
  if (expectedSha256 !== undefined && sha256Hex(tgz) !== expectedSha256) {
    throw new GopkgrError('TEST_BLOB_MISMATCH', `tarball's sha256 is ${sha256Hex(tgz)}, expected ${expectedSha256}`);
  }
  let tar: Buffer;
  try {
    tar = gunzipSync(tgz, { maxOutputLength: MAX_PACKAGE_BYTES + 1024 * 1024 });
  } catch (err) {
    throw new GopkgrError('TEST_BAD_TARBALL', `tarball does not gunzip: ${(err as Error).message}`);
  }
  const files = new Map<string, string>();
  let bytes = 0;
  const ex = tarExtract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        try {
          if (header.type === 'file' && header.name.startsWith('package/')) {
            const rel = posix.normalize(header.name.slice('package/'.length));
            if (rel.startsWith('../') || rel === '..' || posix.isAbsolute(rel) || rel === '.') throw new GopkgrError('TEST_BAD_TARBALL', `tarball entry ${header.name} leaves the package`);
            const body = Buffer.concat(chunks);
            bytes += body.length;
            if (files.size >= MAX_PACKAGE_FILES || bytes > MAX_PACKAGE_BYTES) throw new GopkgrError('TEST_PACKAGE_TOO_LARGE', 'tarball is over the package size caps');
            files.set(rel, body.toString('utf8'));
          }
          next();
        } catch (err) {
          reject(err);
        }
      });
      stream.on('error', reject);
    });
    ex.on('finish', resolve);
    ex.on('error', (err: Error) => reject(new GopkgrError('TEST_BAD_TARBALL', `tarball is not a valid tar: ${err.message}`)));
  });
  ex.end(tar);
  await done;
  return files;
}
