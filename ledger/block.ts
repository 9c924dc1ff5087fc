/**
 * Blocks: header layout, ids and merkle roots, whatever the chain's consensus.
 *
 * Header = canonical CBOR array [v, height, parent, txRoot, time, ...seal]
 *   v       1
 *   height  uint
 *   parent  32 bytes (zeros for genesis)
 *   txRoot  32 bytes, RFC 6962 merkle root of the tx ids (see merkleRoot)
 *   time    uint, milliseconds since the Unix epoch
 *   seal    the consensus's own trailing fields, written and read by its
 *           SealCodec (consensus/): proof of work's are [target, nonce], the
 *           nonce last so a miner can change it in place without re-encoding
 * Block id = sha256(sha256(encode(header))).
 * Block    = canonical CBOR array [header, [tx, ...]], each tx a map (tx.ts).
 *
 * The ledger never looks inside a seal: which fields it has, and what makes it
 * valid, is the business of the consensus named in the chain's params.
 */
import { GopkgrError } from './errors.ts';
import { bytesEqual, concatBytes, decodeUnchecked, encode, rememberEncoding, type Canonical } from './encoding.ts';
import { arrayAt, canonicalEnd } from './canonicalForm.ts';
import { decodeCanonicalPair } from './canonicalDecoder.ts';
import { sha256, sha256d } from './crypto.ts';
import { MAX_BLOCK_BYTES, MAX_BLOCK_TXS } from './constants.ts';
import { encodeTx, readTx, rememberPartEncodings, txId, type Tx } from './tx.ts';

export const BLOCK_VERSION = 1;
export const ZERO_HASH = new Uint8Array(32);
/** Header fields before the seal: v, height, parent, txRoot, time. */
export const HEADER_NEUTRAL_FIELDS = 5;

/** A header's consensus part; `kind` names the consensus (it is not encoded: the chain's params name it). */
export interface Seal {
  readonly kind: string;
}

/** How one consensus writes its seal into a header and reads it back. */
export interface SealCodec<S extends Seal = Seal> {
  readonly kind: S['kind'];
  /** how many trailing header fields the seal takes */
  readonly arity: number;
  /** the seal's fields, in header order */
  fields(seal: S): Canonical[];
  /** the seal from exactly `arity` fields; throws BLOCK_MALFORMED naming the bad field */
  read(fields: readonly Canonical[]): S;
}

export interface BlockHeader<S extends Seal = Seal> {
  v: number;
  height: number;
  parent: Uint8Array;
  txRoot: Uint8Array;
  time: number;
  seal: S;
}

export interface Block<S extends Seal = Seal> {
  header: BlockHeader<S>;
  txs: Tx[];
}

/** A block as it arrived, with the values every later step needs computed once. */
export interface DecodedBlock<S extends Seal = Seal> extends Block<S> {
  id: Uint8Array;
  bytes: Uint8Array;
  txBytes: Uint8Array[];
  txIds: Uint8Array[];
}

function headerArray<S extends Seal>(h: BlockHeader<S>, codec: SealCodec<S>): Canonical {
  return [h.v, h.height, h.parent, h.txRoot, h.time, ...codec.fields(h.seal)];
}

export function encodeHeader<S extends Seal>(h: BlockHeader<S>, codec: SealCodec<S>): Uint8Array {
  return encode(headerArray(h, codec));
}

export function blockId(headerBytes: Uint8Array): Uint8Array {
  return sha256d(headerBytes);
}

export function encodeBlock<S extends Seal>(block: Block<S>, codec: SealCodec<S>): Uint8Array {
  return encode([headerArray(block.header, codec), block.txs as unknown as Canonical[]]);
}

function bad(message: string): never {
  throw new GopkgrError('BLOCK_MALFORMED', message);
}

/** A header from its decoded CBOR value, every field checked; throws BLOCK_MALFORMED. */
export function readHeader<S extends Seal>(value: Canonical, codec: SealCodec<S>): BlockHeader<S> {
  const fields = HEADER_NEUTRAL_FIELDS + codec.arity;
  if (!Array.isArray(value) || value.length !== fields) bad(`header must be a list of ${fields} fields`);
  const [v, height, parent, txRoot, time] = value;
  if (v !== BLOCK_VERSION) bad(`header version must be ${BLOCK_VERSION}`);
  if (typeof height !== 'number' || height < 0) bad('header height must be an unsigned integer');
  if (typeof time !== 'number' || time < 0) bad('header time must be an unsigned integer');
  for (const [name, field] of [['parent', parent], ['txRoot', txRoot]] as const) {
    if (!(field instanceof Uint8Array) || field.length !== 32) bad(`header ${name} must be 32 bytes`);
  }
  const seal = codec.read(value.slice(HEADER_NEUTRAL_FIELDS));
  return { v, height, parent: parent as Uint8Array, txRoot: txRoot as Uint8Array, time, seal };
}

/**
 * Where a block's header and each of its txs lie in its bytes, when the bytes are
 * the canonical encoding of the decoded `[header, txs]` (ledger/canonicalForm.ts);
 * undefined when they are not.
 */
function canonicalParts(bytes: Uint8Array, header: Canonical, txs: readonly Canonical[]): { header: Uint8Array; txs: Uint8Array[] } | undefined {
  const outer = arrayAt(bytes, 0);
  if (outer === undefined || outer.length !== 2) return undefined;
  const headerEnd = canonicalEnd(bytes, outer.at, header);
  const list = headerEnd < 0 ? undefined : arrayAt(bytes, headerEnd);
  if (list === undefined || list.length !== txs.length) return undefined;
  const parts: Uint8Array[] = [];
  let at = list.at;
  for (const tx of txs) {
    const end = canonicalEnd(bytes, at, tx);
    if (end < 0) return undefined;
    parts.push(bytes.subarray(at, end));
    at = end;
  }
  return at === bytes.length ? { header: bytes.subarray(outer.at, headerEnd), txs: parts } : undefined;
}

/** Decode and check a block's shape; compute its id and its txs' ids. Stateless. */
export function decodeBlock<S extends Seal>(bytes: Uint8Array, codec: SealCodec<S>): DecodedBlock<S> {
  if (bytes.length > MAX_BLOCK_BYTES) throw new GopkgrError('BLOCK_TOO_LARGE', `block is ${bytes.length} bytes, more than ${MAX_BLOCK_BYTES}`);
  // The canonical decoder, which also cuts out the header's and each tx's bytes; when it refuses the block, the
  // general decoder, so that a block not in canonical form fails its shape checks first, with their codes, and its form last.
  const fast = decodeCanonicalPair(bytes);
  const value = fast?.value ?? decodeUnchecked(bytes);
  if (!Array.isArray(value) || value.length !== 2) bad('a block must be [header, txs]');
  const header = readHeader(value[0] as Canonical, codec);
  const rawTxs = value[1];
  if (!Array.isArray(rawTxs)) bad('block txs must be a list');
  if (rawTxs.length > MAX_BLOCK_TXS) throw new GopkgrError('BLOCK_TOO_LARGE', `block has ${rawTxs.length} txs, more than ${MAX_BLOCK_TXS}`);
  const txs: Tx[] = rawTxs.map((raw, i) => {
    try {
      return readTx(raw as Canonical);
    } catch (err) {
      const e = err as GopkgrError;
      throw new GopkgrError(e.code ?? 'TX_MALFORMED', `tx ${i}: ${e.message}`);
    }
  });
  // Canonical form (after the parts' own checks, whose codes come first): the bytes are exactly the block's
  // encoding, and its header read back encodes to the same header bytes. Each tx's bytes are then cut from the
  // block, not encoded again: readTx keeps every field of a tx it accepts (it rejects unknown ones), so the
  // canonical bytes of the decoded tx are the tx's encoding.
  const parts = fast !== undefined ? { header: fast.first, txs: fast.items } : canonicalParts(bytes, value[0] as Canonical, rawTxs);
  const headerBytes = encodeHeader(header, codec);
  if (parts === undefined || !bytesEqual(parts.header, headerBytes)) {
    throw new GopkgrError('DECODE_ERROR', 'block is valid CBOR but not in canonical form');
  }
  const txBytes = parts.txs;
  txs.forEach((tx, i) => {
    rememberEncoding(tx as unknown as Canonical, txBytes[i]!);
    rememberPartEncodings(tx, txBytes[i]!);
  });
  return { header, txs, id: blockId(headerBytes), bytes, txBytes, txIds: txBytes.map(txId) };
}

/** Build a DecodedBlock from parts we made ourselves (miner, genesis). */
export function assembleBlock<S extends Seal>(header: BlockHeader<S>, txs: Tx[], codec: SealCodec<S>): DecodedBlock<S> {
  const txBytes = txs.map(encodeTx);
  const txIds = txBytes.map(txId);
  const block = { header, txs };
  return { ...block, id: blockId(encodeHeader(header, codec)), bytes: encodeBlock(block, codec), txBytes, txIds };
}

const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);


/**
 * Merkle tree hash of RFC 6962 §2.1 (as Certificate Transparency and Go's sumdb):
 * leaf = sha256(0x00 || id), node = sha256(0x01 || left || right), the split at the
 * largest power of two below n; the empty tree hashes to sha256(""). The 0x00/0x01
 * prefixes keep a leaf from being passed off as an inner node.
 */
export function merkleRoot(ids: Uint8Array[]): Uint8Array {
  if (ids.length === 0) return sha256(new Uint8Array(0));
  const level = ids.map((id) => sha256(concatBytes(LEAF, id)));
  return subtreeRoot(level, 0, level.length);
}

function subtreeRoot(leaves: Uint8Array[], start: number, end: number): Uint8Array {
  const n = end - start;
  if (n === 1) return leaves[start]!;
  let k = 1;
  while (k * 2 < n) k *= 2;
  return sha256(concatBytes(NODE, subtreeRoot(leaves, start, start + k), subtreeRoot(leaves, start + k, end)));
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

export function bigIntToBytes32(n: bigint): Uint8Array {
  if (n < 0n || n >= 1n << 256n) throw new GopkgrError('BLOCK_MALFORMED', 'value does not fit in 32 bytes');
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

export function sameId(a: Uint8Array, b: Uint8Array): boolean {
  return bytesEqual(a, b);
}

/**
 * Bytes of the CBOR item at `o` when it is an unsigned integer (major type 0) or
 * a byte string (major type 2) of definite length under 2^32 (RFC 8949 §3.1);
 * -1 for anything else.
 */
function itemLength(bytes: Uint8Array, o: number): number {
  const major = bytes[o]! >> 5;
  const ai = bytes[o]! & 0x1f;
  if (ai > 27 || (major !== 0 && major !== 2)) return -1;
  const head = ai < 24 ? 1 : ai === 24 ? 2 : ai === 25 ? 3 : ai === 26 ? 5 : 9;
  if (major === 0) return head;
  if (ai === 27) return -1;
  let length = ai < 24 ? ai : 0;
  for (let i = 1; i < head; i++) length = length * 256 + (bytes[o + i] ?? 0);
  return head + length;
}

/**
 * The encoded header inside a stored (so valid, canonical) block, sliced out
 * without decoding the txs: [0x82][header = 0x80+n, then n uints and byte strings][txs]
 * (every header field, the seal's included, is one or the other). Falls back to
 * a full decode for anything unexpected.
 */
export function headerBytesOf(block: Uint8Array, codec: SealCodec): Uint8Array {
  const fields = block[1]! & 0x1f;
  if (block[0] === 0x82 && block[1]! >> 5 === 4 && fields < 24) {
    let o = 2;
    for (let i = 0; i < fields && o < block.length; i++) {
      const length = itemLength(block, o);
      if (length < 0) {
        o = Infinity;
        break;
      }
      o += length;
    }
    if (o <= block.length) return block.subarray(1, o);
  }
  return encodeHeader(decodeBlock(block, codec).header, codec);
}
