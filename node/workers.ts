/**
 * Starting a worker thread whose code is a TypeScript file.
 *
 * Node 20 ignores ESM loaders given in a Worker's execArgv (nodejs/node#47747;
 * fixed only in 22.2), so `--import tsx` cannot work there. Instead the thread
 * starts from a tiny bootstrap (eval) that registers tsx's ESM hooks with tsx's
 * own API inside the thread and then imports the TypeScript worker. tsx is
 * resolved from this file, not from the cwd or process.execArgv (which differ
 * between `tsx`, vitest's forks and plain node). A compiled `.js` worker is
 * started directly.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startWorker(workerUrl: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  // execArgv is not inherited: vitest's --no-node-snapshot is refused by workers.
  const opts = { execArgv: [], ...options };
  if (!workerUrl.href.endsWith('.ts')) return new Worker(workerUrl, opts);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const script =
    `import(${JSON.stringify(tsxApi)})\n` +
    `  .then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); })\n` +
    `  .catch((err) => { setImmediate(() => { throw err; }); });\n`;
  return new Worker(script, { ...opts, eval: true });
}
