/** Long-running commands (node, mine, tester) run until Ctrl-C or SIGTERM, then shut down cleanly. */
export function untilStopped(onStart?: (stop: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    onStart?.(stop);
  });
}
