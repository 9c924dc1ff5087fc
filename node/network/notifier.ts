/** Wakes every waiter on the next notify(): how the sync loops tell each other that something changed. */
export class Notifier {
  private waiters: Array<() => void> = [];

  wait(timeoutMs = 1_000): Promise<void> {
    return new Promise((resolve) => {
      // The timeout is a safety net: a loop re-checks its state at least this often.
      const timer = setTimeout(done, timeoutMs);
      const waiters = this.waiters;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      waiters.push(done);
    });
  }

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
