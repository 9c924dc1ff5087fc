/** Child processes and small helpers of bench/install: every child is tracked so the bench can kill them all. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const COMMAND_TIMEOUT_MS = 5 * 60 * 1000;

/** Every child still running; the bench kills them in `finally` or at its deadline. */
export const children = new Set<ChildProcess>();

export function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}


/** Run a command to completion, timing it from spawn to exit. */
export function run(cmd: string, args: string[], o: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, args, { cwd: o.cwd, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? COMMAND_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      children.delete(child);
      reject(err);
    });
    child.on('close', (code) => {
      const ms = performance.now() - start;
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr, ms });
    });
  });
}

export async function mustRun(what: string, cmd: string, args: string[], o: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<RunResult> {
  const r = await run(cmd, args, o);
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r;
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
}

/** Packages installed in a node_modules (scoped directories, not dot-directories). */
export async function countInstalled(nm: string): Promise<number> {
  let n = 0;
  for (const scope of await readdir(nm).catch(() => [] as string[])) {
    if (!scope.startsWith('@')) continue;
    n += (await readdir(path.join(nm, scope))).length;
  }
  return n;
}

