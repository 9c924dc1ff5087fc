/**
 * The checks a batch of headers from a peer passes before any of its blocks is
 * downloaded: cheap, stateless, and the same for every consensus (the seal
 * check is the consensus's own: proof of work's costs two hashes).
 */
import { GopkgrError } from '../../ledger/errors.ts';
import { toHex } from '../../ledger/encoding.ts';
import type { Consensus } from '../../consensus/index.ts';
import type { WireHeader } from './messages.ts';

/** The block the first header must follow: one we have, or the last header of the peer's previous answer. */
export interface HeaderAnchor {
  id: string;
  height: number;
}

export interface VerifiedHeader {
  id: string;
  height: number;
}

/**
 * Headers in order after `anchor`: each links to the one before (the first to
 * the anchor), heights count up by one, and each seal is sound on its own.
 * Throws SYNC_BAD_HEADERS naming the first header that breaks a rule.
 */
export function verifyHeaderChain(headers: readonly WireHeader[], anchor: HeaderAnchor, consensus: Consensus): VerifiedHeader[] {
  const out: VerifiedHeader[] = [];
  let prevId = anchor.id;
  let prevHeight = anchor.height;
  for (const { header, id: raw } of headers) {
    const id = toHex(raw);
    if (toHex(header.parent) !== prevId) throw new GopkgrError('SYNC_BAD_HEADERS', `header ${id.slice(0, 16)} does not link to the one before it`);
    if (header.height !== prevHeight + 1) throw new GopkgrError('SYNC_BAD_HEADERS', `header ${id.slice(0, 16)} has height ${header.height}, expected ${prevHeight + 1}`);
    try {
      consensus.checkSeal(raw, header);
    } catch (err) {
      throw new GopkgrError('SYNC_BAD_HEADERS', `header ${id.slice(0, 16)}: ${(err as Error).message}`);
    }
    out.push({ id, height: header.height });
    prevId = id;
    prevHeight = header.height;
  }
  return out;
}
