/** The messages between a tester and the child process that runs one sandboxed run (runInChild.ts, worker.ts). */
import type { SandboxLimits } from '../options.ts';
import type { Outcome, TestOutcome } from '../outcome.ts';

export interface ChildRequest {
  files: [string, string][];
  deps: [string, [string, string][]][];
  testFiles?: string[];
  limits: SandboxLimits;
  seed?: string;
  epochMs?: number;
  /** the vendored bundle the parent made (tester/vendor.ts), so the child does not bundle again */
  vendor: string;
}

export type ChildMessage = { type: 'test'; test: TestOutcome } | { type: 'output'; stream: 'stdout' | 'stderr'; text: string } | { type: 'done'; outcome: Outcome } | { type: 'error'; code?: string; message: string };
