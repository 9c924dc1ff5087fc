/** Bad input: every failure is a GopkgrError with an INFVER_ code naming the file and line. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GopkgrError } from '../../ledger/index.ts';
import { run } from '../../cli/commands/infver.ts';
import { extractManifest } from '../../infver/index.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

const work = await tempDir('infver-errors-');
afterAll(closeAll);

function pkg(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function failure(p: Promise<unknown>): Promise<GopkgrError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(GopkgrError);
    return err as GopkgrError;
  }
  throw new Error('expected a failure');
}

describe('infver bad input', () => {
  it('INFVER_NOT_A_DIRECTORY', async () => {
    const err = await failure(extractManifest(join(work, 'does-not-exist')));
    expect(err.code).toBe('INFVER_NOT_A_DIRECTORY');
  });

  it('INFVER_NO_PACKAGE_JSON', async () => {
    const err = await failure(extractManifest(pkg('no-pkg', { 'index.ts': 'export const a = 1;' })));
    expect(err.code).toBe('INFVER_NO_PACKAGE_JSON');
    expect(err.hint).toBeTruthy();
  });

  it('INFVER_BAD_PACKAGE_JSON', async () => {
    const err = await failure(extractManifest(pkg('bad-pkg', { 'package.json': '{ "name": ' })));
    expect(err.code).toBe('INFVER_BAD_PACKAGE_JSON');
  });

  it('INFVER_ENTRY_NOT_FOUND names what was tried', async () => {
    const err = await failure(extractManifest(pkg('no-entry', { 'package.json': '{"name":"x","types":"lib/missing.d.ts","main":"dist/index.js"}' })));
    expect(err.code).toBe('INFVER_ENTRY_NOT_FOUND');
    expect(err.message).toContain('lib/missing.d.ts');
    expect(err.message).toContain('dist/index.d.ts');
    expect(err.message).toContain('index.ts');
  });

  it('INFVER_PARSE_ERROR names file:line:col', async () => {
    const dir = pkg('parse', {
      'package.json': '{"name":"x"}',
      'index.ts': "export * from './inner.ts';\n",
      'inner.ts': 'export const ok = 1;\nexport function broken(a: string {\n  return a;\n}\n',
    });
    const err = await failure(extractManifest(dir));
    expect(err.code).toBe('INFVER_PARSE_ERROR');
    expect(err.message).toMatch(/^inner\.ts:2:\d+: /);
  });

  it('INFVER_UNRESOLVED_EXPORT for a module that does not exist', async () => {
    const dir = pkg('missing-module', { 'package.json': '{"name":"x"}', 'index.ts': "export const a = 1;\nexport * from './missing.ts';\n" });
    const err = await failure(extractManifest(dir));
    expect(err.code).toBe('INFVER_UNRESOLVED_EXPORT');
    expect(err.message).toMatch(/^index\.ts:2:\d+: cannot resolve module '\.\/missing\.ts'/);
  });

  it('INFVER_UNRESOLVED_EXPORT for a name the module does not export', async () => {
    const dir = pkg('missing-name', { 'package.json': '{"name":"x"}', 'index.ts': "export { nope } from './a.ts';\n", 'a.ts': 'export const a = 1;\n' });
    const err = await failure(extractManifest(dir));
    expect(err.code).toBe('INFVER_UNRESOLVED_EXPORT');
    expect(err.message).toMatch(/^index\.ts:1:\d+: export 'nope'/);
  });

  it('INFVER_USAGE for a bad command line', async () => {
    const ctx = { json: false, out: () => {} };
    expect((await failure(run([], ctx))).code).toBe('INFVER_USAGE');
    expect((await failure(run(['api'], ctx))).code).toBe('INFVER_USAGE');
    expect((await failure(run(['diff', work], ctx))).code).toBe('INFVER_USAGE');
    expect((await failure(run(['bump', work], ctx))).code).toBe('INFVER_USAGE');
  });

  it('the CLI passes extraction errors through as GopkgrError', async () => {
    const err = await failure(run(['api', join(work, 'nowhere')], { json: true, out: () => {} }));
    expect(err.code).toBe('INFVER_NOT_A_DIRECTORY');
  });
});
