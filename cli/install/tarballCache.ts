/**
 * The local content-addressed tarball cache, `<data dir>/cache/`: a tarball
 * alone in `<sha256>`, or many of one install in a pack, `<key>.pack` (below).
 * A tarball is stored only after its bytes hash to its sha256, and checked
 * again when read (a damaged or edited one is never installed: a damaged file
 * is dropped, a damaged pack entry skipped). That check is also why nothing
 * here is fsynced of its own: a file a power cut left short fails it and the
 * tarball is fetched again.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
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

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * A pack: `gopkgr-tarball-pack 1 <index bytes>\n`, the index (JSON: `[sha256,
 * offset, length]` per tarball, offsets from the end of the index), then the
 * tarballs. An install with an empty cache downloads hundreds of tarballs, and
 * a file creation costs ~130-400 us of kernel CPU here: one file each was ~20%
 * of the files a 500-package install creates. Named by the sha256 of its index,
 * so the same tarballs packed twice are one file.
 */
const PACK_SUFFIX = '.pack';
const PACK_HEADER = /^gopkgr-tarball-pack 1 (\d{1,8})\n/;
/** putAll packs from this many tarballs on; fewer are a file each. */
export const PACK_FROM = 8;
/** Tarball bytes per pack at most: a large install writes several, none held twice in memory at once. */
export const PACK_MAX_BYTES = 32 * 1024 * 1024;
/** Where a pack's header and index are read from (an index longer than this is read in a second read). */
const HEAD_READ = 64 * 1024;

/** Where a cached tarball is: its own file, or a range of a pack. */
type Location = { file: string } | { pack: string; offset: number; length: number };

export class TarballCache {
  readonly dir: string;
  /**
   * What the cache directory holds, read once on the first lookup: an install
   * with an empty cache asks for hundreds of tarballs, and a failed open each
   * (with its error object) cost ~0.3 s of a 500-package install. A tarball
   * another process caches later is fetched again; one removed since is a
   * failed read, as before. A tarball may be in several places (packed twice,
   * or also alone): each is tried in turn.
   */
  private listing: Map<string, Location[]> | undefined;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'cache');
  }

  pathOf(hash: string): string {
    if (!SHA256.test(hash)) throw new Error(`not a sha256: ${hash}`);
    return path.join(this.dir, hash);
  }

  /** Whether the cache lists `hash` (its bytes are checked only when read). */
  has(hash: string): boolean {
    return this.listed().has(hash);
  }

  /** The cached bytes, if present and intact. */
  async get(hash: string): Promise<Uint8Array | undefined> {
    const places = this.listed().get(hash) ?? [];
    for (const place of [...places]) {
      const bytes = await this.read(place);
      if (bytes !== undefined && sha256Of(bytes) === hash) return bytes;
      // A damaged file is removed; a pack stays for its other tarballs, and this entry of it is forgotten.
      if ('file' in place) await rm(place.file, { force: true });
      places.splice(places.indexOf(place), 1);
      if (places.length === 0) this.listing!.delete(hash);
    }
    return undefined;
  }

  /** Store bytes already verified against `hash` (synchronous: small files, see writeReplacing). */
  put(hash: string, bytes: Uint8Array): void {
    const file = this.pathOf(hash);
    this.write(file, bytes);
    this.note(hash, { file });
  }

  /**
   * put for many tarballs, packed from PACK_FROM on; with `writer` (the store's
   * worker thread) written there, while this thread goes on (an install links
   * node_modules meanwhile).
   */
  async putAll(tarballs: ReadonlyMap<string, Uint8Array>, writer?: FileWriter): Promise<void> {
    if (tarballs.size < PACK_FROM) {
      for (const [hash, bytes] of tarballs) this.put(hash, bytes);
      return;
    }
    const packs = packsOf(tarballs, this.dir);
    if (writer === undefined) for (const p of packs) this.write(p.file, p.data);
    else {
      mkdirSync(this.dir, { recursive: true });
      // One pack at a time: each is copied to the thread, and a large install's packs are not all copied at once.
      for (const p of packs) await writer.replace([{ file: p.file, data: p.data }]);
    }
    for (const p of packs) for (const [hash, place] of p.entries) this.note(hash, place);
  }

  private write(file: string, data: Uint8Array): void {
    // The directory is made only when a write finds it missing: a mkdir of a directory that exists costs a path walk.
    try {
      writeReplacing(file, data);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(this.dir, { recursive: true });
      writeReplacing(file, data);
    }
  }

  private note(hash: string, place: Location): void {
    if (this.listing === undefined) return;
    const places = this.listing.get(hash);
    if (places === undefined) this.listing.set(hash, [place]);
    else places.push(place);
  }

  private async read(place: Location): Promise<Uint8Array | undefined> {
    try {
      if ('file' in place) return new Uint8Array(await readFile(place.file));
      const fh = await open(place.pack, 'r');
      try {
        const bytes = new Uint8Array(place.length);
        const { bytesRead } = await fh.read(bytes, 0, place.length, place.offset);
        return bytesRead === place.length ? bytes : undefined;
      } finally {
        await fh.close();
      }
    } catch {
      return undefined;
    }
  }

  private listed(): Map<string, Location[]> {
    if (this.listing !== undefined) return this.listing;
    this.listing = new Map();
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return this.listing;
    }
    for (const name of names) {
      if (SHA256.test(name)) this.note(name, { file: path.join(this.dir, name) });
      else if (name.endsWith(PACK_SUFFIX) && SHA256.test(name.slice(0, -PACK_SUFFIX.length))) {
        const pack = path.join(this.dir, name);
        for (const [hash, place] of packIndex(pack)) this.note(hash, place);
      }
    }
    return this.listing;
  }
}

/** The tarballs in packs of at most PACK_MAX_BYTES (a larger tarball alone in one), each with its file name and entries. */
function packsOf(tarballs: ReadonlyMap<string, Uint8Array>, dir: string): Array<{ file: string; data: Uint8Array; entries: Array<[string, Location]> }> {
  const groups: Array<Array<[string, Uint8Array]>> = [[]];
  let size = 0;
  for (const t of tarballs) {
    if (size + t[1].length > PACK_MAX_BYTES && groups.at(-1)!.length > 0) {
      groups.push([]);
      size = 0;
    }
    groups.at(-1)!.push(t);
    size += t[1].length;
  }
  return groups.map((group) => {
    let offset = 0;
    const index = group.map(([hash, bytes]): [string, number, number] => [hash, (offset += bytes.length) - bytes.length, bytes.length]);
    const indexBytes = Buffer.from(JSON.stringify(index));
    const head = Buffer.from(`gopkgr-tarball-pack 1 ${indexBytes.length}\n`);
    const file = path.join(dir, `${sha256Of(indexBytes)}${PACK_SUFFIX}`);
    const start = head.length + indexBytes.length;
    return {
      file,
      data: Buffer.concat([head, indexBytes, ...group.map(([, bytes]) => bytes)]),
      entries: index.map(([hash, at, length]): [string, Location] => [hash, { pack: file, offset: start + at, length }]),
    };
  });
}

/**
 * The entries a pack's index lists; none for a pack that cannot be read or
 * whose header or index is malformed (its tarballs are fetched again). Offsets
 * are not checked against the file: a read past its end fails, and whatever
 * is read is hash-checked.
 */
function packIndex(pack: string): Array<[string, Location]> {
  let fd: number;
  try {
    fd = openSync(pack, 'r');
  } catch {
    return [];
  }
  try {
    const head = Buffer.alloc(HEAD_READ);
    const got = readSync(fd, head, 0, HEAD_READ, 0);
    const m = PACK_HEADER.exec(head.subarray(0, Math.min(got, 64)).toString('latin1'));
    if (m === null) return [];
    const headLength = m[0].length;
    const indexLength = Number(m[1]);
    let indexBytes = head.subarray(headLength, Math.min(got, headLength + indexLength));
    if (indexBytes.length < indexLength) {
      indexBytes = Buffer.alloc(indexLength);
      if (readSync(fd, indexBytes, 0, indexLength, headLength) !== indexLength) return [];
    }
    const index = JSON.parse(indexBytes.toString('utf8')) as unknown;
    if (!Array.isArray(index)) return [];
    const start = headLength + indexLength;
    const entries: Array<[string, Location]> = [];
    for (const e of index as unknown[]) {
      if (!Array.isArray(e) || typeof e[0] !== 'string' || !SHA256.test(e[0])) continue;
      const [hash, at, length] = e as [string, unknown, unknown];
      if (!Number.isSafeInteger(at) || !Number.isSafeInteger(length) || (at as number) < 0 || (length as number) < 0) continue;
      entries.push([hash, { pack, offset: start + (at as number), length: length as number }]);
    }
    return entries;
  } catch {
    return [];
  } finally {
    closeSync(fd);
  }
}
