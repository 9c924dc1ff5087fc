/**
 * The bytes of every request and response item (canonical CBOR, ledger/encoding.ts),
 * with decoders that check each field where it enters: a peer's bytes become
 * typed values here or a NET_BAD_MESSAGE error, nothing in between.
 *
 *   status request    {}
 *   status item       {head: bytes32, height: uint, work: hex string (cumulative work)}
 *   headers request   {locator: [bytes32, ...] (1..MAX_LOCATOR), max: uint (1..MAX_HEADERS)}
 *   headers item      [headerBytes, ...]   (one item; each entry is an encoded header, ledger/block.ts,
 *                     its seal read by the chain's consensus codec)
 *   blocks request    {ids: [bytes32, ...] (1..BLOCKS_PER_REQUEST)}
 *   blocks items      block packs, in request order, stopping at the first block the peer lacks;
 *                     a pack is one or more [4-byte big-endian length][encoded block]
 *   blob request      {hash: bytes32}
 *   blob items        consecutive chunks (≤ BLOB_CHUNK_BYTES) of the tarball
 *   mempool request   {}
 *   mempool items     one encoded tx each, in the pool's order
 *   snapshots request {}
 *   snapshots item    [headerBytes, ...]   (one item, ≤ MAX_SNAPSHOTS_LISTED signed snapshot
 *                     headers, node/snapshot/header.ts, newest first)
 *   snapshot request  {height: uint, blockId: bytes32, offset: uint, length: uint (1..SNAPSHOT_RANGE_BYTES)}
 *   snapshot items    consecutive chunks (≤ SNAPSHOT_CHUNK_BYTES) of that snapshot's records
 *                     file from `offset`, `length` bytes or up to its end
 */
import { GopkgrError } from '../../ledger/errors.ts';
import { decode, encode, type Canonical } from '../../ledger/encoding.ts';
import { BLOCK_VERSION, HEADER_NEUTRAL_FIELDS, blockId, type BlockHeader, type Seal, type SealCodec } from '../../ledger/block.ts';
import { BLOCKS_PER_REQUEST, MAX_HEADERS, MAX_LOCATOR, MAX_SNAPSHOTS_LISTED, SNAPSHOT_RANGE_BYTES } from './constants.ts';

function bad(message: string): never {
  throw new GopkgrError('NET_BAD_MESSAGE', message);
}

function record(value: Canonical, what: string): { [key: string]: Canonical } {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) bad(`${what} must be a map`);
  return value;
}

function bytes32(value: Canonical | undefined, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== 32) bad(`${what} must be 32 bytes`);
  return value;
}

function uint(value: Canonical | undefined, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) bad(`${what} must be an integer from 0 to ${max}`);
  return value;
}

function list(value: Canonical | undefined, what: string, min: number, max: number): Canonical[] {
  if (!Array.isArray(value) || value.length < min || value.length > max) bad(`${what} must be a list of ${min} to ${max} items`);
  return value;
}

// ---------------------------------------------------------------- status

export interface StatusMessage {
  head: Uint8Array;
  height: number;
  /** cumulative work of the head, hex (as BlockIndexEntry.work) */
  work: string;
}

export function encodeStatus(s: StatusMessage): Uint8Array {
  return encode({ head: s.head, height: s.height, work: s.work });
}

export function decodeStatus(bytes: Uint8Array): StatusMessage {
  const m = record(decode(bytes), 'status');
  const work = m.work;
  if (typeof work !== 'string' || !/^[0-9a-f]{1,64}$/.test(work)) bad('status.work must be 1 to 64 hex digits');
  return { head: bytes32(m.head, 'status.head'), height: uint(m.height, 'status.height'), work };
}

// ---------------------------------------------------------------- headers

export interface HeadersRequest {
  locator: Uint8Array[];
  max: number;
}

export function headersRequest(r: HeadersRequest): Canonical {
  return { locator: r.locator, max: r.max };
}

export function readHeadersRequest(value: Canonical): HeadersRequest {
  const m = record(value, 'headers request');
  const locator = list(m.locator, 'locator', 1, MAX_LOCATOR).map((id, i) => bytes32(id, `locator[${i}]`));
  const max = uint(m.max, 'max', MAX_HEADERS);
  if (max === 0) bad('max must be at least 1');
  return { locator, max };
}

/** A header as it arrived, with its id. */
export interface WireHeader<S extends Seal = Seal> {
  header: BlockHeader<S>;
  id: Uint8Array;
}

export function encodeHeaders(headerBytes: Uint8Array[]): Uint8Array {
  return encode(headerBytes);
}

/** The seal's fields through the consensus codec; its complaint becomes this layer's NET_BAD_MESSAGE. */
function readSeal<S extends Seal>(fields: Canonical[], codec: SealCodec<S>): S {
  try {
    return codec.read(fields);
  } catch (err) {
    if (err instanceof GopkgrError) bad(err.message);
    throw err;
  }
}

/**
 * Decode one header: the array of ledger/block.ts, its neutral fields checked
 * here field by field, its seal by the consensus's codec. The encoding is
 * canonical (decode re-encodes), so hashing the bytes as they came gives the
 * block id.
 */
export function decodeHeader<S extends Seal>(bytes: Uint8Array, codec: SealCodec<S>): WireHeader<S> {
  const value = decode(bytes);
  const fields = HEADER_NEUTRAL_FIELDS + codec.arity;
  if (!Array.isArray(value) || value.length !== fields) bad(`a header must be a list of ${fields} fields`);
  const [v, height, parent, txRoot, time] = value;
  if (v !== BLOCK_VERSION) bad(`header version must be ${BLOCK_VERSION}`);
  const header: BlockHeader<S> = {
    v,
    height: uint(height, 'header height'),
    parent: bytes32(parent, 'header parent'),
    txRoot: bytes32(txRoot, 'header txRoot'),
    time: uint(time, 'header time'),
    seal: readSeal(value.slice(HEADER_NEUTRAL_FIELDS), codec),
  };
  return { header, id: blockId(bytes) };
}

export function decodeHeaders<S extends Seal>(bytes: Uint8Array, max: number, codec: SealCodec<S>): WireHeader<S>[] {
  const items = list(decode(bytes), 'headers', 0, max);
  return items.map((item, i) => {
    if (!(item instanceof Uint8Array)) bad(`headers[${i}] must be bytes`);
    return decodeHeader(item, codec);
  });
}

// ---------------------------------------------------------------- blocks

export function blocksRequest(ids: Uint8Array[]): Canonical {
  return { ids };
}

export function readBlocksRequest(value: Canonical): Uint8Array[] {
  const m = record(value, 'blocks request');
  return list(m.ids, 'ids', 1, BLOCKS_PER_REQUEST).map((id, i) => bytes32(id, `ids[${i}]`));
}

// ---------------------------------------------------------------- blobs

export function blobRequest(hash: Uint8Array): Canonical {
  return { hash };
}

export function readBlobRequest(value: Canonical): Uint8Array {
  return bytes32(record(value, 'blob request').hash, 'hash');
}

/** Blocks packed into one frame: each as [u32 big-endian length][bytes]. */
export function encodeBlockPack(blocks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(blocks.reduce((n, b) => n + 4 + b.length, 0));
  const view = new DataView(out.buffer);
  let o = 0;
  for (const b of blocks) {
    view.setUint32(o, b.length);
    out.set(b, o + 4);
    o += 4 + b.length;
  }
  return out;
}

export function decodeBlockPack(pack: Uint8Array, maxBlock: number): Uint8Array[] {
  const view = new DataView(pack.buffer, pack.byteOffset, pack.byteLength);
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < pack.length) {
    if (o + 4 > pack.length) bad('block pack ends inside a length');
    const len = view.getUint32(o);
    if (len === 0 || len > maxBlock || o + 4 + len > pack.length) bad(`block pack entry of ${len} bytes does not fit`);
    out.push(pack.subarray(o + 4, o + 4 + len));
    o += 4 + len;
  }
  if (out.length === 0) bad('empty block pack');
  return out;
}

// ---------------------------------------------------------------- mempool

export function readEmptyRequest(value: Canonical, what: string): void {
  if (Object.keys(record(value, what)).length !== 0) bad(`${what} takes no fields`);
}

// ---------------------------------------------------------------- snapshots

export function encodeSnapshotList(headers: Uint8Array[]): Uint8Array {
  return encode(headers.slice(0, MAX_SNAPSHOTS_LISTED));
}

/** The encoded headers of a snapshots answer (each is decoded and checked by node/snapshot/header.ts). */
export function decodeSnapshotList(bytes: Uint8Array): Uint8Array[] {
  return list(decode(bytes), 'snapshots', 0, MAX_SNAPSHOTS_LISTED).map((item, i) => {
    if (!(item instanceof Uint8Array)) bad(`snapshots[${i}] must be bytes`);
    return item;
  });
}

export interface SnapshotRangeRequest {
  height: number;
  blockId: Uint8Array;
  offset: number;
  length: number;
}

export function snapshotRangeRequest(r: SnapshotRangeRequest): Canonical {
  return { height: r.height, blockId: r.blockId, offset: r.offset, length: r.length };
}

export function readSnapshotRangeRequest(value: Canonical): SnapshotRangeRequest {
  const m = record(value, 'snapshot request');
  const length = uint(m.length, 'length', SNAPSHOT_RANGE_BYTES);
  if (length === 0) bad('length must be at least 1');
  return { height: uint(m.height, 'height'), blockId: bytes32(m.blockId, 'blockId'), offset: uint(m.offset, 'offset'), length };
}
