/**
 * Equivocation: one authority signing two different headers for one slot. Any
 * node holding both headers holds proof (each signature verifies, same slot,
 * same signer, different bytes), which it can pass on; the offender's later
 * blocks are then refused (rules.ts, BLOCK_SIGNER_EQUIVOCATED).
 */
import { GopkgrError } from '../../ledger/errors.ts';
import { bytesEqual, decode, toHex } from '../../ledger/encoding.ts';
import { blockId, encodeHeader, readHeader, type BlockHeader } from '../../ledger/block.ts';
import type { AuthoritySet } from './params.ts';
import { authoritySealCodec, authoritySealOf, sealVerifies } from './seal.ts';

/** The key two blocks share when one of them is evidence against their signer: `<slot>:<signer hex>`. */
export function conflictKeyOf(slot: number, signerHex: string): string {
  return `${slot}:${signerHex}`;
}

/**
 * The offender's key (hex) if `a` and `b` prove an equivocation on this chain;
 * EVIDENCE_INVALID naming what is missing otherwise.
 */
export function checkEquivocation(a: BlockHeader, b: BlockHeader, set: AuthoritySet, chainId: Uint8Array): string {
  const sa = authoritySealOf(a.seal);
  const sb = authoritySealOf(b.seal);
  const fail = (why: string): never => {
    throw new GopkgrError('EVIDENCE_INVALID', `not evidence of equivocation: ${why}`);
  };
  if (sa.slot !== sb.slot) fail(`the headers are for slots ${sa.slot} and ${sb.slot}`);
  if (!bytesEqual(sa.signer, sb.signer)) fail('the headers have different signers');
  if (!set.hexKeys.includes(toHex(sa.signer))) fail('the signer is not an authority of this chain');
  if (bytesEqual(blockId(encodeHeader(a, authoritySealCodec)), blockId(encodeHeader(b, authoritySealCodec)))) fail('the two headers are one');
  if (!sealVerifies(a, chainId) || !sealVerifies(b, chainId)) fail('a signature does not verify');
  return toHex(sa.signer);
}

/** checkEquivocation on two encoded headers (an evidence tx's, POST /v1/evidence's): one that does not decode is EVIDENCE_INVALID. */
export function checkEncodedEquivocation(a: Uint8Array, b: Uint8Array, set: AuthoritySet, chainId: Uint8Array): string {
  let headers: BlockHeader[];
  try {
    headers = [a, b].map((bytes) => readHeader(decode(bytes), authoritySealCodec));
  } catch (err) {
    throw new GopkgrError('EVIDENCE_INVALID', `not evidence: a header does not decode (${(err as Error).message})`);
  }
  return checkEquivocation(headers[0]!, headers[1]!, set, chainId);
}
