/**
 * One place that undoes what a test file set up: temp dirs, open chains,
 * started processes. Everything registers itself with `onClose` when it is
 * made, so a test only has to run `closeAll` (afterEach or afterAll).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Cleanup = () => Promise<void>;
const cleanups: Cleanup[] = [];

/** Register something to undo in `closeAll` (newest first). */
export function onClose(fn: Cleanup): void {
  cleanups.push(fn);
}

/**
 * Undo everything registered, newest first: processes stop before the dirs they
 * write to are removed. Use as `afterEach(closeAll)` or `afterAll(closeAll)`.
 */
export async function closeAll(): Promise<void> {
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!;
    await fn();
  }
}

/** A fresh directory under os.tmpdir(), removed by `closeAll`. */
export async function tempDir(prefix = 'gopkgr-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onClose(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
