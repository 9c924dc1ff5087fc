/**
 * State snapshots over request/response (node/snapshot/ writes and checks
 * them): the serving side lists the signed headers it keeps and sends byte
 * ranges of a records file in chunks, read from disk one at a time; the
 * fetching side asks for them with every answer bounded and checked (the list's
 * size, each header's signature and chain, each range's size).
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Libp2p, PeerId } from '@libp2p/interface';
import { GopkgrError } from '../../ledger/errors.ts';
import type { Canonical } from '../../ledger/encoding.ts';
import type { SnapshotFiles } from '../snapshot/files.ts';
import { decodeSnapshotHeader, encodeSnapshotHeader, type SnapshotHeader } from '../snapshot/header.ts';
import { REQUEST_TIMEOUT_MS, SNAPSHOT_CHUNK_BYTES, SNAPSHOT_RANGE_BYTES } from './constants.ts';
import { decodeSnapshotList, encodeSnapshotList, readEmptyRequest, readSnapshotRangeRequest, snapshotRangeRequest } from './messages.ts';
import { request, requestOne } from './reqresp.ts';

/** Serve the list of snapshot headers, newest first. */
export function snapshotsResponder(files: SnapshotFiles): (req: Canonical) => Iterable<Uint8Array> {
  return function* snapshots(req) {
    readEmptyRequest(req, 'snapshots request');
    yield encodeSnapshotList(files.list().map(encodeSnapshotHeader));
  };
}

/** Serve a byte range of a snapshot's records, or NET_NOT_FOUND when that snapshot is not (or no longer) here. */
export function snapshotResponder(files: SnapshotFiles): (req: Canonical) => AsyncIterable<Uint8Array> {
  return async function* snapshot(req) {
    const r = readSnapshotRangeRequest(req);
    const header = files.find(r.height, r.blockId);
    if (header === undefined) throw new GopkgrError('NET_NOT_FOUND', `no snapshot at height ${r.height} with that block here`);
    if (r.offset > header.bytes) throw new GopkgrError('NET_BAD_REQUEST', `offset ${r.offset} is past the snapshot's ${header.bytes} bytes`);
    let file: FileHandle;
    try {
      file = await open(files.recordsPath(r.height), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new GopkgrError('NET_NOT_FOUND', `the snapshot at height ${r.height} was just pruned`);
      throw err;
    }
    // Closed however the response ends: sent, or the requester gone (serve stops iterating).
    try {
      const end = Math.min(header.bytes, r.offset + r.length);
      for (let at = r.offset; at < end;) {
        const chunk = new Uint8Array(Math.min(SNAPSHOT_CHUNK_BYTES, end - at));
        const { bytesRead } = await file.read(chunk, 0, chunk.length, at);
        if (bytesRead === 0) break;
        at += bytesRead;
        yield chunk.subarray(0, bytesRead);
      }
    } finally {
      await file.close();
    }
  };
}

/**
 * A peer's snapshot headers, each decoded and its signature checked. A header
 * that fails is the peer's fault (SNAPSHOT_BAD_HEADER), as is a malformed list.
 */
export async function listSnapshots(host: Libp2p, peer: PeerId, protocol: string, chainId: Uint8Array): Promise<SnapshotHeader[]> {
  const bytes = await requestOne(host, peer, protocol, {}, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return decodeSnapshotList(bytes).map((h) => decodeSnapshotHeader(h, chainId));
}

/**
 * The records of `header` from `peer`, as chunks, range after range; a range
 * that comes back longer than asked or empty before the end is a bad response.
 * Size, order and root are checked by the consumer (node/snapshot/import.ts).
 */
export async function* fetchRecords(host: Libp2p, peer: PeerId, protocol: string, header: SnapshotHeader): AsyncGenerator<Uint8Array> {
  let offset = 0;
  while (offset < header.bytes) {
    const length = Math.min(SNAPSHOT_RANGE_BYTES, header.bytes - offset);
    let got = 0;
    for await (const chunk of request(host, peer, protocol, snapshotRangeRequest({ height: header.height, blockId: header.blockId, offset, length }), { maxFrame: SNAPSHOT_CHUNK_BYTES + 16 })) {
      got += chunk.length;
      if (got > length) throw new GopkgrError('NET_BAD_RESPONSE', `the peer sent more than the ${length} bytes asked for`);
      yield chunk;
    }
    if (got === 0) throw new GopkgrError('NET_BAD_RESPONSE', `the peer sent no records from offset ${offset}`);
    offset += got;
  }
}
