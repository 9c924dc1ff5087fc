/**
 * Load each runtime entry the way a consumer's node does: one child process in
 * the consumer project, `import()` (or `require()` for a `require` condition)
 * of each specifier in turn, every outcome and every process warning (DEP0151,
 * a main found only through a deprecated fallback) written back as JSON.
 */
import { execFile } from 'node:child_process';

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

export function loadEntries(consumerDir: string, requests: readonly LoadRequest[]): Promise<LoadReport> {
  if (requests.length === 0) return Promise.resolve({ results: [], warnings: [] });
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', SCRIPT, JSON.stringify(requests)], {
      cwd: consumerDir, timeout: LOAD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: '' },
    }, (err, stdout, stderr) => {
      const at = stdout.lastIndexOf(MARKER);
      if (at !== -1) {
        try {
          resolve(JSON.parse(stdout.slice(at + MARKER.length)) as LoadReport);
          return;
        } catch {
          // fall through: report the whole run as failed
        }
      }
      const why = err?.killed === true ? `did not finish within ${LOAD_TIMEOUT_MS} ms` : `exited before reporting: ${(stderr || String(err)).trim().split('\n')[0]?.slice(0, 300) ?? ''}`;
      resolve({ results: requests.map((r) => ({ ...r, error: `loading the entries ${why}` })), warnings: [] });
    });
  });
}
