/**
 * One `gopkgr infver diff OLD NEW --json` as a user runs it: a fresh
 * `node bin/gopkgr.js` process (on dist/ when it is current), timed from spawn
 * to exit, so Node's start, module loading and TypeScript's are all in it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Bump } from './corpus.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/gopkgr.js', import.meta.url));

export interface CliRun {
  ms: number;
  bump?: Bump;
  /** why there is no bump: the exit, the error object printed, a timeout */
  error?: string;
}

function outcomeOf(code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string): Omit<CliRun, 'ms'> {
  let parsed: { bump?: unknown; error?: { code?: string; message?: string } } | undefined;
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  if (code === 0 && (parsed?.bump === 'major' || parsed?.bump === 'minor' || parsed?.bump === 'patch')) return { bump: parsed.bump };
  if (parsed?.error !== undefined) return { error: `exit ${code}: ${parsed.error.code}: ${parsed.error.message}` };
  const why = signal !== null ? `killed by ${signal}` : `exit ${code}`;
  const text = (stderr.trim() || stdout.trim()).split('\n').slice(-3).join(' | ');
  return { error: `${why}${text ? `: ${text.slice(0, 400)}` : ''}` };
}

/** Run the CLI's diff of two package directories; a run past `timeoutMs` is killed and reported as an error. */
export function runCliDiff(oldDir: string, newDir: string, timeoutMs: number): Promise<CliRun> {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(process.execPath, [BIN, 'infver', 'diff', oldDir, newDir, '--json'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - start, error: `spawn failed: ${err.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - start;
      if (timedOut) resolve({ ms, error: `timed out after ${timeoutMs} ms` });
      else resolve({ ms, ...outcomeOf(code, signal, stdout, stderr) });
    });
  });
}

/** Compile the sources into dist/ (scripts/build.mjs), so the CLI runs JavaScript and not the sources through tsx. */
export function buildDist(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL('../../scripts/build.mjs', import.meta.url))], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`scripts/build.mjs exited ${code}: ${stderr.trim()}`))));
  });
}
