/**
 * Durability of a whole install in one step (a child process: kept out of
 * writeAtomic.ts so that modules which only write files start none; the CLI's
 * get hands this to its PackageStore).
 */
import { syncPaths, type FlushPaths } from './writeAtomic.ts';

/**
 * Make `paths` (all on the filesystem holding `dir`) durable in one step where
 * the system allows it: on Linux `sync -f DIR` (coreutils), which is syncfs(2),
 * one flush of that filesystem. On the 500-package tree of bench/install the
 * store's 4,500 new files and directories took 0.06–0.08 s that way and
 * 0.4–0.6 s as fsyncs 64 at a time (half of it the thread-pool round trips of
 * open, fsync, close). It also flushes whatever else is pending on that
 * filesystem, which an fsync's journal commit mostly does too. Elsewhere, or
 * when `sync -f` is not there (busybox), syncPaths.
 */
export const syncFilesystem: FlushPaths = async (dir, paths) => {
  if (process.platform === 'linux' && syncfsWorks !== false) {
    // Imported here: loading child_process costs every start ~9 ms, and a warm install flushes nothing.
    const { execFile } = await import('node:child_process');
    const ok = await new Promise<boolean>((resolve) => execFile('sync', ['-f', dir], { timeout: 60_000 }, (err) => resolve(err === null)));
    syncfsWorks = ok;
    if (ok) return;
  }
  await syncPaths(paths);
};

/** Whether `sync -f` worked in this process (undefined: not tried yet). */
let syncfsWorks: boolean | undefined;
