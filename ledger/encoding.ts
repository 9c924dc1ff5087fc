/**
 * Canonical encoding: deterministic CBOR (RFC 8949 §4.2.1, "core deterministic
 * encoding requirements") through cborg.
 *
 * The exact bytes:
 * - integers in their shortest form; only safe integers (|n| < 2^53), no floats,
 *   no bigints, no undefined, no tags, no indefinite lengths;
 * - map keys are text strings, sorted bytewise by their encoded form;
 * - byte strings are Uint8Array, text strings are UTF-8.
 *
 * Decoding is strict and then checks canonical form: a byte string is accepted only if it
 * is exactly the canonical encoding of what it decodes to (ledger/canonicalForm.ts). So every value has one
 * encoding, and two different byte strings never decode to the same value.
 */
import { decode as cborDecode, encode as cborEncode, rfc8949EncodeOptions, Token, Type } from 'cborg';
import { GopkgrError } from './errors.ts';
import { isCanonicalEncoding } from './canonicalForm.ts';
import { decodeCanonical } from './canonicalDecoder.ts';

export type Canonical =
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | Canonical[]
  | { [key: string]: Canonical };

type MapEntry = Parameters<NonNullable<typeof rfc8949EncodeOptions.mapSorter>>[0];

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * RFC 8949 §4.2.1 key order (bytewise over each key's encoding) without
 * encoding the keys: for two ASCII text keys the encoding is a head that grows
 * with the length, then the characters, so the order is shorter first, then
 * character by character. Anything else goes to cborg's own sorter, which
 * encodes both keys and compares the bytes (cborg's encodes every key of every
 * map, most of what a manifest's encoding costs).
 */
function canonicalKeyOrder(e1: MapEntry, e2: MapEntry): number {
  const k1 = e1[0];
  const k2 = e2[0];
  if (k1 instanceof Token && k2 instanceof Token && k1.type === Type.string && k2.type === Type.string) {
    const a = k1.value as string;
    const b = k2.value as string;
    if (isAscii(a) && isAscii(b)) {
      if (a.length !== b.length) return a.length - b.length;
      return a < b ? -1 : a > b ? 1 : 0;
    }
  }
  return rfc8949EncodeOptions.mapSorter!(e1, e2);
}

/** cborg's RFC 8949 deterministic encoding, with the key order computed as above (same bytes). */
const ENCODE_OPTIONS = { ...rfc8949EncodeOptions, mapSorter: canonicalKeyOrder };

const DECODE_OPTIONS = {
  strict: true,
  rejectDuplicateMapKeys: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowInfinity: false,
  allowNaN: false,
  allowBigInt: false,
  useMaps: false,
} as const;

/** Largest input the decoder looks at; bigger messages are rejected unread. */
export const MAX_DECODE_BYTES = 4 * 1024 * 1024;
const MAX_DEPTH = 32;

/**
 * Whether `value` can be encoded (checkValue would not throw), without the
 * paths checkValue builds for its messages: a block's txs are checked on
 * every decode and encode, and a string per node was most of the cost.
 */
function encodable(value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isSafeInteger(value);
  if (value instanceof Uint8Array) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!encodable(value[i], depth + 1)) return false;
    return true;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined || !encodable(item, depth + 1)) return false;
    }
    return true;
  }
  return false;
}

/** Throws ENCODE_ERROR naming where `value` cannot be encoded (the quick check first, the one with paths when it fails). */
function checkEncodable(value: unknown): void {
  if (encodable(value, 0)) return;
  checkValue(value, 0, '$');
  throw new GopkgrError('ENCODE_ERROR', 'value cannot be encoded');
}

function checkValue(value: unknown, depth: number, path: string): void {
  if (depth > MAX_DEPTH) throw new GopkgrError('ENCODE_ERROR', `value nested deeper than ${MAX_DEPTH} at ${path}`);
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new GopkgrError('ENCODE_ERROR', `${path} is ${value}: only safe integers can be encoded`);
    return;
  }
  if (value instanceof Uint8Array) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkValue(item, depth + 1, `${path}[${i}]`));
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (item === undefined) throw new GopkgrError('ENCODE_ERROR', `${path}.${key} is undefined: omit the field instead`);
      checkValue(item, depth + 1, `${path}.${key}`);
    }
    return;
  }
  throw new GopkgrError('ENCODE_ERROR', `${path} has a type that cannot be encoded (${typeof value})`);
}

/** Encodings of values declared immutable (encodeOnce): a manifest is hashed, priced and stored from one encoding. */
const encodedOnce = new WeakMap<object, Uint8Array>();

export function encode(value: Canonical): Uint8Array {
  const known = typeof value === 'object' && value !== null ? encodedOnce.get(value) : undefined;
  if (known !== undefined) return known;
  checkEncodable(value);
  return cborEncode(value, ENCODE_OPTIONS);
}

/**
 * The encoding of a value its holders never change (an API manifest taken
 * from a tx), computed at most once: later encode() calls of the same object
 * return these bytes. Never for a value that is still being built.
 */
export function encodeOnce(value: Canonical): Uint8Array {
  if (typeof value !== 'object' || value === null) return encode(value);
  let bytes = encodedOnce.get(value);
  if (bytes === undefined) encodedOnce.set(value, (bytes = encode(value)));
  return bytes;
}

function decodeMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/^CBOR decode error: /, '');
}

export function decode(bytes: Uint8Array): Canonical {
  if (bytes instanceof Uint8Array && bytes.length > 0 && bytes.length <= MAX_DECODE_BYTES) {
    try {
      return decodeCanonical(bytes);
    } catch {
      // Refused: the general decoder below says why, in the words it always has.
    }
  }
  const value = decodeUnchecked(bytes);
  // Walked beside the value rather than encoded again and compared (ledger/canonicalForm.ts): same verdicts, no encoding.
  if (!isCanonicalEncoding(bytes, value)) throw new GopkgrError('DECODE_ERROR', 'input is valid CBOR but not in canonical form');
  return value;
}

/**
 * Decoding of bytes this node wrote itself (its database): they were encoded
 * canonically from checked values, so they go straight to the canonical
 * decoder, and what it accepts is not checked again. Never for bytes from outside.
 */
export function decodeStored(bytes: Uint8Array, opts: { immutable?: boolean } = {}): Canonical {
  let value: Canonical;
  try {
    value = decodeCanonical(bytes);
  } catch {
    // A record the canonical decoder refuses (written by an older node, say) is read as it always was: a
    // node never loses what it stored to a stricter reader. Its bytes are then not known to be its encoding.
    return cborDecode(bytes, DECODE_OPTIONS) as Canonical;
  }
  // The bytes are this value's canonical encoding: an immutable value (a manifest) keeps them for encode().
  if (opts.immutable === true) rememberEncoding(value, bytes);
  return value;
}

/** The encoding recorded for `value` (encodeOnce, rememberEncoding), if any. */
export function knownEncoding(value: Canonical): Uint8Array | undefined {
  return typeof value === 'object' && value !== null ? encodedOnce.get(value) : undefined;
}

/** Record `bytes`, which must be the canonical encoding of `value`, as its encoding: `value` is never changed again. */
export function rememberEncoding(value: Canonical, bytes: Uint8Array): void {
  if (typeof value === 'object' && value !== null) encodedOnce.set(value, bytes);
}

/** The head of the CBOR item at `o`: major type, argument, and where its content starts; undefined when it is cut off or indefinite. */
function headAt(bytes: Uint8Array, o: number): { major: number; arg: number; at: number } | undefined {
  if (o >= bytes.length) return undefined;
  const ai = bytes[o]! & 0x1f;
  if (ai > 27) return undefined;
  const extra = ai < 24 ? 0 : 1 << (ai - 24);
  if (o + extra >= bytes.length) return undefined;
  let arg = ai < 24 ? ai : 0;
  for (let i = 1; i <= extra; i++) arg = arg * 256 + bytes[o + i]!;
  return { major: bytes[o]! >> 5, arg, at: o + 1 + extra };
}

/**
 * Where the CBOR item starting at `o` ends (definite lengths, as in every canonical encoding); -1 when it cannot tell.
 * A loop over a count of items still to skip, allocating nothing: it runs over whole manifests.
 */
function itemEnd(bytes: Uint8Array, o: number): number {
  let at = o;
  for (let pending = 1; pending > 0; pending--) {
    if (at >= bytes.length) return -1;
    const first = bytes[at]!;
    const ai = first & 0x1f;
    if (ai > 27) return -1;
    const extra = ai < 24 ? 0 : 1 << (ai - 24);
    if (at + extra >= bytes.length) return -1;
    let arg = ai < 24 ? ai : 0;
    for (let i = 1; i <= extra; i++) arg = arg * 256 + bytes[at + i]!;
    at += 1 + extra;
    switch (first >> 5) {
      case 2: case 3: at += arg; break;
      case 4: pending += arg; break;
      case 5: pending += 2 * arg; break;
      case 6: pending += 1; break;
      default: break;
    }
  }
  return at;
}

const utf8 = new TextEncoder();

/**
 * The encoding of the value under the text keys `path` (a map's entry, an
 * entry of that entry's map, ...) cut out of `bytes`, which must be the
 * canonical encoding of the whole: canonical encoding is compositional, so the
 * slice is the part's own canonical encoding. Undefined when there is no such
 * entry.
 */
export function encodingAt(bytes: Uint8Array, path: readonly string[]): Uint8Array | undefined {
  let o = 0;
  for (const key of path) {
    const map = headAt(bytes, o);
    if (map === undefined || map.major !== 5) return undefined;
    const want = utf8.encode(key);
    let at = map.at;
    let found = -1;
    for (let i = 0; i < map.arg && found < 0; i++) {
      const k = headAt(bytes, at);
      if (k === undefined || k.major !== 3) return undefined;
      const valueAt = k.at + k.arg;
      if (k.arg === want.length && bytesEqual(bytes.subarray(k.at, valueAt), want)) found = valueAt;
      else at = itemEnd(bytes, valueAt);
      if (at < 0) return undefined;
    }
    if (found < 0) return undefined;
    o = found;
  }
  const end = itemEnd(bytes, o);
  return end < 0 || end > bytes.length ? undefined : bytes.subarray(o, end);
}

/**
 * Strict decoding without the final canonical-form check. Only for callers that
 * check canonical form themselves (decodeBlock does, part by part, to cut each
 * tx's bytes out on the way); everyone else uses decode().
 */
export function decodeUnchecked(bytes: Uint8Array): Canonical {
  if (!(bytes instanceof Uint8Array)) throw new GopkgrError('DECODE_ERROR', 'input is not a byte array');
  if (bytes.length === 0) throw new GopkgrError('DECODE_ERROR', 'input is empty');
  if (bytes.length > MAX_DECODE_BYTES) throw new GopkgrError('DECODE_ERROR', `input is ${bytes.length} bytes, more than ${MAX_DECODE_BYTES}`);
  try {
    const value = cborDecode(bytes, DECODE_OPTIONS);
    checkEncodable(value);
    return value as Canonical;
  } catch (err) {
    throw new GopkgrError('DECODE_ERROR', `malformed canonical CBOR: ${decodeMessage(err)}`, { cause: err });
  }
}

/** The canonical CBOR head of an array of n items (RFC 8949 §3.1, major type 4). */
export function arrayHead(n: number): Uint8Array {
  if (n < 24) return Uint8Array.of(0x80 + n);
  if (n < 0x100) return Uint8Array.of(0x98, n);
  if (n < 0x10000) return Uint8Array.of(0x99, n >> 8, n & 0xff);
  return Uint8Array.of(0x9a, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(hex: string, what = 'hex string', expectedBytes?: number): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) {
    throw new GopkgrError('BAD_HEX', `${what} is not lowercase hex`);
  }
  if (expectedBytes !== undefined && hex.length !== expectedBytes * 2) {
    throw new GopkgrError('BAD_HEX', `${what} must be ${expectedBytes} bytes (${expectedBytes * 2} hex digits), got ${hex.length / 2}`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
