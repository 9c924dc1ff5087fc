/**
 * The extracted-package store, content-addressed by file as pnpm's is:
 * `<data dir>/store/files/<2 hex>/<sha256 of the file>` holds each distinct
 * file once (`-x` after the name for an executable one: hard links share their
 * mode), and `<data dir>/store/<tarball sha256>.json` the index of a package's
 * tarball (files with mode, size, mtime and content hash, directories,
 * symlinks, entry point, package.json text), as installed (checked by
 * readTarball, filtered by `skip`). An install hard-links the files into place:
 * a link costs a fraction of creating a file, and a tarball is unpacked once per
 * machine, not once per install. Per file, not per package: no store directory
 * per package (a mkdir costs 100-190 us of kernel CPU on ext4, a file ~130),
 * and a file many packages share (a LICENSE) is written once.
 *
 * Hard links share their inode, so an edit of a file in node_modules edits the
 * store too. Before linking, each file's size and mtime are compared with the
 * index; an entry that differs is unpacked again from its verified tarball, and
 * a store file found in the way is kept only when its bytes hash to its name
 * (else replaced, by a rename, so links elsewhere keep their inode). Where the
 * data dir and the project are on different filesystems (EXDEV), or a file has
 * as many links as the filesystem allows (EMLINK), files are copied instead.
 *
 * An entry appears whole or not at all: its index, written last (atomically,
 * after a flush of the files it names), is what marks it complete. A store file
 * is created under its final name; one a killed run left short fails the hash
 * check above the next time it is in the way. An install unpacks all its
 * entries first and commits them together, with one batched flush (commit); a
 * failed one removes the files it created.
 *
 * Nothing in the store is trusted to stay as written: an index read back must
 * obey the extraction rules (plain relative paths, no file under a symlink,
 * every symlink resolving inside, file names that are sha256s), and every file
 * is lstat'ed as what the index says, so an edited index or a file swapped for a
 * symlink makes the entry be unpacked again, never followed out of the store.
 *
 * Format 2. Indexes of format 1 (a directory per package, `<sha256>/`) are not
 * read: such an entry is unpacked again, and its directory removed.
 */
import { lstatSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { checkLayout, keptEntries, readTarball, writeEntries, type ExtractOptions, type KeptEntry } from './extractTarball.ts';
import { entryOf } from './buildImportMap.ts';
import { makeLayout, type Layout } from './makeLayout.ts';
import { syncPaths, writeReplacing, type FlushPaths } from './writeAtomic.ts';
import { tempName, UNPACK_PREFIX } from './leftovers.ts';
import { PlaceError, StoreFiles, type FileJob, type PlaceResult } from './storeFiles.ts';
import { OffThreadFiles } from './offThreadFiles.ts';
import { sha256Of, type FileWriter } from './tarballCache.ts';
import { phase } from '../timing.ts';

/** Store files whose hash starts with a digit below this ('0' to '4': 5/16) are written in this thread when a writer thread takes the rest. */
const INLINE_BELOW = '5'.charCodeAt(0);

/** The index format this store writes and reads. */
const FORMAT = 2;

/** An entry unpacked into the store, its index not yet written (PackageStore.unpack, commit). */
export interface PendingEntry {
  hash: string;
  index: StoreIndex;
  /** store files this unpack created (removed again by discard) */
  created: string[];
  /** directories it created, parents first */
  madeDirs: string[];
}

interface StoreIndex {
  format: typeof FORMAT;
  /** the package's entry point, for import_map.json */
  entry: string;
  dirs: string[];
  /** [path, mode (0o644 or 0o755), size, mtimeMs, sha256 of the bytes] */
  files: Array<[string, number, number, number, string]>;
  /** [path, target] */
  symlinks: Array<[string, string]>;
  /**
   * The text of the entry's package.json, which every install reads (import map,
   * `.bin` links, a gopkgr package's installed package.json): kept here, it costs
   * no file read per package. Absent when the package has none.
   */
  packageJson?: string;
}

/** The tarball's package.json, when it has one as a file. */
function packageJsonText(entries: readonly KeptEntry[]): string | undefined {
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

const SHA256 = /^[0-9a-f]{64}$/;

function isIndex(value: unknown): value is StoreIndex {
  const v = value as Partial<StoreIndex> | null;
  return v?.format === FORMAT && typeof v.entry === 'string' && Array.isArray(v.dirs) && Array.isArray(v.files) && Array.isArray(v.symlinks)
    && (v.packageJson === undefined || typeof v.packageJson === 'string')
    && v.dirs.every((d) => typeof d === 'string')
    // The content hash and mode name the store file: anything else could name a path outside it.
    && v.files.every((f) => Array.isArray(f) && typeof f[0] === 'string' && (f[1] === 0o644 || f[1] === 0o755) && typeof f[2] === 'number' && typeof f[3] === 'number' && typeof f[4] === 'string' && SHA256.test(f[4]))
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

/** Every ancestor of each path, each once, parents before children (no recursive mkdir: a stat per level). */
function dirsOf(rels: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const rel of rels) for (let d = path.posix.dirname(rel); d !== '.'; d = path.posix.dirname(d)) dirs.add(d);
  return [...dirs].sort();
}

export class PackageStore {
  readonly dir: string;
  /** `<dir>/files`: the content-addressed files */
  private readonly filesDir: string;
  /** indexes read and checked in this process */
  private readonly verified = new Map<string, StoreIndex>();
  /** creates store files in this thread */
  private readonly files: StoreFiles;
  /** creates them on a worker thread instead, after writeOffThread */
  private offThread: OffThreadFiles | undefined;
  /** index writes commit left to the writer thread (settled) */
  private readonly settling: Array<Promise<void>> = [];
  /** entries whose index was of an earlier format: commit removes their directory */
  private readonly legacy = new Set<string>();

  /** `flush`: how commit makes a batch durable (default: an fsync of each path; get passes syncFilesystem.ts's one flush) */
  constructor(dataDir: string, private readonly flush: FlushPaths = (_dir, paths) => syncPaths(paths)) {
    this.dir = path.join(dataDir, 'store');
    this.filesDir = path.join(this.dir, 'files');
    this.files = new StoreFiles(this.dir, this.filesDir);
  }

  private indexFile(hash: string): string {
    if (!SHA256.test(hash)) throw new Error(`not a sha256: ${hash}`);
    return `${this.dir}/${hash}.json`;
  }

  /** The store file of content `sha256` with `mode` (an index's hash is checked by isIndex). */
  private fileOf(sha256: string, mode: number): string {
    return `${this.filesDir}/${sha256.slice(0, 2)}/${sha256}${(mode & 0o111) === 0 ? '' : '-x'}`;
  }

  /** Where the file `rel` of a checked entry lives in the store (for tests and diagnostics). */
  pathOf(hash: string, rel: string): string {
    const f = this.verified.get(hash)?.files.find(([r]) => r === rel);
    if (f === undefined) throw new Error(`internal: ${rel} is no file of checked store entry ${hash.slice(0, 12)}`);
    return this.fileOf(f[4], f[1]);
  }

  /** The entry's index when the entry is complete and no file of it has changed since it was unpacked. */
  check(hash: string): StoreIndex | undefined {
    const known = this.verified.get(hash);
    if (known !== undefined) return known;
    let index: unknown;
    try {
      index = JSON.parse(readFileSync(this.indexFile(hash), 'utf8'));
    } catch {
      return undefined;
    }
    if ((index as { format?: unknown } | null)?.format === undefined) this.legacy.add(hash);
    if (!isIndex(index) || !isSafeLayout(index)) return undefined;
    // lstat, never stat: a store file swapped for a symlink would otherwise be
    // hard-linked (or copied) from wherever it points.
    try {
      for (const [, mode, size, mtimeMs, sha256] of index.files) {
        const st = lstatSync(this.fileOf(sha256, mode));
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
   * Create store files on a worker thread from now on (see storeFiles.ts): for
   * an install of many packages, where its start (~30 ms, on the other core)
   * pays off. The thread ends with the process, or at close.
   */
  writeOffThread(): void {
    this.offThread ??= new OffThreadFiles(this.dir, this.filesDir);
  }

  /** The worker thread of writeOffThread, for other files of the install (TarballCache.putAll); undefined without one. */
  fileWriter(): FileWriter | undefined {
    return this.offThread;
  }

  /** Stop the worker thread of writeOffThread, if any. */
  async close(): Promise<void> {
    await this.offThread?.close();
  }

  /**
   * Place `jobs` partly in this thread, partly on the writer thread: this one
   * would otherwise wait on it for about half of a large fetch (measured on 2
   * cores). By the first hex digit of each file's hash, so that a file always
   * goes to the same writer. A failure names what both created.
   */
  private async placeShared(writer: OffThreadFiles, jobs: readonly FileJob[]): Promise<PlaceResult> {
    const here = (j: FileJob): boolean => j.sha256.charCodeAt(0) < INLINE_BELOW;
    const sent = writer.place(jobs.filter((j) => !here(j)));
    let inline: PlaceResult | PlaceError;
    try {
      inline = this.files.place(jobs.filter(here));
    } catch (err) {
      inline = err as PlaceError;
    }
    let off: PlaceResult | PlaceError;
    try {
      off = await sent;
    } catch (err) {
      off = err instanceof PlaceError ? err : new PlaceError(err, [], []);
    }
    const created = [...inline.created, ...off.created];
    const madeDirs = [...inline.madeDirs, ...off.madeDirs];
    if (inline instanceof PlaceError) throw new PlaceError(inline.cause, created, madeDirs);
    if (off instanceof PlaceError) throw new PlaceError(off.cause, created, madeDirs);
    let a = 0;
    let b = 0;
    const stats = jobs.map((j) => (here(j) ? (inline as PlaceResult).stats[a++]! : (off as PlaceResult).stats[b++]!));
    return { stats, created, madeDirs };
  }

  /**
   * The first half of add: check the tarball and write the files the store
   * lacks (a killed run leaves only files no index names). Many run at once;
   * commit then writes their indexes.
   */
  async unpack(hash: string, bytes: Uint8Array, opts: ExtractOptions): Promise<PendingEntry> {
    this.indexFile(hash);
    const entries = await readTarball(bytes, opts);
    const kept = keptEntries(entries, opts);
    if (kept.some((e) => e.type === 'symlink')) await this.checkSymlinksOnDisk(entries, opts);
    const index: StoreIndex = { format: FORMAT, entry: 'index.js', dirs: [], files: [], symlinks: [] };
    const jobs: FileJob[] = [];
    for (const e of kept) {
      if (e.type === 'symlink') index.symlinks.push([e.rel, e.target]);
      else if (e.type === 'file') {
        const sha256 = sha256Of(e.data);
        jobs.push({ file: this.fileOf(sha256, e.mode), sha256, data: e.data, mode: e.mode });
        index.files.push([e.rel, e.mode, 0, 0, sha256]);
      }
    }
    let placed: PlaceResult;
    try {
      placed = this.offThread === undefined ? this.files.place(jobs) : await this.placeShared(this.offThread, jobs);
    } catch (err) {
      if (!(err instanceof PlaceError)) throw err;
      await this.remove([{ created: err.created, madeDirs: err.madeDirs }]);
      throw err.cause;
    }
    placed.stats.forEach((st, i) => {
      index.files[i]![2] = st.size;
      index.files[i]![3] = st.mtimeMs;
    });
    const packageJson = index.files.some(([rel]) => rel === 'package.json') ? packageJsonText(kept) : undefined;
    index.entry = entryFromPackageJson(packageJson);
    if (packageJson !== undefined) index.packageJson = packageJson;
    // Sorted, so that linkInto makes every parent before its children.
    index.files.sort((x, y) => (x[0] < y[0] ? -1 : 1));
    index.symlinks.sort((x, y) => (x[0] < y[0] ? -1 : 1));
    index.dirs = dirsOf([...index.files.map(([rel]) => rel), ...index.symlinks.map(([rel]) => rel)]);
    return { hash, index, created: placed.created, madeDirs: placed.madeDirs };
  }

  /**
   * extractTarball's second line of defence, for a package with symlinks (rare):
   * the tree written into a scratch directory, every symlink resolved there with
   * realpath. The store keeps no tree of its own to check.
   */
  private async checkSymlinksOnDisk(entries: Parameters<typeof writeEntries>[1], opts: ExtractOptions): Promise<void> {
    const scratch = path.join(this.dir, tempName(UNPACK_PREFIX));
    try {
      await writeEntries(scratch, entries, opts);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /** Remove what unpacks created: their files, then the directories they made that are empty now. */
  private async remove(pending: ReadonlyArray<Pick<PendingEntry, 'created' | 'madeDirs'>>): Promise<void> {
    const files = pending.flatMap((p) => p.created);
    const dirs = pending.flatMap((p) => p.madeDirs);
    if (files.length === 0 && dirs.length === 0) return;
    // Both writers forget what they remove (either may have written it).
    this.files.remove(files, dirs);
    await this.offThread?.remove(files, dirs);
  }

  /** Throw away unpacked entries that will not be committed (an install that failed elsewhere). */
  async discard(pending: readonly PendingEntry[]): Promise<void> {
    await this.remove(pending);
  }

  /**
   * The second half of add, for many entries at once. Durability is batched
   * (the constructor's `flush`): one flush of every file and directory created,
   * then each entry's index is written (the marker that makes it complete),
   * then one flush of the indexes and the store directory. No index can be on
   * disk before the files it names.
   *
   * `background` (with a writer thread, writeOffThread): return once the files
   * are flushed, the entries usable by this process; the indexes are written
   * and flushed on the thread meanwhile (an install links node_modules), and
   * settled() waits for them. A run killed before leaves entries without an
   * index, unpacked again by the next run (their files found intact by hash).
   */
  async commit(pending: readonly PendingEntry[], background = false): Promise<void> {
    if (pending.length === 0) return;
    const data: string[] = [];
    for (const p of pending) data.push(...p.created, ...p.madeDirs);
    // A directory holds the names in it: each new name's directory is flushed too (syncPaths fsyncs each path given).
    data.push(...new Set(pending.flatMap((p) => [...p.created, ...p.madeDirs].map((f) => path.dirname(f)))));
    phase('store: entries unpacked');
    if (data.length > 0) await this.flush(this.dir, data);
    phase('store: unpacked entries flushed');
    const markers = pending.map((p) => this.indexFile(p.hash));
    mkdirSync(this.dir, { recursive: true });
    if (background && this.offThread !== undefined) {
      const writer = this.offThread;
      const writing = writer.replace(pending.map((p, i) => ({ file: markers[i]!, data: Buffer.from(JSON.stringify(p.index)) })))
        .then(() => this.flush(this.dir, [...markers, this.dir]));
      // Held for settled(); a run that never asks drops the error (its entries are only unpacked again).
      writing.catch(() => undefined);
      this.settling.push(writing);
      for (const p of pending) this.placed(p);
      phase('store: entries usable (indexes written in the background)');
      return;
    }
    const placed = new Set<PendingEntry>();
    try {
      for (const [i, p] of pending.entries()) {
        writeReplacing(markers[i]!, JSON.stringify(p.index));
        this.placed(p);
        placed.add(p);
      }
    } finally {
      await this.discard(pending.filter((p) => !placed.has(p)));
    }
    phase('store: entries placed');
    await this.flush(this.dir, [...markers, this.dir]);
    phase('store: committed');
  }

  /** Wait for the indexes commit writes in the background; throws what writing them threw. */
  async settled(): Promise<void> {
    await Promise.all(this.settling.splice(0));
    phase('store: committed');
  }

  /** An entry whose index is written (or being written): usable by this process. */
  private placed(p: PendingEntry): void {
    this.verified.set(p.hash, p.index);
    // The directory of a format-1 entry: its index is replaced, so nothing reads it any more.
    if (this.legacy.delete(p.hash)) rmSync(path.join(this.dir, p.hash), { recursive: true, force: true });
  }

  /** The text of a checked entry's package.json (from its index, or its store file); undefined when it has none. */
  packageJsonOf(hash: string): string | undefined {
    const index = this.verified.get(hash);
    if (index === undefined) throw new Error(`internal: store entry ${hash.slice(0, 12)} was not checked`);
    if (index.packageJson !== undefined) return index.packageJson;
    const pj = index.files.find(([f]) => f === 'package.json');
    if (pj === undefined) return undefined;
    try {
      return readFileSync(this.fileOf(pj[4], pj[1]), 'utf8');
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
    // Sorted, so every parent comes before its children: no recursive mkdir (a stat per level) needed.
    const layout: Layout = { dirs: [dest, ...index.dirs.map((d) => under(dest, d))], links: [], writes: [], symlinks: [] };
    for (const [rel, mode, , , sha256] of index.files) if (except?.has(rel) !== true) layout.links.push([this.fileOf(sha256, mode), under(dest, rel)]);
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
