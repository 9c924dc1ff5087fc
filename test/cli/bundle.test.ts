/**
 * The bundled CLI bin/gopkgr.js runs (scripts/bundleCli.mjs, dist/bundle/):
 * every bundled module's import.meta.url must stand for its per-file copy in
 * dist/ (workers, the tag parser's hash, the tester's shims and the TypeScript
 * code cache are found from it), semver, cborg and @noble must be the vendored bundles,
 * and what `get` loads before it runs must leave out the heavy packages other
 * commands need.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import type { Metafile } from 'esbuild';
import { bundleCli, bundleInstallCommonJs, requireExternalImports, VENDORED } from '../../scripts/bundleCli.mjs';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { REPO } from '../support/processes.ts';

let perFileDir: string;
let outDir: string;
let metafile: Metafile;

beforeAll(async () => {
  perFileDir = await tempDir('gopkgr-bundle-');
  outDir = path.join(perFileDir, 'bundle');
  metafile = await bundleCli({ root: REPO, perFileDir, outDir, vendored: VENDORED });
});
afterAll(closeAll);

const rel = (file: string): string => path.relative(REPO, path.resolve(REPO, file)).split(path.sep).join('/');

/** The outputs a chunk loads before it runs (static imports, transitively), and the packages they import. */
function staticClosure(start: string): { chunks: Set<string>; packages: Set<string> } {
  const chunks = new Set<string>();
  const packages = new Set<string>();
  const walk = (out: string): void => {
    if (chunks.has(out)) return;
    chunks.add(out);
    for (const i of metafile.outputs[out]!.imports) {
      if (i.kind !== 'import-statement') continue;
      if (i.external) packages.add(i.path);
      else walk(i.path);
    }
  };
  walk(start);
  return { chunks, packages };
}

function outputOf(entry: string): string {
  const found = Object.entries(metafile.outputs).find(([, o]) => o.entryPoint !== undefined && rel(o.entryPoint) === entry);
  if (found === undefined) throw new Error(`no chunk for ${entry}`);
  return found[0];
}

describe('the bundled CLI', () => {
  it("makes each module's import.meta.url its per-file copy's, for every module that uses it", () => {
    const urls = new Set<string>();
    for (const out of Object.keys(metafile.outputs).filter((o) => o.endsWith('.js'))) {
      const text = readFileSync(path.resolve(REPO, out), 'utf8');
      expect(text).not.toMatch(/import\.meta\.url(?!\)\.href)/);
      for (const m of text.matchAll(/new URL\("([^"]+)", import\.meta\.url\)\.href/g)) urls.add(m[1]!);
    }
    const sources = [...urls].map((u) => path.relative(perFileDir, path.resolve(outDir, u)).replace(/\.js$/, '.ts'));
    expect(sources).toContain('cli/tags/scanSources.ts');
    expect(sources).toContain('tester/child/runInChild.ts');
    for (const source of sources) expect(existsSync(path.join(REPO, source)), source).toBe(true);
  });

  it('imports semver, cborg and @noble from the vendored bundles, not the packages', () => {
    const external = Object.values(metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
    expect(external).toContain('../vendor/semver.js');
    expect(external).toContain('../vendor/cborg.js');
    expect(external).toContain('../vendor/@noble+hashes+sha2.js');
    expect(external.filter((p) => p === 'semver' || p === 'cborg' || p.startsWith('@noble/'))).toEqual([]);
  });

  it('loads for get neither libp2p, isolated-vm, typescript nor LevelDB before it runs', () => {
    const main = staticClosure(outputOf('cli/main.ts'));
    const get = staticClosure(outputOf('cli/commands/get.ts'));
    const packages = [...main.packages, ...get.packages].filter((p) => !p.startsWith('node:') && !p.startsWith('../vendor/'));
    expect([...main.packages]).toContain('../vendor/@noble+secp256k1.js'); // the ledger's signatures, vendored: the walk does reach packages
    expect(packages.filter((p) => /^(libp2p|@libp2p\/|@chainsafe\/|isolated-vm|typescript|level|classic-level)(\/|$)/.test(p))).toEqual([]);
    // A handful of chunks, where the per-file dist/ loads ~90 modules.
    expect(new Set([...main.chunks, ...get.chunks]).size).toBeLessThan(Object.keys(metafile.inputs).length / 2);
  });
});

describe('the CommonJS bundle of the install family (bin/codeCache.js runs it on Node 20)', () => {
  let cjsFile: string;
  let cjsMeta: Metafile;
  beforeAll(async () => {
    cjsFile = path.join(perFileDir, 'fast', 'cli.cjs');
    cjsMeta = await bundleInstallCommonJs({ root: REPO, perFileDir, outFile: cjsFile, vendored: VENDORED });
  });

  it('holds the install family and neither the node, the miner nor the sandbox', () => {
    const inputs = Object.keys(cjsMeta.inputs);
    for (const command of ['get', 'update', 'outdated', 'why', 'remove']) expect(inputs).toContain(`cli/commands/${command}.ts`);
    // Of node/, only what every entry loads first (the polyfill) and how a worker thread starts (the store's writer).
    const fromNode = new Set(['node/polyfill.ts', 'node/workers.ts']);
    expect(inputs.filter((i) => (/^(node|tester|miner)\//.test(i) && !fromNode.has(i)) || /^cli\/commands\/(node|mine|publish|test|tester)\.ts$/.test(i))).toEqual([]);
  });

  it('requires only packages Node 20 can require, and calls no import() (a cached script loses it on Node 20)', async () => {
    const text = readFileSync(cjsFile, 'utf8');
    expect(text).not.toMatch(/\bimport\((["'])[^"']*\1\)/);
    expect(text).toMatch(/Promise\.resolve\(\)\.then\(\(\) => require\("node:http"\)\)/);
    expect([...text].every((c) => c.charCodeAt(0) < 0x80)).toBe(true);
    const packages = [...new Set([...text.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!))].filter((p) => !p.startsWith('node:'));
    expect(packages).toContain('tar-stream');
    const script = `for (const p of ${JSON.stringify(packages)}) require(p); console.log('ok');`;
    const out = await promisify(execFile)(process.execPath, ['-e', script], { cwd: REPO });
    expect(out.stdout.trim()).toBe('ok');
  });

  it("makes each module's import.meta.url its per-file copy's, from __dirname, also where a module has a require of its own", () => {
    const text = readFileSync(cjsFile, 'utf8');
    expect(text).not.toContain('import.meta');
    // Strict, and the URL function defined before any module, in the scope where `require` is the bundle's.
    expect(text.startsWith('"use strict";var __gopkgrPerFileUrl = (rel) => require(')).toBe(true);
    const rels = [...text.matchAll(/__gopkgrPerFileUrl\("([^"]+)"\)/g)].map((m) => path.relative(perFileDir, path.resolve(path.dirname(cjsFile), m[1]!)).replace(/\.js$/, '.ts'));
    expect(rels).toContain('cli/tags/scanSources.ts');
    for (const source of rels) expect(existsSync(path.join(REPO, source)), source).toBe(true);
  });

  it('turns import() of a package or built-in into a require, and leaves relative ones and other text alone', () => {
    expect(requireExternalImports('a(await import("node:http")); b(import(\'tar-stream\')); import("./x.js"); `import(${s})`')).toBe(
      'a(await Promise.resolve().then(() => require("node:http"))); b(Promise.resolve().then(() => require(\'tar-stream\'))); import("./x.js"); `import(${s})`',
    );
  });
});
