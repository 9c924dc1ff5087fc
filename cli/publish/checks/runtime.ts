/**
 * Load each runtime entry the way a consumer's node does: one child process in
 * the consumer project, `import()` (or `require()` for a `require` condition)
 * of each specifier in turn, every outcome and every process warning (DEP0151,
 * a main found only through a deprecated fallback) written back as JSON.
 * It runs while the caller type-checks (startLoadingEntries).
 */
import { execFile, type ExecFileException } from 'node:child_process';

export interface LoadRequest {
  specifier: string;
  mode: 'import' | 'require';
}

export interface LoadResult extends LoadRequest {
  error?: string;
}

export interface LoadReport {
  results: LoadResult[];
  /** `CODE message` of each warning node emitted while loading */
  warnings: string[];
}

/** Loading a package runs its top-level code: a bound, so a module that never settles cannot hang a publish. */
export const LOAD_TIMEOUT_MS = 30_000;
const MARKER = '\u0000gopkgr-check\u0000';

const SCRIPT = `
import { createRequire } from 'node:module';
const warnings = [];
process.on('warning', (w) => warnings.push(((w.code ?? w.name) + ' ' + w.message).slice(0, 500)));
const requests = JSON.parse(process.argv[1]);
const require = createRequire(process.cwd() + '/consumer.cjs');
const results = [];
for (const r of requests) {
  try {
    if (r.mode === 'import') await import(r.specifier);
    else require(r.specifier);
    results.push(r);
  } catch (err) {
    results.push({ ...r, error: String(err && err.code ? err.code + ': ' + err.message : err).split('\\n')[0].slice(0, 500) });
  }
}
await new Promise((resolve) => setImmediate(resolve));
process.stdout.write(${JSON.stringify(MARKER)} + JSON.stringify({ results, warnings }) + '\\n', () => process.exit(0));
`;

export interface LoadingEntries {
  /** the child's report, once it has finished or LOAD_TIMEOUT_MS after this call */
  collect(): Promise<LoadReport>;
  /** stop the child (when the caller fails before collecting) */
  cancel(): void;
}

/**
 * Start loading the entries in a child process; the caller does its own work
 * (the type checks) meanwhile, then collects the report. The bound of
 * LOAD_TIMEOUT_MS runs from the collection, not the start, so a caller busy
 * on this thread (whose timers cannot fire) never cuts short a child that has
 * already finished: the child gets at least the bound.
 */
export function startLoadingEntries(consumerDir: string, requests: readonly LoadRequest[]): LoadingEntries {
  if (requests.length === 0) return { collect: () => Promise.resolve({ results: [], warnings: [] }), cancel: () => undefined };
  let done: { err: ExecFileException | null; stdout: string; stderr: string } | undefined;
  let settle: (() => void) | undefined;
  const child = execFile(process.execPath, ['--input-type=module', '-e', SCRIPT, JSON.stringify(requests)], {
    cwd: consumerDir, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: '' },
  }, (err, stdout, stderr) => {
    done = { err, stdout, stderr };
    settle?.();
  });
  const collect = async (): Promise<LoadReport> => {
    if (done === undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGTERM'), LOAD_TIMEOUT_MS);
        settle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const { err, stdout, stderr } = done!;
    const at = stdout.lastIndexOf(MARKER);
    if (at !== -1) {
      try {
        return JSON.parse(stdout.slice(at + MARKER.length)) as LoadReport;
      } catch {
        // fall through: report the whole run as failed
      }
    }
    const why = err?.killed === true ? `did not finish within ${LOAD_TIMEOUT_MS} ms` : `exited before reporting: ${(stderr || String(err)).trim().split('\n')[0]?.slice(0, 300) ?? ''}`;
    return { results: requests.map((r) => ({ ...r, error: `loading the entries ${why}` })), warnings: [] };
  };
  return { collect, cancel: () => void child.kill('SIGTERM') };
}
