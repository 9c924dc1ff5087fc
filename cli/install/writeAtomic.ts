/**
 * Write a file so that readers see the old bytes or the new, never a mix: write a
 * temp file beside it, fsync, rename over (pnpm's write-file-atomic, in a few lines).
 */
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ATOMIC_MARK, tempName } from './leftovers.ts';

export async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  // Named so that a later run can tell it from the user's files and remove it if this process is killed.
  const tmp = path.join(path.dirname(file), tempName(`.${path.basename(file)}${ATOMIC_MARK}`));
  try {
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
