/**
 * The real `gopkgr` command in child processes, run from the repo root the way
 * the installed bin runs (`node bin/gopkgr.js ...`): one-shot commands
 * (`gopkgr`), and nodes (`spawnNode` waits for the ready line, `launchNode`
 * does not). Every child is registered with `closeAll`, which stops it.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onClose } from './cleanup.ts';
import { CLI_TIMEOUT_MS, NODE_READY_TIMEOUT_MS, STOP_GRACE_MS } from './timeouts.ts';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/gopkgr.js', import.meta.url));

export type Env = Record<string, string | undefined>;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export function exitOf(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export async function stopProcess(child: ChildProcess, graceMs = STOP_GRACE_MS): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) return exitOf(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const exit = await exitOf(child);
  clearTimeout(timer);
  return exit;
}

/**
 * Start `gopkgr ...args` and return the child as it is, for tests that drive the
 * process themselves (kill it mid-run, close its stdout). The environment is the
 * test's, without a GOPKGR_HOME or GOPKGR_NODE of its own, plus `env`.
 */
export function spawnGopkgr(args: string[], opts: { env?: Env; cwd?: string; stdio?: StdioOptions } = {}): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? REPO,
    stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GOPKGR_HOME: undefined, GOPKGR_NODE: undefined, ...opts.env },
  });
  onClose(async () => {
    await stopProcess(child);
  });
  return child;
}

export interface CliResult extends Exit {
  stdout: string;
  stderr: string;
  /** the last stdout line parsed as JSON, or {} */
  json: Record<string, unknown>;
}

/** Run one gopkgr command to completion; SIGKILLed (code null, a note on stderr) after `timeoutMs`. */
export function gopkgr(args: string[], opts: { env?: Env; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const timeoutMs = opts.timeoutMs ?? CLI_TIMEOUT_MS;
    const child = spawnGopkgr(args, opts);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[test runner: gopkgr ${args.join(' ')} killed after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(last) as Record<string, unknown>;
      } catch {
        // not JSON output
      }
      resolve({ code, signal, stdout, stderr, json });
    });
  });
}

/** What `gopkgr node --json` prints once it serves its API (and whatever else it reports). */
export interface NodeReady {
  chainId: string;
  network: string;
  api: string;
  height: number;
  head: string;
  dataDir: string;
  mining: boolean;
  [field: string]: unknown;
}

export interface NodeProcess {
  child: ChildProcess;
  /** the ready line, or null if the process ended before printing it */
  ready: Promise<NodeReady | null>;
  exit: Promise<Exit>;
  /** what the node printed on stderr (the last 100-200 kB) */
  stderr(): string;
}

/** Start `gopkgr node --json ...args` without waiting: `ready` resolves with its ready line (or null). */
export function launchNode(args: string[], opts: { env?: Env } = {}): NodeProcess {
  const child = spawnGopkgr(['node', '--json', ...args], { env: opts.env });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  const exit = exitOf(child);
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
    void exit.then(() => resolve(null));
  });
  return { child, ready, exit, stderr: () => stderr };
}

export interface RunningNode {
  child: ChildProcess;
  ready: NodeReady;
  /** the API's base URL, http://host:port */
  api: string;
  stderr(): string;
  exit: Promise<Exit>;
  /** the exit code (null when a signal ended it) */
  exited: Promise<number | null>;
}

/** Start `gopkgr node --json ...args` and wait for its ready line; rejects (with its stderr) if it exits or takes longer than `timeoutMs`. */
export async function spawnNode(args: string[], opts: { env?: Env; timeoutMs?: number } = {}): Promise<RunningNode> {
  const timeoutMs = opts.timeoutMs ?? NODE_READY_TIMEOUT_MS;
  const node = launchNode(args, opts);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  const ready = await Promise.race([node.ready, late]);
  clearTimeout(timer);
  if (ready === 'late') {
    node.child.kill('SIGKILL');
    throw new Error(`node did not print its ready line within ${timeoutMs} ms; stderr:\n${node.stderr()}`);
  }
  if (ready === null) {
    const { code, signal } = await node.exit;
    throw new Error(`node exited (${signal ?? code}) before it was ready; stderr:\n${node.stderr()}`);
  }
  return { child: node.child, ready, api: ready.api, stderr: node.stderr, exit: node.exit, exited: node.exit.then((e) => e.code) };
}

/** Stop a node (SIGTERM, then SIGKILL after `STOP_GRACE_MS`) and wait for it to exit. */
export async function stopNode(node: { child: ChildProcess }): Promise<void> {
  await stopProcess(node.child);
}
