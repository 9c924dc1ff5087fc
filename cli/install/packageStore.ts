/**
 * The extracted-package store: `<data dir>/store/<sha256>/` holds a package's
 * files as installed (checked by readTarball, filtered by `skip`), and
 * `<sha256>.json` its index (files with mode, size and mtime, symlinks, entry
 * point). An install hard-links the files into place, as pnpm does: a link
 * costs a fraction of creating a file, and a tarball is unpacked once per
 * machine, not once per install.
 *
 * Hard links share their inode, so an edit of a file in node_modules edits the
 * store too. Before linking, each file's size and mtime are compared with the
 * index; an entry that differs is dropped and unpacked again from its verified
 * tarball. Where the data dir and the project are on different filesystems
 * (EXDEV) files are copied instead.
 *
 * An entry appears whole or not at all: files are written into a temp directory
 * renamed into place, and the index (written last, atomically) is what marks
 * the entry complete.
 *
 * Nothing in the store is trusted to stay as written: an index read back must
 * obey the extraction rules (plain relative paths, no file under a symlink,
 * every symlink resolving inside), and every directory and file is lstat'ed as
 * what the index says, so an edited index or a file swapped for a symlink makes
 * the entry be unpacked again, never followed out of the store.
 */
import { copyFileSync, linkSync, lstatSync, mkdirSync, readFileSync, renameSync, statSync, symlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { checkLayout, readTarball, writeEntries, type ExtractOptions, type TarEntry } from './extractTarball.ts';
import { entryOf } from './buildImportMap.ts';
import { writeAtomic } from './writeAtomic.ts';
import { tempName, UNPACK_PREFIX } from './leftovers.ts';

interface StoreIndex {
  /** the package's entry point, for import_map.json */
  entry: string;
  dirs: string[];
  /** [path, mode, size, mtimeMs] */
  files: Array<[string, number, number, number]>;
  /** [path, target] */
  symlinks: Array<[string, string]>;
}

/** The same as buildImportMap's entryOf, from the package.json in the tarball. */
function entryFromTarball(entries: readonly TarEntry[]): string {
  const pj = entries.find((e) => e.rel === 'package.json');
  if (pj?.type !== 'file') return 'index.js';
  try {
    return entryOf(JSON.parse(Buffer.from(pj.data).toString('utf8')) as Record<string, unknown>);
  } catch {
    return 'index.js';
  }
}

function isIndex(value: unknown): value is StoreIndex {
  const v = value as Partial<StoreIndex> | null;
  return typeof v?.entry === 'string' && Array.isArray(v.dirs) && Array.isArray(v.files) && Array.isArray(v.symlinks)
    && v.dirs.every((d) => typeof d === 'string')
    && v.files.every((f) => Array.isArray(f) && typeof f[0] === 'string' && typeof f[2] === 'number' && typeof f[3] === 'number')
    && v.symlinks.every((l) => Array.isArray(l) && typeof l[0] === 'string' && typeof l[1] === 'string');
}

/**
 * The index obeys the extraction rules (plain relative paths, nothing through a
 * symlink, every symlink resolving inside): an index edited on disk must not make
 * linkInto write or point outside the destination.
 */
function isSafeLayout(index: StoreIndex): boolean {
  try {
    checkLayout([
      ...index.dirs.map((rel) => ({ type: 'directory' as const, rel })),
      ...index.files.map(([rel]) => ({ type: 'file' as const, rel, data: new Uint8Array(0), mode: 0o644 })),
      ...index.symlinks.map(([rel, target]) => ({ type: 'symlink' as const, rel, target })),
    ], 'a store entry');
    return true;
  } catch {
    return false;
  }
}

export class PackageStore {
  readonly dir: string;
  /** indexes read and checked in this process */
  private readonly verified = new Map<string, StoreIndex>();

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'store');
  }

  private entryDir(hash: string): string {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`not a sha256: ${hash}`);
    return path.join(this.dir, hash);
  }

  /** The entry's index when the entry is complete and no file of it has changed since it was unpacked. */
  check(hash: string): StoreIndex | undefined {
    const known = this.verified.get(hash);
    if (known !== undefined) return known;
    let index: unknown;
    try {
      index = JSON.parse(readFileSync(`${this.entryDir(hash)}.json`, 'utf8'));
    } catch {
      return undefined;
    }
    if (!isIndex(index) || !isSafeLayout(index)) return undefined;
    const root = this.entryDir(hash);
    // lstat, never stat: a file or directory of the entry swapped for a symlink
    // would otherwise be hard-linked (or copied) from wherever it points.
    try {
      if (!lstatSync(root).isDirectory()) return undefined;
      for (const d of index.dirs) if (!lstatSync(path.join(root, d)).isDirectory()) return undefined;
      for (const [rel, , size, mtimeMs] of index.files) {
        const st = lstatSync(path.join(root, rel));
        if (!st.isFile() || st.size !== size || st.mtimeMs !== mtimeMs) return undefined;
      }
    } catch {
      return undefined;
    }
    this.verified.set(hash, index);
    return index;
  }

  /** Unpack a verified tarball into the store (replacing a damaged entry); throws on an unsafe tarball, storing nothing. */
  async add(hash: string, bytes: Uint8Array, opts: ExtractOptions): Promise<StoreIndex> {
    const entries = await readTarball(bytes, opts);
    const final = this.entryDir(hash);
    const tmp = path.join(this.dir, tempName(UNPACK_PREFIX));
    mkdirSync(this.dir, { recursive: true });
    const written = await writeEntries(tmp, entries, opts);
    try {
      const symlinks = new Map(entries.flatMap((e) => (e.type === 'symlink' ? [[e.rel, e.target] as const] : [])));
      const index: StoreIndex = { entry: entryFromTarball(entries), dirs: [], files: [], symlinks: [] };
      const dirs = new Set<string>();
      for (const rel of written) {
        for (let d = path.posix.dirname(rel); d !== '.'; d = path.posix.dirname(d)) dirs.add(d);
        const target = symlinks.get(rel);
        if (target !== undefined) {
          index.symlinks.push([rel, target]);
          continue;
        }
        const st = statSync(path.join(tmp, rel));
        index.files.push([rel, st.mode & 0o777, st.size, st.mtimeMs]);
      }
      index.dirs = [...dirs].sort();
      await rm(final, { recursive: true, force: true });
      await rm(`${final}.json`, { force: true });
      renameSync(tmp, final);
      await writeAtomic(`${final}.json`, JSON.stringify(index));
      this.verified.set(hash, index);
      return index;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Lay a checked entry out in `dest` (which must not exist) by hard links; returns the entry point. */
  linkInto(hash: string, dest: string): string {
    const index = this.verified.get(hash);
    if (index === undefined) throw new Error(`internal: store entry ${hash.slice(0, 12)} was not checked`);
    const root = this.entryDir(hash);
    mkdirSync(dest, { recursive: true });
    // Sorted, so every parent comes before its children: no recursive mkdir (a stat per level) needed.
    for (const d of index.dirs) mkdirSync(path.join(dest, d));
    for (const [rel] of index.files) {
      const from = path.join(root, rel);
      const to = path.join(dest, rel);
      try {
        linkSync(from, to);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV' && (err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
        copyFileSync(from, to);
      }
    }
    for (const [rel, target] of index.symlinks) symlinkSync(target, path.join(dest, rel));
    return index.entry;
  }
}
