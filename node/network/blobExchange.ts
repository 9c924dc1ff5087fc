/**
 * Fetching tarballs from peers by sha256. The bytes are stored only through the
 * blob store, which checks them against the hash; a peer that sends other bytes
 * is penalised and the next peer is asked. A peer that answers too late is not:
 * it may be busy applying a block (issue 14), and the next peer is asked
 * anyway. Concurrent fetches of one hash share one attempt.
 */
import type { PeerId } from '@libp2p/interface';
import { GopkgrError } from '../../ledger/errors.ts';
import { fromHex } from '../../ledger/encoding.ts';
import type { FullNode, Logger } from '../fullNode.ts';
import { MAX_BLOB_BYTES } from '../constants.ts';
import { BLOB_CHUNK_BYTES, BLOB_FETCH_TIMEOUT_MS } from './constants.ts';
import { blobRequest } from './messages.ts';
import { request } from './reqresp.ts';
import { awakeDeadline } from './awakeDeadline.ts';
import type { PenaltyKind } from './penalties.ts';
import type { Host } from './host.ts';

/** Peers asked for one blob before giving up. */
const MAX_BLOB_PEERS = 4;

export interface BlobFetcherOptions {
  host: Host;
  node: FullNode;
  protocol: string;
  log: Logger;
  penalise(peerId: string, kind: PenaltyKind): void;
}

export class BlobFetcher {
  private readonly inFlight = new Map<string, Promise<boolean>>();

  constructor(private readonly opts: BlobFetcherOptions) {}

  /** Fetch `hash` from `prefer` first, then other peers; true once the blob is in the store. */
  fetch(hash: string, prefer?: string): Promise<boolean> {
    const running = this.inFlight.get(hash);
    if (running !== undefined) return running;
    const attempt = this.run(hash, prefer).finally(() => this.inFlight.delete(hash));
    this.inFlight.set(hash, attempt);
    return attempt;
  }

  private async run(hash: string, prefer?: string): Promise<boolean> {
    if (await this.opts.node.blobs.has(hash)) return true;
    const peers = this.opts.host.getPeers();
    const ordered = [...peers.filter((p) => p.toString() === prefer), ...peers.filter((p) => p.toString() !== prefer)].slice(0, MAX_BLOB_PEERS);
    for (const peer of ordered) {
      try {
        const bytes = await this.fetchFrom(peer, hash);
        await this.opts.node.blobs.put(hash, bytes);
        this.opts.log.info(`blob ${hash.slice(0, 16)}… fetched from ${peer.toString().slice(-8)} (${bytes.length} bytes)`);
        return true;
      } catch (err) {
        const e = err instanceof GopkgrError ? err : new GopkgrError('NET_STREAM_ERROR', String(err));
        if (e.code === 'BLOB_HASH_MISMATCH' || e.code === 'BLOB_TOO_LARGE') this.opts.penalise(peer.toString(), 'badBlob');
        else if (e.code === 'NET_BAD_RESPONSE' || e.code === 'NET_FRAME_TOO_LARGE') this.opts.penalise(peer.toString(), 'malformed');
      }
    }
    return false;
  }

  private async fetchFrom(peer: PeerId, hash: string): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const deadline = awakeDeadline(BLOB_FETCH_TIMEOUT_MS);
    try {
      for await (const chunk of request(this.opts.host, peer, this.opts.protocol, blobRequest(fromHex(hash)), {
        maxFrame: BLOB_CHUNK_BYTES + 1,
        signal: deadline.signal,
      })) {
        size += chunk.length;
        if (size > MAX_BLOB_BYTES) throw new GopkgrError('BLOB_TOO_LARGE', `peer sent more than ${MAX_BLOB_BYTES} bytes for blob ${hash.slice(0, 16)}…`);
        chunks.push(chunk.slice());
      }
    } finally {
      deadline.clear();
    }
    return Buffer.concat(chunks);
  }
}
