/**
 * The responding side of the request/response protocols: what this node serves
 * to peers. Everything is read from the chain and blob store as they are; no
 * request can make the node do unbounded work (counts and bytes are capped).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { GopkgrError } from '../../ledger/errors.ts';
import { fromHex, toHex, type Canonical } from '../../ledger/encoding.ts';
import type { FullNode } from '../fullNode.ts';
import { BLOB_CHUNK_BYTES, BLOCK_PACK_BYTES, BLOCKS_RESPONSE_BYTES, MEMPOOL_RESPONSE_BYTES, MEMPOOL_RESPONSE_TXS } from './constants.ts';
import { forkHeight } from './locator.ts';
import { encodeBlockPack, encodeHeaders, encodeStatus, readBlobRequest, readBlocksRequest, readEmptyRequest, readHeadersRequest, type StatusMessage } from './messages.ts';

export function statusOf(node: FullNode): StatusMessage {
  const head = node.chain.head;
  return { head: fromHex(head.id), height: head.height, work: head.work };
}

export function statusResponder(node: FullNode): () => Iterable<Uint8Array> {
  return () => [encodeStatus(statusOf(node))];
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
      // Below a snapshot's checkpoint this node has the headers only (node/snapshot/import.ts).
      const header = id === undefined ? undefined : await chain.getHeaderBytes(id);
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
