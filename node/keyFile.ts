/**
 * A secret key kept in a file of the data dir (mode 0600): read it, or create
 * and store one on first use. Written to a temp file and renamed, so a crash
 * never leaves a half-written key behind.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { GopkgrError } from '../ledger/errors.ts';

export interface KeyFileCodec<K> {
  decode(bytes: Uint8Array): K;
  encode(key: K): Uint8Array;
  generate(): K | Promise<K>;
  /** the error for a file that does not decode */
  invalid(file: string, cause: Error): GopkgrError;
}

export async function loadOrCreateKeyFile<K>(file: string, codec: KeyFileCodec<K>): Promise<K> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (bytes !== undefined) {
    try {
      return codec.decode(bytes);
    } catch (err) {
      throw codec.invalid(file, err as Error);
    }
  }
  const key = await codec.generate();
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  await writeFile(tmp, codec.encode(key), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
  return key;
}
