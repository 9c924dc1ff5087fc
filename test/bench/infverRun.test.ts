/**
 * bench/infver run as a user runs it, cheaply: two small pairs of the corpus
 * through the real CLI once each, one extraction run each for InfVer and
 * api-extractor. It must score both pairs, time them, and end with the
 * extraction ratio and its goal, or the benchmark has rotted.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/processes.ts';
import { CLI_TIMEOUT_MS } from '../support/timeouts.ts';

const PAIRS = ['clsx@2.0.0..2.0.1', 'yocto-queue@1.0.0..1.1.0'];

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/infver.ts', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 2 * CLI_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('bench/infver', () => {
  it('scores two corpus pairs through the CLI and ends with the extraction ratio', { timeout: 3 * CLI_TIMEOUT_MS }, async () => {
    // --no-build: the bin runs dist/ when it is current and the sources otherwise; rebuilding is not this test's business.
    const { code, stdout, stderr } = await runBench(['--only', PAIRS.join(','), '--runs', '1', '--extraction-runs', '1', '--no-build']);
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^corpus: 2 pairs \(/);
    for (const id of PAIRS) expect(lines.some((l) => new RegExp(`^[ !] ${id.replace(/[.@]/g, '\\$&')} +truth (major|minor|patch) +got (major|minor|patch) +\\d+ ms$`).test(l)), id).toBe(true);
    for (const id of PAIRS) expect(lines.some((l) => l.startsWith(`  ${id} `) && / in-process +\d+ ms +cli +\d+ ms$/.test(l)), `${id} in process`).toBe(true);
    expect(stdout).toMatch(/^exact: [0-2]\/2 \(/m);
    expect(stdout).toMatch(/^crashes\/errors: 0 /m);
    expect(stdout).toMatch(/^cli diff per pair: median \d+ ms, p90 \d+ ms/m);
    expect(stdout).toMatch(/^in-process diff per pair .*: median \d+ ms/m);
    expect(stdout).toMatch(/^in-process vs cli: same bump on every pair$/m);
    expect(lines.at(-1)).toMatch(/^ratio infver extraction \/ api-extractor \(rxjs\): \d+\.\d\d \(goal <= 0\.3: (met|NOT met)\)$/);
  });
});
