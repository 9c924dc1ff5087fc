/**
 * The snapshot record stream: the node's `s:` records (node/store.ts) in key
 * order, each framed as
 *
 *   u32 big-endian length of the key ‖ key (UTF-8, the whole LevelDB key, "s:" included)
 *   ‖ u32 big-endian length of the value ‖ value (the stored canonical CBOR, as is)
 *
 * with nothing before, between or after the records. The same bytes are the
 * snapshot's records file, what peers send in chunks, and (after a domain
 * prefix) what the state root hashes (stateRoot.ts), so a record file is
 * checked by hashing it as it streams past, never by holding it whole.
 *
 * RecordParser reads a stream cut anywhere (chunks from the network) and
 * refuses, with SNAPSHOT_BAD_RECORDS, a length over its cap, a key outside
 * SNAPSHOT_PREFIXES, and keys out of strict order (a duplicate or a reordered record would
 * otherwise hash differently only by luck of the attacker's choice).
 */
import { GopkgrError } from '../../ledger/errors.ts';

/**
 * The key prefixes a snapshot carries, in byte order: the registry state
 * (node/store.ts `s:`). Records a joined node needs beside the state (the
 * content-addressed `api:<hash>` manifests, when they move out of version
 * state) are added here, and the root then covers them too.
 */
export const SNAPSHOT_PREFIXES: readonly string[] = ['s:'];
/** State keys are short (a prefix and an id or a name); 1 KiB is far above any. */
export const MAX_RECORD_KEY_BYTES = 1024;
/** A state value is bounded by what txs can add to it; 16 MiB is far above any today (a version with a large manifest is ~130 KB). */
export const MAX_RECORD_VALUE_BYTES = 16 * 1024 * 1024;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The framed bytes of one record. */
export function encodeRecord(key: string | Uint8Array, value: Uint8Array): Uint8Array {
  const k = typeof key === 'string' ? utf8.encode(key) : key;
  const out = new Uint8Array(8 + k.length + value.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, k.length);
  out.set(k, 4);
  view.setUint32(4 + k.length, value.length);
  out.set(value, 8 + k.length);
  return out;
}

export interface SnapshotRecord {
  key: string;
  value: Uint8Array;
}

function bad(message: string): never {
  throw new GopkgrError('SNAPSHOT_BAD_RECORDS', message);
}

/** Byte order of two keys (LevelDB's order: the UTF-8 bytes compared unsigned). */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Incremental parser: push chunks as they arrive, take the complete records, then `end()`. */
export class RecordParser {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private lastKey: Uint8Array | undefined;
  records = 0;
  bytes = 0;

  /** The records completed by this chunk (a record may span any number of chunks). */
  push(chunk: Uint8Array): SnapshotRecord[] {
    this.bytes += chunk.length;
    if (chunk.length > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
    }
    const out: SnapshotRecord[] = [];
    const buf = this.pending.length === 1 ? this.pending[0]! : concat(this.pending, this.pendingBytes);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let o = 0;
    for (;;) {
      if (buf.length - o < 4) break;
      const keyLen = view.getUint32(o);
      if (keyLen === 0 || keyLen > MAX_RECORD_KEY_BYTES) bad(`record ${this.records}: key of ${keyLen} bytes (1 to ${MAX_RECORD_KEY_BYTES})`);
      if (buf.length - o < 8 + keyLen) break;
      const valueLen = view.getUint32(o + 4 + keyLen);
      if (valueLen > MAX_RECORD_VALUE_BYTES) bad(`record ${this.records}: value of ${valueLen} bytes (at most ${MAX_RECORD_VALUE_BYTES})`);
      if (buf.length - o < 8 + keyLen + valueLen) break;
      const keyBytes = buf.subarray(o + 4, o + 4 + keyLen);
      if (this.lastKey !== undefined && compareBytes(this.lastKey, keyBytes) >= 0) bad(`record ${this.records}: keys out of order or repeated`);
      let key: string;
      try {
        key = fromUtf8.decode(keyBytes);
      } catch {
        bad(`record ${this.records}: key is not UTF-8`);
      }
      if (!SNAPSHOT_PREFIXES.some((p) => key.startsWith(p))) bad(`record ${this.records}: key "${key.slice(0, 40)}" is not a state key`);
      // Copies: the chunk buffers are the network's and are reused or dropped.
      this.lastKey = keyBytes.slice();
      out.push({ key, value: buf.slice(o + 8 + keyLen, o + 8 + keyLen + valueLen) });
      this.records++;
      o += 8 + keyLen + valueLen;
    }
    const rest = buf.subarray(o);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    return out;
  }

  /** The stream ended: it must end on a record boundary. */
  end(): void {
    if (this.pendingBytes > 0) bad(`the record stream ends inside a record (${this.pendingBytes} bytes left over)`);
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
