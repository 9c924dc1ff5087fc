/**
 * The snapshot header: what a node vouches for when it offers a snapshot.
 *
 *   header   {v: 1, chainId: bytes32, height, blockId: bytes32, stateRoot: bytes32,
 *             records: uint, bytes: uint, signer: 33-byte secp256k1 key, sig: 64 bytes}
 *   digest   "gopkgr/snapshot/v1" ‖ encode(header without sig), signed as every
 *            signature here is (ledger/crypto.ts: ECDSA over its sha256, low S)
 *
 * The header binds a block of one chain to the root of the state after it
 * (stateRoot.ts) and to the exact size of the records file. The signature only
 * says who vouches: a joining node trusts it when the user named that signer
 * (--snapshot-signer), and checks the root against the records either way.
 */
import { GopkgrError } from '../../ledger/errors.ts';
import { bytesEqual, concatBytes, decode, encode, toHex, type Canonical } from '../../ledger/encoding.ts';
import { isCanonicalSignature, isPublicKey, sign, verify, type KeyPair } from '../../ledger/crypto.ts';

export const SNAPSHOT_HEADER_VERSION = 1;
const DOMAIN = new TextEncoder().encode('gopkgr/snapshot/v1');

export interface SnapshotClaim {
  chainId: Uint8Array;
  height: number;
  blockId: Uint8Array;
  stateRoot: Uint8Array;
  records: number;
  bytes: number;
}

export interface SnapshotHeader extends SnapshotClaim {
  signer: Uint8Array;
  sig: Uint8Array;
}

function unsigned(h: SnapshotClaim & { signer: Uint8Array }): { [key: string]: Canonical } {
  return { v: SNAPSHOT_HEADER_VERSION, chainId: h.chainId, height: h.height, blockId: h.blockId, stateRoot: h.stateRoot, records: h.records, bytes: h.bytes, signer: h.signer };
}

function signingMessage(h: SnapshotClaim & { signer: Uint8Array }): Uint8Array {
  return concatBytes(DOMAIN, encode(unsigned(h)));
}

export function signSnapshotHeader(claim: SnapshotClaim, key: KeyPair): SnapshotHeader {
  const withSigner = { ...claim, signer: key.publicKey };
  return { ...withSigner, sig: sign(signingMessage(withSigner), key.secretKey) };
}

export function encodeSnapshotHeader(h: SnapshotHeader): Uint8Array {
  return encode({ ...unsigned(h), sig: h.sig });
}

function bad(message: string): never {
  throw new GopkgrError('SNAPSHOT_BAD_HEADER', message);
}

function bytesField(m: { [key: string]: Canonical }, name: string, length: number): Uint8Array {
  const v = m[name];
  if (!(v instanceof Uint8Array) || v.length !== length) bad(`snapshot header ${name} must be ${length} bytes`);
  return v;
}

function uintField(m: { [key: string]: Canonical }, name: string): number {
  const v = m[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) bad(`snapshot header ${name} must be a non-negative integer`);
  return v;
}

/**
 * Decode a header from a peer and check it: the fields, this chain, and the
 * signature by the key it names. Whether that key is trusted is the caller's.
 */
export function decodeSnapshotHeader(bytes: Uint8Array, chainId: Uint8Array): SnapshotHeader {
  let value: Canonical;
  try {
    value = decode(bytes);
  } catch (err) {
    bad(`snapshot header does not decode: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) bad('snapshot header must be a map');
  const m = value;
  const known = new Set(['v', 'chainId', 'height', 'blockId', 'stateRoot', 'records', 'bytes', 'signer', 'sig']);
  for (const k of Object.keys(m)) if (!known.has(k)) bad(`snapshot header has an unknown field ${k.slice(0, 20)}`);
  if (m.v !== SNAPSHOT_HEADER_VERSION) bad(`snapshot header version must be ${SNAPSHOT_HEADER_VERSION}`);
  const h: SnapshotHeader = {
    chainId: bytesField(m, 'chainId', 32), height: uintField(m, 'height'), blockId: bytesField(m, 'blockId', 32),
    stateRoot: bytesField(m, 'stateRoot', 32), records: uintField(m, 'records'), bytes: uintField(m, 'bytes'),
    signer: bytesField(m, 'signer', 33), sig: bytesField(m, 'sig', 64),
  };
  if (!bytesEqual(h.chainId, chainId)) bad(`snapshot header is for chain ${toHex(h.chainId).slice(0, 16)}…, not this one`);
  if (h.height === 0) bad('a snapshot of genesis is no snapshot');
  if (!isPublicKey(h.signer)) bad('snapshot header signer is not a secp256k1 key');
  if (!isCanonicalSignature(h.sig) || !verify(h.sig, signingMessage(h), h.signer)) bad('snapshot header signature does not verify against its signer');
  return h;
}

/** What a user copies from a node they trust: HEIGHT:BLOCKID:STATEROOT (checkpoint.ts reads it). */
export function checkpointText(h: SnapshotClaim): string {
  return `${h.height}:${toHex(h.blockId)}:${toHex(h.stateRoot)}`;
}
