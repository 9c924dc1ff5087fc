/**
 * Blocks: header layout, ids, merkle roots and work.
 *
 * Header = canonical CBOR array [v, height, parent, txRoot, time, target, nonce]
 *   v       1
 *   height  uint
 *   parent  32 bytes (zeros for genesis)
 *   txRoot  32 bytes, RFC 6962 merkle root of the tx ids (see merkleRoot)
 *   time    uint, milliseconds since the Unix epoch
 *   target  32 bytes, big-endian: the block id read as a number must be <= target
 *   nonce   8 bytes; always the last 8 bytes of the encoding, so a miner can
 *           change it in place without re-encoding
 * Block id = sha256(sha256(encode(header))).
 * Block    = canonical CBOR array [header, [tx, ...]], each tx a map (tx.ts).
 */
import { GopkgrError } from './errors.ts';
import { arrayHead, bytesEqual, concatBytes, decodeUnchecked, encode, type Canonical } from './encoding.ts';
import { sha256, sha256d } from './crypto.ts';
import { MAX_BLOCK_BYTES, MAX_BLOCK_TXS } from './constants.ts';
import { encodeTx, readTx, txId, type Tx } from './tx.ts';

export const BLOCK_VERSION = 1;
export const ZERO_HASH = new Uint8Array(32);
export const NONCE_BYTES = 8;

export interface BlockHeader {
  v: number;
  height: number;
  parent: Uint8Array;
  txRoot: Uint8Array;
  time: number;
  target: Uint8Array;
  nonce: Uint8Array;
}

export interface Block {
  header: BlockHeader;
  txs: Tx[];
}

/** A block as it arrived, with the values every later step needs computed once. */
export interface DecodedBlock extends Block {
  id: Uint8Array;
  bytes: Uint8Array;
  txBytes: Uint8Array[];
  txIds: Uint8Array[];
}

function headerArray(h: BlockHeader): Canonical {
  return [h.v, h.height, h.parent, h.txRoot, h.time, h.target, h.nonce];
}

export function encodeHeader(h: BlockHeader): Uint8Array {
  return encode(headerArray(h));
}

export function blockId(headerBytes: Uint8Array): Uint8Array {
  return sha256d(headerBytes);
}

export function encodeBlock(block: Block): Uint8Array {
  return encode([headerArray(block.header), block.txs as unknown as Canonical[]]);
}

function bad(message: string): never {
  throw new GopkgrError('BLOCK_MALFORMED', message);
}

function readHeader(value: Canonical): BlockHeader {
  if (!Array.isArray(value) || value.length !== 7) bad('header must be a list of 7 fields');
  const [v, height, parent, txRoot, time, target, nonce] = value;
  if (v !== BLOCK_VERSION) bad(`header version must be ${BLOCK_VERSION}`);
  if (typeof height !== 'number' || height < 0) bad('header height must be an unsigned integer');
  if (typeof time !== 'number' || time < 0) bad('header time must be an unsigned integer');
  for (const [name, field, len] of [['parent', parent, 32], ['txRoot', txRoot, 32], ['target', target, 32], ['nonce', nonce, NONCE_BYTES]] as const) {
    if (!(field instanceof Uint8Array) || field.length !== len) bad(`header ${name} must be ${len} bytes`);
  }
  return { v, height, parent: parent as Uint8Array, txRoot: txRoot as Uint8Array, time, target: target as Uint8Array, nonce: nonce as Uint8Array };
}

/** Decode and check a block's shape; compute its id and its txs' ids. Stateless. */
export function decodeBlock(bytes: Uint8Array): DecodedBlock {
  if (bytes.length > MAX_BLOCK_BYTES) throw new GopkgrError('BLOCK_TOO_LARGE', `block is ${bytes.length} bytes, more than ${MAX_BLOCK_BYTES}`);
  const value = decodeUnchecked(bytes);
  if (!Array.isArray(value) || value.length !== 2) bad('a block must be [header, txs]');
  const header = readHeader(value[0] as Canonical);
  const rawTxs = value[1];
  if (!Array.isArray(rawTxs)) bad('block txs must be a list');
  if (rawTxs.length > MAX_BLOCK_TXS) throw new GopkgrError('BLOCK_TOO_LARGE', `block has ${rawTxs.length} txs, more than ${MAX_BLOCK_TXS}`);
  const txs: Tx[] = [];
  const txBytes: Uint8Array[] = [];
  const txIds: Uint8Array[] = [];
  rawTxs.forEach((raw, i) => {
    let tx: Tx;
    try {
      tx = readTx(raw as Canonical);
    } catch (err) {
      const e = err as GopkgrError;
      throw new GopkgrError(e.code ?? 'TX_MALFORMED', `tx ${i}: ${e.message}`);
    }
    const encoded = encodeTx(tx);
    txs.push(tx);
    txBytes.push(encoded);
    txIds.push(txId(encoded));
  });
  // Canonical form: the block must be exactly its parts re-encoded.
  const headerBytes = encodeHeader(header);
  if (!bytesEqual(concatBytes(arrayHead(2), headerBytes, arrayHead(txBytes.length), ...txBytes), bytes)) {
    throw new GopkgrError('DECODE_ERROR', 'block is valid CBOR but not in canonical form');
  }
  return { header, txs, id: blockId(headerBytes), bytes, txBytes, txIds };
}

/** Build a DecodedBlock from parts we made ourselves (miner, genesis). */
export function assembleBlock(header: BlockHeader, txs: Tx[]): DecodedBlock {
  const txBytes = txs.map(encodeTx);
  const txIds = txBytes.map(txId);
  const block = { header, txs };
  return { ...block, id: blockId(encodeHeader(header)), bytes: encodeBlock(block), txBytes, txIds };
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

/** Expected number of hashes to find a block at this target: 2^256 / (target + 1). */
export function workOf(target: bigint): bigint {
  return (1n << 256n) / (target + 1n);
}

export function meetsTarget(id: Uint8Array, target: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) {
    if (id[i]! < target[i]!) return true;
    if (id[i]! > target[i]!) return false;
  }
  return true;
}

export function sameId(a: Uint8Array, b: Uint8Array): boolean {
  return bytesEqual(a, b);
}
