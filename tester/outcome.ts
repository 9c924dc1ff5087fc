/**
 * Outcomes: what the host accepts from the isolate, how it is normalised, and
 * the hash every tester must agree on.
 *
 * resultHash = sha256 hex of the UTF-8 bytes of
 *   JSON.stringify(["gopkgr/test-outcome/v6", [[name, status, error|null], ...], abortedCode|null])
 * with the tests in run order (files sorted by path, tests in the order they
 * finished, which is deterministic: timers run in virtual time). Timings, output
 * and stack traces are left out; error texts are normalised (no ANSI colour,
 * LF line ends, no trailing blanks, at most MAX_ERROR_CHARS). An aborted run
 * hashes only its code (SANDBOX_CPU_LIMIT, ...), not the message, and which
 * tests finished before a CPU or wall-clock abort can differ between machines.
 *
 * v2: the sandbox pins UTC and en-US and fails a file on errors after a test
 * ended, so v1 and v2 testers may record different outcomes for one version;
 * the domain says which rules a hash was made under.
 *
 * v3: tests and hooks registered by library code are refused (the file fails),
 * a hook's `t` cannot mark its test todo/skip, options are read as own data
 * properties, tests left unfinished by virtual time or a rejection storm fail,
 * WeakRef holds strongly, and names/errors are cut inside the isolate: v2 and
 * v3 testers record different outcomes for hostile packages.
 *
 * v4: Node's default test files (TypeScript tests once), CommonJS, Node's
 * deterministic built-ins and web globals, node:test's plan/assert/mock/signal,
 * and the `unsupported` status: a v3 tester failed most of what v4 runs.
 *
 * v5: vitest and jest as their runners run a package: snapshots checked
 * (a missing one fails), jest's CommonJS transform, `done` callbacks and
 * jest.mock and vi.mock factories, a test file with no test failed: a v4 tester recorded
 * those tests `unsupported` or failed where v5 records what the runner does.
 *
 * v6: built-ins that reach outside (child_process, worker_threads, net, dns,
 * tls) load and throw `unsupported` only when called, so a file that requires
 * one still runs its other tests; a test that met something the sandbox cannot
 * give is `unsupported` even if it caught the error; ES modules get
 * import.meta and import() of literal specifiers; require.cache as Node
 * honours it; a before hook a running test adds runs at once; fs reads through
 * descriptors and streams; process.nextTick in Node's order; jest's `done` in `.each`, tagged template tables,
 * and vitest's and jest's 5 s test timeout: a v5 tester recorded such tests
 * differently.
 */
import { sha256Hex } from '../ledger/index.ts';
import { MAX_ERROR_CHARS, MAX_NAME_CHARS } from './options.ts';

export type TestStatus = 'passed' | 'failed' | 'skipped' | 'todo' | 'unsupported';
const STATUSES = new Set<string>(['passed', 'failed', 'skipped', 'todo', 'unsupported']);

export interface RawTest {
  name: string;
  status: TestStatus;
  error?: string;
}

export type TestOutcome = RawTest;

export interface Outcome {
  passed: number;
  failed: number;
  /** skipped, todo and unsupported tests */
  skipped: number;
  tests: TestOutcome[];
  resultHash: string;
  /** set when a limit stopped the run: "CODE: message" */
  aborted?: string;
}

export const HASH_DOMAIN = 'gopkgr/test-outcome/v6';

export function normaliseText(text: string, max: number): string {
  let t = text
    // eslint-disable-next-line no-control-regex
    .replace(/\u001b\[[0-9;]*[A-Za-z]/g, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .trimEnd();
  if (t.length > max) t = t.slice(0, max) + '…';
  return t;
}

/** Parse one `pull()` answer from the isolate; undefined when it is not what the runtime sends. */
export function readPull(text: string): { tests: RawTest[]; output: ['stdout' | 'stderr', string][] } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const { tests, output } = value as { tests?: unknown; output?: unknown };
  if (!Array.isArray(tests) || !Array.isArray(output)) return undefined;
  const outTests: RawTest[] = [];
  for (const t of tests) {
    if (t === null || typeof t !== 'object') return undefined;
    const { name, status, error } = t as { name?: unknown; status?: unknown; error?: unknown };
    if (typeof name !== 'string' || typeof status !== 'string' || !STATUSES.has(status)) return undefined;
    if (error !== undefined && typeof error !== 'string') return undefined;
    const entry: RawTest = { name: normaliseText(name, MAX_NAME_CHARS), status: status as TestStatus };
    if (error !== undefined && status !== 'passed' && status !== 'skipped') entry.error = normaliseText(error, MAX_ERROR_CHARS);
    outTests.push(entry);
  }
  const outLines: ['stdout' | 'stderr', string][] = [];
  for (const o of output) {
    if (!Array.isArray(o) || o.length !== 2 || (o[0] !== 'stdout' && o[0] !== 'stderr') || typeof o[1] !== 'string') return undefined;
    outLines.push([o[0], o[1]]);
  }
  return { tests: outTests, output: outLines };
}

export function resultHash(tests: readonly TestOutcome[], abortedCode?: string): string {
  const body = JSON.stringify([HASH_DOMAIN, tests.map((t) => [t.name, t.status, t.error ?? null]), abortedCode ?? null]);
  return sha256Hex(new TextEncoder().encode(body));
}

/**
 * The counts an attestation carries. A run a limit aborted (CPU, memory, wall
 * time, protocol) counts as at least one failure: its tests did not pass, and
 * the chain's breaking-by-inference rule looks at the failed count only. The
 * resultHash already holds the abort code, so testers still agree.
 */
export function attestedCounts(outcome: Outcome): { passed: number; failed: number; skipped: number } {
  return { passed: outcome.passed, failed: outcome.aborted !== undefined ? Math.max(outcome.failed, 1) : outcome.failed, skipped: outcome.skipped };
}

export function summarise(tests: TestOutcome[], aborted?: { code: string; message: string }): Outcome {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const t of tests) {
    if (t.status === 'passed') passed++;
    else if (t.status === 'failed') failed++;
    else skipped++;
  }
  const outcome: Outcome = { passed, failed, skipped, tests, resultHash: resultHash(tests, aborted?.code) };
  if (aborted !== undefined) outcome.aborted = `${aborted.code}: ${aborted.message}`;
  return outcome;
}
