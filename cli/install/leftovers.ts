/**
 * Temporary names an install makes while it works (staging and trash
 * directories in the project, unpack directories in the package store, the temp
 * file of every atomic write), and their removal by a later run when the run
 * that made them was killed before it could clean up.
 *
 * Each name carries its maker, `<pid>@<host>`: a run removes what a dead process
 * on this machine left, never what a live one (a second `get` in the same
 * project, sharing the store) is still using. A name from another host (a shared
 * filesystem) is removed only once it is a day old. Names from before owners
 * were recorded are removed whenever found.
 */
import { readdirSync, lstatSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';

export const STAGING_PREFIX = '.gopkgr-staging-';
export const TRASH_PREFIX = '.gopkgr-trash-';
export const UNPACK_PREFIX = '.gopkgr-unpack-';
/** The middle of an atomic write's temp name: `.<file>.gopkgr-tmp-<owner>-<random>`. */
export const ATOMIC_MARK = '.gopkgr-tmp-';

const HOST = hostname().toLowerCase().replace(/[^a-z0-9-]/g, '').slice(0, 32);
const STALE_ELSEWHERE_MS = 24 * 60 * 60 * 1000;

/** Random per process; a counter tells this process's names apart (a get names ~1,500, and randomBytes each cost ~50 ms of CPU). */
const PROCESS_NONCE = randomBytes(6).toString('hex');
let nextTemp = 0;

/** `<prefix><pid>@<host>-<random><counter>`: a fresh temp name owned by this process (created exclusively: wx, mkdir). */
export function tempName(prefix: string): string {
  return `${prefix}${process.pid}@${HOST}-${PROCESS_NONCE}${(nextTemp++).toString(16)}`;
}

const OWNED = /^(?:\.gopkgr-(?:staging|trash|unpack)-|\..+\.gopkgr-tmp-)(\d+)@([a-z0-9-]*)-[0-9a-f]+$/;
/** Names of earlier versions, without an owner: mkdtemp's, writeAtomic's and the store's. */
const LEGACY = [/^\.gopkgr-(?:staging|trash)-[A-Za-z0-9]{6}$/, /^\..+\.tmp-[0-9a-f]{12}$/, /^tmp-[0-9a-f]{16}$/];

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, as another user's process.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isLeftover(dir: string, name: string, now: number): boolean {
  const owned = OWNED.exec(name);
  if (owned !== null) {
    if (owned[2] === HOST) return !isAlive(Number(owned[1]));
    try {
      return now - lstatSync(path.join(dir, name)).mtimeMs > STALE_ELSEWHERE_MS;
    } catch {
      return false;
    }
  }
  return LEGACY.some((re) => re.test(name));
}

/** Remove what killed runs left in `dir` (a missing `dir` holds nothing); returns the names removed. */
export async function removeLeftovers(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const now = Date.now();
  const gone = names.filter((n) => isLeftover(dir, n, now));
  for (const n of gone) await rm(path.join(dir, n), { recursive: true, force: true });
  return gone;
}
