/**
 * Writing the package store's content-addressed files (packageStore.ts): the
 * one piece of an unpack that is kernel work only (creating a file on ext4
 * costs ~130-400 us of kernel CPU, a mkdir 100-190). It runs in this thread,
 * or in a worker thread (storeWriter.ts) while this one reads the next
 * tarballs: on 2 cores, ~3,000 file creations then overlap the downloads,
 * gunzips and tar parsing instead of following them.
 *
 * A file is created under its final name; one found there is kept only when
 * its bytes hash to its name, else replaced by a temp file renamed over it.
 */
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sha256Of } from './tarballCache.ts';
import { ATOMIC_MARK, tempName } from './leftovers.ts';

/** One file an entry needs: its store path, the sha256 its name carries, its bytes and mode. */
export interface FileJob {
  file: string;
  sha256: string;
  data: Uint8Array;
  mode: number;
}

/** Size and mtime of a store file, as an index records them. */
export interface FileStat {
  size: number;
  mtimeMs: number;
}

/** What one batch did: each file's stat (in job order), and what it created (for a discard to remove). */
export interface PlaceResult {
  stats: FileStat[];
  created: string[];
  madeDirs: string[];
}

/** A batch that failed part-way: the error, and what it had created by then. */
export class PlaceError extends Error {
  constructor(override readonly cause: unknown, readonly created: string[], readonly madeDirs: string[]) {
    super((cause as Error).message);
  }
}

export class StoreFiles {
  /** store files written or found intact by this writer, so that each is written or hashed once */
  private readonly known = new Map<string, FileStat>();

  /** `storeDir`: the store (temp files of replacements go there, where leftovers are removed); `filesDir`: its `files`. */
  constructor(private readonly storeDir: string, private readonly filesDir: string) {}

  /** Place every job's file; on failure throws a PlaceError naming what was created before it. */
  place(jobs: readonly FileJob[]): PlaceResult {
    const out: PlaceResult = { stats: [], created: [], madeDirs: [] };
    try {
      for (const j of jobs) out.stats.push(this.placeOne(j, out));
    } catch (err) {
      throw new PlaceError(err, out.created, out.madeDirs);
    }
    return out;
  }

  /** Remove files and (when empty) directories a failed or discarded unpack created. */
  remove(files: readonly string[], dirs: readonly string[]): void {
    for (const f of files) {
      rmSync(f, { force: true });
      this.known.delete(f);
    }
    // Deepest first: one entry's prefix directory sits in the `files` another made.
    for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
      try {
        rmdirSync(d);
      } catch {
        // not empty: files of entries kept are there
      }
    }
  }

  private placeOne(j: FileJob, out: PlaceResult): FileStat {
    const seen = this.known.get(j.file);
    if (seen !== undefined) return seen;
    let fd: number;
    try {
      fd = this.create(j, out);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return this.keepOrReplace(j);
    }
    out.created.push(j.file);
    let st: FileStat;
    try {
      writeFileSync(fd, j.data);
      const { size, mtimeMs } = fstatSync(fd);
      st = { size, mtimeMs };
    } finally {
      closeSync(fd);
    }
    this.known.set(j.file, st);
    return st;
  }

  /** Open a new store file exclusively, making its directories when missing (EEXIST: it is there). */
  private create(j: FileJob, out: PlaceResult): number {
    try {
      return openSync(j.file, 'wx', j.mode);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const prefix = path.dirname(j.file);
    // Usually only the prefix directory is missing: the store and `files` are made once per store.
    if (!makeDir(prefix, out, true)) {
      // The data dir too, on a first install (kept by a discard, as it holds more than the store).
      if (!makeDir(this.storeDir, out, true)) {
        mkdirSync(path.dirname(this.storeDir), { recursive: true });
        makeDir(this.storeDir, out);
      }
      makeDir(this.filesDir, out);
      makeDir(prefix, out);
    }
    return openSync(j.file, 'wx', j.mode);
  }

  /**
   * A store file already there: another entry's, or one a killed run left short,
   * or one edited through a hard link. Kept when its bytes hash to its name,
   * else replaced by a temp file renamed over it (at the store's top, where the
   * next run finds it as a leftover if this one is killed).
   */
  private keepOrReplace(j: FileJob): FileStat {
    try {
      const st = lstatSync(j.file);
      if (st.isFile() && st.size === j.data.length && sha256Of(readFileSync(j.file)) === j.sha256) {
        const kept = { size: st.size, mtimeMs: st.mtimeMs };
        this.known.set(j.file, kept);
        return kept;
      }
    } catch {
      // unreadable: replaced below
    }
    const tmp = `${this.storeDir}/${tempName(`.${j.sha256}${ATOMIC_MARK}`)}`;
    try {
      writeFileSync(tmp, j.data, { mode: j.mode, flag: 'wx' });
      renameSync(tmp, j.file);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
    const { size, mtimeMs } = lstatSync(j.file);
    this.known.set(j.file, { size, mtimeMs });
    return { size, mtimeMs };
  }
}

/** mkdir, recorded in `out` when made; false when its parent is missing and `maybeOrphan` (else that throws). */
function makeDir(dir: string, out: PlaceResult, maybeOrphan = false): boolean {
  try {
    mkdirSync(dir);
    out.madeDirs.push(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && maybeOrphan) return false;
    if (code !== 'EEXIST') throw err;
  }
  return true;
}
