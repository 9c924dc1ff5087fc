/**
 * Keys and signatures (ledger/crypto.ts). The hot-path verifier (`verify`, through
 * node:crypto/OpenSSL) must agree with the reference (`verifyReference`, noble)
 * on every input: valid signatures, tampered ones, malleated (high-S) ones and
 * garbage. OpenSSL alone accepts high-S signatures, so `verify` enforces low-S
 * itself; the high-S tests show that check is what stops them.
 */
import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import * as secp from '@noble/secp256k1';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import {
  generateKeyPair, identityOf, keyPairFromSecret, parseIdentity, sha256, sha256d, sha256Hex, sign, toHex, verify, verifyReference, GopkgrError,
  fromHex,
} from '../../ledger/index.ts';
import { isCanonicalSignature, isPublicKey } from '../../ledger/crypto.ts';
import { keyPair } from '../support/chain.ts';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof GopkgrError ? err.code : `not a GopkgrError: ${String(err)}`;
  }
  return 'no error';
}

function scalar(n: bigint): Uint8Array {
  return fromHex(n.toString(16).padStart(64, '0'));
}

function sOf(sig: Uint8Array): bigint {
  return BigInt('0x' + toHex(sig.subarray(32)));
}

/** The same signature with s replaced by n - s: valid ECDSA, but high-S. */
function highS(sig: Uint8Array): Uint8Array {
  const out = sig.slice();
  out.set(scalar(N - sOf(sig)), 32);
  return out;
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

describe('hashes', () => {
  it('sha256, sha256Hex and sha256d agree with noble and pin the empty-string digest', () => {
    expect(sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    for (let i = 0; i < 50; i++) {
      const data = new Uint8Array(randomBytes(i * 7));
      expect(toHex(sha256(data))).toBe(toHex(nobleSha256(data)));
      expect(sha256Hex(data)).toBe(toHex(nobleSha256(data)));
      expect(toHex(sha256d(data))).toBe(toHex(nobleSha256(nobleSha256(data))));
    }
  });
});

describe('verify (node:crypto) agrees with verifyReference (noble)', () => {
  it('on a corpus of 320 random key/message pairs: each valid, and two of five tamperings each (128 of every kind)', () => {
    // Noble's pure-JS verification is ~3 ms here, so each pair gets its valid
    // signature and two tampered variants in rotation rather than all five.
    const outcomes = { valid: 0, rejected: 0 };
    const check = (sig: Uint8Array, msg: Uint8Array, pub: Uint8Array, expected: boolean): void => {
      const fast = verify(sig, msg, pub);
      const ref = verifyReference(sig, msg, pub);
      expect({ fast, ref }).toEqual({ fast: expected, ref: expected });
      if (expected) outcomes.valid++;
      else outcomes.rejected++;
    };
    const kinds = new Map<string, number>();
    let other = generateKeyPair();
    for (let i = 0; i < 320; i++) {
      const key = generateKeyPair();
      const msg = new Uint8Array(randomBytes(1 + (i % 200)));
      const sig = sign(msg, key.secretKey);
      expect(sig.length).toBe(64);
      expect(isCanonicalSignature(sig)).toBe(true);
      check(sig, msg, key.publicKey, true);
      const tamperings: Array<[string, () => void]> = [
        ['message bit', () => check(sig, flipBit(msg, (i * 13) % (msg.length * 8)), key.publicKey, false)],
        ['r bit', () => check(flipBit(sig, (i * 31) % 256), msg, key.publicKey, false)],
        ['s bit', () => check(flipBit(sig, 256 + ((i * 17) % 256)), msg, key.publicKey, false)],
        ['wrong key', () => check(sig, msg, other.publicKey, false)],
        ['high-S', () => check(highS(sig), msg, key.publicKey, false)],
      ];
      for (const j of [i % 5, (i + 2) % 5]) {
        const [kind, run] = tamperings[j]!;
        run();
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
      other = key;
    }
    expect(outcomes).toEqual({ valid: 320, rejected: 640 });
    expect([...kinds.values()]).toEqual([128, 128, 128, 128, 128]);
  });

  it('garbage signatures and keys give false, never a throw, on both paths', () => {
    const key = keyPair(1);
    const msg = new TextEncoder().encode('hello');
    const sig = sign(msg, key.secretKey);
    const zeros = new Uint8Array(64);
    const rIsN = sig.slice();
    rIsN.set(scalar(N), 0);
    const sIsZero = sig.slice();
    sIsZero.set(new Uint8Array(32), 32);
    const notOnCurve = offCurveKey();
    const badPrefix = key.publicKey.slice();
    badPrefix[0] = 4;
    const cases: Array<[string, Uint8Array, Uint8Array]> = [
      ['all-zero signature', zeros, key.publicKey],
      ['r = n', rIsN, key.publicKey],
      ['s = 0', sIsZero, key.publicKey],
      ['63-byte signature', sig.subarray(0, 63), key.publicKey],
      ['65-byte signature', new Uint8Array([...sig, 0]), key.publicKey],
      ['key not on the curve', sig, notOnCurve],
      ['key with prefix 04 and 33 bytes', sig, badPrefix],
      ['32-byte key', sig, key.publicKey.subarray(1)],
      ['empty key', sig, new Uint8Array(0)],
    ];
    for (const [, s, pub] of cases) {
      expect(verify(s, msg, pub)).toBe(false);
      expect(verifyReference(s, msg, pub)).toBe(false);
    }
  });

  it('the fast path accepts only 33-byte compressed keys (an uncompressed key is refused)', () => {
    const key = keyPair(2);
    const msg = new TextEncoder().encode('compressed only');
    const sig = sign(msg, key.secretKey);
    const uncompressed = secp.getPublicKey(key.secretKey, false);
    expect(uncompressed.length).toBe(65);
    expect(verify(sig, msg, key.publicKey)).toBe(true);
    expect(verify(sig, msg, uncompressed)).toBe(false);
  });
});

describe('low-S', () => {
  it('a high-S variant (s\' = n - s) of a valid signature is mathematically valid but rejected by verify', () => {
    for (let i = 0; i < 20; i++) {
      const key = keyPair(100 + i);
      const msg = new TextEncoder().encode(`message ${i}`);
      const sig = sign(msg, key.secretKey);
      const malleated = highS(sig);
      expect(sOf(malleated) > N / 2n).toBe(true);
      // Without the low-S rule the malleated signature verifies: the rule is what rejects it.
      expect(secp.verify(malleated, msg, key.publicKey, { prehash: true, lowS: false })).toBe(true);
      expect(isCanonicalSignature(malleated)).toBe(false);
      expect(verify(malleated, msg, key.publicKey)).toBe(false);
      expect(verifyReference(malleated, msg, key.publicKey)).toBe(false);
    }
  });

  it('isCanonicalSignature bounds r and s: [1, n-1] and s <= n/2', () => {
    const sig = (r: bigint, s: bigint): Uint8Array => new Uint8Array([...scalar(r), ...scalar(s)]);
    expect(isCanonicalSignature(sig(1n, 1n))).toBe(true);
    expect(isCanonicalSignature(sig(N - 1n, N / 2n))).toBe(true);
    expect(isCanonicalSignature(sig(0n, 1n))).toBe(false);
    expect(isCanonicalSignature(sig(N, 1n))).toBe(false);
    expect(isCanonicalSignature(sig(1n, 0n))).toBe(false);
    expect(isCanonicalSignature(sig(1n, N / 2n + 1n))).toBe(false);
    expect(isCanonicalSignature(new Uint8Array(63))).toBe(false);
  });
});

describe('signing', () => {
  it('is deterministic (RFC 6979): same key and message, same signature; signs sha256(message)', () => {
    const key = keyPair(3);
    const msg = new TextEncoder().encode('deterministic');
    const a = sign(msg, key.secretKey);
    expect(toHex(sign(msg, key.secretKey))).toBe(toHex(a));
    expect(toHex(sign(new TextEncoder().encode('other'), key.secretKey))).not.toBe(toHex(a));
    // The signature is over sha256(M): noble verifies it against the prehashed digest.
    const digest = createHash('sha256').update(msg).digest();
    expect(secp.verify(a, new Uint8Array(digest), key.publicKey, { prehash: false })).toBe(true);
  });

  it('keyPairFromSecret gives the compressed public key and rejects a secret that is not 32 bytes', () => {
    const secret = new Uint8Array(32).fill(7);
    const kp = keyPairFromSecret(secret);
    expect(kp.publicKey.length).toBe(33);
    expect(toHex(kp.publicKey)).toBe(toHex(secp.getPublicKey(secret, true)));
    expect(codeOf(() => keyPairFromSecret(new Uint8Array(31)))).toBe('KEY_INVALID');
    expect(codeOf(() => keyPairFromSecret(new Uint8Array(33)))).toBe('KEY_INVALID');
  });

  it('generateKeyPair gives distinct valid keys', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    expect(isPublicKey(a.publicKey)).toBe(true);
    expect(toHex(a.publicKey)).not.toBe(toHex(b.publicKey));
  });
});

/** A 33-byte 02-prefixed key whose x has no point on secp256k1. */
function offCurveKey(): Uint8Array {
  for (let x = 1; ; x++) {
    const k = new Uint8Array(33);
    k[0] = 2;
    k.set(scalar(BigInt(x)), 1);
    if (!isPublicKey(k)) return k;
  }
}

describe('identities', () => {
  it('formats as id:<66 hex digits> and parses back', () => {
    const key = keyPair(4);
    const id = identityOf(key.publicKey);
    expect(id).toMatch(/^id:0[23][0-9a-f]{64}$/);
    expect(toHex(parseIdentity(id))).toBe(toHex(key.publicKey));
  });

  it('rejects text without the id: prefix, a point off the curve and a bad prefix byte with IDENTITY_INVALID', () => {
    const hex = toHex(keyPair(5).publicKey);
    expect(codeOf(() => parseIdentity(hex))).toBe('IDENTITY_INVALID');
    expect(codeOf(() => parseIdentity(`ID:${hex}`))).toBe('IDENTITY_INVALID');
    expect(codeOf(() => parseIdentity(''))).toBe('IDENTITY_INVALID');
    expect(codeOf(() => parseIdentity(undefined as unknown as string))).toBe('IDENTITY_INVALID');
    expect(codeOf(() => parseIdentity(`id:${toHex(offCurveKey())}`))).toBe('IDENTITY_INVALID');
    expect(codeOf(() => parseIdentity(`id:04${hex.slice(2)}`))).toBe('IDENTITY_INVALID');
    const err = (() => {
      try {
        parseIdentity('alice');
      } catch (e) {
        return e as GopkgrError;
      }
      return undefined;
    })();
    expect(err?.hint).toMatch(/id:/);
  });

  it('rejects hex that is not 33 bytes of lowercase hex with BAD_HEX', () => {
    const hex = toHex(keyPair(6).publicKey);
    expect(codeOf(() => parseIdentity(`id:${hex.slice(0, 64)}`))).toBe('BAD_HEX');
    expect(codeOf(() => parseIdentity(`id:${hex}00`))).toBe('BAD_HEX');
    expect(codeOf(() => parseIdentity(`id:${hex.toUpperCase()}`))).toBe('BAD_HEX');
    expect(codeOf(() => parseIdentity(`id:${hex.slice(0, 65)}`))).toBe('BAD_HEX');
  });
});
