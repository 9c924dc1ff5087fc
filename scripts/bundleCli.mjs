// The CLI bundled for a fast start (scripts/build.mjs runs it; test/cli/bundle.test.ts checks it).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
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
  const sourcesPlugin = {
    name: 'gopkgr-sources',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        if (vendored.includes(args.path)) return { path: fromBundle(path.join(perFileDir, 'vendor', vendorFile(args.path))), external: true };
        return { path: args.path, external: true };
      });
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const rel = path.relative(root, args.path);
        if (rel.startsWith('..') || rel.split(path.sep).includes('node_modules')) return undefined;
        const perFile = path.join(perFileDir, rel.replace(/\.ts$/, '.js'));
        const text = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle(perFile))}, import.meta.url).href`);
        return { contents: rewriteSpecifiers(text), loader: 'ts' };
      });
    },
  };
  const { metafile } = await build({
    entryPoints: { main: path.join(root, 'cli/main.ts') }, bundle: true, splitting: true, format: 'esm', platform: 'node',
    target: 'node20', outdir: outDir, chunkNames: 'chunk-[hash]', plugins: [sourcesPlugin], logLevel: 'warning', absWorkingDir: root, metafile: true,
  });
  return metafile;
}
