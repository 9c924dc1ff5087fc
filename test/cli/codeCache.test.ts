/**
 * bin/codeCache.js: the install family's CommonJS bundle runs through V8's code
 * cache on Node 20. A run without a usable cache writes one as it exits; a run
 * with one leaves it be; a cache V8 rejects is replaced; a command keeps its
 * 4 newest caches (one per build); and a cache directory
 * that is not this user's own and closed to others is never read or written
 * (its files would be code this user runs).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { REPO } from '../support/processes.ts';

afterEach(closeAll);

const run = promisify(execFile);
const SHA = 'ab'.repeat(32);

/** A CommonJS module that uses what the bundle uses: require, __dirname, and a module required later (scripts/bundleCli.mjs requireExternalImports). */
const MODULE = [
  "const path = require('node:path');",
  "Promise.resolve().then(() => require('node:os')).then((os) => console.log(JSON.stringify({ dir: path.basename(__dirname), eol: os.EOL === '\\n' || os.EOL === '\\r\\n', sum: [1, 2, 3].reduce((a, b) => a + b) })));",
].join('\n');

async function world(): Promise<{ tmp: string; file: string; cacheDir: string }> {
  const tmp = await tempDir('gopkgr-codecache-');
  mkdirSync(path.join(tmp, 'fast'));
  const file = path.join(tmp, 'fast', 'cli.cjs');
  writeFileSync(file, MODULE);
  return { tmp, file, cacheDir: path.join(tmp, `gopkgr-code-cache-${process.getuid?.() ?? 'user'}`) };
}

/** Run `file` through runWithCodeCache in a child whose os.tmpdir() is `tmp`; returns what the module printed. */
async function runCached(tmp: string, file: string, sha = SHA): Promise<unknown> {
  const script = `import(${JSON.stringify(path.join(REPO, 'bin/codeCache.js'))}).then((m) => m.runWithCodeCache(${JSON.stringify(file)}, ${JSON.stringify(sha)}, 'get'));`;
  const out = await run(process.execPath, ['-e', script], { env: { ...process.env, TMPDIR: tmp } });
  return JSON.parse(out.stdout);
}

const cacheFiles = (dir: string): string[] => readdirSync(dir).sort();
const EXPECTED = { dir: 'fast', eol: true, sum: 6 };

describe('the code cache of the CommonJS bundle', () => {
  it('is written by the first run, named by command, Node, architecture and bundle hash, and kept by the next', async () => {
    const { tmp, file, cacheDir } = await world();
    expect(await runCached(tmp, file)).toEqual(EXPECTED);
    const [name] = cacheFiles(cacheDir);
    expect(name).toBe(`get-${process.version}-${process.arch}-${SHA.slice(0, 32)}`);
    const first = statSync(path.join(cacheDir, name!));
    expect(first.size).toBeGreaterThan(0);
    if (process.getuid !== undefined) {
      expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
      expect(first.mode & 0o777).toBe(0o600);
    }

    expect(await runCached(tmp, file)).toEqual(EXPECTED);
    const second = statSync(path.join(cacheDir, name!));
    // Accepted by V8, so not written again.
    expect([second.ino, second.mtimeMs]).toEqual([first.ino, first.mtimeMs]);

    // Another build of the bundle gets a cache of its own.
    expect(await runCached(tmp, file, 'cd'.repeat(32))).toEqual(EXPECTED);
    expect(cacheFiles(cacheDir)).toHaveLength(2);
  });

  it("keeps a command's 4 newest caches when it writes one, and leaves other commands' and files in flight alone", async () => {
    const { tmp, file, cacheDir } = await world();
    mkdirSync(cacheDir, { mode: 0o700 });
    const older = ['01', '02', '03', '04', '05'].map((h, i) => {
      const name = `get-${process.version}-${process.arch}-${h.repeat(16)}`;
      writeFileSync(path.join(cacheDir, name), 'a cache of an older build');
      const when = new Date(Date.now() - (10 - i) * 60_000); // 01 the oldest
      utimesSync(path.join(cacheDir, name), when, when);
      return name;
    });
    const others = [`why-${process.version}-${process.arch}-${'01'.repeat(16)}`, `get-${process.version}-${process.arch}-${'06'.repeat(16)}.123.tmp`];
    for (const name of others) {
      writeFileSync(path.join(cacheDir, name), 'not for pruning');
      utimesSync(path.join(cacheDir, name), new Date(0), new Date(0));
    }

    expect(await runCached(tmp, file)).toEqual(EXPECTED);
    const written = `get-${process.version}-${process.arch}-${SHA.slice(0, 32)}`;
    expect(cacheFiles(cacheDir)).toEqual([written, ...older.slice(2), ...others].sort());
  });

  it('replaces a cache V8 rejects, and the run is as without one', async () => {
    const { tmp, file, cacheDir } = await world();
    await runCached(tmp, file);
    const [name] = cacheFiles(cacheDir);
    const garbage = Buffer.from('not a code cache '.repeat(64));
    writeFileSync(path.join(cacheDir, name!), garbage);
    expect(await runCached(tmp, file)).toEqual(EXPECTED);
    expect(readFileSync(path.join(cacheDir, name!)).equals(garbage)).toBe(false);
    expect(cacheFiles(cacheDir)).toEqual([name]); // no temp file left
  });

  it.runIf(process.getuid !== undefined)('neither reads nor writes a cache directory others can write, or one that is a symlink', async () => {
    const open = await world();
    mkdirSync(open.cacheDir, { mode: 0o777 });
    chmodSync(open.cacheDir, 0o777);
    expect(await runCached(open.tmp, open.file)).toEqual(EXPECTED);
    expect(cacheFiles(open.cacheDir)).toEqual([]);

    const linked = await world();
    const elsewhere = path.join(linked.tmp, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    symlinkSync(elsewhere, linked.cacheDir);
    expect(await runCached(linked.tmp, linked.file)).toEqual(EXPECTED);
    expect(cacheFiles(elsewhere)).toEqual([]);
  });
});
