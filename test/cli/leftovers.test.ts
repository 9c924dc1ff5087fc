/**
 * What a killed install leaves (cli/install/leftovers.ts) and who may remove it:
 * a later run removes what a dead process on this machine made and what earlier
 * versions made (no owner in the name), keeps what a live process is using and
 * the user's own files, and removes another machine's only once it is a day old.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { removeLeftovers, STAGING_PREFIX, tempName, TRASH_PREFIX, UNPACK_PREFIX } from '../../cli/install/leftovers.ts';
import { writeAtomic } from '../../cli/install/writeAtomic.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

let dir: string;
beforeEach(async () => {
  dir = await tempDir('gopkgr-leftovers-');
});
afterEach(closeAll);

/** The pid of a process that has exited. */
function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['-e', '0']);
    c.on('exit', () => resolve(c.pid!));
  });
}

describe('removeLeftovers', () => {
  it('removes a dead process\'s temps and earlier versions\' ones; keeps a live process\'s, another host\'s fresh ones and the user\'s files', async () => {
    const host = hostname().toLowerCase().replace(/[^a-z0-9-]/g, '').slice(0, 32);
    const dead = `${await deadPid()}@${host}`;
    const mine = tempName(STAGING_PREFIX);
    expect(mine.startsWith(`${STAGING_PREFIX}${process.pid}@${host}-`)).toBe(true);
    const removed = [
      `${STAGING_PREFIX}${dead}-0123456789ab`, `${TRASH_PREFIX}${dead}-0123456789ab`, `${UNPACK_PREFIX}${dead}-0123456789ab`,
      `.gopkgr.lock.gopkgr-tmp-${dead}-0123456789ab`, '.gopkgr-trash-aB3dE9', '.import_map.json.tmp-0123456789ab', 'tmp-0123456789abcdef',
      `${STAGING_PREFIX}${await deadPid()}@other-host-0123456789ab`,
    ];
    const kept = [mine, `${STAGING_PREFIX}${process.pid}@other-host-0123456789ab`, 'gopkgr.lock', '.gopkgr-staging-notes.txt', 'build.tmp-0123456789ab', 'src'];
    for (const name of [...removed, ...kept]) {
      if (name.startsWith('.gopkgr-staging-') || name.startsWith('.gopkgr-trash-') || name.startsWith('.gopkgr-unpack-') || name === 'src') await mkdir(path.join(dir, name, 'pkg'), { recursive: true });
      else await writeFile(path.join(dir, name), 'x');
    }
    // Another machine's temp is removed only when a day old: make the first one old.
    const old = (Date.now() - 2 * 24 * 3600 * 1000) / 1000;
    await utimes(path.join(dir, removed.at(-1)!), old, old);

    expect((await removeLeftovers(dir)).sort()).toEqual([...removed].sort());
    expect((await readdir(dir)).sort()).toEqual([...kept].sort());
    expect(await removeLeftovers(path.join(dir, 'missing'))).toEqual([]);
  });

  it('an atomic write leaves no temp file behind, and temp names carry this process as their owner', async () => {
    const file = path.join(dir, 'gopkgr.lock');
    await writeAtomic(file, 'x');
    expect(await readdir(dir)).toEqual(['gopkgr.lock']);
    expect(tempName('.gopkgr.lock.gopkgr-tmp-')).toMatch(new RegExp(`^\\.gopkgr\\.lock\\.gopkgr-tmp-${process.pid}@`));
    // Unique within the process: each name is new.
    const names = Array.from({ length: 1000 }, () => tempName(UNPACK_PREFIX));
    expect(new Set(names).size).toBe(1000);
  });
});
