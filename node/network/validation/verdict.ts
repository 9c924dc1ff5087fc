/**
 * What a gossip validation function decides, in gossipsub's three outcomes:
 *   accept  deliver and forward;
 *   ignore  drop without blame (duplicate, not checkable yet, our own failure);
 *   reject  drop and blame the sender (gossipsub's P4 penalty; see gossipScore.ts).
 * `reason` is a stable code (a GopkgrError code or NET_*), for logs and tests.
 */
import { GopkgrError } from '../../../ledger/errors.ts';

export type VerdictResult = 'accept' | 'ignore' | 'reject';

export interface Verdict {
  result: VerdictResult;
  reason: string;
  message: string;
}

export const accept = (reason: string, message = ''): Verdict => ({ result: 'accept', reason, message });
export const ignore = (reason: string, message = ''): Verdict => ({ result: 'ignore', reason, message });
export const reject = (reason: string, message = ''): Verdict => ({ result: 'reject', reason, message });

/** A thrown error as a verdict: coded errors in `ignoreCodes` and failures that are not the sender's (5xx, uncoded) are IGNOREd, the rest REJECTed. */
export function verdictOf(err: unknown, ignoreCodes: ReadonlySet<string>): Verdict {
  if (!(err instanceof GopkgrError)) return ignore('NET_INTERNAL', err instanceof Error ? err.message : String(err));
  if (err.status >= 500 || ignoreCodes.has(err.code)) return ignore(err.code, err.message);
  return reject(err.code, err.message);
}
