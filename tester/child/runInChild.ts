/**
 * A sandboxed run in a child process of the tester: the isolate and the
 * isolated-vm addon live there, with a heap of their own (`--max-old-space-size`),
 * so a crash of either (SIGSEGV in the addon, V8 out of memory) ends the child,
 * not the tester. The child sends each test as it finishes; if it dies before
 * its outcome, the run is aborted as SANDBOX_CRASH with the tests it reported,
 * which every honest tester hashes the same way (the code, not the message).
 *
 * Not re-exported from tester/index.ts: commands that run tests for real
 * (`gopkgr test`, `gopkgr tester`) import it; in-process callers keep runTests.
 */
import { fork } from 'node:child_process';
import { GopkgrError, isErrorCode } from '../../ledger/index.ts';
import { fileURLToPath } from 'node:url';
import { MAX_TESTS, resolveLimits } from '../options.ts';
import { summarise, type Outcome, type TestOutcome } from '../outcome.ts';
import type { RunTestsOptions } from '../runTests.ts';
import { vendorSource } from '../vendor.ts';
import type { ChildMessage, ChildRequest } from './protocol.ts';

/** The child's heap: the isolate's own limit plus room for the host side (module texts, results). */
const HOST_HEAP_MIB = 256;

export interface ChildRunOptions extends RunTestsOptions {
  /** ends the run at once: the child is killed and the run aborted with the tests it had reported */
  signal?: AbortSignal;
}

export async function runTestsInChild(options: ChildRunOptions): Promise<Outcome> {
  const limits = resolveLimits(options.limits);
  const worker = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
  // From sources the child needs tsx, as the parent did; from dist it does not.
  const loader = import.meta.url.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = fork(fileURLToPath(worker), [], {
    execArgv: ['--no-node-snapshot', `--max-old-space-size=${limits.memoryMiB + HOST_HEAP_MIB}`, ...loader],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
    env: { ...process.env, TZ: 'UTC' },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  const tests: TestOutcome[] = [];
  return new Promise<Outcome>((resolve, reject) => {
    let outcome: Outcome | undefined;
    let failure: Error | undefined;
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    options.signal?.addEventListener('abort', kill, { once: true });
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'test') {
        if (tests.length < MAX_TESTS) tests.push(m.test);
        options.onTest?.(m.test);
      } else if (m.type === 'output') options.onOutput?.(m.stream, m.text);
      else if (m.type === 'done') {
        // the outcome is complete: the child's own teardown need not be waited for
        outcome = m.outcome;
        resolve(outcome);
      }
      else failure = m.code !== undefined && isErrorCode(m.code) ? new GopkgrError(m.code, m.message) : new Error(m.message);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      options.signal?.removeEventListener('abort', kill);
      if (outcome !== undefined) return resolve(outcome);
      if (failure !== undefined) return reject(failure);
      const why = signal !== null ? `signal ${signal}` : `exit code ${code}`;
      resolve(summarise(tests, { code: 'SANDBOX_CRASH', message: `the sandbox process died (${why})${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}` }));
    });
    const req: ChildRequest = {
      files: [...options.files],
      deps: [...(options.deps ?? new Map())].map(([name, files]) => [name, [...files]]),
      testFiles: options.testFiles === undefined ? undefined : [...options.testFiles],
      limits,
      seed: options.seed,
      epochMs: options.epochMs,
      vendor: vendorSource(),
    };
    child.send(req);
  });
}
