/**
 * Proof of work's seal in a header: the trailing fields [target, nonce].
 *   target  32 bytes, big-endian: the block id read as a number must be <= target
 *   nonce   8 bytes; always the last 8 bytes of the encoding, so a miner can
 *           change it in place without re-encoding
 */
import { GopkgrError } from '../../ledger/errors.ts';
import { toHex, type Canonical } from '../../ledger/encoding.ts';
import { HEADER_NEUTRAL_FIELDS, type Seal, type SealCodec } from '../../ledger/block.ts';
import type { PowSeal } from '../types.ts';

export const NONCE_BYTES = 8;
export const TARGET_BYTES = 32;

function bad(message: string): never {
  throw new GopkgrError('BLOCK_MALFORMED', message);
}

/** The seal as proof of work's, or BLOCK_MALFORMED: a seal of another kind never passes for one. */
export function powSealOf(seal: Seal): PowSeal {
  const s = seal as Partial<PowSeal>;
  if (s.kind !== 'pow' || !(s.target instanceof Uint8Array) || s.target.length !== TARGET_BYTES || !(s.nonce instanceof Uint8Array) || s.nonce.length !== NONCE_BYTES) {
    bad(`header seal is not a proof-of-work seal (kind ${String(seal.kind)})`);
  }
  return s as PowSeal;
}

export const powSealCodec: SealCodec<PowSeal> = {
  kind: 'pow',
  arity: 2,
  fields(seal) {
    const s = powSealOf(seal);
    return [s.target, s.nonce];
  },
  read(fields: readonly Canonical[]) {
    if (fields.length !== 2) bad(`header must be a list of ${HEADER_NEUTRAL_FIELDS + 2} fields`);
    const [target, nonce] = fields;
    if (!(target instanceof Uint8Array) || target.length !== TARGET_BYTES) bad(`header target must be ${TARGET_BYTES} bytes`);
    if (!(nonce instanceof Uint8Array) || nonce.length !== NONCE_BYTES) bad(`header nonce must be ${NONCE_BYTES} bytes`);
    return { kind: 'pow', target, nonce };
  },
};

/** The seal as the HTTP API shows it (`/v1/blocks/…`: target and nonce in hex). */
export function powSealJson(seal: Seal): { target: string; nonce: string } {
  const s = powSealOf(seal);
  return { target: toHex(s.target), nonce: toHex(s.nonce) };
}
