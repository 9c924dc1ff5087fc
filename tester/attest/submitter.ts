/**
 * Submissions one at a time, in the order they were asked for: each signs with
 * the account's next nonce, read from the node, so two in flight would take
 * the same one. A failed submission does not block the ones queued after it.
 */
export class Submitter {
  private last: Promise<unknown> = Promise.resolve();

  submit<T>(f: () => Promise<T>): Promise<T> {
    const p = this.last.then(f, f);
    this.last = p.catch(() => undefined);
    return p;
  }

  /** settles when everything queued so far has */
  idle(): Promise<unknown> {
    return this.last;
  }
}
