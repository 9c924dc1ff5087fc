/**
 * Content-addressed blob store for tarballs: `<dir>/<first two hex>/<sha256 hex>`.
 * A blob is verified against its hash before it is written, written to a temp
 * file and renamed into place, so a reader never sees a partial blob and a crash
 * leaves at most a stray temp file (removed on open). Uploads are streamed to
 * the temp file while they are hashed, so a blob is never held in memory whole.
 */
import { mkdir, readFile, rename, rm, stat, writeFile, readdir, open, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { GopkgrError } from '../ledger/errors.ts';
import { sha256Hex } from '../ledger/crypto.ts';
import { MAX_BLOB_BYTES } from './constants.ts';

const HASH_RE = /^[0-9a-f]{64}$/;

export function checkBlobHash(hash: string): void {
  if (!HASH_RE.test(hash)) throw new GopkgrError('BLOB_BAD_HASH', `"${hash.slice(0, 80)}" is not a sha256 (64 lowercase hex digits)`);
}

export class BlobStore {
  constructor(readonly dir: string, readonly maxBytes = MAX_BLOB_BYTES) {}

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const name of await readdir(this.dir)) if (name.startsWith('tmp-')) await rm(join(this.dir, name), { force: true });
  }

  pathOf(hash: string): string {
    checkBlobHash(hash);
    return join(this.dir, hash.slice(0, 2), hash);
  }

  /** The stored blob's size in bytes, or undefined when it is not here. */
  async sizeOf(hash: string): Promise<number | undefined> {
    try {
      return (await stat(this.pathOf(hash))).size;
    } catch {
      return undefined;
    }
  }

  async has(hash: string): Promise<boolean> {
    try {
      await stat(this.pathOf(hash));
      return true;
    } catch {
      return false;
    }
  }

  async get(hash: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.pathOf(hash)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Store bytes under their hash; rejects bytes that do not hash to `hash`. */
  async put(hash: string, bytes: Uint8Array): Promise<{ stored: boolean }> {
    checkBlobHash(hash);
    if (bytes.length > this.maxBytes) throw new GopkgrError('BLOB_TOO_LARGE', `blob is ${bytes.length} bytes, more than ${this.maxBytes}`);
    const actual = sha256Hex(bytes);
    if (actual !== hash) throw new GopkgrError('BLOB_HASH_MISMATCH', `blob bytes hash to ${actual}, not ${hash}`);
    if (await this.has(hash)) return { stored: false };
    await mkdir(join(this.dir, hash.slice(0, 2)), { recursive: true });
    const tmp = join(this.dir, `tmp-${randomBytes(8).toString('hex')}`);
    await writeFile(tmp, bytes);
    const fh = await open(tmp, 'r');
    await fh.sync();
    await fh.close();
    await rename(tmp, this.pathOf(hash));
    return { stored: true };
  }

  /**
   * Store a streamed blob: chunks go to a temp file while they are hashed and
   * counted; it is renamed into place only when the bytes hash to `hash`. Any
   * failure (too large, mismatch, the source erroring) removes the temp file.
   */
  async putStream(hash: string, chunks: AsyncIterable<Uint8Array>, tooLarge: () => Error): Promise<{ stored: boolean; size: number }> {
    checkBlobHash(hash);
    const tmp = join(this.dir, `tmp-${randomBytes(8).toString('hex')}`);
    const fh = await open(tmp, 'wx');
    let size = 0;
    try {
      const hasher = createHash('sha256');
      for await (const chunk of chunks) {
        size += chunk.length;
        if (size > this.maxBytes) throw tooLarge();
        hasher.update(chunk);
        await fh.write(chunk);
      }
      const actual = hasher.digest('hex');
      if (actual !== hash) throw new GopkgrError('BLOB_HASH_MISMATCH', `blob bytes hash to ${actual}, not ${hash}`);
      if (await this.has(hash)) {
        await this.touch(hash);
        return { stored: false, size };
      }
      await fh.sync();
      await fh.close();
      await mkdir(join(this.dir, hash.slice(0, 2)), { recursive: true });
      await rename(tmp, this.pathOf(hash));
      return { stored: true, size };
    } finally {
      await fh.close().catch(() => undefined);
      await rm(tmp, { force: true });
    }
  }

  /** Mark a blob as just used (its age is what garbage collection goes by). */
  async touch(hash: string): Promise<void> {
    const now = new Date();
    await utimes(this.pathOf(hash), now, now).catch(() => undefined);
  }

  /** Every stored blob with its size and last modification time. */
  async list(): Promise<Array<{ hash: string; size: number; mtimeMs: number }>> {
    const out: Array<{ hash: string; size: number; mtimeMs: number }> = [];
    for (const sub of await readdir(this.dir)) {
      if (!/^[0-9a-f]{2}$/.test(sub)) continue;
      for (const name of await readdir(join(this.dir, sub)).catch(() => [] as string[])) {
        if (!HASH_RE.test(name) || name.slice(0, 2) !== sub) continue;
        try {
          const st = await stat(join(this.dir, sub, name));
          out.push({ hash: name, size: st.size, mtimeMs: st.mtimeMs });
        } catch {
          // removed meanwhile
        }
      }
    }
    return out;
  }

  async remove(hash: string): Promise<void> {
    await rm(this.pathOf(hash), { force: true });
  }
}
