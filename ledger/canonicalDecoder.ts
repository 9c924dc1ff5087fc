/**
 * A decoder of canonical CBOR (ledger/encoding.ts) that reads each item
 * straight into its value and refuses, as it goes, anything the canonical
 * encoder would not have written: it accepts exactly the encodings of
 * encodable values, so there is nothing to check afterwards. cborg's general
 * decoder makes a token object per item first, which made reading a block, or a
 * node's own records, several times slower than the bytes warrant.
 *
 * Refused (DECODE_ERROR): heads longer than needed, indefinite lengths,
 * reserved values, integers beyond the safe range, tags, floats, simple values
 * other than false, true and null, text that is not UTF-8, map keys that are not
 * text or not in strictly increasing bytewise order (RFC 8949 §4.2.1; so no key
 * twice), text that starts with a byte-order mark (which UTF-8 decoders drop, so
 * it never decoded to its own bytes), nesting deeper than 32 levels, and bytes after the value.
 * Maps become plain objects, "__proto__" an own property like any other key;
 * byte strings become copies (a Uint8Array each), not views of the input.
 */
import { GopkgrError } from './errors.ts';

/** What canonical CBOR decodes to (encoding.ts's Canonical, spelled here: encoding.ts imports this file). */
type Canonical = null | boolean | number | string | Uint8Array | Canonical[] | { [key: string]: Canonical };

/** The deepest an item may sit (the root is at 0), as encoding.ts checks values. */
const MAX_DEPTH = 32;
/** Text up to this many bytes is read character by character when ASCII; longer text by the UTF-8 decoder. */
const SHORT_TEXT = 32;
/** 2^32: ai 27 heads split their argument in two 32-bit halves. */
const TWO_32 = 0x1_0000_0000;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

class Reader {
  at = 0;
  constructor(readonly bytes: Uint8Array) {}

  fail(why: string): never {
    throw new GopkgrError('DECODE_ERROR', `malformed canonical CBOR: ${why} at byte ${this.at}`);
  }

  need(n: number): void {
    if (n > this.bytes.length - this.at) this.fail('input ends inside an item');
  }

  /** The argument of a head whose first byte had additional information `ai`, in its shortest form only. */
  arg(ai: number): number {
    if (ai < 24) return ai;
    const b = this.bytes;
    let value: number;
    let least: number;
    switch (ai) {
      case 24:
        this.need(1);
        value = b[this.at]!;
        least = 24;
        break;
      case 25:
        this.need(2);
        value = (b[this.at]! << 8) | b[this.at + 1]!;
        least = 0x100;
        break;
      case 26:
        this.need(4);
        value = b[this.at]! * 0x100_0000 + ((b[this.at + 1]! << 16) | (b[this.at + 2]! << 8) | b[this.at + 3]!);
        least = 0x1_0000;
        break;
      case 27: {
        this.need(8);
        const high = b[this.at]! * 0x100_0000 + ((b[this.at + 1]! << 16) | (b[this.at + 2]! << 8) | b[this.at + 3]!);
        // Beyond 2^53 - 1 no number holds it exactly (and no safe integer is that large).
        if (high > 0x1f_ffff) this.fail('integer or length beyond 2^53 - 1');
        value = high * TWO_32 + (b[this.at + 4]! * 0x100_0000 + ((b[this.at + 5]! << 16) | (b[this.at + 6]! << 8) | b[this.at + 7]!));
        least = TWO_32;
        break;
      }
      default:
        return this.fail(ai === 31 ? 'indefinite length' : 'reserved additional information');
    }
    if (value < least) this.fail('a head longer than its value needs');
    this.at += 1 << (ai - 24);
    return value;
  }

  text(length: number): string {
    this.need(length);
    const b = this.bytes;
    const start = this.at;
    const end = start + length;
    // UTF-8 decoders drop a leading byte-order mark, so text starting with one never decoded to its own bytes.
    if (length >= 3 && b[start] === 0xef && b[start + 1] === 0xbb && b[start + 2] === 0xbf) this.fail('text that starts with a byte-order mark');
    this.at = end;
    if (length <= SHORT_TEXT) {
      let out = '';
      let i = start;
      for (; i < end && b[i]! < 0x80; i++) out += String.fromCharCode(b[i]!);
      if (i === end) return out;
    }
    try {
      return utf8.decode(b.subarray(start, end));
    } catch {
      this.at = start;
      return this.fail('text that is not UTF-8');
    }
  }

  item(depth: number): Canonical {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    this.need(1);
    const first = this.bytes[this.at++]!;
    const ai = first & 0x1f;
    switch (first >> 5) {
      case 0: {
        const n = this.arg(ai);
        if (n > Number.MAX_SAFE_INTEGER) this.fail('integer beyond 2^53 - 1');
        return n;
      }
      case 1: {
        const n = this.arg(ai);
        if (n >= Number.MAX_SAFE_INTEGER) this.fail('integer below -(2^53 - 1)');
        return -1 - n;
      }
      case 2: {
        const n = this.arg(ai);
        this.need(n);
        // A plain Uint8Array of its own, whatever the input is (a Buffer's slice would be a view of it).
        const out = new Uint8Array(n);
        out.set(this.bytes.subarray(this.at, this.at + n));
        this.at += n;
        return out;
      }
      case 3:
        return this.text(this.arg(ai));
      case 4: {
        const n = this.arg(ai);
        // Each item takes a byte at least: a length beyond what is left is refused before anything is allocated.
        this.need(n);
        const out = new Array<Canonical>(n);
        for (let i = 0; i < n; i++) out[i] = this.item(depth + 1);
        return out;
      }
      case 5:
        return this.map(this.arg(ai), depth);
      case 7:
        if (ai === 20) return false;
        if (ai === 21) return true;
        if (ai === 22) return null;
        this.at--;
        return this.fail(ai >= 25 && ai <= 27 ? 'a float (only integers are encoded)' : 'a simple value other than false, true or null');
      default:
        this.at--;
        return this.fail('a tag');
    }
  }

  map(n: number, depth: number): { [key: string]: Canonical } {
    this.need(2 * n);
    const b = this.bytes;
    const out: { [key: string]: Canonical } = {};
    let lastStart = -1;
    let lastEnd = -1;
    for (let i = 0; i < n; i++) {
      const keyStart = this.at;
      this.need(1);
      const first = b[this.at++]!;
      if (first >> 5 !== 3) {
        this.at--;
        this.fail('a map key that is not text');
      }
      const length = this.arg(first & 0x1f);
      this.need(length);
      const keyEnd = this.at + length;
      if (lastStart >= 0 && !keyAfter(b, lastStart, lastEnd, keyStart, keyEnd)) {
        this.at = keyStart;
        this.fail('map keys out of canonical order (or repeated)');
      }
      const key = this.text(length);
      lastStart = keyStart;
      lastEnd = keyEnd;
      const value = this.item(depth + 1);
      // An assignment to "__proto__" would set the prototype: that key is an own property like the others.
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
    }
    return out;
  }
}

/** Whether encoded key [b0, b1) sorts strictly after [a0, a1), bytewise (a shorter prefix first). */
function keyAfter(bytes: Uint8Array, a0: number, a1: number, b0: number, b1: number): boolean {
  const n = Math.min(a1 - a0, b1 - b0);
  for (let i = 0; i < n; i++) {
    const d = bytes[b0 + i]! - bytes[a0 + i]!;
    if (d !== 0) return d > 0;
  }
  return b1 - b0 > a1 - a0;
}

/** The value whose canonical encoding `bytes` are, whole; DECODE_ERROR for anything else. */
export function decodeCanonical(bytes: Uint8Array): Canonical {
  const reader = new Reader(bytes);
  const value = reader.item(0);
  if (reader.at !== bytes.length) reader.fail('bytes after the value');
  return value;
}

/**
 * A value of the shape [first, [item, ...]] (a block: its header and its txs)
 * decoded canonically, with the bytes of `first` and of each list item cut from
 * the input (each its own canonical encoding); undefined when the bytes are not
 * the canonical encoding of a value of that shape (the caller decodes them
 * again to say why).
 */
export function decodeCanonicalPair(bytes: Uint8Array): { value: [Canonical, Canonical[]]; first: Uint8Array; items: Uint8Array[] } | undefined {
  if (bytes[0] !== 0x82) return undefined;
  const reader = new Reader(bytes);
  try {
    reader.at = 1;
    const first = reader.item(1);
    const firstEnd = reader.at;
    reader.need(1);
    const head = bytes[reader.at]!;
    if (head >> 5 !== 4) return undefined;
    reader.at++;
    const n = reader.arg(head & 0x1f);
    reader.need(n);
    const items = new Array<Canonical>(n);
    const spans = new Array<Uint8Array>(n);
    for (let i = 0; i < n; i++) {
      const start = reader.at;
      items[i] = reader.item(2);
      spans[i] = bytes.subarray(start, reader.at);
    }
    if (reader.at !== bytes.length) return undefined;
    return { value: [first, items], first: bytes.subarray(1, firstEnd), items: spans };
  } catch {
    return undefined;
  }
}
