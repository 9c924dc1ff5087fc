// Running the CommonJS bundle of the CLI (dist/fast/cli.cjs, scripts/bundleCli.mjs) with V8's code cache, as
// Node 22's module.enableCompileCache does for every module and Node 20 does for none: about a third of
// loading `get`'s modules is compiling them again on every run.
//
// The cache is per user, per command and per build: `<tmpdir>/gopkgr-code-cache-<uid>/<command>-<key>`, where
// the key names the Node version, the architecture and the bundle's sha256 (dist/build.json), so a rebuilt
// bundle or another Node never meets a cache made for something else. (V8 itself checks only the source's
// length and its own version and flags.) A run that found no cache, or one V8 rejected, writes one as it
// exits: it then holds the code of every function that command compiled. The directory must be the user's
// own and closed to others, as a cache another user could write would be code this user runs.
'use strict';
const { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { tmpdir } = require('node:os');
const path = require('node:path');
const vm = require('node:vm');

/** The cache directory, made if missing; undefined when it is not a directory of this user's closed to others. */
function cacheDir() {
  const uid = process.getuid?.();
  const dir = path.join(tmpdir(), `gopkgr-code-cache-${uid ?? 'user'}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch {
    // there already, or not makeable: checked below
  }
  const st = lstatSync(dir, { throwIfNoEntry: false });
  if (st === undefined || !st.isDirectory()) return undefined;
  if (uid !== undefined && (st.uid !== uid || (st.mode & 0o077) !== 0)) return undefined;
  return dir;
}

/** How many caches of one command are kept: one per build in use (a few checkouts, or a Node upgrade) without thrashing. */
const KEPT_PER_COMMAND = 4;

/**
 * Remove all but the newest caches of `command`: each build (each bundle hash and Node) leaves one, ~0.5 MB,
 * and nothing else would ever remove them. Runs only when a cache was just written, which is rare.
 */
function pruneOlder(dir, command) {
  const caches = readdirSync(dir)
    .filter((name) => name.startsWith(`${command}-`) && !name.endsWith('.tmp'))
    .map((name) => ({ name, mtimeMs: lstatSync(path.join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { name } of caches.slice(KEPT_PER_COMMAND)) rmSync(path.join(dir, name), { force: true });
}

/**
 * Run `file` (a CommonJS module) as Node would, compiled through the cache of `command`;
 * `sha256` is the file's, from dist/build.json.
 */
function runWithCodeCache(file, sha256, command) {
  const dir = cacheDir();
  const cacheFile = dir === undefined ? undefined : path.join(dir, `${command}-${process.version}-${process.arch}-${sha256.slice(0, 32)}`);
  let cachedData;
  if (cacheFile !== undefined) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      // none yet
    }
  }
  const source = readFileSync(file, 'utf8');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
    // `import()` in the bundle (node:http, the tag parser's per-file copy) loads as it would from the module.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    process.once('exit', () => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        chmodSync(tmp, 0o600);
        renameSync(tmp, cacheFile);
        pruneOlder(dir, command);
      } catch {
        // a cache is an optimisation: the next run compiles again
      }
    });
  }
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
}

exports.runWithCodeCache = runWithCodeCache;
