/**
 * The TypeScript compiler, loaded through `require`: it is one 9 MB CommonJS
 * file, and importing it as an ES module costs Node 20 another ~400 ms (format
 * detection and a cjs-module-lexer pass over the whole file) for nothing.
 * Callers load this module only when they need the compiler (the InfVer
 * checker, the CLI's compile and tag scan).
 *
 * Compiling that file is most of its load (Node 20 keeps no compile cache), and
 * `gopkgr get` pays it on every run whose sources' tags it has not parsed yet
 * (a fresh clone, a CI machine). scripts/build.mjs therefore writes V8's code
 * cache of it beside the compiled JavaScript (dist/vendor/typescript.codecache),
 * and the compiled command loads the file through that cache: 1.3 s → 0.65 s on
 * a loaded 2-core machine. V8 checks the cache against the source and its own
 * version and flags and ignores one that does not match (then the file is
 * compiled as usual); without the cache file (running the sources through tsx)
 * this is a plain `require`.
 */
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

type TypeScript = typeof import('typescript');

let loaded: TypeScript | undefined;

/** Where scripts/build.mjs puts the code cache, relative to the compiled dist/infver/typescript.js. */
export const CODE_CACHE = new URL('../vendor/typescript.codecache', import.meta.url);

export function typescript(): TypeScript {
  loaded ??= loadWithCodeCache(CODE_CACHE) ?? (createRequire(import.meta.url)('typescript') as TypeScript);
  return loaded;
}

/**
 * Load TypeScript as require would (a module registered in require's cache, so
 * anything that requires it later gets this copy), its compile read from the
 * code cache `cache`; undefined without that file (the caller requires it then).
 * A cache V8 rejects (another TypeScript, Node or flags) costs only the compile.
 */
export function loadWithCodeCache(cache: URL | string): TypeScript | undefined {
  let cachedData: Buffer;
  try {
    cachedData = readFileSync(cache);
  } catch {
    return undefined;
  }
  const require = createRequire(import.meta.url);
  const file = require.resolve('typescript');
  const known = require.cache[file];
  if (known !== undefined) return known.exports as TypeScript;
  const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
  const mod = new Module(file);
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(file));
  (script.runInThisContext() as (...args: unknown[]) => void).call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  require.cache[file] = mod;
  return mod.exports as TypeScript;
}

/**
 * The code cache of the TypeScript compiler after it parsed `sample` (so the
 * parser's functions are in it too): what scripts/build.mjs writes to CODE_CACHE.
 */
export function typescriptCodeCache(sample: string): Buffer {
  const require = createRequire(import.meta.url);
  const file = require.resolve('typescript');
  const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file });
  const mod = { exports: {} as TypeScript };
  (script.runInThisContext() as (...args: unknown[]) => void).call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
  mod.exports.createSourceFile('sample.ts', sample, mod.exports.ScriptTarget.Latest, true);
  return script.createCachedData();
}
