/**
 * A reader that goes away early (`gopkgr status | head -1`): the CLI drops what
 * it still had to print and ends quietly, with no EPIPE stack trace, exit code
 * 0 when the command itself succeeded, and a long-running command shuts down
 * cleanly instead of running on unread. Real `gopkgr` processes whose stdout's
 * read end is closed before they write their first byte, so every write hits EPIPE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { spawnGopkgr } from '../support/processes.ts';
import { CLI_TIMEOUT_MS } from '../support/timeouts.ts';

interface Ended { code: number | null; signal: NodeJS.Signals | null; stderr: string }

/** Run gopkgr with stdout's read end closed at once; give up (SIGKILL, failing the test) after `timeoutMs`. */
function runWithClosedStdout(args: string[], env: Record<string, string> = {}, timeoutMs = CLI_TIMEOUT_MS): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawnGopkgr(args, { env });
    child.stdout!.destroy();
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

let home: string;
beforeAll(async () => {
  home = await tempDir('gopkgr-closed-output-');
});
afterAll(closeAll);

describe('a closed stdout', () => {
  it('--help ends with 0 and prints no stack trace', async () => {
    const r = await runWithClosedStdout(['--help']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a failing command keeps its own exit code and says nothing on stderr (its --json error went to the closed stdout)', async () => {
    // Nothing listens on port 9 of loopback: status fails with NODE_UNREACHABLE.
    const r = await runWithClosedStdout(['status', '--json', '--node', 'http://127.0.0.1:9'], { GOPKGR_HOME: home });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
  });

  it('a running node shuts down cleanly, exit 0, instead of running on unread', async () => {
    const nodeHome = path.join(home, 'node');
    const r = await runWithClosedStdout(['node', '--dev', '--api', '127.0.0.1:0'], { GOPKGR_HOME: nodeHome });
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    // It did start (and so had something to print) before it stopped.
    expect((await readdir(nodeHome)).length).toBeGreaterThan(0);
  });
});
