/**
 * The run's limits and how it ends: one isolate, a host-side watchdog on its
 * CPU time and the wall clock, and the Abort that ends the whole run. Every
 * call into the isolate goes through `call`, which turns the isolate's fatal
 * conditions (disposed, out of memory, timed out) into an Abort and anything
 * else into an error message for the runtime.
 *
 * No call passes isolated-vm's own `timeout` option: each one leaves a timer in
 * isolated-vm's timer thread until its deadline, and a run that makes ~100k
 * tick calls (a test kept alive by setInterval) overflowed that thread's stack
 * when they expired together (SIGSEGV in timer_thread_t::run_next, seen here).
 */
import ivm from 'isolated-vm';
import type { ErrorCode } from '../../ledger/index.ts';
import { MAX_ERROR_CHARS, type SandboxLimits } from '../options.ts';

/** How often the watchdog reads the isolate's CPU time: 25 ms keeps overshoot small at negligible cost. */
const WATCHDOG_MS = 25;

/** What ends a run early: a limit, a crash, or the isolate not speaking the protocol. */
export class Abort extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type Called<T> = { ok: true; value: T } | { ok: false; message: string };

export class IsolateGuard {
  readonly isolate: ivm.Isolate;
  /** set once, by whatever ended the run first */
  abort: Abort | undefined;
  private readonly deadline: number;
  private readonly watchdog: NodeJS.Timeout;

  constructor(private readonly limits: SandboxLimits) {
    this.isolate = new ivm.Isolate({
      memoryLimit: limits.memoryMiB,
      onCatastrophicError: (message) => {
        this.abort ??= new Abort('SANDBOX_CRASH', `the isolate failed: ${message}`);
      },
    });
    this.deadline = Date.now() + limits.wallTimeMs;
    this.watchdog = setInterval(() => {
      if (this.isolate.isDisposed) return;
      if (Number(this.isolate.cpuTime) / 1e6 > limits.cpuTimeMs) this.stop(new Abort('SANDBOX_CPU_LIMIT', `the tests used more than ${limits.cpuTimeMs} ms of CPU time`));
      else if (Date.now() > this.deadline) this.stop(this.timedOut());
    }, WATCHDOG_MS);
  }

  /** End the run: the first reason wins, and the isolate goes, whatever it is doing. */
  stop(reason: Abort): void {
    this.abort ??= reason;
    if (!this.isolate.isDisposed) {
      try {
        this.isolate.dispose();
      } catch {
        /* already going */
      }
    }
  }

  /**
   * End the run and throw its Abort: stop() records it before it is thrown, so
   * no catch on the way out can turn it into a clean, empty run.
   */
  fatal(code: ErrorCode, message: string): never {
    this.stop(new Abort(code, message));
    throw this.abort;
  }

  /** Any call into the isolate: fatal conditions become an Abort, the rest an error message. */
  async call<T>(f: () => Promise<T> | T): Promise<Called<T>> {
    if (this.abort !== undefined) throw this.abort;
    try {
      return { ok: true, value: await f() };
    } catch (err) {
      if (this.abort !== undefined) throw this.abort;
      // isolated-vm rethrows an isolate's error as a host error of the same name.
      const message = (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, MAX_ERROR_CHARS);
      if (this.isolate.isDisposed) {
        this.stop(this.lost(message, `the isolate failed: ${message}`));
        throw this.abort;
      }
      if (/Script execution timed out/.test(message)) {
        this.stop(this.timedOut());
        throw this.abort;
      }
      return { ok: false, message };
    }
  }

  /**
   * An error out of the run's synchronous set-up calls: an Abort is the run's
   * end; a limit hit or the isolate gone becomes one; anything else is the
   * host's own failure and is rethrown.
   */
  settle(err: unknown): void {
    if (err instanceof Abort) {
      this.abort ??= err;
      return;
    }
    if (this.isolate.isDisposed && this.abort === undefined) {
      const message = (err as Error).message;
      this.abort = this.lost(message, message);
    } else if (this.abort === undefined) throw err;
  }

  /** Stop the watchdog and dispose of the isolate: always, before the run returns. */
  close(): void {
    clearInterval(this.watchdog);
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }

  /** The isolate went away: isolated-vm disposes it itself when the heap is over the limit. */
  private lost(message: string, crashMessage: string): Abort {
    return /memory limit/i.test(message) ? new Abort('SANDBOX_MEMORY_LIMIT', `the tests used more than ${this.limits.memoryMiB} MiB of memory`) : new Abort('SANDBOX_CRASH', crashMessage);
  }

  private timedOut(): Abort {
    return new Abort('SANDBOX_TIMEOUT', `the tests ran longer than ${this.limits.wallTimeMs} ms`);
  }
}
