/**
 * Canonical encoding (ledger/encoding.ts): deterministic CBOR, RFC 8949 §4.2.1.
 *
 * The pinned vectors below are RFC 8949 Appendix A values where the RFC has them
 * (0, 1, 23, 24, 255(hex ff), 256, 65535, 65536, 2^32, -1, -25, "", "a", "ü",
 * h'010203', [], [1,[2,3]], {}, true, false, null) and hand-checked otherwise:
 * a map's keys sort bytewise by their *encoded* form, so "" (60) < "a" (6161)
 * < "b" (6162) < "aa" (626161) — shorter keys first, then bytewise.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { encode as cborEncode, rfc8949EncodeOptions } from 'cborg';
import { decode, encode, fromHex, toHex, GopkgrError, type Canonical } from '../../ledger/index.ts';
import { decodeStored, encodeOnce, encodingAt, knownEncoding, MAX_DECODE_BYTES } from '../../ledger/encoding.ts';
// Seeded, so failures reproduce.
import { prng } from '../support/prng.ts';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof GopkgrError) return err.code;
    return `not a GopkgrError: ${String(err)}`;
  }
  return 'no error';
}

const VECTORS: Array<[string, Canonical, string]> = [
  ['0', 0, '00'],
  ['1', 1, '01'],
  ['23 (largest one-byte int)', 23, '17'],
  ['24 (first two-byte int)', 24, '1818'],
  ['255', 255, '18ff'],
  ['256', 256, '190100'],
  ['65535', 65535, '19ffff'],
  ['65536', 65536, '1a00010000'],
  ['2^32', 4294967296, '1b0000000100000000'],
  ['MAX_SAFE_INTEGER', Number.MAX_SAFE_INTEGER, '1b001fffffffffffff'],
  ['-1', -1, '20'],
  ['-24', -24, '37'],
  ['-25', -25, '3818'],
  ['-MAX_SAFE_INTEGER', -Number.MAX_SAFE_INTEGER, '3b001ffffffffffffe'],
  ['empty text', '', '60'],
  ['"a"', 'a', '6161'],
  ['"ü" (UTF-8)', 'ü', '62c3bc'],
  ['bytes 010203', new Uint8Array([1, 2, 3]), '43010203'],
  ['empty bytes', new Uint8Array(0), '40'],
  ['empty list', [], '80'],
  ['nested list', [1, [2, 3]], '8201820203'],
  ['empty map', {}, 'a0'],
  ['map key order: length first, then bytes', { b: 1, a: 2, aa: 3, '': 4 }, 'a4600461610261620162616103'],
  ['true', true, 'f5'],
  ['false', false, 'f4'],
  ['null', null, 'f6'],
  ['nested map, list, bytes, null', { z: { y: [new Uint8Array([0xff]), 'x'] }, a: null }, 'a26161f6617aa161798241ff6178'],
];

describe('canonical encoding: pinned vectors', () => {
  for (const [name, value, hex] of VECTORS) {
    it(`${name} encodes to ${hex} and decodes back`, () => {
      expect(toHex(encode(value))).toBe(hex);
      expect(decode(fromHex(hex))).toEqual(value);
    });
  }
});

/** The same entries inserted in a shuffled order, recursively. */
function shuffled(value: Canonical, rnd: () => number): Canonical {
  if (Array.isArray(value)) return value.map((v) => shuffled(v, rnd));
  if (value === null || value instanceof Uint8Array || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  const out: Record<string, Canonical> = {};
  for (const [k, v] of entries) out[k] = shuffled(v, rnd);
  return out;
}

function randomValue(rnd: () => number, depth: number): Canonical {
  const kind = Math.floor(rnd() * (depth > 3 ? 6 : 8));
  switch (kind) {
    case 0: return null;
    case 1: return rnd() < 0.5;
    case 2: return Math.floor((rnd() - 0.5) * 2 ** (Math.floor(rnd() * 53)));
    case 3: return Array.from({ length: Math.floor(rnd() * 6) }, () => String.fromCharCode(97 + Math.floor(rnd() * 26))).join('');
    case 4: return new Uint8Array(Array.from({ length: Math.floor(rnd() * 8) }, () => Math.floor(rnd() * 256)));
    case 5: return Math.floor(rnd() * 1000);
    case 6: return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(rnd, depth + 1));
    default: {
      const out: Record<string, Canonical> = {};
      const n = Math.floor(rnd() * 6);
      for (let i = 0; i < n; i++) out[Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => String.fromCharCode(97 + Math.floor(rnd() * 4))).join('')] = randomValue(rnd, depth + 1);
      return out;
    }
  }
}

describe('canonical encoding: order independence and round trips', () => {
  it('the same map built in different key insertion orders encodes to the same bytes', () => {
    const a = { version: '1.0.0', deps: { '@b/y': '^1', '@a/x': '~2.0.0' }, name: 'left-pad', size: 12 };
    const b = { size: 12, name: 'left-pad', deps: { '@a/x': '~2.0.0', '@b/y': '^1' }, version: '1.0.0' };
    expect(toHex(encode(a))).toBe(toHex(encode(b)));
  });

  it('500 random nested values: shuffled key order gives identical bytes; decode(encode(v)) equals v', () => {
    const rnd = prng(20260101).next;
    for (let i = 0; i < 500; i++) {
      const v = randomValue(rnd, 0);
      const bytes = encode(v);
      expect(toHex(encode(shuffled(v, rnd)))).toBe(toHex(bytes));
      expect(decode(bytes)).toEqual(v);
      // Decoding and re-encoding gives the input back exactly: one value, one encoding.
      expect(toHex(encode(decode(bytes)))).toBe(toHex(bytes));
    }
  });

  it('map keys sort as cborg\'s RFC 8949 sorter sorts them: ASCII of every length class, non-ASCII, astral, mixed', () => {
    const rnd = prng(20261206);
    const alphabet = ['a', 'b', 'z', 'A', '0', '_', '@', '/', '~', '\u007f', '\u0000', 'é', 'ü', '\u00ff', '\u0100', '中', '\ue000', '\uffff', '😀', '𝔸'];
    const key = (): string => {
      const lengths = [0, 1, 2, 22, 23, 24, 25, 255, 256, 257];
      const n = rnd.pick(lengths);
      const ascii = rnd.next() < 0.6;
      let k = '';
      for (let i = 0; i < n; i++) k += ascii ? rnd.pick(alphabet.slice(0, 10)) : rnd.pick(alphabet);
      return k;
    };
    for (let i = 0; i < 300; i++) {
      const map: Record<string, Canonical> = {};
      for (let j = rnd.int(12) + 1; j > 0; j--) map[key()] = j;
      expect(toHex(encode(map))).toBe(toHex(cborEncode(map, rfc8949EncodeOptions)));
    }
  });

  it('"__proto__" is an ordinary key: it round-trips as an own property and pollutes nothing', () => {
    const hex = 'a1695f5f70726f746f5f5fa1616101'; // {"__proto__": {"a": 1}}
    const v = decode(fromHex(hex)) as Record<string, Canonical>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).a).toBeUndefined();
    expect(toHex(encode(JSON.parse('{"__proto__":{"a":1}}') as Canonical))).toBe(hex);
  });

  it('decoded maps are plain objects and byte strings are Uint8Array', () => {
    const v = decode(fromHex('a1616143010203')) as Record<string, Canonical>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(v.a).toBeInstanceOf(Uint8Array);
  });
});

describe('canonical encoding: non-canonical and unsupported input is DECODE_ERROR', () => {
  const rejected: Array<[string, string]> = [
    ['unsorted map keys {b, a}', 'a2616201616102'],
    ['map keys sorted by text, not by encoding {aa, b}', 'a2626161016162' + '02'],
    ['non-minimal int 23 in two bytes', '1817'],
    ['non-minimal int 1 in three bytes', '190001'],
    ['non-minimal int 65535 in five bytes', '1a0000ffff'],
    ['non-minimal int in nine bytes', '1b00000000ffffffff'],
    ['non-minimal negative int', '3817'],
    ['non-minimal byte string length', '5800'],
    ['non-minimal text length', '780161'],
    ['indefinite-length list', '9f01ff'],
    ['indefinite-length byte string', '5f4101ff'],
    ['indefinite-length text', '7f6161ff'],
    ['indefinite-length map', 'bf616101ff'],
    ['half float 1.0', 'f93c00'],
    ['single float 1.5', 'fa3fc00000'],
    ['double float 1.0', 'fb3ff0000000000000'],
    ['NaN', 'f97e00'],
    ['duplicate map keys', 'a2616101616102'],
    ['trailing bytes after a value', '0100'],
    ['two values back to back', '8080'],
    ['undefined', 'f7'],
    ['tag 1 (epoch time)', 'c11a00000001'],
    ['tag 2 (bignum)', 'c24101'],
    ['tag 24 (embedded CBOR)', 'd8184101'],
    ['uint64 beyond safe integers', '1bffffffffffffffff'],
    ['2^53 (first unsafe integer)', '1b0020000000000000'],
    ['-2^53 - 1', '3b0020000000000000'],
    ['non-text map key', 'a10102'],
    ['truncated text', '6261'],
    ['truncated header', '19'],
    ['simple value 0', 'e0'],
    ['simple value 16', 'f0'],
    ['invalid UTF-8 in text', '61ff'],
    ['empty input', ''],
  ];
  for (const [name, hex] of rejected) {
    it(`rejects ${name} (${hex || 'no bytes'})`, () => {
      expect(codeOf(() => decode(fromHex(hex)))).toBe('DECODE_ERROR');
    });
  }

  it('rejects nesting deeper than 32 levels but accepts 32', () => {
    const deep = (n: number): Uint8Array => fromHex('81'.repeat(n) + '00');
    expect(decode(deep(32))).toBeDefined();
    expect(codeOf(() => decode(deep(40)))).toBe('DECODE_ERROR');
  });

  it('rejects input larger than MAX_DECODE_BYTES without reading it', () => {
    const big = new Uint8Array(MAX_DECODE_BYTES + 1);
    expect(codeOf(() => decode(big))).toBe('DECODE_ERROR');
  });

  it('rejects a non-Uint8Array input', () => {
    expect(codeOf(() => decode('00' as unknown as Uint8Array))).toBe('DECODE_ERROR');
  });

  it('2000 random byte strings and 2000 mutations of valid encodings throw nothing but DECODE_ERROR', () => {
    const rnd = prng(7).next;
    const codes = new Set<string>();
    const tryDecode = (bytes: Uint8Array): void => {
      try {
        const v = decode(bytes);
        // Whatever decodes is canonical: re-encoding gives the same bytes.
        expect(toHex(encode(v))).toBe(toHex(bytes));
      } catch (err) {
        codes.add(err instanceof GopkgrError ? err.code : `raw ${String(err)}`);
      }
    };
    for (let i = 0; i < 2000; i++) tryDecode(new Uint8Array(randomBytes(1 + Math.floor(rnd() * 40))));
    for (let i = 0; i < 2000; i++) {
      const bytes = encode(randomValue(rnd, 0));
      const mutated = bytes.slice();
      const pos = Math.floor(rnd() * mutated.length);
      mutated[pos] = Math.floor(rnd() * 256);
      tryDecode(rnd() < 0.2 ? mutated.subarray(0, pos) : mutated);
    }
    expect([...codes]).toEqual(['DECODE_ERROR']);
  });
});

describe('canonical encoding: values that cannot be encoded are ENCODE_ERROR', () => {
  const cases: Array<[string, unknown]> = [
    ['a float', 1.5],
    ['a float inside a map', { a: 0.1 }],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['2^53 (not a safe integer)', 2 ** 53],
    ['undefined', undefined],
    ['an undefined map field', { a: 1, b: undefined }],
    ['undefined in a list', [1, undefined]],
    ['a bigint', 5n],
    ['a Map', new Map([['a', 1]])],
    ['a Date', new Date(0)],
    ['a class instance', new (class Thing { x = 1; })()],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['nesting deeper than 32', JSON.parse('['.repeat(40) + ']'.repeat(40)) as unknown],
  ];
  for (const [name, value] of cases) {
    it(`rejects ${name}`, () => {
      expect(codeOf(() => encode(value as Canonical))).toBe('ENCODE_ERROR');
    });
  }
});

describe('hex helpers', () => {
  it('round-trips and pins lowercase output', () => {
    expect(toHex(new Uint8Array([0, 1, 0xab, 0xff]))).toBe('0001abff');
    expect([...fromHex('0001abff')]).toEqual([0, 1, 0xab, 0xff]);
    // A subarray view converts only its own bytes.
    expect(toHex(new Uint8Array([9, 8, 7, 6]).subarray(1, 3))).toBe('0807');
  });

  it('rejects uppercase, odd length, non-hex and wrong length with BAD_HEX', () => {
    expect(codeOf(() => fromHex('AB'))).toBe('BAD_HEX');
    expect(codeOf(() => fromHex('abc'))).toBe('BAD_HEX');
    expect(codeOf(() => fromHex('zz'))).toBe('BAD_HEX');
    expect(codeOf(() => fromHex('abcd', 'hash', 32))).toBe('BAD_HEX');
    expect(fromHex('ab'.repeat(32), 'hash', 32).length).toBe(32);
  });
});

describe('remembered encodings', () => {
  it('encodeOnce gives encode\'s bytes, made once, and encode then returns them', () => {
    const manifest = { exports: { a: 'fn', b: ['x', 1] }, v: 1 } as Canonical;
    const once = encodeOnce(manifest);
    expect(toHex(once)).toBe(toHex(encode(structuredClone(manifest))));
    expect(encodeOnce(manifest)).toBe(once);
    expect(encode(manifest)).toBe(once);
    expect(knownEncoding(structuredClone(manifest))).toBeUndefined();
  });

  it('decodeStored keeps the stored bytes of an immutable value as its encoding, and of no other', () => {
    const bytes = encode({ a: [1, 2], b: 'c' });
    const kept = decodeStored(bytes, { immutable: true });
    expect(kept).toEqual({ a: [1, 2], b: 'c' });
    expect(encode(kept)).toBe(bytes);
    expect(knownEncoding(decodeStored(bytes))).toBeUndefined();
  });

  it('decodeStored still reads a record the canonical decoder refuses, and does not take its bytes for its encoding', () => {
    // {b: 1, a: 2}: keys out of canonical order, as no node writes them but an older encoder might have.
    const unsorted = fromHex('a2616201616102');
    const value = decodeStored(unsorted, { immutable: true });
    expect(value).toEqual({ a: 2, b: 1 });
    expect(knownEncoding(value)).toBeUndefined();
    expect(toHex(encode(value))).toBe('a2616102616201');
  });
});

describe('encodings of parts cut from the whole', () => {
  it('encodingAt gives each nested map entry\'s own encoding, and undefined for a path that is not there', () => {
    const rnd = prng(7).next;
    let checked = 0;
    for (let i = 0; i < 2000; i++) {
      const v = randomValue(rnd, 0);
      const bytes = encode(v);
      // Walk down random existing keys, checking every step.
      let part: Canonical = v;
      const path: string[] = [];
      while (part !== null && typeof part === 'object' && !Array.isArray(part) && !(part instanceof Uint8Array) && Object.keys(part).length > 0) {
        const keys = Object.keys(part);
        const key = keys[Math.floor(rnd() * keys.length)]!;
        path.push(key);
        part = (part as Record<string, Canonical>)[key]!;
        expect(toHex(encodingAt(bytes, path)!)).toBe(toHex(encode(part)));
        checked++;
      }
      expect(encodingAt(bytes, [...path, 'absent-key'])).toBeUndefined();
    }
    expect(checked).toBeGreaterThan(100);
    // Keys of every length class, the entry asked for after longer ones.
    const wide = { ['k'.repeat(300)]: [1, 'two'], ['m'.repeat(30)]: { x: new Uint8Array(300) }, z: -70000 } as Canonical;
    expect(toHex(encodingAt(encode(wide), ['m'.repeat(30), 'x'])!)).toBe(toHex(encode(new Uint8Array(300))));
    expect(toHex(encodingAt(encode(wide), ['k'.repeat(300)])!)).toBe(toHex(encode([1, 'two'])));
    expect(encodingAt(encode([1, 2]), ['a'])).toBeUndefined();
  });
});
