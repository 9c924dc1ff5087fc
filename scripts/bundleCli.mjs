// The CLI bundled for a fast start (scripts/build.mjs runs it; test/cli/bundle.test.ts checks it).
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Dependencies every command loads, bundled into one file each under dist/vendor/ (scripts/build.mjs): semver
 * is 47 CommonJS files and cborg 18 modules, and Node 20 (no compile cache) pays ~2 ms per file at every
 * start; bundled, `gopkgr get` loads 65 fewer modules. The ledger's signatures (@noble, 6 modules found
 * through package exports maps) cost every start ~20 ms of CPU as packages and ~7 ms bundled. The sources
 * keep importing the packages by name.
 */
export const VENDORED = ['semver', 'cborg', '@noble/secp256k1', '@noble/hashes/hmac.js', '@noble/hashes/sha2.js'];

/** The file under dist/vendor/ of a vendored package specifier: `semver` → `semver.js`, `@noble/hashes/sha2.js` → `@noble+hashes+sha2.js`. */
export function vendorFile(spec) {
  return `${spec.replace(/\.js$/, '').replaceAll('/', '+')}.js`;
}

/** `./x.ts` and `../y/z.ts` in string literals (import specifiers, new URL(...)) → `.js`. */
export function rewriteSpecifiers(code) {
  return code.replace(/(["'])(\.\.?\/[^"'\n]*?)\.ts\1/g, '$1$2.js$1');
}

/**
 * The esbuild plugin both bundles share: the project's sources are bundled (with `import.meta.url` made the
 * per-file copy's URL by `metaUrl(pathFromBundle)`), a vendored package is what `vendoredAs(spec)` says
 * (undefined: bundled in), every other package stays external.
 */
function sourcesPlugin({ root, perFileDir, outDir, metaUrl, vendored, vendoredAs }) {
  const fromBundle = (file) => path.relative(outDir, file).split(path.sep).join('/');
  return {
    name: 'gopkgr-sources',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        return vendored.includes(args.path) ? vendoredAs(args.path) : { path: args.path, external: true };
      });
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const rel = path.relative(root, args.path);
        if (rel.startsWith('..') || rel.split(path.sep).includes('node_modules')) return undefined;
        const perFile = path.join(perFileDir, rel.replace(/\.ts$/, '.js'));
        const text = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', metaUrl(fromBundle(perFile)));
        return { contents: rewriteSpecifiers(text), loader: 'ts' };
      });
    },
  };
}

/**
 * The CLI as a few ESM chunks in outDir, dist/bundle/ (esbuild, split at each command's dynamic import), which
 * bin/gopkgr.js runs: a warm `gopkgr get` loaded ~90 modules one by one from dist/, and on Node 20 (no
 * compile cache) every module costs a file read, a resolve and a compile. The per-file copy in dist/
 * stays: workers, the tester's child and the TypeScript code cache load files from it. So each bundled
 * module's `import.meta.url` is made its per-file copy's URL, and `new URL('./x.js', import.meta.url)`,
 * createRequire(import.meta.url) and `../vendor/...` find what they find there. Packages stay external
 * (semver and cborg: the vendored bundles), so a package's instance is the one Node loads.
 * Returns esbuild's metafile (what each chunk imports).
 */
export async function bundleCli({ root, perFileDir, outDir, vendored }) {
  const fromBundle = (file) => path.relative(outDir, file).split(path.sep).join('/');
  const plugin = sourcesPlugin({
    root, perFileDir, outDir, vendored,
    metaUrl: (rel) => `new URL(${JSON.stringify(rel)}, import.meta.url).href`,
    vendoredAs: (spec) => ({ path: fromBundle(path.join(perFileDir, 'vendor', vendorFile(spec))), external: true }),
  });
  const { metafile } = await build({
    entryPoints: { main: path.join(root, 'cli/main.ts') }, bundle: true, splitting: true, format: 'esm', platform: 'node',
    target: 'node20', outdir: outDir, chunkNames: 'chunk-[hash]', plugins: [plugin], logLevel: 'warning', absWorkingDir: root, metafile: true,
  });
  return metafile;
}

/**
 * The install family's commands (cli/installMain.ts) as one CommonJS file, `outFile` (dist/fast/cli.cjs),
 * which bin/gopkgr.js runs through V8's code cache on Node 20 (bin/codeCache.js): Node 20 keeps no compiled
 * code of ES modules between runs. Vendored packages are bundled in (Node 20 cannot require an ES module);
 * every other package stays external, required where a module imports it, so the commands in it must need
 * no ESM-only package (test/cli/bundle.test.ts checks). `import.meta` has no CommonJS form: each module's
 * import.meta.url is its per-file copy's URL, from __dirname. Returns esbuild's metafile.
 */
/** The CommonJS bundle's function from a path relative to it to a per-file copy's URL, its import.meta.url. */
const PER_FILE_URL = '__gopkgrPerFileUrl';

export async function bundleInstallCommonJs({ root, perFileDir, outFile, vendored }) {
  const plugin = sourcesPlugin({
    root, perFileDir, outDir: path.dirname(outFile), vendored,
    metaUrl: (rel) => `${PER_FILE_URL}(${JSON.stringify(rel)})`,
    vendoredAs: () => undefined,
  });
  const { metafile, outputFiles } = await build({
    entryPoints: [path.join(root, 'cli/installMain.ts')], bundle: true, format: 'cjs', platform: 'node',
    target: 'node20', outfile: outFile, plugins: [plugin], logLevel: 'warning', absWorkingDir: root, metafile: true, write: false,
    // Without comments and layout: fewer bytes to read at every start, and ASCII only (one non-ASCII
    // character in a comment makes Node decode the whole file into a two-byte string).
    minifyWhitespace: true, minifySyntax: true, charset: 'ascii',
    // Defined once at the top, where `require` is still the module's own: a module's local `require`
    // (createRequire(import.meta.url)) would shadow it inside the module.
    banner: { js: `"use strict";var ${PER_FILE_URL} = (rel) => require("node:url").pathToFileURL(require("node:path").join(__dirname, rel)).href;` },
  });
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, requireExternalImports(outputFiles[0].text));
  return metafile;
}

/**
 * `import("pkg")` of a package or built-in → a promise of `require("pkg")`. On Node 20 a script compiled
 * from V8's code cache loses its dynamic-import callback (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG), so
 * the bundle must not call import(); esbuild keeps it for external modules. Every such import in the
 * sources destructures named exports, which a CommonJS module and a built-in have alike.
 */
export function requireExternalImports(code) {
  return code.replace(/\bimport\((["'])([^"'./][^"']*)\1\)/g, 'Promise.resolve().then(() => require($1$2$1))');
}
