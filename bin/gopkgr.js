#!/usr/bin/env node
// The installed `gopkgr` command. It runs the JavaScript that scripts/build.mjs
// compiled into dist/ (npm builds it on install) while every source still
// matches dist/build.json; otherwise (an edited or unbuilt checkout) it runs the
// TypeScript sources through tsx.
//
// CommonJS (bin/package.json): an ES module entry costs every command the ES
// module loader's start and node:fs's facade (~6-8 ms of a ~160 ms warm `get`);
// what it runs, ES modules included, is loaded by import().
//
// isolated-vm (the sandbox of `test` and `tester`) needs --no-node-snapshot on
// Node 20+, which makes every start ~40 ms slower (Node compiles its own
// internals instead of loading them): only those commands re-run with it.
'use strict';
const { existsSync, readFileSync, statSync } = require('node:fs');
const path = require('node:path');

// libuv's thread pool starts with 4 threads on first use: `get` keeps dozens of
// fsyncs in flight at once (cli/install/writeAtomic.ts syncPaths), each a
// thread waiting on the disk, not a core. Set before anything uses the pool.
process.env.UV_THREADPOOL_SIZE ??= '64';

const SANDBOX_COMMANDS = ['test', 'tester'];

/** Run this command again in a child with --no-node-snapshot, passing signals and the exit on. */
function rerunWithoutSnapshot() {
  // Required here, not at the top: loading child_process costs every other command ~9 ms.
  const { spawn } = require('node:child_process');
  const child = spawn(process.execPath, ['--no-node-snapshot', ...process.execArgv, __filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl-C reaches the child through the terminal's process group; other signals are passed on.
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  process.on('SIGINT', () => undefined);
  child.on('exit', (code, signal) => {
    if (signal !== null) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    process.exit(code ?? 1);
  });
}

/** The checkout's directory with a trailing slash: joined with a path as a string (a URL per file cost ~10 ms a start). */
const rootPath = path.join(__dirname, '..') + path.sep;

/** dist/build.json when every source still matches it, else undefined. */
function currentBuild() {
  let build;
  try {
    build = JSON.parse(readFileSync(`${rootPath}dist/build.json`, 'utf8'));
  } catch {
    return undefined;
  }
  for (const [rel, [size, mtimeMs]] of Object.entries(build.sources ?? {})) {
    const st = statSync(rootPath + rel, { throwIfNoEntry: false });
    if (st === undefined || st.size !== size || st.mtimeMs !== mtimeMs) return undefined;
  }
  return build;
}

async function main() {
  const build = currentBuild();
  if (build === undefined) {
    const { register } = await import('tsx/esm/api');
    register();
    await import('../cli/main.ts');
    return;
  }
  const nodeModule = require('node:module');
  const command = process.argv[2];
  // The install family (cli/installMain.ts), which people run most and wait for, runs from a CommonJS
  // bundle through V8's code cache on a Node without a compile cache of its own (bin/codeCache.js).
  // Node 22.1+ keeps V8's compiled code of every module between runs itself.
  if (nodeModule.enableCompileCache === undefined && build.commonJs?.commands.includes(command) === true) {
    require('./codeCache.js').runWithCodeCache(`${rootPath}dist/${build.commonJs.file}`, build.commonJs.sha256, command);
    return;
  }
  nodeModule.enableCompileCache?.();
  // The CLI bundled into a few chunks (scripts/build.mjs bundleCli): a command loads a handful of
  // files instead of ~100 modules. A dist/ without it (an older build) runs the per-file copy.
  if (existsSync(`${rootPath}dist/bundle/main.js`)) await import('../dist/bundle/main.js');
  else await import('../dist/cli/main.js');
}

if (!process.execArgv.includes('--no-node-snapshot') && process.argv.slice(2).some((a) => SANDBOX_COMMANDS.includes(a))) rerunWithoutSnapshot();
else {
  main().catch((err) => {
    // What an ES module entry does with an error thrown while it loads: printed, exit 1.
    console.error(err);
    process.exitCode = 1;
  });
}
