/**
 * Whether bytes are exactly the canonical encoding (ledger/encoding.ts) of the
 * value they decoded to, found by walking the bytes and the value together
 * instead of encoding the value again and comparing: one pass, nothing
 * allocated, about as fast as reading the bytes (encoding a block again was
 * most of what decoding it cost).
 *
 * At each item the walk checks what the canonical encoder would have written
 * for the value there:
 * - every head in its shortest form, with a definite length;
 * - an integer head for a number, and the value is that integer;
 * - a byte string for a Uint8Array of that length (decoders copy its contents
 *   from those very bytes);
 * - a text string whose UTF-8 bytes are the string's own (so no invalid UTF-8,
 *   no byte-order mark a decoder dropped, no replacement characters);
 * - an array of exactly the value's items; a map of exactly the object's own
 *   keys, each a text string, in strictly increasing bytewise order of their
 *   encodings (RFC 8949 §4.2.1; strict, so no key twice);
 * - false, true and null as the simple values 20-22; nothing else (no floats,
 *   undefined, other simple values or tags).
 * So it accepts exactly the inputs whose re-encoding equals them.
 */

/** Largest nesting the walk follows (decoding allows 32 levels; deeper input never gets here). */
const MAX_DEPTH = 64;

const utf8 = new TextEncoder();

/** The shortest head's argument at `o`, or -1 when the head is cut off, indefinite, reserved or longer than needed. */
function argAt(bytes: Uint8Array, o: number, ai: number): number {
  if (ai < 24) return ai;
  if (ai > 27) return -1;
  const extra = 1 << (ai - 24);
  if (o + extra >= bytes.length) return -1;
  let arg = 0;
  for (let i = 1; i <= extra; i++) arg = arg * 256 + bytes[o + i]!;
  // Shortest form: each longer head only for arguments the shorter one cannot hold.
  const least = ai === 24 ? 24 : ai === 25 ? 0x100 : ai === 26 ? 0x10000 : 0x100000000;
  return arg >= least ? arg : -1;
}

/** Bytes the head at `o` takes (its first byte's additional information `ai`). */
const headBytes = (ai: number): number => (ai < 24 ? 1 : 1 + (1 << (ai - 24)));

/** Whether bytes [at, end) are the UTF-8 encoding of `text`. */
function sameText(bytes: Uint8Array, at: number, end: number, text: string): boolean {
  if (text.length === end - at) {
    // One byte a character: the string is ASCII exactly when its bytes are its characters.
    let i = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f || bytes[at + i] !== c) break;
    }
    if (i === text.length) return true;
  }
  const own = utf8.encode(text);
  if (own.length !== end - at) return false;
  for (let i = 0; i < own.length; i++) if (own[i] !== bytes[at + i]) return false;
  return true;
}

/** Bytewise order of two encoded keys (RFC 8949 §4.2.1): negative when [a0, a1) sorts first. */
function compareKeys(bytes: Uint8Array, a0: number, a1: number, b0: number, b1: number): number {
  const n = Math.min(a1 - a0, b1 - b0);
  for (let i = 0; i < n; i++) {
    const d = bytes[a0 + i]! - bytes[b0 + i]!;
    if (d !== 0) return d;
  }
  return a1 - a0 - (b1 - b0);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && Object.getPrototypeOf(value) === Object.prototype;
}

function ownKeyCount(value: Record<string, unknown>): number {
  let n = 0;
  for (const key in value) if (Object.hasOwn(value, key)) n++;
  return n;
}

/**
 * Where the item at `o` ends when bytes from `o` are the canonical encoding of
 * `value`; -1 when they are not (or end too soon).
 */
export function canonicalEnd(bytes: Uint8Array, o: number, value: unknown, depth = 0): number {
  if (o >= bytes.length || depth > MAX_DEPTH) return -1;
  const first = bytes[o]!;
  const major = first >> 5;
  const ai = first & 0x1f;
  if (major === 7) {
    if (ai === 20) return value === false ? o + 1 : -1;
    if (ai === 21) return value === true ? o + 1 : -1;
    if (ai === 22) return value === null ? o + 1 : -1;
    return -1;
  }
  const arg = argAt(bytes, o, ai);
  if (arg < 0) return -1;
  const at = o + headBytes(ai);
  switch (major) {
    case 0:
      return arg <= Number.MAX_SAFE_INTEGER && value === arg ? at : -1;
    case 1:
      return arg < Number.MAX_SAFE_INTEGER && value === -1 - arg ? at : -1;
    case 2:
      return value instanceof Uint8Array && value.length === arg && at + arg <= bytes.length ? at + arg : -1;
    case 3:
      return typeof value === 'string' && at + arg <= bytes.length && sameText(bytes, at, at + arg, value) ? at + arg : -1;
    case 4: {
      if (!Array.isArray(value) || value.length !== arg) return -1;
      let next = at;
      for (let i = 0; i < arg && next >= 0; i++) next = canonicalEnd(bytes, next, value[i], depth + 1);
      return next;
    }
    case 5: {
      if (!isPlainObject(value) || ownKeyCount(value) !== arg) return -1;
      let next = at;
      let lastKey = -1;
      let lastKeyEnd = -1;
      for (let i = 0; i < arg; i++) {
        if (next >= bytes.length || bytes[next]! >> 5 !== 3) return -1;
        const keyAi = bytes[next]! & 0x1f;
        const keyLength = argAt(bytes, next, keyAi);
        if (keyLength < 0) return -1;
        const keyAt = next + headBytes(keyAi);
        const keyEnd = keyAt + keyLength;
        if (keyEnd > bytes.length) return -1;
        if (lastKey >= 0 && compareKeys(bytes, lastKey, lastKeyEnd, next, keyEnd) >= 0) return -1;
        // The key's text, decoded: read back from the bytes, it must be a key the object owns.
        const key = utf8Key(bytes, keyAt, keyEnd);
        if (key === undefined || !Object.hasOwn(value, key)) return -1;
        lastKey = next;
        lastKeyEnd = keyEnd;
        next = canonicalEnd(bytes, keyEnd, value[key], depth + 1);
        if (next < 0) return -1;
      }
      return next;
    }
    default:
      // Tags (major 6) are never written.
      return -1;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Keys up to this many bytes are read directly when ASCII; longer ones by the UTF-8 decoder. */
const SHORT_KEY = 64;

/** The text of key bytes [at, end) when they are valid UTF-8. */
function utf8Key(bytes: Uint8Array, at: number, end: number): string | undefined {
  if (end - at <= SHORT_KEY) {
    let key = '';
    let i = at;
    for (; i < end && bytes[i]! <= 0x7f; i++) key += String.fromCharCode(bytes[i]!);
    if (i === end) return key;
  }
  try {
    return strictUtf8.decode(bytes.subarray(at, end));
  } catch {
    return undefined;
  }
}

/** Whether `bytes` are, whole, the canonical encoding of `value`. */
export function isCanonicalEncoding(bytes: Uint8Array, value: unknown): boolean {
  return canonicalEnd(bytes, 0, value) === bytes.length;
}

/** The head of an array at `o` in shortest form: its length and where its items start; undefined otherwise. */
export function arrayAt(bytes: Uint8Array, o: number): { length: number; at: number } | undefined {
  if (o >= bytes.length || bytes[o]! >> 5 !== 4) return undefined;
  const ai = bytes[o]! & 0x1f;
  const length = argAt(bytes, o, ai);
  return length < 0 ? undefined : { length, at: o + headBytes(ai) };
}
