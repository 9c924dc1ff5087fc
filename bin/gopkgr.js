#!/usr/bin/env node
// The installed `gopkgr` command. It runs the JavaScript that scripts/build.mjs
// compiled into dist/ (npm builds it on install) while every source still
// matches dist/build.json; otherwise (an edited or unbuilt checkout) it runs the
// TypeScript sources through tsx.
//
// isolated-vm (the sandbox of `test` and `tester`) needs --no-node-snapshot on
// Node 20+, which makes every start ~40 ms slower (Node compiles its own
// internals instead of loading them): only those commands re-run with it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// libuv's thread pool starts with 4 threads on first use: `get` keeps dozens of
// fsyncs in flight at once (cli/install/writeAtomic.ts syncPaths), each a
// thread waiting on the disk, not a core. Set before anything uses the pool.
process.env.UV_THREADPOOL_SIZE ??= '64';

const SANDBOX_COMMANDS = ['test', 'tester'];
if (!process.execArgv.includes('--no-node-snapshot') && process.argv.slice(2).some((a) => SANDBOX_COMMANDS.includes(a))) {
  // Imported here, not at the top: loading child_process costs every other command ~9 ms.
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--no-node-snapshot', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
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
  await new Promise(() => undefined);
}

const root = new URL('../', import.meta.url);
/** The checkout's directory with a trailing slash: joined with a path as a string, as a URL per file cost ~10 ms a start. */
const rootPath = fileURLToPath(root);

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

const build = currentBuild();
if (build !== undefined) {
  // Node 22.1+ keeps V8's compiled code of these modules between runs (about half of a warm
  // `get --offline` is loading modules); Node 20 has no compile cache, so there this does nothing.
  const { default: nodeModule } = await import('node:module');
  const command = process.argv[2];
  // The install family (cli/installMain.ts), which people run most and wait for, runs from a CommonJS
  // bundle through V8's code cache on a Node without a compile cache of its own (bin/codeCache.js).
  if (nodeModule.enableCompileCache === undefined && build.commonJs?.commands.includes(command) === true) {
    const { runWithCodeCache } = await import('./codeCache.js');
    runWithCodeCache(`${rootPath}dist/${build.commonJs.file}`, build.commonJs.sha256, command);
  } else {
    nodeModule.enableCompileCache?.();
    // The CLI bundled into a few chunks (scripts/build.mjs bundleCli): a command loads a handful of
    // files instead of ~100 modules. A dist/ without it (an older build) runs the per-file copy.
    if (existsSync(`${rootPath}dist/bundle/main.js`)) await import('../dist/bundle/main.js');
    else await import('../dist/cli/main.js');
  }
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
