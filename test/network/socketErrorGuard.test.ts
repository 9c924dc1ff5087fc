/**
 * The guard of a node process (socketErrorGuard.ts), in a real child process
 * with no uncaughtException policy of its own: a peer's RST on a socket nobody
 * listens to, and a rejected dial nobody awaits, are logged and survived; any
 * other uncaught error still ends the process with its stack and exit code 1.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { REPO } from '../support/processes.ts';
import { isPeerSocketError } from '../../node/network/socketErrorGuard.ts';

const SCRIPT = `
import net from 'node:net';
import { guardAgainstSocketErrors } from './node/network/socketErrorGuard.ts';
guardAgainstSocketErrors({ info: () => undefined, warn: (m) => console.log('warn ' + m) });
const server = net.createServer((c) => c.resetAndDestroy());
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  // 1. An 'error' event with no listener: the RST of a peer.
  const bare = net.connect(port, '127.0.0.1');
  bare.on('connect', () => bare.write('x'));
  // 2. A rejected dial that nobody awaits.
  const dial = new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', reject);
    s.on('connect', () => s.write('x'));
  });
  void dial;
  setTimeout(() => {
    console.log('alive');
    server.close();
    // 3. Anything else still ends the process.
    throw new Error('a bug, not a peer');
  }, 500);
});
`;

function run(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('socket error guard', () => {
  it('survives peers\' socket errors that reach the top, and nothing else', async () => {
    const r = await run();
    const warnings = r.stdout.split('\n').filter((l) => l.startsWith('warn network: a peer\'s socket error was not handled'));
    expect(warnings.length, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toMatch(/\(uncaughtException\): (connect|read) ECONNRESET/);
    expect(r.stdout).toMatch(/\(unhandledRejection\): (connect|read) ECONNRESET/);
    expect(r.stdout).toContain('alive');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: a bug, not a peer');
  });

  it('tells a peer\'s socket error from others', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' });
    expect(isPeerSocketError(reset)).toBe(true);
    expect(isPeerSocketError(Object.assign(new Error('x'), { code: 'EPIPE', syscall: 'write' }))).toBe(true);
    // A file system error with a socket-like code, an error without a syscall, and no error at all.
    expect(isPeerSocketError(Object.assign(new Error('x'), { code: 'ETIMEDOUT', syscall: 'open' }))).toBe(false);
    expect(isPeerSocketError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isPeerSocketError(new TypeError('x'))).toBe(false);
    expect(isPeerSocketError(null)).toBe(false);
  });
});
