/**
 * The SourceFiles shared between TypeScript programs (infver/sourceFileCache.ts):
 * TypeScript's lib files are parsed once for programs with different module
 * settings and still type-check what they type-check alone; a package's own
 * files are never shared, so an extraction sees only what its package loads.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as TS from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { extractManifest, type Manifest } from '../../infver/index.ts';
import { shareLibFiles } from '../../infver/sourceFileCache.ts';
import { typescript } from '../../infver/typescript.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

afterAll(closeAll);

const ts = typescript();

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
}

function programOf(file: string, options: TS.CompilerOptions): TS.Program {
  const host = ts.createCompilerHost(options);
  shareLibFiles(host, options);
  return ts.createProgram([file], options, host);
}

function refOf(manifest: Manifest, exportName: string): unknown {
  return manifest.exports.find((e) => e.name === exportName)?.decls[0];
}

describe('shared lib files', () => {
  it('two programs with different module resolution get the same lib SourceFile, and each still reports a type error against it', async () => {
    const dir = await tempDir('gopkgr-libcache-');
    await writeFiles(dir, { 'a.mts': 'export const el: HTMLElement = 1;\n', 'b.ts': 'export const list: Array<string> = [1];\n' });
    const base: TS.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, types: [], lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'] };
    const nodeNext = programOf(path.join(dir, 'a.mts'), { ...base, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext });
    const bundler = programOf(path.join(dir, 'b.ts'), { ...base, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler });
    for (const lib of ['lib.es5.d.ts', 'lib.dom.d.ts']) {
      const file = path.join(path.dirname(ts.getDefaultLibFilePath(base)), lib);
      expect(nodeNext.getSourceFile(file), lib).toBeDefined();
      expect(bundler.getSourceFile(file), lib).toBe(nodeNext.getSourceFile(file));
    }
    const codes = (p: TS.Program, rel: string): number[] => p.getSemanticDiagnostics(p.getSourceFile(path.join(dir, rel))).map((d) => d.code);
    expect(codes(nodeNext, 'a.mts')).toEqual([2322]);
    expect(codes(bundler, 'b.ts')).toEqual([2322]);
  });

  it('an extraction does not see the declarations an earlier one loaded (a global from its @types package stays unresolved)', async () => {
    const withTypes = await tempDir('gopkgr-libcache-a-');
    await writeFiles(withTypes, {
      'package.json': JSON.stringify({ name: 'with-types', types: './index.d.ts' }),
      'index.d.ts': '/// <reference types="leaky" />\nexport declare const a: Leaky;\n',
      'node_modules/@types/leaky/package.json': JSON.stringify({ name: '@types/leaky', types: 'index.d.ts' }),
      'node_modules/@types/leaky/index.d.ts': 'interface Leaky {\n  x: 1;\n}\n',
    });
    const without = await tempDir('gopkgr-libcache-b-');
    await writeFiles(without, { 'package.json': JSON.stringify({ name: 'without-types', types: './index.d.ts' }), 'index.d.ts': 'export declare const b: Leaky;\n' });

    const alone = await extractManifest(without);
    const first = await extractManifest(withTypes);
    const after = await extractManifest(without);
    expect(refOf(first, 'a')).toMatchObject({ t: { k: 'ref', n: 'leaky:Leaky', src: 'ext' } });
    expect(refOf(alone, 'b')).toMatchObject({ t: { k: 'ref', n: 'Leaky', src: 'lib' } });
    expect(after).toEqual(alone);
  });
});
