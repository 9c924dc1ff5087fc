/**
 * What a gossip validation function decides, in gossipsub's three outcomes:
 *   accept  deliver and forward;
 *   ignore  drop without blame (duplicate, not checkable yet, our own failure);
 *   reject  drop and blame the sender (gossipsub's P4 penalty; see gossipScore.ts).
 * `reason` is a stable code (ledger/errorCodes/), for logs and tests; an accept
 * carries the import's status instead.
 */
import { GopkgrError, type ErrorCode } from '../../../ledger/errors.ts';

export type VerdictResult = 'accept' | 'ignore' | 'reject';

export interface Verdict {
  result: VerdictResult;
  reason: string;
  message: string;
}

export const accept = (reason: string, message = ''): Verdict => ({ result: 'accept', reason, message });
export const ignore = (reason: ErrorCode, message = ''): Verdict => ({ result: 'ignore', reason, message });
export const reject = (reason: ErrorCode, message = ''): Verdict => ({ result: 'reject', reason, message });

/**
 * A thrown error as a verdict. The code's table entry says who is at fault
 * (`blame`): 'sender' is REJECTed, 'none' (our store, clock, resources, view of
 * the chain) IGNOREd. The HTTP status plays no part: it says how the API
 * answers, not whom a peer score should punish. A topic may IGNORE more codes
 * than their blame says (`ignoreCodes`); an uncoded failure is ours.
 */
export function verdictOf(err: unknown, ignoreCodes: ReadonlySet<string> = new Set()): Verdict {
  if (!(err instanceof GopkgrError)) return ignore('NET_INTERNAL', err instanceof Error ? err.message : String(err));
  if (err.blame === 'none' || ignoreCodes.has(err.code)) return ignore(err.code, err.message);
  return reject(err.code, err.message);
}
