/** A small async mutex: what is run through it runs one at a time, in call order. */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Settles when everything run so far has (a failure does not hold up what comes after it). */
  idle(): Promise<unknown> {
    return this.tail;
  }
}
