/**
 * The authority seal in a header: the trailing fields
 * [slot, anchorHeight, anchorId, signer, signature].
 *   slot          uint: floor((time - genesisTime) / slotMs)
 *   anchorHeight  uint: height of the public block this block anchors to (anchor.ts)
 *   anchorId      32 bytes: that public block's id (zeros on a chain with no parent)
 *   signer     33 bytes: the compressed secp256k1 key of the in-turn authority
 *   signature  64 bytes: compact, low-S ECDSA over sha256 of the signing message
 *
 * Signing message (the exact bytes; ledger/crypto.ts sign pre-hashes with sha256):
 *   "gopkgr/authority-seal/v1" || 0x00 || chainId (32 bytes)
 *     || canonical CBOR [v, height, parent, txRoot, time, slot, anchorHeight, anchorId, signer]
 * The domain string keeps a seal from ever passing for a tx signature (or the
 * reverse); the chain id keeps a seal made for one chain off every other; the
 * header fields are all but the signature itself.
 */
import { GopkgrError } from '../../ledger/errors.ts';
import { concatBytes, encode, toHex, type Canonical } from '../../ledger/encoding.ts';
import { HEADER_NEUTRAL_FIELDS, type BlockHeader, type Seal, type SealCodec } from '../../ledger/block.ts';
import { sign, verify } from '../../ledger/crypto.ts';
import type { AuthoritySeal } from '../types.ts';

export const SIGNER_BYTES = 33;
export const SIGNATURE_BYTES = 64;
export const ANCHOR_ID_BYTES = 32;

/** The anchor of a block on a chain with no parent, and of every chain's genesis without one. */
export const NO_ANCHOR: { readonly height: number; readonly id: Uint8Array } = { height: 0, id: new Uint8Array(ANCHOR_ID_BYTES) };
export const SEAL_DOMAIN = new TextEncoder().encode('gopkgr/authority-seal/v1\0');

function bad(message: string): never {
  throw new GopkgrError('BLOCK_MALFORMED', message);
}

/** The seal as an authority seal, or BLOCK_MALFORMED: a seal of another kind never passes for one. */
export function authoritySealOf(seal: Seal): AuthoritySeal {
  const s = seal as Partial<AuthoritySeal>;
  if (s.kind !== 'authority' || typeof s.slot !== 'number' || !Number.isSafeInteger(s.slot) || s.slot < 0
    || typeof s.anchorHeight !== 'number' || !Number.isSafeInteger(s.anchorHeight) || s.anchorHeight < 0
    || !(s.anchorId instanceof Uint8Array) || s.anchorId.length !== ANCHOR_ID_BYTES
    || !(s.signer instanceof Uint8Array) || s.signer.length !== SIGNER_BYTES
    || !(s.signature instanceof Uint8Array) || s.signature.length !== SIGNATURE_BYTES) {
    bad(`header seal is not an authority seal (kind ${String(seal.kind)})`);
  }
  return s as AuthoritySeal;
}

export const authoritySealCodec: SealCodec<AuthoritySeal> = {
  kind: 'authority',
  arity: 5,
  fields(seal) {
    const s = authoritySealOf(seal);
    return [s.slot, s.anchorHeight, s.anchorId, s.signer, s.signature];
  },
  read(fields: readonly Canonical[]) {
    if (fields.length !== 5) bad(`header must be a list of ${HEADER_NEUTRAL_FIELDS + 5} fields`);
    const [slot, anchorHeight, anchorId, signer, signature] = fields;
    if (typeof slot !== 'number' || !Number.isSafeInteger(slot) || slot < 0) bad('header slot must be an unsigned integer');
    if (typeof anchorHeight !== 'number' || !Number.isSafeInteger(anchorHeight) || anchorHeight < 0) bad('header anchor height must be an unsigned integer');
    if (!(anchorId instanceof Uint8Array) || anchorId.length !== ANCHOR_ID_BYTES) bad(`header anchor id must be ${ANCHOR_ID_BYTES} bytes`);
    if (!(signer instanceof Uint8Array) || signer.length !== SIGNER_BYTES) bad(`header signer must be ${SIGNER_BYTES} bytes`);
    if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) bad(`header signature must be ${SIGNATURE_BYTES} bytes`);
    return { kind: 'authority', slot, anchorHeight, anchorId, signer, signature };
  },
};

/** The bytes an authority signs for this header (see the file header). */
export function sealMessage(header: BlockHeader, chainId: Uint8Array): Uint8Array {
  const s = authoritySealOf(header.seal);
  const fields: Canonical = [header.v, header.height, header.parent, header.txRoot, header.time, s.slot, s.anchorHeight, s.anchorId, s.signer];
  return concatBytes(SEAL_DOMAIN, chainId, encode(fields));
}

/** The header sealed by `secretKey` (whose public key is `signer`) for `slot`, anchored at `anchor`. */
export function signHeader(
  header: Omit<BlockHeader, 'seal'>, slot: number, signer: Uint8Array, secretKey: Uint8Array, chainId: Uint8Array,
  anchor: { readonly height: number; readonly id: Uint8Array } = NO_ANCHOR,
): BlockHeader<AuthoritySeal> {
  const unsigned: BlockHeader<AuthoritySeal> = {
    ...header, seal: { kind: 'authority', slot, anchorHeight: anchor.height, anchorId: anchor.id, signer, signature: new Uint8Array(SIGNATURE_BYTES) },
  };
  const signature = sign(sealMessage(unsigned, chainId), secretKey);
  return { ...unsigned, seal: { ...unsigned.seal, signature } };
}

export function sealVerifies(header: BlockHeader, chainId: Uint8Array): boolean {
  const s = authoritySealOf(header.seal);
  return verify(s.signature, sealMessage(header, chainId), s.signer);
}

/** The seal as the HTTP API shows it (`/v1/blocks/…`). */
export function authoritySealJson(seal: Seal): { slot: number; anchorHeight: number; anchor: string; signer: string; signature: string } {
  const s = authoritySealOf(seal);
  return { slot: s.slot, anchorHeight: s.anchorHeight, anchor: toHex(s.anchorId), signer: `id:${toHex(s.signer)}`, signature: toHex(s.signature) };
}

/**
 * Genesis is not signed: slot 0, and zeros where the signer and signature go. Its anchor is the public chain's
 * genesis (height 0, the parent's chain id) on a chain forked beside one, (0, zeros) otherwise.
 */
export function authorityGenesisSeal(anchor: { readonly height: number; readonly id: Uint8Array } = NO_ANCHOR): AuthoritySeal {
  return { kind: 'authority', slot: 0, anchorHeight: anchor.height, anchorId: anchor.id, signer: new Uint8Array(SIGNER_BYTES), signature: new Uint8Array(SIGNATURE_BYTES) };
}
