/**
 * `node_modules/.bin` (cli/install/binLinks.ts) on a real directory tree: links
 * at the level each package sits in, executable targets, hostile `bin` values
 * refused, one deterministic winner per command, and reconciling (stale links
 * removed, deleted ones made again, files that are not links left alone).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { binsOf, linkBins } from '../../cli/install/binLinks.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

const run = promisify(execFile);

async function pkg(nm: string, at: string, packageJson: Record<string, unknown>, files: Record<string, string> = {}): Promise<void> {
  const dir = path.join(nm, at);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify(packageJson));
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text, { mode: 0o644 });
  }
}

const SCRIPT = (out: string): string => `#!/usr/bin/env node\nconsole.log(${JSON.stringify(out)});\n`;

describe('binsOf', () => {
  it('reads a string bin under the unscoped package name and an object bin by its keys', () => {
    expect(binsOf({ name: '@s/tool', bin: './cli.js' })).toEqual({ tool: 'cli.js' });
    expect(binsOf({ name: 'typescript', bin: { tsc: './bin/tsc', tsserver: 'bin/tsserver' } })).toEqual({ tsc: 'bin/tsc', tsserver: 'bin/tsserver' });
  });

  it('refuses targets outside the package and names that are paths', () => {
    expect(binsOf({ name: 'x', bin: { up: '../../evil.js', abs: '/etc/passwd', dot: '.', nul: 'a\0b', back: 'a\\b' } })).toEqual({});
    expect(binsOf({ name: 'x', bin: { '..': 'a.js', '.hidden': 'a.js', 'a\\b': 'a.js', '@s/ok': 'a.js' } })).toEqual({ ok: 'a.js' });
    expect(binsOf({ name: 'x', bin: { inner: 'lib/../cli.js', n: 42 } })).toEqual({ inner: 'cli.js' });
    expect(binsOf({ bin: 'cli.js' })).toEqual({});
  });
});

describe('linkBins', () => {
  afterEach(closeAll);

  it('links top-level and nested packages at their own level, makes targets executable, and the link runs', async () => {
    const nm = path.join(await tempDir('gopkgr-bins-'), 'node_modules');
    await pkg(nm, 'tool', { name: 'tool', bin: 'cli.js' }, { 'cli.js': SCRIPT('top') });
    await pkg(nm, '@s/multi', { name: '@s/multi', bin: { one: 'bin/one.js', two: './bin/two.js' } }, { 'bin/one.js': SCRIPT('one'), 'bin/two.js': SCRIPT('two') });
    await pkg(nm, 'app', { name: 'app' });
    await pkg(nm, 'app/node_modules/tool', { name: 'tool', bin: 'cli.js' }, { 'cli.js': SCRIPT('nested') });

    const r = linkBins(nm, ['tool', '@s/multi', 'app', 'app/node_modules/tool']);
    expect(r.linked.sort()).toEqual(['.bin/one', '.bin/tool', '.bin/two', 'app/node_modules/.bin/tool']);
    expect(readlinkSync(path.join(nm, '.bin/tool'))).toBe('../tool/cli.js');
    expect(readlinkSync(path.join(nm, '.bin/one'))).toBe('../@s/multi/bin/one.js');
    expect(readlinkSync(path.join(nm, 'app/node_modules/.bin/tool'))).toBe('../tool/cli.js');
    expect(statSync(path.join(nm, 'tool/cli.js')).mode & 0o111).toBe(0o111);
    expect((await run(path.join(nm, '.bin/tool'), [])).stdout.trim()).toBe('top');
    expect((await run(path.join(nm, 'app/node_modules/.bin/tool'), [])).stdout.trim()).toBe('nested');

    // Again: nothing to do.
    expect(linkBins(nm, ['tool', '@s/multi', 'app', 'app/node_modules/tool'])).toEqual({ linked: [], removed: [] });
  });

  it('removes the links of removed packages and the emptied .bin, and makes deleted links again', async () => {
    const nm = path.join(await tempDir('gopkgr-bins-'), 'node_modules');
    await pkg(nm, 'tool', { name: 'tool', bin: 'cli.js' }, { 'cli.js': SCRIPT('top') });
    await pkg(nm, 'app', { name: 'app' });
    await pkg(nm, 'app/node_modules/tool', { name: 'tool', bin: 'cli.js' }, { 'cli.js': SCRIPT('nested') });
    linkBins(nm, ['tool', 'app', 'app/node_modules/tool']);

    await rm(path.join(nm, 'app/node_modules/tool'), { recursive: true });
    await rm(path.join(nm, '.bin'), { recursive: true });
    const r = linkBins(nm, ['tool', 'app'], ['app/node_modules/tool']);
    expect(r).toEqual({ linked: ['.bin/tool'], removed: ['app/node_modules/.bin/tool'] });
    expect(existsSync(path.join(nm, 'app/node_modules/.bin'))).toBe(false);

    await rm(path.join(nm, 'tool'), { recursive: true });
    expect(linkBins(nm, ['app'], ['tool'])).toEqual({ linked: [], removed: ['.bin/tool'] });
    expect(existsSync(path.join(nm, '.bin'))).toBe(false);
  });

  it('one winner per command: the package named like it, else the first by location; a missing target links nothing', async () => {
    const nm = path.join(await tempDir('gopkgr-bins-'), 'node_modules');
    await pkg(nm, 'aaa', { name: 'aaa', bin: { shared: 'a.js', eslint: 'a.js' } }, { 'a.js': SCRIPT('aaa') });
    await pkg(nm, 'bbb', { name: 'bbb', bin: { shared: 'b.js' } }, { 'b.js': SCRIPT('bbb') });
    await pkg(nm, 'eslint', { name: 'eslint', bin: { eslint: 'bin/eslint.js' } }, { 'bin/eslint.js': SCRIPT('eslint') });
    await pkg(nm, 'ghost', { name: 'ghost', bin: 'missing.js' });
    linkBins(nm, ['bbb', 'eslint', 'aaa', 'ghost']);
    expect(readlinkSync(path.join(nm, '.bin/shared'))).toBe('../aaa/a.js');
    expect(readlinkSync(path.join(nm, '.bin/eslint'))).toBe('../eslint/bin/eslint.js');
    expect(existsSync(path.join(nm, '.bin/ghost'))).toBe(false);
  });

  it('leaves a file in .bin that is not a link alone', async () => {
    const nm = path.join(await tempDir('gopkgr-bins-'), 'node_modules');
    await pkg(nm, 'tool', { name: 'tool', bin: 'cli.js' }, { 'cli.js': SCRIPT('top') });
    await mkdir(path.join(nm, '.bin'));
    await writeFile(path.join(nm, '.bin/tool'), 'mine');
    await writeFile(path.join(nm, '.bin/other'), 'mine too');
    expect(linkBins(nm, ['tool'])).toEqual({ linked: [], removed: [] });
    expect(lstatSync(path.join(nm, '.bin/tool')).isFile()).toBe(true);
    expect(linkBins(nm, [])).toEqual({ linked: [], removed: [] });
    expect(existsSync(path.join(nm, '.bin/other'))).toBe(true);
  });
});
