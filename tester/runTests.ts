/** Run a package's tests in the sandbox and summarise them (the one entry point). */
import { DEFAULT_SEED, resolveLimits, SANDBOX_EPOCH_MS, type SandboxLimits } from './options.ts';
import { summarise, type Outcome, type TestOutcome } from './outcome.ts';
import type { DepMap, FileMap } from './resolve.ts';
import { runInSandbox } from './sandbox/index.ts';
import { findTestFiles, testRunner, withoutEmittedCopies } from './testFiles.ts';

export interface RunTestsOptions {
  /** the package's files: path (relative, '/'-separated) → text */
  files: FileMap;
  /** locked dependencies: '@ns/name' → its files */
  deps?: DepMap;
  /** test files to run; default: findTestFiles(files) */
  testFiles?: readonly string[];
  limits?: Partial<SandboxLimits>;
  /** Math.random's seed; every tester must use the same (the default) */
  seed?: string;
  /**
   * Date.now() when each test file starts (default SANDBOX_EPOCH_MS): testers
   * of one version must use the same; the time the version was published
   * makes a test that compares the clock with a date go as it went for its
   * authors then.
   */
  epochMs?: number;
  /** each test as it finishes */
  onTest?: (test: TestOutcome) => void;
  /** console output of the tests, as it is pulled */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
}

/** A time a Date can hold, whole milliseconds; anything else is the default epoch. */
function validEpoch(ms: number | undefined): number {
  return typeof ms === 'number' && Number.isSafeInteger(ms) && Math.abs(ms) <= 8.64e15 ? ms : SANDBOX_EPOCH_MS;
}

export async function runTests(options: RunTestsOptions): Promise<Outcome> {
  const testFiles = withoutEmittedCopies(options.testFiles ?? findTestFiles(options.files)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const result = await runInSandbox({
    files: options.files,
    deps: options.deps ?? new Map(),
    testFiles,
    limits: resolveLimits(options.limits),
    seed: options.seed ?? DEFAULT_SEED,
    epochMs: validEpoch(options.epochMs),
    runner: testRunner(options.files),
    onTest: options.onTest,
    onOutput: options.onOutput,
  });
  return summarise(result.tests, result.aborted);
}
