/**
 * Helpers for end-to-end tests that drive the real `gopkgr` command in child
 * processes: spawn it from the repo root the way the installed bin runs
 * (`node bin/gopkgr.js ...`), read the one JSON line a node
 * prints when it is ready, and kill every child a test started (`killAll`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/gopkgr.js', import.meta.url));

const live = new Set<ChildProcess>();

/** Start `gopkgr ...args` (stdout and stderr piped). */
export function spawnCli(args: string[], env: Record<string, string | undefined> = {}): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GOPKGR_HOME: undefined, GOPKGR_NODE: undefined, ...env },
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export function exitOf(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Run a command to completion; its stdout, stderr and exit code. */
export async function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<Exit & { stdout: string; stderr: string }> {
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exit = await exitOf(child);
  return { ...exit, stdout, stderr };
}

/** What `gopkgr node --json` prints once it serves its API. */
export interface NodeReady {
  chainId: string;
  network: string;
  api: string;
  height: number;
  head: string;
  dataDir: string;
  mining: boolean;
}

export interface NodeProc {
  child: ChildProcess;
  /** the ready line, or null if the process ended before printing it */
  ready: Promise<NodeReady | null>;
  exited: Promise<Exit>;
  stderr(): string;
}

/** Start `gopkgr node --json --data DIR ...args`; `ready` resolves with its ready line. */
export function startNode(dataDir: string, args: string[]): NodeProc {
  const child = spawnCli(['node', '--json', '--data', dataDir, ...args]);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  const exited = exitOf(child);
  const ready = new Promise<NodeReady | null>((resolve) => {
    let buffer = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        try {
          const parsed = JSON.parse(line) as Partial<NodeReady>;
          if (typeof parsed.chainId === 'string' && typeof parsed.api === 'string') resolve(parsed as NodeReady);
        } catch {
          // not the ready line
        }
      }
    });
    void exited.then(() => resolve(null));
  });
  return { child, ready, exited, stderr: () => stderr };
}

/** SIGKILL every child still running (use in afterAll). */
export async function killAll(): Promise<void> {
  const children = [...live];
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(children.map(exitOf));
}
