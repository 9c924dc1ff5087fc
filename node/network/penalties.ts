/**
 * Application-level penalties (gossipsub's P5): misbehaviour seen outside
 * gossip, in the request/response protocols. Each penalty is a negative number
 * of points that halves every PENALTY_HALF_LIFE_MS, so a peer that errs once
 * recovers and one that keeps erring sinks under DISCONNECT_SCORE.
 */
const PENALTY_HALF_LIFE_MS = 60_000;

/** Points per kind of misbehaviour (see DISCONNECT_SCORE = -100). */
export const PENALTY = {
  /** sent bytes that do not decode, or a response that breaks the protocol */
  malformed: -40,
  /** served a block or header that is invalid (bad work, does not link, fails import) */
  invalidData: -60,
  /** served a blob whose bytes do not hash to what was asked */
  badBlob: -60,
  /** claimed a head it could not serve */
  uselessStatus: -10,
  /** gossiped an orphan with a fraction of the work a block costs now (validateBlock.ts) */
  cheapOrphan: -5,
  /** sent a gossip message over the size limit: megabytes read for nothing, and no honest node makes one (a block is capped below it), so one is enough */
  oversized: -120,
} as const;

export type PenaltyKind = keyof typeof PENALTY;

interface Entry {
  points: number;
  at: number;
}

export class PeerPenalties {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  add(peerId: string, kind: PenaltyKind): number {
    const score = this.score(peerId) + PENALTY[kind];
    this.entries.set(peerId, { points: score, at: this.now() });
    return score;
  }

  /** Current (decayed) penalty, ≤ 0. */
  score(peerId: string): number {
    const e = this.entries.get(peerId);
    if (e === undefined) return 0;
    const decayed = e.points * 0.5 ** ((this.now() - e.at) / PENALTY_HALF_LIFE_MS);
    if (decayed > -0.5) {
      this.entries.delete(peerId);
      return 0;
    }
    return decayed;
  }
}
