/**
 * Real `gopkgr node` processes for bench/scale: started on a data dir with the
 * dev chain, their API on a free loopback port, timed until GET /v1/status
 * answers. A node that dies (out of memory, say) or misses its deadline is
 * reported as such rather than failing the bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/gopkgr.js', import.meta.url));

export interface NodeProcess {
  child: ChildProcess;
  pid: number;
  api: string;
  /** the libp2p addresses from its ready line (empty until it is printed) */
  addresses: string[];
  /** ms from spawn until /v1/status answered */
  startMs: number;
  /** ms from spawn until the ready line (the network layer up too) */
  readyMs: number;
  /** the last lines it wrote to stderr */
  stderrTail: () => string;
  exit: Promise<string>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class NodeFailed extends Error {}

/** How a child ended, in words: a signal (SIGKILL is usually the kernel's OOM killer) or an exit code. */
function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal === 'SIGKILL') return 'killed by SIGKILL (out of memory?)';
  if (signal !== null) return `killed by ${signal}`;
  return code === 134 ? 'aborted (V8 heap out of memory?)' : `exited with code ${code}`;
}

export async function startNode(dataDir: string, opts: { timeoutMs: number; peers?: string[]; extra?: string[] }): Promise<NodeProcess> {
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const args = [BIN, 'node', '--dev', '--json', '--api', `127.0.0.1:${port}`, '--listen', '/ip4/127.0.0.1/tcp/0', ...(opts.peers ?? []).flatMap((p) => ['--peer', p]), ...(opts.extra ?? [])];
  const started = performance.now();
  const child = spawn(process.execPath, args, { env: { ...process.env, GOPKGR_HOME: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  child.stderr!.on('data', (d: Buffer) => {
    tail.push(...d.toString().split('\n').filter((l) => l !== ''));
    tail.splice(0, Math.max(0, tail.length - 5));
  });
  const proc: NodeProcess = {
    child, pid: child.pid!, api, addresses: [], startMs: 0, readyMs: 0, stderrTail: () => tail.join(' | '),
    exit: new Promise((resolve) => child.on('exit', (code, signal) => resolve(describeExit(code, signal)))),
  };
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const line = out.split('\n')[0]!;
    if (proc.addresses.length === 0 && out.includes('\n')) {
      proc.addresses = (JSON.parse(line) as { addresses: string[] }).addresses;
      proc.readyMs = performance.now() - started;
    }
  });
  let exited: string | undefined;
  void proc.exit.then((why) => (exited = why));
  while (performance.now() - started < opts.timeoutMs) {
    if (exited !== undefined) throw new NodeFailed(`node ${exited} before it answered: ${proc.stderrTail()}`);
    try {
      const res = await fetch(`${api}/v1/status`);
      if (res.ok) {
        proc.startMs = performance.now() - started;
        await res.arrayBuffer();
        // The ready line (with the libp2p addresses) comes once the network layer is up, shortly after the API answers.
        while (proc.addresses.length === 0 && exited === undefined) await sleep(20);
        return proc;
      }
    } catch {
      // not listening yet
    }
    await sleep(25);
  }
  await stopNode(proc);
  throw new NodeFailed(`node did not answer /v1/status within ${(opts.timeoutMs / 1000).toFixed(0)} s`);
}

/** SIGTERM, then SIGKILL after 15 s. */
export async function stopNode(proc: NodeProcess): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 15_000);
  await proc.exit;
  clearTimeout(timer);
}

/** Resident memory of a process in bytes (/proc/PID/status VmRSS). */
export async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (kb === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb[1]) * 1024;
}

export async function statusOf(proc: NodeProcess): Promise<{ height: number; head: string }> {
  const res = await fetch(`${proc.api}/v1/status`, { signal: AbortSignal.timeout(30_000) });
  return (await res.json()) as { height: number; head: string };
}
