/**
 * The canonical decoder (ledger/canonicalDecoder.ts) on its own: what it
 * accepts decodes to what the general decoder gives, and each kind of input the
 * canonical encoder never writes is refused with DECODE_ERROR. (test/node/fuzz.test.ts
 * compares its verdicts with encoding the value again, on mutated inputs.)
 */
import { describe, expect, it } from 'vitest';
import { decodeCanonical, decodeCanonicalPair } from '../../ledger/canonicalDecoder.ts';
import { decodeUnchecked, encode, fromHex, toHex, type Canonical } from '../../ledger/encoding.ts';
import { codeOf } from '../support/codeOf.ts';

const accepted: Array<[string, Canonical]> = [
  ['small and boundary integers', [0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER, -1, -24, -25, -(2 ** 32), Number.MIN_SAFE_INTEGER]],
  ['text: empty, ASCII, long, non-ASCII, astral', ['', 'a', 'x'.repeat(300), 'é', '😀', `${'a'.repeat(40)}✓`]],
  ['byte strings', [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(300).fill(9)]],
  ['maps with keys of every length class and non-ASCII keys', { a: 1, bb: 2, ['k'.repeat(30)]: 3, é: 4, z: { nested: [true, false, null] } }],
  ['"__proto__" and other Object.prototype names as keys', JSON.parse('{"__proto__": {"v": 1}, "constructor": "x", "toString": 2}') as Canonical],
];

const refused: Array<[string, string]> = [
  ['an integer head longer than needed', '1817'],
  ['a length head longer than needed', '780161'],
  ['a 64-bit head for a 32-bit value', '1b00000000ffffffff'],
  ['2^53', '1b0020000000000000'],
  ['-2^53 - 1', '3b0020000000000000'],
  ['an indefinite-length list', '9f01ff'],
  ['a reserved additional information', '1c'],
  ['a half float', 'f93c00'],
  ['a double float', 'fb3ff0000000000000'],
  ['undefined', 'f7'],
  ['a one-byte simple value', 'f820'],
  ['a tag', 'c11a00000001'],
  ['map keys out of order', 'a2616201616102'],
  ['a repeated map key', 'a2616101616102'],
  ['a map key that is not text', 'a10102'],
  ['text that is not UTF-8', '61ff'],
  ['an overlong UTF-8 encoding', '62c080'],
  ['a UTF-16 surrogate in UTF-8', '63eda080'],
  ['text that starts with a byte-order mark', '63efbbbf'],
  ['a list longer than the input', '9a0000ffff01'],
  ['input that ends inside an item', '6261'],
  ['bytes after the value', '0100'],
  ['no bytes', ''],
];

describe('decodeCanonical', () => {
  for (const [name, value] of accepted) {
    it(`decodes ${name} as the general decoder does`, () => {
      const bytes = encode(value);
      expect(decodeCanonical(bytes)).toEqual(decodeUnchecked(bytes));
    });
  }

  it('keeps "__proto__" an own property and the prototype untouched', () => {
    const v = decodeCanonical(encode(JSON.parse('{"__proto__": {"polluted": 1}}') as Canonical)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.hasOwn(v, '__proto__')).toBe(true);
    expect((v as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('gives byte strings as plain Uint8Arrays of their own, even from a Buffer', () => {
    const input = Buffer.from(encode([new Uint8Array([7, 8, 9])]));
    const [bytes] = decodeCanonical(input) as [Uint8Array];
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
    input.fill(0);
    expect([...bytes]).toEqual([7, 8, 9]);
  });

  it('accepts 32 levels of nesting and refuses 33', () => {
    expect(decodeCanonical(fromHex('81'.repeat(32) + '00'))).toBeDefined();
    expect(codeOf(() => decodeCanonical(fromHex('81'.repeat(33) + '00')))).toBe('DECODE_ERROR');
  });

  for (const [name, hex] of refused) {
    it(`refuses ${name} (${hex || 'no bytes'}) with DECODE_ERROR`, () => {
      expect(codeOf(() => decodeCanonical(fromHex(hex)))).toBe('DECODE_ERROR');
    });
  }
});

describe('decodeCanonicalPair', () => {
  it('cuts out the first part and each list item as their own encodings', () => {
    const first: Canonical = [1, 2, new Uint8Array(32)];
    const items: Canonical[] = [{ v: 1, type: 'claim' }, { a: 'x'.repeat(100) }, []];
    const pair = decodeCanonicalPair(encode([first, items]))!;
    expect(pair.value).toEqual([first, items]);
    expect(toHex(pair.first)).toBe(toHex(encode(first)));
    expect(pair.items.map(toHex)).toEqual(items.map((i) => toHex(encode(i))));
  });

  it('answers undefined for another shape or a form that is not canonical', () => {
    expect(decodeCanonicalPair(encode([1, 2]))).toBeUndefined();
    expect(decodeCanonicalPair(encode([1, [2], 3]))).toBeUndefined();
    expect(decodeCanonicalPair(fromHex('82' + '01' + '81' + '1817'))).toBeUndefined();
    expect(decodeCanonicalPair(fromHex('82' + '01' + '81' + '01' + '00'))).toBeUndefined();
    expect(decodeCanonicalPair(new Uint8Array(0))).toBeUndefined();
  });
});
