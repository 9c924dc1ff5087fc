/**
 * What every error code declares about itself. A code is part of the external
 * contract (the CLI prints it, the HTTP API answers with it, scripts and peers
 * match on it): codes are never renamed.
 */

/**
 * Who is at fault when the input that raised the error came from someone else:
 *   sender  the message or request itself is bad; a peer that gossiped it is
 *           blamed (gossip REJECT, which costs it score);
 *   none    the error is about this node: its store, clock, view of the chain,
 *           resources or transport; nobody is blamed (gossip IGNORE).
 * This is independent of the HTTP status: a 429 is not the sender's fault, and
 * a code thrown with 500 somewhere can still describe a bad message.
 */
export type Blame = 'sender' | 'none';

export interface ErrorCodeInfo {
  /** the HTTP status the API answers with, unless a throw site says otherwise */
  readonly status: number;
  readonly blame: Blame;
  /** one line for people reading the table; the thrown message says the specifics */
  readonly summary: string;
}
