/**
 * Whether a peer that is slow to answer is dead or busy.
 *
 * A peer that syncs from us spends its time applying the blocks we serve it,
 * and a full block can hold its thread for seconds: its status answers come
 * late. Hanging up on it for that cuts the very connection it syncs over
 * (issue 14). So a status request that times out is a miss, and we hang up
 * only on a peer that missed STATUS_MISSES_BEFORE_HANGUP in a row over at
 * least STATUS_SILENCE_MS, and never while it is importing: while it fetched
 * blocks or headers from us within IMPORTING_GRACE_MS. A connection that is
 * really dead shows itself sooner, by failing streams (handled by the caller).
 *
 * Pure bookkeeping: the caller passes the clock in.
 */

/** After a peer last fetched blocks or headers from us, it is taken to be importing them for this long. */
export const IMPORTING_GRACE_MS = 120_000;
/** Status requests a peer may leave unanswered in a row before we hang up... */
export const STATUS_MISSES_BEFORE_HANGUP = 3;
/** ...and for at least this long since the first of them (orphans can ask several times a second). */
export const STATUS_SILENCE_MS = 20_000;

export type MissVerdict = 'importing' | 'wait' | 'hangUp';

interface Misses {
  count: number;
  since: number;
}

export class PeerLiveness {
  private readonly lastFetch = new Map<string, number>();
  private readonly misses = new Map<string, Misses>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The peer asked us for blocks or headers: it is syncing, so it is busy importing. */
  fetched(peerId: string): void {
    this.lastFetch.set(peerId, this.now());
  }

  importing(peerId: string): boolean {
    const at = this.lastFetch.get(peerId);
    if (at === undefined) return false;
    if (this.now() - at <= IMPORTING_GRACE_MS) return true;
    this.lastFetch.delete(peerId);
    return false;
  }

  /** The peer answered a status request: it is alive. */
  answered(peerId: string): void {
    this.misses.delete(peerId);
  }

  /** A status request to the peer timed out: what to do about it. */
  missed(peerId: string): MissVerdict {
    if (this.importing(peerId)) return 'importing';
    const now = this.now();
    const m = this.misses.get(peerId) ?? { count: 0, since: now };
    m.count++;
    this.misses.set(peerId, m);
    return m.count >= STATUS_MISSES_BEFORE_HANGUP && now - m.since >= STATUS_SILENCE_MS ? 'hangUp' : 'wait';
  }

  /** Consecutive misses so far (for logs). */
  missCount(peerId: string): number {
    return this.misses.get(peerId)?.count ?? 0;
  }

  /** The peer disconnected: a new connection starts with a clean record. */
  gone(peerId: string): void {
    this.lastFetch.delete(peerId);
    this.misses.delete(peerId);
  }
}
