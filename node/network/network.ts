/**
 * The node's peer-to-peer network: one libp2p host, gossip of blocks, txs and
 * attestations, headers-first sync, blob exchange and peer management, over one
 * FullNode. `Network.create` builds it, `start`/`stop` run it; `status()` and
 * `apiRoutes()` are what the HTTP API shows of it.
 */
import type { IncomingMessage } from 'node:http';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { PeerId, PrivateKey } from '@libp2p/interface';
import { GopkgrError } from '../../ledger/errors.ts';
import { checkBlobHash } from '../blobs.ts';
import type { ApiExtras } from '../api/index.ts';
import type { Json } from '../views.ts';
import { silentLogger, type FullNode, type Logger } from '../fullNode.ts';
import { DEFAULT_MAX_CONNECTIONS, DIAL_TIMEOUT_MS, protocols as protocolIds, topics as topicNames } from './constants.ts';
import { loadOrCreatePeerKey } from './peerKey.ts';
import { PeerBook } from './peerBook.ts';
import { createHost, type Host } from './host.ts';
import { serve, type Responder } from './reqresp.ts';
import { blobResponder, blocksResponder, headersResponder, mempoolResponder, statusResponder } from './handlers.ts';
import { pullMempool } from './mempoolExchange.ts';
import { Gossip } from './gossip.ts';
import { Sync, type SyncProgress } from './sync.ts';
import { BlobFetcher } from './blobExchange.ts';
import { BlobBackfill } from './blobBackfill.ts';
import { PeerPenalties, type PenaltyKind } from './penalties.ts';
import { PeerManager } from './peerManager.ts';
import { PeerLiveness } from './peerLiveness.ts';
import { stateDigest } from './stateDigest.ts';
import { guardAgainstSocketErrors } from './socketErrorGuard.ts';
import { snapshotResponder, snapshotsResponder } from './snapshotExchange.ts';
import type { SnapshotFiles } from '../snapshot/files.ts';
import { checkpointText } from '../snapshot/header.ts';
import { toHex } from '../../ledger/encoding.ts';

export interface NetworkOptions {
  node: FullNode;
  /** where the peer key and peers.json live (the node's data dir) */
  dataDir: string;
  /** multiaddrs to listen on (default: /ip4/127.0.0.1/tcp/0) */
  listen?: string[];
  /** bootstrap peers: multiaddrs, usually ending in /p2p/<peer id> */
  peers?: string[];
  maxConnections?: number;
  log?: Logger;
  /** use this key instead of the one in the data dir (in-process benches) */
  privateKey?: PrivateKey;
  /** keep peers.json (default true) */
  persistPeers?: boolean;
  /** the state snapshots this node keeps, served to joining peers (none when absent) */
  snapshots?: SnapshotFiles;
  /** a private chain's swarm key (node/swarmKey.ts): only peers holding it complete a handshake */
  swarmKey?: Uint8Array;
}

export interface PeerView {
  peerId: string;
  address: string | null;
  height: number | null;
  score: number;
}

export interface NetworkStatus {
  peerId: string;
  addresses: string[];
  peers: number;
  peerList: PeerView[];
  banned: number;
  sync: SyncProgress;
  /** tarballs referenced on chain that this node is still fetching from peers */
  blobsMissing: number;
}

export function parseMultiaddr(text: string, what: string): Multiaddr {
  try {
    return multiaddr(text);
  } catch (err) {
    throw new GopkgrError('NET_BAD_MULTIADDR', `${what} "${text}" is not a multiaddr: ${(err as Error).message}`, {
      hint: 'write it like /ip4/127.0.0.1/tcp/4001 (and /p2p/<peer id> for a peer)',
    });
  }
}

export class Network {
  readonly protocols: ReturnType<typeof protocolIds>;
  readonly topics: ReturnType<typeof topicNames>;
  readonly penalties = new PeerPenalties();
  /** which peers are busy importing what they fetch from us, and which missed their status requests */
  readonly liveness = new PeerLiveness();
  readonly gossip: Gossip;
  readonly sync: Sync;
  readonly blobs: BlobFetcher;
  readonly backfill: BlobBackfill;
  readonly peers: PeerManager;
  private started = false;
  /** peers whose pending txs we asked for on this connection */
  private readonly mempoolPulled = new Set<string>();

  private constructor(readonly node: FullNode, readonly host: Host, book: PeerBook | undefined, bootstrap: Multiaddr[], readonly log: Logger, managerRef: { current?: PeerManager }, readonly snapshots?: SnapshotFiles) {
    this.protocols = protocolIds(node.chainId);
    this.topics = topicNames(node.chainId);
    const penalise = (peerId: string, kind: PenaltyKind): void => this.penalise(peerId, kind);
    this.sync = new Sync({
      host, node, log, penalise,
      protocols: this.protocols,
      markReceived: (id) => this.gossip.markReceived(id),
    });
    this.blobs = new BlobFetcher({ host, node, log, penalise, protocol: this.protocols.blob });
    this.backfill = new BlobBackfill({ node, log, fetch: (hash) => this.blobs.fetch(hash) });
    this.gossip = new Gossip({
      host, node, log,
      topics: this.topics,
      fetchBlob: (hash, peerId) => this.blobs.fetch(hash, peerId),
      events: {
        accepted: (peerId, kind, id) => {
          if (kind !== 'block') return;
          this.sync.noteBlock(peerId, id);
          this.peers.heard(peerId);
        },
        orphan: (peerId) => this.onOrphan(peerId),
        rejected: (peerId) => this.peers.checkScore(peerId),
        misbehaved: (peerId, kind) => this.penalise(peerId, kind),
      },
    });
    this.peers = new PeerManager({
      host, book, bootstrap, log,
      statusProtocol: this.protocols.status,
      score: (peerId) => this.score(peerId),
      onPeer: (peer) => {
        const refreshed = this.refreshPeer(peer);
        this.backfill.retry();
        const id = peer.toString();
        if (this.mempoolPulled.has(id)) return;
        this.mempoolPulled.add(id);
        // Once we are on the same chain (our sync has caught up), its pending txs can apply here.
        refreshed.then(async (ok) => {
          if (ok) await this.sync.idle();
          if (ok && this.started) await this.pullMempoolFrom(peer);
        }).catch((err: unknown) => this.log.warn(`mempool: cannot pull from ${id.slice(-8)}: ${(err as Error).message}`));
      },
      onPeerGone: (peerId) => {
        this.sync.peerGone(peerId);
        this.liveness.gone(peerId);
        this.mempoolPulled.delete(peerId);
      },
    });
    managerRef.current = this.peers;
  }

  static async create(opts: NetworkOptions): Promise<Network> {
    const log = opts.log ?? silentLogger;
    const bootstrap = (opts.peers ?? []).map((p) => parseMultiaddr(p, '--peer'));
    const listen = opts.listen ?? ['/ip4/127.0.0.1/tcp/0'];
    for (const l of listen) parseMultiaddr(l, '--listen');
    const privateKey = opts.privateKey ?? (await loadOrCreatePeerKey(opts.dataDir));
    let book: PeerBook | undefined;
    if (opts.persistPeers !== false) {
      book = new PeerBook(PeerBook.pathIn(opts.dataDir));
      await book.load();
    }
    const topics = topicNames(opts.node.chainId);
    // The gater and the score function need the peer manager and penalties, which need the host: late-bound.
    const managerRef: { current?: PeerManager } = {};
    const penaltiesRef: { current?: PeerPenalties } = {};
    let host: Host;
    try {
      host = await createHost({
        privateKey,
        listen,
        swarmKey: opts.swarmKey,
        maxConnections: opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
        topics,
        isBanned: (peerId) => managerRef.current?.isBanned(peerId) ?? false,
        isDialBanned: (addr) => managerRef.current?.isDialBanned(addr) ?? false,
        isInboundBanned: (addr) => managerRef.current?.isInboundBanned(addr) ?? false,
        appScore: (peerId) => penaltiesRef.current?.score(peerId) ?? 0,
      });
    } catch (err) {
      throw new GopkgrError('NET_LISTEN_FAILED', `cannot start the p2p host on ${listen.join(', ')}: ${(err as Error).message}`, {
        hint: 'another node may use this port; pass --listen /ip4/127.0.0.1/tcp/<other port>',
      });
    }
    const network = new Network(opts.node, host, book, bootstrap, log, managerRef, opts.snapshots);
    penaltiesRef.current = network.penalties;
    return network;
  }

  get peerId(): string {
    return this.host.peerId.toString();
  }

  /** Our listen addresses, each ending in /p2p/<peer id>. */
  addresses(): string[] {
    return this.host.getMultiaddrs().map((a) => a.toString());
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    guardAgainstSocketErrors(this.log);
    const node = this.node;
    const onError = (peerId: string, err: GopkgrError): void => {
      // Judged at the next maintenance tick: the requests already in flight still get their error frames.
      if (err.code === 'NET_BAD_REQUEST' || err.code === 'NET_BAD_MESSAGE') this.penalise(peerId, 'malformed', false);
    };
    await this.host.handle(this.protocols.status, serve(statusResponder(node), onError));
    // A peer fetching headers or blocks is syncing: it spends the next while importing them.
    const fetching = (responder: Responder): Responder => (request, peerId) => {
      this.liveness.fetched(peerId);
      return responder(request, peerId);
    };
    await this.host.handle(this.protocols.headers, serve(fetching(headersResponder(node)), onError));
    await this.host.handle(this.protocols.blocks, serve(fetching(blocksResponder(node)), onError));
    await this.host.handle(this.protocols.blob, serve(blobResponder(node), onError));
    await this.host.handle(this.protocols.mempool, serve(mempoolResponder(node), onError));
    if (this.snapshots !== undefined) {
      await this.host.handle(this.protocols.snapshots, serve(snapshotsResponder(this.snapshots), onError));
      await this.host.handle(this.protocols.snapshot, serve(snapshotResponder(this.snapshots), onError));
    }
    this.gossip.start();
    this.peers.start();
    await this.backfill.start();
  }

  async stop(): Promise<void> {
    if (!this.started) {
      await this.host.stop();
      return;
    }
    this.started = false;
    this.gossip.stop();
    this.backfill.stop();
    await this.peers.stop();
    await this.sync.stop();
    await this.host.stop();
  }

  /**
   * A peer's score: gossipsub's (which holds the application penalties), or the penalties alone when lower:
   * gossip credit does not buy them off, and they still count once gossipsub has dropped the peer (after an
   * oversized message it keeps no stats for it).
   */
  score(peerId: string): number {
    return Math.min(this.gossip.score(peerId), this.penalties.score(peerId));
  }

  /** Charge a peer for misbehaviour (logged), and cut it off if its score is now too low. */
  penalise(peerId: string, kind: PenaltyKind, cutOffNow = true): void {
    const score = this.penalties.add(peerId, kind);
    this.log.warn(`peers: ${peerId.slice(-8)} penalised (${kind}), penalty now ${score.toFixed(0)}`);
    if (cutOffNow) this.peers.checkScore(peerId);
  }

  /** Ask a peer for its head (and sync from it if it is ahead); false when it did not answer properly. */
  private refreshPeer(peer: PeerId): Promise<boolean> {
    const id = peer.toString();
    return this.sync.refresh(peer).then(() => {
      this.liveness.answered(id);
      return true;
    }, (err: unknown) => {
      const code = err instanceof GopkgrError ? err.code : 'NET_STREAM_ERROR';
      if (code === 'NET_BAD_MESSAGE' || code === 'NET_BAD_RESPONSE') this.penalise(id, 'malformed');
      // A late answer: the peer may be busy applying blocks (peerLiveness.ts). Hang up only on
      // one that stays silent, and never on one importing what it fetches from us.
      if (code === 'NET_TIMEOUT') {
        const verdict = this.liveness.missed(id);
        if (verdict !== 'hangUp') {
          this.log.info(`peers: ${id.slice(-8)} is slow to answer a status request${verdict === 'importing' ? ' while it imports blocks from us' : ` (${this.liveness.missCount(id)} in a row)`}; keeping it`);
          return false;
        }
      }
      // No answer, or a failed stream: the connection is dead or the peer stalls. Hang up;
      // bootstrap and book peers are redialed with backoff.
      if (code === 'NET_TIMEOUT' || code === 'NET_DIAL_FAILED' || code === 'NET_STREAM_ERROR') {
        this.log.warn(`peers: ${id.slice(-8)} did not answer a status request (${code}); disconnecting`);
        void this.host.hangUp(peer).catch(() => undefined);
      }
      return false;
    });
  }

  private async pullMempoolFrom(peer: PeerId): Promise<void> {
    const id = peer.toString();
    try {
      const pulled = await pullMempool({
        host: this.host, node: this.node, protocol: this.protocols.mempool,
        markReceived: (txId) => this.gossip.markReceived(txId),
        fetchBlob: (hash, from) => this.blobs.fetch(hash, from),
      }, peer);
      if (pulled.accepted > 0) this.log.info(`mempool: ${pulled.accepted} pending tx(s) from ${id.slice(-8)}`);
      if (pulled.rejected !== undefined) {
        this.log.warn(`mempool: ${id.slice(-8)} sent an invalid tx: ${pulled.rejected.reason} ${pulled.rejected.message}`);
        this.penalise(id, 'invalidData');
      }
    } catch (err) {
      const code = err instanceof GopkgrError ? err.code : 'NET_STREAM_ERROR';
      if (code === 'NET_BAD_RESPONSE' || code === 'NET_FRAME_TOO_LARGE') this.penalise(id, 'malformed');
    }
  }

  private readonly lastOrphanSync = new Map<string, number>();

  /** An orphan from a peer: ask it for its head (at most once per ORPHAN_SYNC_INTERVAL_MS per peer). */
  private onOrphan(peerId: string): void {
    const now = Date.now();
    if (now - (this.lastOrphanSync.get(peerId) ?? 0) < 1_000) return;
    this.lastOrphanSync.set(peerId, now);
    const peer = this.host.getPeers().find((p) => p.toString() === peerId);
    // refreshPeer settles to false on any failure; nothing is left to handle here.
    if (peer !== undefined) void this.refreshPeer(peer);
  }

  /** Fetch a tarball from peers (verified before it is stored). */
  fetchBlob(hash: string): Promise<boolean> {
    checkBlobHash(hash);
    return this.blobs.fetch(hash);
  }

  status(): NetworkStatus {
    const peerList: PeerView[] = this.host.getPeers().map((p) => {
      const id = p.toString();
      const conn = this.host.getConnections(p)[0];
      return { peerId: id, address: conn?.remoteAddr.toString() ?? null, height: this.sync.peerHead(id)?.height ?? null, score: Math.round(this.score(id) * 100) / 100 };
    });
    return { peerId: this.peerId, addresses: this.addresses(), peers: peerList.length, peerList, banned: this.peers.bannedCount(), sync: this.sync.progress(), blobsMissing: this.backfill.missing() };
  }

  /** Fields for /v1/status (ApiExtras.status). */
  statusJson(): Record<string, Json> {
    return { ...this.status() } as unknown as Record<string, Json>;
  }

  /**
   * Routes for the HTTP API: peers and a state digest. Tarballs are served by the API's own
   * route, streamed from disk; it asks fetchBlob for one that is missing here (ApiExtras.fetchBlob).
   */
  apiRoutes(): NonNullable<ApiExtras['routes']> {
    return [
      {
        method: 'GET',
        pattern: /^\/v1\/peers$/,
        handle: async () => this.status().peerList as unknown as Json,
      },
      {
        // Connect to a peer now (to heal a partition, or join a network without restarting).
        method: 'POST',
        pattern: /^\/v1\/peers$/,
        handle: async (_req: IncomingMessage, _m: RegExpExecArray, body: () => Promise<Buffer>) => {
          let addr: unknown;
          try {
            addr = (JSON.parse((await body()).toString('utf8')) as { addr?: unknown } | null)?.addr;
          } catch {
            throw new GopkgrError('BAD_JSON', 'request body is not valid JSON');
          }
          if (typeof addr !== 'string') throw new GopkgrError('BAD_REQUEST', 'request body needs "addr": multiaddr');
          const ma = parseMultiaddr(addr, 'addr');
          try {
            const conn = await this.host.dial(ma, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) });
            return { peerId: conn.remotePeer.toString(), address: conn.remoteAddr.toString() };
          } catch (err) {
            throw new GopkgrError('NET_DIAL_FAILED', `cannot connect to ${addr}: ${(err as Error).message}`);
          }
        },
      },
      {
        method: 'GET',
        pattern: /^\/v1\/state\/digest$/,
        handle: async () => stateDigest(this.node.chain),
      },
      {
        // The snapshots this node keeps, each with the checkpoint a user can copy to join from it.
        method: 'GET',
        pattern: /^\/v1\/snapshots$/,
        handle: async () => (this.snapshots?.list() ?? []).map((h) => ({
          height: h.height, blockId: toHex(h.blockId), stateRoot: toHex(h.stateRoot), records: h.records, bytes: h.bytes,
          signer: `id:${toHex(h.signer)}`, checkpoint: checkpointText(h),
        })),
      },
    ];
  }
}
