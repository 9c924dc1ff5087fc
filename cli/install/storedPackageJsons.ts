/**
 * The installed package.json of gopkgr packages (installPackages.ts's
 * installedPackageJson), kept in the package store so that a warm install
 * hard-links it like every other file of the package instead of creating it:
 * `<data dir>/store/package-json/<sha256 of the text>.json`. Creating a file
 * costs a new inode: on this project's loaded test machine 500 new files took
 * 44-285 ms and 500 checked links 18-115 ms, and a warm install of 500 gopkgr
 * packages created 500 of them.
 *
 * Named by its text, a stored file serves every package and version whose
 * installed text is the same. It is a hard link into every project that
 * installed it, so an edit in one node_modules edits it. So, as the package
 * store does for its files (size and mtime against its index), a stored file
 * is linked only while lstat shows a plain file of the text's size with the
 * one mtime every stored file is given (STORED_MTIME_MS): an edit in place
 * sets the mtime to the time of the edit. Otherwise the install writes the
 * package's file fresh, as before, and puts that file in the store in place
 * of the missing or changed one. Keeping it is best effort: a store that
 * cannot take it (another filesystem, no space) only means the next install
 * writes the file again. A kill leaves no temp file: the stored name is made
 * by a link to a file already whole.
 */
import { createHash } from 'node:crypto';
import { linkSync, lstatSync, mkdirSync, unlinkSync, utimesSync } from 'node:fs';
import path from 'node:path';

export const PACKAGE_JSON_DIR = 'package-json';
/** The mtime of every stored file (npm pack's date for tarball entries, 1985-10-26T08:15:00Z), which no edit leaves. */
export const STORED_MTIME_MS = 499162500000;

export class StoredPackageJsons {
  readonly dir: string;

  constructor(storeDir: string) {
    this.dir = path.join(storeDir, PACKAGE_JSON_DIR);
  }

  fileOf(text: string): string {
    return path.join(this.dir, `${createHash('sha256').update(text).digest('hex')}.json`);
  }

  /** The stored file of `text`, to link from; undefined when there is none, or it was changed (see the header). */
  find(text: string): string | undefined {
    const file = this.fileOf(text);
    const st = lstatSync(file, { throwIfNoEntry: false });
    return st?.isFile() === true && st.size === Buffer.byteLength(text) && st.mtimeMs === STORED_MTIME_MS ? file : undefined;
  }

  /**
   * Keep `written` (a file just written with exactly `text`) as the stored copy of `text`, replacing a
   * changed one: on the first install of a package, two calls (the mtime, the link), a third to replace.
   */
  keep(text: string, written: string): void {
    const file = this.fileOf(text);
    try {
      utimesSync(written, STORED_MTIME_MS / 1000, STORED_MTIME_MS / 1000);
      this.link(written, file);
    } catch {
      // best effort (see the header)
    }
  }

  private link(written: string, file: string): void {
    try {
      linkSync(written, file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') unlinkSync(file);
      else if (code === 'ENOENT') mkdirSync(this.dir, { recursive: true });
      else throw err;
      linkSync(written, file);
    }
  }
}
