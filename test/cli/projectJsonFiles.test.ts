/**
 * gopkgr.lock and gopkgr.json as read from disk: absent is no error, text that
 * is not JSON is the file's own coded error naming it, and what is stored
 * beside it is left as it was.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readLockfile } from '../../cli/install/lockfile.ts';
import { readProjectFile } from '../../cli/project/projectFile.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { GopkgrError } from '../../ledger/index.ts';

afterAll(closeAll);

describe('a project JSON file', () => {
  it('is undefined when absent', async () => {
    const dir = await tempDir();
    expect(await readLockfile(path.join(dir, 'gopkgr.lock'))).toBeUndefined();
    expect(await readProjectFile(path.join(dir, 'gopkgr.json'))).toBeUndefined();
  });

  it('that is not JSON fails with its own code, naming the file and the parser reason, and stays as written', async () => {
    const dir = await tempDir();
    for (const [name, read, code] of [['gopkgr.lock', readLockfile, 'LOCKFILE_INVALID'], ['gopkgr.json', readProjectFile, 'PROJECT_FILE_INVALID']] as const) {
      const file = path.join(dir, name);
      await writeFile(file, '{"lockfileVersion": ');
      const err = await read(file).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(GopkgrError);
      expect((err as GopkgrError).code).toBe(code);
      expect((err as Error).message).toContain(`${file}: not valid JSON (`);
      expect(await readFile(file, 'utf8')).toBe('{"lockfileVersion": ');
    }
  });
});
