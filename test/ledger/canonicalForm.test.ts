/**
 * The canonical-form walk (ledger/canonicalForm.ts) on its own: the canonical
 * encoding of a value passes beside that value; bytes the general decoder
 * accepts but the canonical encoder would not have written do not; nor do the
 * right bytes beside another value.
 */
import { describe, expect, it } from 'vitest';
import { canonicalEnd, isCanonicalEncoding } from '../../ledger/canonicalForm.ts';
import { decodeUnchecked, encode, fromHex, type Canonical } from '../../ledger/encoding.ts';
import { prng } from '../support/prng.ts';

const KEYS = ['a', 'b', 'bb', 'é', 'z'.repeat(30), '__proto__', 'constructor', ''];

function randomValue(next: () => number, depth = 0): Canonical {
  const pick = Math.floor(next() * (depth > 3 ? 5 : 7));
  switch (pick) {
    case 0: return [null, true, false][Math.floor(next() * 3)]!;
    case 1: return Math.floor((next() - 0.5) * 2 ** Math.floor(next() * 53));
    case 2: return ['', 'abc', 'é😀', 'x'.repeat(40)][Math.floor(next() * 4)]!;
    case 3: return new Uint8Array(Math.floor(next() * 40)).fill(3);
    case 4: return Math.floor(next() * 30);
    case 5: return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
    default: {
      const o: Record<string, Canonical> = {};
      for (let i = Math.floor(next() * 4); i > 0; i--) {
        Object.defineProperty(o, KEYS[Math.floor(next() * KEYS.length)]!, { value: randomValue(next, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
  }
}

describe('isCanonicalEncoding', () => {
  it('passes the canonical encoding of 500 random values beside them', () => {
    const { next } = prng(14);
    for (let i = 0; i < 500; i++) {
      const value = randomValue(next);
      expect(isCanonicalEncoding(encode(value), value)).toBe(true);
    }
  });

  it('refuses valid CBOR the canonical encoder would not write', () => {
    let checked = 0;
    for (const hex of ['1817', '780161', 'a2616201616102', '5f4101ff', 'c24101', 'f93c00']) {
      const bytes = fromHex(hex);
      let value: Canonical;
      try {
        value = decodeUnchecked(bytes);
      } catch {
        continue;
      }
      expect(isCanonicalEncoding(bytes, value), hex).toBe(false);
      checked++;
    }
    // (strict decoding already refuses some of them; the unsorted map at least gets this far)
    expect(checked).toBeGreaterThan(0);
    // Text with a byte-order mark: decoders drop it, so the value is not what the bytes say.
    const bom = fromHex('64efbbbf61');
    expect(isCanonicalEncoding(bom, decodeUnchecked(bom))).toBe(false);
  });

  it('refuses the right bytes beside another value, and says where an item ends', () => {
    expect(isCanonicalEncoding(encode({ a: 1 }), { a: 2 })).toBe(false);
    expect(isCanonicalEncoding(encode({ a: 1 }), { a: 1, b: 2 })).toBe(false);
    expect(isCanonicalEncoding(encode([1, 2]), [1, 2, 3])).toBe(false);
    expect(isCanonicalEncoding(encode(new Uint8Array(3)), new Uint8Array(4))).toBe(false);
    expect(isCanonicalEncoding(encode('é'), 'e')).toBe(false);
    const both = fromHex('0102');
    expect(canonicalEnd(both, 0, 1)).toBe(1);
    expect(canonicalEnd(both, 1, 2)).toBe(2);
    expect(canonicalEnd(both, 0, 2)).toBe(-1);
  });
});
