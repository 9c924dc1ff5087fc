/**
 * Publish checks (cli/publish/checks/) on real packed tarballs: each ordinary
 * layout passes every check (resolve, node import/require, tsc node16/nodenext/
 * bundler); each broken layout fails with its code, naming the entry.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packPackage } from '../../cli/pack.ts';
import { checksError, runPublishChecks, type PublishCheck } from '../../cli/publish/checks/index.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

afterAll(closeAll);

async function checksOf(name: string, files: Record<string, string>): Promise<PublishCheck[]> {
  const dir = await tempDir('gopkgr-checks-');
  for (const [rel, body] of Object.entries({ 'package.json': JSON.stringify({ name, type: 'module', ...JSON.parse(files['package.json'] ?? '{}') as object }), ...Object.fromEntries(Object.entries(files).filter(([k]) => k !== 'package.json')) })) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), body);
  }
  const packed = await packPackage(dir);
  return runPublishChecks({ fullName: name, tarball: packed.tarball, packageJson: packed.packageJson, dir });
}

const failedCodes = (checks: readonly PublishCheck[]): string[] => [...new Set(checks.filter((c) => !c.ok).map((c) => c.code!))].sort();
const SRC = { 'src/index.ts': "export { twice } from './util.ts';\nexport const one: number = 1;\n", 'src/util.ts': 'export function twice(x: number): number {\n  return 2 * x;\n}\n' };

describe('publish checks: layouts that work', () => {
  it('sources in src/ with outDir and .ts exports: every entry resolves, loads and type-checks', async () => {
    const checks = await checksOf('@ok/outdir', {
      ...SRC,
      'package.json': JSON.stringify({ exports: { '.': './src/index.ts', './util': './src/util.ts' } }),
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, outDir: 'dist', rootDir: 'src' }, include: ['src'] }),
    });
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.map((c) => c.name)).toEqual(expect.arrayContaining([
      'resolve exports["."].types', 'resolve exports["./util"].default',
      'node import("@ok/outdir")', 'node import("@ok/outdir/util")',
      'tsc node16 import "@ok/outdir"', 'tsc nodenext import "@ok/outdir/util"', 'tsc bundler import "@ok/outdir/util"',
    ]));
  });

  it('main: index.ts beside its source', async () => {
    const checks = await checksOf('@ok/main', { 'index.ts': 'export const v: string = "v";\n', 'package.json': '{"main":"index.ts"}' });
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.some((c) => c.name === 'node import("@ok/main")' && c.ok)).toBe(true);
  });

  it('prebuilt JavaScript with declarations, ESM and CommonJS conditions (require checked too)', async () => {
    const checks = await checksOf('@ok/prebuilt', {
      'package.json': JSON.stringify({ exports: { '.': { types: './lib/index.d.ts', import: './lib/index.js', require: './lib/index.cjs' } } }),
      'lib/index.js': 'export const v = 1;\n',
      'lib/index.cjs': 'exports.v = 1;\n',
      'lib/index.d.ts': 'export declare const v: number;\n',
    });
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.map((c) => c.name)).toEqual(expect.arrayContaining(['node import("@ok/prebuilt")', 'node require("@ok/prebuilt")']));
  });
});

describe('publish checks: layouts that would not load', () => {
  it('PUBLISH_ENTRY_MISSING: exports name a dist/ that is not packed (tsc sees TS2307 too)', async () => {
    const checks = await checksOf('@bad/nodist', { ...SRC, 'package.json': JSON.stringify({ exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } } }) });
    const missing = checks.find((c) => c.name === 'resolve exports["."].default')!;
    expect(missing).toMatchObject({ ok: false, code: 'PUBLISH_ENTRY_MISSING' });
    expect(missing.detail).toContain('dist/index.js');
    expect(failedCodes(checks)).toEqual(['PUBLISH_ENTRY_LOAD_FAILED', 'PUBLISH_ENTRY_MISSING', 'PUBLISH_TYPES_UNRESOLVED']);
    const err = checksError(checks)!;
    expect(err.code).toBe('PUBLISH_ENTRY_MISSING');
    expect(err.message).toMatch(/^consumers could not load this release: resolve exports\["\."\]\.types: dist\/index\.d\.ts is not in the installed package \(and \d+ more failed checks\)$/);
    expect(err.hint).toContain('build it');
    // Node's error names the file as it sits in node_modules, not in the temporary consumer.
    expect(checks.find((c) => c.name === 'node import("@bad/nodist")')!.detail).toContain("'node_modules/@bad/nodist/dist/index.js'");
  });

  it('PUBLISH_TYPES_MISSING: JavaScript without declarations (TS7016)', async () => {
    const checks = await checksOf('@bad/notypes', { 'package.json': '{"exports":"./index.js"}', 'index.js': 'export const v = 1;\n' });
    expect(failedCodes(checks)).toEqual(['PUBLISH_TYPES_MISSING']);
    expect(checks.find((c) => !c.ok)!.detail).toMatch(/^TS7016 /);
  });

  it('PUBLISH_ENTRY_FALLBACK: a main without its extension', async () => {
    const checks = await checksOf('@bad/fallback', { 'package.json': '{"main":"lib/index"}', 'lib/index.js': 'export const v = 1;\n', 'lib/index.d.ts': 'export declare const v: number;\n' });
    expect(checks.find((c) => c.name === 'resolve main')).toMatchObject({ ok: false, code: 'PUBLISH_ENTRY_FALLBACK' });
  });

  it('PUBLISH_ENTRY_TYPESCRIPT: a .ts entry the packer did not build (outside rootDir)', async () => {
    const checks = await checksOf('@bad/tsentry', {
      ...SRC,
      'scripts/x.ts': 'export const x = 1;\n',
      'package.json': JSON.stringify({ exports: { '.': './src/index.ts', './x': './scripts/x.ts' } }),
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, outDir: 'dist', rootDir: 'src' }, include: ['src'] }),
    });
    expect(checks.find((c) => c.name === 'resolve exports["./x"]')).toMatchObject({ ok: false, code: 'PUBLISH_ENTRY_TYPESCRIPT' });
    expect(checks.find((c) => c.name === 'node import("@bad/tsentry")')).toMatchObject({ ok: true });
  });

  it('PUBLISH_ENTRY_LOAD_FAILED: an entry that throws when node loads it', async () => {
    const checks = await checksOf('@bad/throws', { 'index.ts': "export const v: number = 1;\nthrow new Error('boom at load');\n", 'package.json': '{"exports":"./index.ts"}' });
    const failed = checks.filter((c) => !c.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ name: 'node import("@bad/throws")', code: 'PUBLISH_ENTRY_LOAD_FAILED' });
    expect(failed[0]!.detail).toContain('boom at load');
  });
});
