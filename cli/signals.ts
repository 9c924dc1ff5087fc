/**
 * How the process ends: long-running commands (node, mine, tester) run until
 * Ctrl-C or SIGTERM, then shut down cleanly; any command whose reader goes away
 * (`gopkgr status | head -1`) ends quietly.
 */

/** Stops of the long-running commands now waiting in untilStopped. */
const running = new Set<() => void>();
/** The reader of stdout or stderr went away during this run. */
let outputClosed = false;

/** Long-running commands (node, mine, tester) run until Ctrl-C or SIGTERM (or their output is closed), then shut down cleanly. */
export function untilStopped(onStart?: (stop: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    if (outputClosed) return resolve();
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      running.delete(stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    running.add(stop);
    onStart?.(stop);
  });
}

/**
 * A reader that leaves early (`| head -1`) makes the next write fail with EPIPE,
 * which Node throws as an unhandled 'error' event: a stack trace and exit code 1
 * for what is no failure at all. Instead, once either stream is closed, every
 * later write to both is dropped (there is nobody to read it, and stderr may be
 * the same pipe), the command finishes what it was doing (an install still
 * completes all or nothing rather than stopping half-way), and a long-running
 * command shuts down as on SIGTERM. The exit code stays the command's own: 0
 * when it succeeded. Other write errors (EIO on a vanished terminal) are treated the
 * same way: there is no one left to tell.
 */
export function quietOnClosedOutput(): void {
  const close = (): void => {
    if (outputClosed) return;
    outputClosed = true;
    for (const stream of [process.stdout, process.stderr]) {
      stream.write = ((_chunk: unknown, encodingOrCb?: unknown, cb?: unknown): boolean => {
        const done = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
        if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
        return true;
      }) as typeof stream.write;
    }
    for (const stop of [...running]) stop();
  };
  process.stdout.on('error', close);
  process.stderr.on('error', close);
}
