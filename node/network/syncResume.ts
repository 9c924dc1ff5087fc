/**
 * What the end of a sync session means for the peer it synced from, and when
 * that peer is worth syncing from again.
 *
 * Before issue 14, any session that ended without the peer's claimed head
 * marked the peer useless for that head: a peer that timed out while we were
 * busy, or that restarted mid-batch, was never synced from again until it
 * announced another head, and with nothing new mined the node stayed behind
 * for good. Now only a peer to blame (the error table's `blame: 'sender'`:
 * invalid headers or blocks, blocks of its own headers it cannot serve) or one
 * whose headers ran out short of its claim is set aside. Every other failure
 * (timeouts, dropped streams, no peer left to serve a batch, our own store) is
 * the network's weather: the node goes on from the height it reached, with
 * this peer after a backoff, with another peer at once, or with this one as
 * soon as it reconnects (`forget`).
 *
 * Pure: the caller passes the clock in.
 */
import { errorCodeInfo, isErrorCode } from '../../ledger/errorCodes/index.ts';

/** First pause before syncing again from a peer whose session failed without progress. */
export const RESUME_MIN_MS = 500;
/** Longest pause; the peer manager asks connected peers for their head more often than this anyway. */
export const RESUME_MAX_MS = 30_000;

export type SessionEnd =
  /** we now have the head the peer claimed */
  | { kind: 'reached' }
  /** the session ended without an error, but the peer's headers stopped short of its claim */
  | { kind: 'short' }
  /** the session failed with `code`, after importing `blocks` blocks */
  | { kind: 'failed'; code: string; blocks: number };

export type ResumeVerdict =
  | { action: 'done' }
  /** do not sync from this peer again for the head it claimed */
  | { action: 'setAside' }
  /** sync from this peer again after `afterMs` (from another peer meanwhile) */
  | { action: 'retry'; afterMs: number };

/** Whether a failure is the serving peer's fault (it sent something invalid), by the error table. */
export function blamesPeer(code: string): boolean {
  return isErrorCode(code) && errorCodeInfo(code).blame === 'sender';
}

interface Backoff {
  delay: number;
  readyAt: number;
}

export class SyncResume {
  private readonly backoff = new Map<string, Backoff>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Record how a session from `peer` ended; says what to do about the peer. */
  ended(peer: string, end: SessionEnd): ResumeVerdict {
    if (end.kind === 'reached') {
      this.backoff.delete(peer);
      return { action: 'done' };
    }
    if (end.kind === 'short' || blamesPeer(end.code)) {
      this.backoff.delete(peer);
      return { action: 'setAside' };
    }
    // A session that imported blocks was going well: go on at once-ish. One that did not, back off.
    const old = this.backoff.get(peer);
    const delay = end.blocks > 0 || old === undefined ? RESUME_MIN_MS : Math.min(RESUME_MAX_MS, old.delay * 2);
    this.backoff.set(peer, { delay, readyAt: this.now() + delay });
    return { action: 'retry', afterMs: delay };
  }

  /** Whether a session from `peer` may start now. */
  ready(peer: string): boolean {
    return this.waitFor(peer) === 0;
  }

  /** Milliseconds until `peer` may be synced from again (0: now). */
  waitFor(peer: string): number {
    const b = this.backoff.get(peer);
    return b === undefined ? 0 : Math.max(0, b.readyAt - this.now());
  }

  /** The peer disconnected: when it comes back it is a fresh chance, tried at once. */
  forget(peer: string): void {
    this.backoff.delete(peer);
  }
}
