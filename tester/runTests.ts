/** Run a package's tests in the sandbox and summarise them (the one entry point). */
import { DEFAULT_SEED, resolveLimits, type SandboxLimits } from './options.ts';
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
  /** each test as it finishes */
  onTest?: (test: TestOutcome) => void;
  /** console output of the tests, as it is pulled */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
}

export async function runTests(options: RunTestsOptions): Promise<Outcome> {
  const testFiles = withoutEmittedCopies(options.testFiles ?? findTestFiles(options.files)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const result = await runInSandbox({
    files: options.files,
    deps: options.deps ?? new Map(),
    testFiles,
    limits: resolveLimits(options.limits),
    seed: options.seed ?? DEFAULT_SEED,
    runner: testRunner(options.files),
    onTest: options.onTest,
    onOutput: options.onOutput,
  });
  return summarise(result.tests, result.aborted);
}
