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
 * the entry complete. An install unpacks all its entries first (in parallel)
 * and commits them together, with one batched fsync pass (commit).
 *
 * Nothing in the store is trusted to stay as written: an index read back must
 * obey the extraction rules (plain relative paths, no file under a symlink,
 * every symlink resolving inside), and every directory and file is lstat'ed as
 * what the index says, so an edited index or a file swapped for a symlink makes
 * the entry be unpacked again, never followed out of the store.
 */
import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { checkLayout, readTarball, writeEntries, type ExtractOptions, type TarEntry } from './extractTarball.ts';
import { entryOf } from './buildImportMap.ts';
import { makeLayout, type Layout } from './makeLayout.ts';
import { syncPaths, writeReplacing, type FlushPaths } from './writeAtomic.ts';
import { tempName, UNPACK_PREFIX } from './leftovers.ts';
import { phase } from '../timing.ts';

/** An entry unpacked into a temp directory of the store, not yet in place (PackageStore.unpack, commit). */
export interface PendingEntry {
  hash: string;
  tmp: string;
  index: StoreIndex;
}

interface StoreIndex {
  /** the package's entry point, for import_map.json */
  entry: string;
  dirs: string[];
  /** [path, mode, size, mtimeMs] */
  files: Array<[string, number, number, number]>;
  /** [path, target] */
  symlinks: Array<[string, string]>;
  /**
   * The text of the entry's package.json, which every install reads (import map,
   * `.bin` links, a gopkgr package's installed package.json): kept here, it costs
   * no file read per package. Absent in entries of earlier versions, and when the
   * package has none.
   */
  packageJson?: string;
}

/** The tarball's package.json, when it has one as a file. */
function packageJsonText(entries: readonly TarEntry[]): string | undefined {
  const pj = entries.find((e) => e.rel === 'package.json');
  return pj?.type === 'file' ? Buffer.from(pj.data).toString('utf8') : undefined;
}

/** The same as buildImportMap's entryOf, from the package.json in the tarball. */
function entryFromPackageJson(text: string | undefined): string {
  if (text === undefined) return 'index.js';
  try {
    return entryOf(JSON.parse(text) as Record<string, unknown>);
  } catch {
    return 'index.js';
  }
}

function isIndex(value: unknown): value is StoreIndex {
  const v = value as Partial<StoreIndex> | null;
  return typeof v?.entry === 'string' && Array.isArray(v.dirs) && Array.isArray(v.files) && Array.isArray(v.symlinks)
    && (v.packageJson === undefined || typeof v.packageJson === 'string')
    && v.dirs.every((d) => typeof d === 'string')
    && v.files.every((f) => Array.isArray(f) && typeof f[0] === 'string' && typeof f[2] === 'number' && typeof f[3] === 'number')
    && v.symlinks.every((l) => Array.isArray(l) && typeof l[0] === 'string' && typeof l[1] === 'string');
}

/**
 * `dir/rel` for a path of a checked index (plain and relative: isSafeLayout), joined as a string:
 * path.join normalises character by character, and with a few joins per file it cost a warm install
 * of 3,500 files ~50 ms of CPU.
 */
const under = (dir: string, rel: string): string => `${dir}/${rel}`;

/** The data of every file entry a layout check sees (it reads paths only): one shared array, not one allocation per file. */
const NO_BYTES = new Uint8Array(0);

/**
 * A relative path of segments made of letters, digits and `._@+-`, none of them
 * dots only: plain on every filesystem. Narrower than what checkLayout accepts,
 * so a path it refuses only goes through the full check.
 */
const PLAIN_PATH = /^(?!\.+(?:\/|$))[\w.@+-]+(?:\/(?!\.+(?:\/|$))[\w.@+-]+)*$/;
/** Far below checkLayout's own limit, so that a plain path is never one it refuses for its length. */
const PLAIN_PATH_CHARS = 1024;

/**
 * What checkLayout decides for most entries, at one regular expression a path:
 * without symlinks, its rules come down to plain paths, each once. (Checking
 * every path of a 3,500-file install through checkLayout cost ~40 ms of CPU.)
 */
function isPlainLayout(index: StoreIndex): boolean {
  if (index.symlinks.length > 0) return false;
  const seen = new Set<string>();
  for (const rel of [...index.dirs, ...index.files.map(([f]) => f)]) {
    if (rel.length > PLAIN_PATH_CHARS || !PLAIN_PATH.test(rel) || seen.has(rel)) return false;
    seen.add(rel);
  }
  return true;
}

/**
 * The index obeys the extraction rules (plain relative paths, nothing through a
 * symlink, every symlink resolving inside): an index edited on disk must not make
 * linkInto write or point outside the destination.
 */
function isSafeLayout(index: StoreIndex): boolean {
  if (isPlainLayout(index)) return true;
  try {
    checkLayout([
      ...index.dirs.map((rel) => ({ type: 'directory' as const, rel })),
      ...index.files.map(([rel]) => ({ type: 'file' as const, rel, data: NO_BYTES, mode: 0o644 })),
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

  /** `flush`: how commit makes a batch durable (default: an fsync of each path; get passes syncFilesystem.ts's one flush) */
  constructor(dataDir: string, private readonly flush: FlushPaths = (_dir, paths) => syncPaths(paths)) {
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
      for (const d of index.dirs) if (!lstatSync(under(root, d)).isDirectory()) return undefined;
      for (const [rel, , size, mtimeMs] of index.files) {
        const st = lstatSync(under(root, rel));
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
    const pending = await this.unpack(hash, bytes, opts);
    await this.commit([pending]);
    return pending.index;
  }

  /**
   * The first half of add: check the tarball and write its files into a temp
   * directory of the store (a killed run leaves only that, which the next run
   * removes as a leftover). Many run at once; commit then places them all.
   */
  async unpack(hash: string, bytes: Uint8Array, opts: ExtractOptions): Promise<PendingEntry> {
    const entries = await readTarball(bytes, opts);
    const tmp = path.join(this.dir, tempName(UNPACK_PREFIX));
    // writeEntries makes the store directory when it is missing.
    const written = await writeEntries(tmp, entries, opts);
    try {
      const symlinks = new Map(entries.flatMap((e) => (e.type === 'symlink' ? [[e.rel, e.target] as const] : [])));
      const packageJson = written.includes('package.json') ? packageJsonText(entries) : undefined;
      const index: StoreIndex = { entry: entryFromPackageJson(packageJson), dirs: [], files: [], symlinks: [], ...(packageJson === undefined ? {} : { packageJson }) };
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
      return { hash, tmp, index };
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /** Throw away unpacked entries that will not be committed (an install that failed elsewhere). */
  async discard(pending: readonly PendingEntry[]): Promise<void> {
    for (const p of pending) await rm(p.tmp, { recursive: true, force: true });
  }

  /**
   * The second half of add, for many entries at once. Durability is batched
   * (the constructor's `flush`): one flush of every file and directory unpacked,
   * then each entry is renamed into place and its index written (the marker
   * that makes it complete), then one flush of the indexes and the store
   * directory. No index can be on disk before the files it describes, and a
   * killed run leaves temp directories only (removed by the next run).
   */
  async commit(pending: readonly PendingEntry[]): Promise<void> {
    if (pending.length === 0) return;
    const data: string[] = [];
    for (const p of pending) {
      data.push(p.tmp, ...p.index.dirs.map((d) => path.join(p.tmp, d)), ...p.index.files.map(([rel]) => path.join(p.tmp, rel)));
    }
    phase('store: entries unpacked');
    await this.flush(this.dir, data);
    phase('store: unpacked entries flushed');
    const markers: string[] = [];
    const placed = new Set<PendingEntry>();
    try {
      for (const p of pending) {
        const final = this.entryDir(p.hash);
        // The old index goes first: an entry dir without an index is no entry.
        rmSync(`${final}.json`, { force: true });
        rmSync(final, { recursive: true, force: true });
        renameSync(p.tmp, final);
        writeReplacing(`${final}.json`, JSON.stringify(p.index));
        markers.push(`${final}.json`);
        this.verified.set(p.hash, p.index);
        placed.add(p);
      }
    } finally {
      await this.discard(pending.filter((p) => !placed.has(p)));
    }
    phase('store: entries placed');
    await this.flush(this.dir, [...markers, this.dir]);
    phase('store: committed');
  }

  /** The text of a checked entry's package.json (from its index, or its file in entries of earlier versions); undefined when it has none. */
  packageJsonOf(hash: string): string | undefined {
    const index = this.verified.get(hash);
    if (index === undefined) throw new Error(`internal: store entry ${hash.slice(0, 12)} was not checked`);
    if (index.packageJson !== undefined) return index.packageJson;
    if (!index.files.some(([f]) => f === 'package.json')) return undefined;
    try {
      return readFileSync(under(this.entryDir(hash), 'package.json'), 'utf8');
    } catch {
      return undefined;
    }
  }

  /**
   * The steps that lay a checked entry out in `dest` (which must not exist) by hard links, leaving out
   * the files named in `except` (makeLayout.ts makes them).
   */
  layoutOf(hash: string, dest: string, except?: ReadonlySet<string>): Layout {
    const index = this.verified.get(hash);
    if (index === undefined) throw new Error(`internal: store entry ${hash.slice(0, 12)} was not checked`);
    const root = this.entryDir(hash);
    // Sorted, so every parent comes before its children: no recursive mkdir (a stat per level) needed.
    const layout: Layout = { dirs: [dest, ...index.dirs.map((d) => under(dest, d))], links: [], writes: [], symlinks: [] };
    for (const [rel] of index.files) if (except?.has(rel) !== true) layout.links.push([under(root, rel), under(dest, rel)]);
    for (const [rel, target] of index.symlinks) if (except?.has(rel) !== true) layout.symlinks.push([target, under(dest, rel)]);
    return layout;
  }

  /** Lay a checked entry out in `dest` (which must not exist; its parent is made) by hard links, leaving out the files named in `except`; returns the entry point. */
  linkInto(hash: string, dest: string, except?: ReadonlySet<string>): string {
    const layout = this.layoutOf(hash, dest, except);
    mkdirSync(path.dirname(dest), { recursive: true });
    makeLayout(layout);
    return this.verified.get(hash)!.entry;
  }
}
