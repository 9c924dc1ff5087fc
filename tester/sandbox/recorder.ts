/**
 * The run's results as the host accepts them: each pull from the runtime read
 * and validated (tester/outcome.ts readPull), output and tests handed to the
 * caller's callbacks, tests kept in the order they finished, at most MAX_TESTS.
 * A pull that is not the protocol's ends the run like a limit.
 */
import { MAX_PULL_CHARS, MAX_TESTS } from '../options.ts';
import { readPull, type RawTest } from '../outcome.ts';
import type { IsolateGuard } from './guard.ts';

export interface SandboxResult {
  tests: RawTest[];
  aborted?: { code: string; message: string };
}

export interface RecorderCallbacks {
  onTest?: (test: RawTest) => void;
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
}

export class ResultRecorder {
  private readonly tests: RawTest[] = [];

  constructor(
    private readonly guard: IsolateGuard,
    private readonly callbacks: RecorderCallbacks,
  ) {}

  /** Take one pull's answer; whether it carried anything new. */
  take(value: unknown): boolean {
    const { guard } = this;
    if (typeof value !== 'string' || value.length > MAX_PULL_CHARS) guard.fatal('SANDBOX_PROTOCOL', 'the sandbox returned a malformed result');
    const pulled = readPull(value as string);
    if (pulled === undefined) return guard.fatal('SANDBOX_PROTOCOL', 'the sandbox returned a malformed result');
    for (const [stream, text] of pulled.output) this.callbacks.onOutput?.(stream, text);
    for (const t of pulled.tests) {
      if (this.tests.length >= MAX_TESTS) guard.fatal('SANDBOX_TOO_MANY_TESTS', `more than ${MAX_TESTS} tests`);
      this.tests.push(t);
      this.callbacks.onTest?.(t);
    }
    return pulled.tests.length > 0 || pulled.output.length > 0;
  }

  /** The run's result: every test recorded, and the Abort that ended it early, if one did. */
  result(): SandboxResult {
    const { abort } = this.guard;
    return abort === undefined ? { tests: this.tests } : { tests: this.tests, aborted: { code: abort.code, message: abort.message } };
  }
}
