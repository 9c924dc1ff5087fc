// Compile gopkgr's TypeScript sources to plain JavaScript in dist/, one file per
// source (no bundling), so the installed command starts without tsx: loading
// tsx's hooks and sending every module through them cost ~0.5 s a run. Relative
// `.ts` specifiers (imports and worker/parser URLs) become `.js`; the tester's
// shims are copied. dist/build.json records each source's size and mtime:
// bin/gopkgr.js uses dist/ only while every source still matches it, so an
// edited checkout runs its sources through tsx and never stale JavaScript.
//
//   node scripts/build.mjs        (npm runs it on install, as "prepare")
import { build, transform } from 'esbuild';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleCli, bundleInstallCommonJs, rewriteSpecifiers, VENDORED, vendorFile } from './bundleCli.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PARTS = ['cli', 'ledger', 'consensus', 'resolver', 'node', 'miner', 'tester', 'infver'];
const out = path.join(root, 'dist');
const tmp = path.join(root, `.dist-${process.pid}`);

function sources(dir) {
  const found = [];
  for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) found.push(...sources(rel));
    else if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) found.push(rel);
  }
  return found;
}

/** `from "semver"` → the bundled copy, relative to the file at `dest`. */
function rewriteVendored(code, dest) {
  return code.replace(/(from |import\()(["'])([^"']+)\2/g, (all, lead, quote, spec) => {
    if (!VENDORED.includes(spec)) return all;
    let rel = path.relative(path.dirname(dest), path.join(tmp, 'vendor', vendorFile(spec))).split(path.sep).join('/');
    if (!rel.startsWith('.')) rel = `./${rel}`;
    return `${lead}${quote}${rel}${quote}`;
  });
}

rmSync(tmp, { recursive: true, force: true });
for (const spec of VENDORED) {
  await build({ entryPoints: [spec], bundle: true, format: 'esm', platform: 'node', target: 'node20', outfile: path.join(tmp, 'vendor', vendorFile(spec)), logLevel: 'warning', absWorkingDir: root });
}
const stamp = {};
for (const rel of PARTS.flatMap(sources)) {
  const file = path.join(root, rel);
  const st = statSync(file);
  const { code } = await transform(readFileSync(file, 'utf8'), {
    loader: 'ts', format: 'esm', target: 'node20', sourcefile: rel,
  });
  const dest = path.join(tmp, rel.replace(/\.ts$/, '.js'));
  mkdirSync(path.dirname(dest), { recursive: true });
  writeFileSync(dest, rewriteVendored(rewriteSpecifiers(code), dest));
  stamp[rel] = [st.size, st.mtimeMs];
}
cpSync(path.join(root, 'tester/shims'), path.join(tmp, 'tester/shims'), { recursive: true });
// The sandbox's vendored libraries, bundled once here rather than on every run (tester/vendor.ts).
const vendorOptions = JSON.parse(readFileSync(path.join(root, 'tester/shims/vendor.esbuild.json'), 'utf8'));
await build({ ...vendorOptions, entryPoints: [path.join(root, 'tester/shims/vendor.cjs')], outfile: path.join(tmp, 'tester/shims/vendor.bundle.js') });
// V8's code cache of the TypeScript compiler, which `get` loads to read a changed source's tags (infver/typescript.ts):
// made by this Node, after a parse of a tagged import. Without it the compiler is compiled as usual.
try {
  const { typescriptCodeCache } = await import(pathToFileURL(path.join(tmp, 'infver/typescript.js')).href);
  writeFileSync(path.join(tmp, 'vendor/typescript.codecache'), typescriptCodeCache("import { pad } from '@acme/pad'; // `ver:\"^1.0.0\"`\nexport const x: number = pad(1);\n"));
} catch (err) {
  console.warn(`gopkgr: no code cache of typescript (${err.message}); the tag scan compiles it each time`);
}
await bundleCli({ root, perFileDir: tmp, outDir: path.join(tmp, 'bundle'), vendored: VENDORED });
// The install family's bundle for Node 20's code cache (bin/codeCache.js): its sha256 keys the cache, and
// bin/gopkgr.js runs from it only the commands it holds.
const commonJs = 'fast/cli.cjs';
await bundleInstallCommonJs({ root, perFileDir: tmp, outFile: path.join(tmp, commonJs), vendored: VENDORED });
const commonJsHash = createHash('sha256').update(readFileSync(path.join(tmp, commonJs))).digest('hex');
const { installFamily } = await import(pathToFileURL(path.join(tmp, 'cli/commands/loaders.js')).href);
const commonJsBuild = { file: commonJs, sha256: commonJsHash, commands: installFamily.map(([name]) => name) };
writeFileSync(path.join(tmp, 'build.json'), JSON.stringify({ sources: stamp, commonJs: commonJsBuild }));
rmSync(out, { recursive: true, force: true });
renameSync(tmp, out);
console.log(`gopkgr: compiled ${Object.keys(stamp).length} sources to dist/`);
