/**
 * The responding side of the request/response protocols: what this node serves
 * to peers. Everything is read from the chain and blob store as they are; no
 * request can make the node do unbounded work (counts and bytes are capped).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { GopkgrError } from '../../ledger/errors.ts';
import { fromHex, toHex, type Canonical } from '../../ledger/encoding.ts';
import { decodeBlock, encodeHeader, type SealCodec } from '../../ledger/block.ts';
import type { FullNode } from '../fullNode.ts';
import { BLOB_CHUNK_BYTES, BLOCK_PACK_BYTES, BLOCKS_RESPONSE_BYTES, MEMPOOL_RESPONSE_BYTES, MEMPOOL_RESPONSE_TXS } from './constants.ts';
import { forkHeight } from './locator.ts';
import { headerKey } from '../snapshot/import.ts';
import { encodeBlockPack, encodeHeaders, encodeStatus, readBlobRequest, readBlocksRequest, readEmptyRequest, readHeadersRequest, type StatusMessage } from './messages.ts';

export function statusOf(node: FullNode): StatusMessage {
  const head = node.chain.head;
  return { head: fromHex(head.id), height: head.height, work: head.work };
}

export function statusResponder(node: FullNode): () => Iterable<Uint8Array> {
  return () => [encodeStatus(statusOf(node))];
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
function headerOf(block: Uint8Array, codec: SealCodec): Uint8Array {
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

/** Headers of our main chain after the locator's fork point, at most `max`. */
export function headersResponder(node: FullNode): (req: Canonical) => AsyncIterable<Uint8Array> {
  return async function* headers(req) {
    const { locator, max } = readHeadersRequest(req);
    const chain = node.chain;
    const from = forkHeight(chain, locator) + 1;
    const to = Math.min(chain.height, from + max - 1);
    const out: Uint8Array[] = [];
    for (let h = from; h <= to; h++) {
      const id = chain.mainIdAt(h);
      const bytes = id === undefined ? undefined : await chain.getBlockBytes(id);
      // Below a snapshot's checkpoint this node has the headers only (node/snapshot/import.ts).
      const header = bytes !== undefined ? headerOf(bytes, chain.consensus.seal) : id === undefined ? undefined : await chain.store.getRaw(headerKey(id));
      // A reorg while we read moves the main chain: answer with what is consistent so far.
      if (header === undefined || chain.mainIdAt(h) !== id) break;
      out.push(header);
    }
    yield encodeHeaders(out);
  };
}

/** Blocks by id, in order, packed (messages.ts), until one is unknown or the byte budget is spent. */
export function blocksResponder(node: FullNode): (req: Canonical) => AsyncIterable<Uint8Array> {
  return async function* blocks(req) {
    const ids = readBlocksRequest(req);
    let sent = 0;
    let pack: Uint8Array[] = [];
    let packBytes = 0;
    for (const id of ids) {
      const bytes = await node.chain.getBlockBytes(toHex(id));
      if (bytes === undefined) break;
      if (pack.length > 0 && packBytes + bytes.length > BLOCK_PACK_BYTES) {
        yield encodeBlockPack(pack);
        pack = [];
        packBytes = 0;
      }
      pack.push(bytes);
      packBytes += bytes.length;
      sent += bytes.length;
      if (sent >= BLOCKS_RESPONSE_BYTES) break;
    }
    if (pack.length > 0) yield encodeBlockPack(pack);
  };
}

/** A tarball in chunks read from disk one at a time (peers fetching many at once hold none whole here), or NET_NOT_FOUND. */
export function blobResponder(node: FullNode): (req: Canonical) => AsyncIterable<Uint8Array> {
  return async function* blob(req) {
    const hash = toHex(readBlobRequest(req));
    let file: FileHandle;
    try {
      file = await open(node.blobs.pathOf(hash), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new GopkgrError('NET_NOT_FOUND', `no blob ${hash.slice(0, 16)}… here`);
      throw err;
    }
    // Closed however the response ends: sent, or the requester gone (serve stops iterating).
    try {
      let sent = 0;
      for (;;) {
        const chunk = new Uint8Array(BLOB_CHUNK_BYTES);
        const { bytesRead } = await file.read(chunk, 0, BLOB_CHUNK_BYTES, null);
        if (bytesRead === 0) break;
        sent += bytesRead;
        yield chunk.subarray(0, bytesRead);
      }
      // An empty tarball is one empty chunk: the requester tells it from a peer that sent nothing.
      if (sent === 0) yield new Uint8Array(0);
    } finally {
      await file.close();
    }
  };
}

/** The front of the pool, one tx per item, in an order that applies cleanly. */
export function mempoolResponder(node: FullNode): (req: Canonical) => Iterable<Uint8Array> {
  return function* mempool(req) {
    readEmptyRequest(req, 'mempool request');
    let bytes = 0;
    for (const pending of node.mempool.ordered().slice(0, MEMPOOL_RESPONSE_TXS)) {
      bytes += pending.bytes.length;
      if (bytes > MEMPOOL_RESPONSE_BYTES) return;
      yield pending.bytes;
    }
  };
}
