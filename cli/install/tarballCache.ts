/**
 * The local content-addressed tarball cache: `<data dir>/cache/<sha256>`. A blob
 * is stored only after its bytes hash to its name, and checked again when read
 * (a damaged or edited cache file is dropped, never installed). That check is
 * also why a cache file is written without an fsync of its own: one a power
 * cut left short or empty fails it and is fetched again.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { writeReplacing } from './writeAtomic.ts';

/** Files written whole, where a thread is at hand (TarballCache.putAll; offThreadFiles.ts is one). */
export interface FileWriter {
  replace(files: Array<{ file: string; data: Uint8Array }>): Promise<void>;
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class TarballCache {
  readonly dir: string;
  /**
   * The names in the cache directory, read once on the first get: an install
   * with an empty cache asks for hundreds of tarballs, and a failed open each
   * (with its error object) cost ~0.3 s of a 500-package install. A tarball
   * another process caches later is fetched again; one removed since is a
   * failed read, as before.
   */
  private listing: Set<string> | undefined;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'cache');
  }

  pathOf(hash: string): string {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`not a sha256: ${hash}`);
    return path.join(this.dir, hash);
  }

  /** The cached bytes, if present and intact. */
  async get(hash: string): Promise<Uint8Array | undefined> {
    if (!this.listed().has(hash)) return undefined;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(this.pathOf(hash)));
    } catch {
      return undefined;
    }
    if (sha256Of(bytes) === hash) return bytes;
    await rm(this.pathOf(hash), { force: true });
    return undefined;
  }

  /** Store bytes already verified against `hash` (synchronous: small files, see writeReplacing). */
  put(hash: string, bytes: Uint8Array): void {
    // The directory is made only when a write finds it missing: an install caches hundreds of
    // tarballs, and a mkdir of a directory that exists costs a path walk each.
    try {
      writeReplacing(this.pathOf(hash), bytes);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(this.dir, { recursive: true });
      writeReplacing(this.pathOf(hash), bytes);
    }
    this.listing?.add(hash);
  }

  /**
   * put for many tarballs; with `writer` (the store's worker thread) written
   * there, while this thread goes on (an install links node_modules meanwhile).
   */
  async putAll(tarballs: ReadonlyMap<string, Uint8Array>, writer?: FileWriter): Promise<void> {
    if (writer === undefined || tarballs.size === 0) {
      for (const [hash, bytes] of tarballs) this.put(hash, bytes);
      return;
    }
    mkdirSync(this.dir, { recursive: true });
    await writer.replace([...tarballs].map(([hash, data]) => ({ file: this.pathOf(hash), data })));
    for (const hash of tarballs.keys()) this.listing?.add(hash);
  }

  private listed(): Set<string> {
    if (this.listing === undefined) {
      try {
        this.listing = new Set(readdirSync(this.dir));
      } catch {
        this.listing = new Set();
      }
    }
    return this.listing;
  }
}
