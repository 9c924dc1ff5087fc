/**
 * Hashes and secp256k1 identities.
 *
 * Signing uses @noble/secp256k1 (RFC 6979 deterministic, low-S). Verification on
 * the hot path goes through node:crypto (OpenSSL), which is 5-10x faster here but
 * accepts high-S signatures, so low-S (BIP 62/146) is enforced before it is asked.
 * `verifyReference` is noble's verifier, kept as the reference that tests compare
 * the fast path against.
 *
 * A signature is over the message bytes M: ECDSA(sha256(M)), 64-byte compact r||s.
 */
import { createHash, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import * as secp from '@noble/secp256k1';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { GopkgrError } from './errors.ts';
import { fromHex, toHex } from './encoding.ts';

secp.hashes.sha256 = (msg) => nobleSha256(msg);
secp.hashes.hmacSha256 = (key, msg) => hmac(nobleSha256, key, msg);

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export function sha256d(data: Uint8Array): Uint8Array {
  const first = createHash('sha256').update(data).digest();
  return new Uint8Array(createHash('sha256').update(first).digest());
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

const CURVE_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = CURVE_N >> 1n;

export interface KeyPair {
  secretKey: Uint8Array;
  /** 33-byte compressed public key */
  publicKey: Uint8Array;
}

export function generateKeyPair(): KeyPair {
  const secretKey = secp.utils.randomSecretKey();
  return { secretKey, publicKey: secp.getPublicKey(secretKey, true) };
}

export function keyPairFromSecret(secretKey: Uint8Array): KeyPair {
  if (secretKey.length !== 32) throw new GopkgrError('KEY_INVALID', 'a secret key is 32 bytes');
  return { secretKey, publicKey: secp.getPublicKey(secretKey, true) };
}

export function sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return secp.sign(message, secretKey, { prehash: true, lowS: true });
}

/** An identity as users write it: `id:` + hex of the compressed public key. */
export function identityOf(publicKey: Uint8Array): string {
  return `id:${toHex(publicKey)}`;
}

export function parseIdentity(text: string): Uint8Array {
  if (typeof text !== 'string' || !text.startsWith('id:')) {
    throw new GopkgrError('IDENTITY_INVALID', `"${String(text).slice(0, 80)}" is not an identity`, { hint: 'write identities as id:<66 hex digits of a compressed secp256k1 key>' });
  }
  const key = fromHex(text.slice(3), 'identity', 33);
  if (!isPublicKey(key)) throw new GopkgrError('IDENTITY_INVALID', `${text} is not a point on secp256k1`);
  return key;
}

export function isPublicKey(key: Uint8Array): boolean {
  if (key.length !== 33 || (key[0] !== 2 && key[0] !== 3)) return false;
  try {
    secp.Point.fromBytes(key);
    return true;
  } catch {
    return false;
  }
}

function readScalar(bytes: Uint8Array, offset: number): bigint {
  return BigInt('0x' + toHex(bytes.subarray(offset, offset + 32)));
}

/** True when r and s are in [1, n-1] and s is in the low half. */
export function isCanonicalSignature(sig: Uint8Array): boolean {
  if (sig.length !== 64) return false;
  const r = readScalar(sig, 0);
  const s = readScalar(sig, 32);
  return r > 0n && r < CURVE_N && s > 0n && s <= HALF_N;
}

// DER prefix of a SubjectPublicKeyInfo for a compressed secp256k1 point
// (id-ecPublicKey, secp256k1, BIT STRING of 34 bytes).
const SPKI_PREFIX = Buffer.from('3036301006072a8648ce3d020106052b8104000a032200', 'hex');
const KEY_CACHE_LIMIT = 4096;
const keyCache = new Map<string, KeyObject>();

function nodeKey(publicKey: Uint8Array): KeyObject {
  const hex = toHex(publicKey);
  let key = keyCache.get(hex);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value as string);
    keyCache.set(hex, key);
  }
  return key;
}

/** Fast verification (OpenSSL) with low-S enforced. Never throws. */
export function verify(sig: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (!isCanonicalSignature(sig) || publicKey.length !== 33) return false;
  try {
    return nodeVerify('sha256', message, { key: nodeKey(publicKey), dsaEncoding: 'ieee-p1363' }, sig);
  } catch {
    return false;
  }
}

/** Reference verification (noble, low-S). Never throws. */
export function verifyReference(sig: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return secp.verify(sig, message, publicKey, { prehash: true, lowS: true });
  } catch {
    return false;
  }
}
