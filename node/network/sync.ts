/**
 * Headers-first sync (Bitcoin's design, in batches from several peers).
 *
 * Peers tell us their head and its cumulative work (status protocol, on
 * connect, periodically, and implied by the blocks they gossip). When a peer
 * claims more work than our head, a session syncs from it:
 *
 *  1. headers: ask that peer for up to MAX_HEADERS headers after our block
 *     locator; check that they link to a block we have and to each other, that
 *     heights count up and that each seal is sound (headerChain.ts, through the
 *     chain's consensus: for proof of work, two hashes). The
 *     next request's locator starts at the last header, so headers keep
 *     streaming in while blocks download.
 *  2. blocks: split the headers we lack into batches of BLOCKS_PER_REQUEST and
 *     spread them over the peers that are high enough (at most
 *     MAX_BATCHES_PER_PEER each, MAX_BATCHES_IN_FLIGHT in all). Each block must
 *     be the one its header promised.
 *  3. import: in height order, through FullNode.submitBlock, so fork choice
 *     decides: a heavier branch (after a partition) becomes the main chain when
 *     its work passes ours, a lighter one stays a side branch.
 *
 * Sync keeps what outlives a session (the peers' heads, who could not serve
 * what it claimed) and runs one session at a time (syncSession.ts).
 *
 * A peer that stalls (FRAME_TIMEOUT_MS between frames), lies or serves invalid
 * data is penalised and dropped from the session; its batches go to other
 * peers. Nothing a peer sends can throw out of a session.
 */
import { peerIdFromString } from '@libp2p/peer-id';
import type { PeerId } from '@libp2p/interface';
import { toHex } from '../../ledger/encoding.ts';
import { REQUEST_TIMEOUT_MS } from './constants.ts';
import { decodeStatus } from './messages.ts';
import { requestOne } from './reqresp.ts';
import { asError, SyncSession, type PeerHead, type SessionHost, type SessionSummary, type SyncOptions } from './syncSession.ts';

export type { PeerHead, SessionSummary, SyncOptions } from './syncSession.ts';

export interface SyncProgress {
  syncing: boolean;
  /** height we started this session from */
  startHeight: number;
  /** height of the head we are syncing to */
  targetHeight: number;
  height: number;
  /** peer we sync from */
  peer: string | null;
  /** the last finished session: blocks imported, time taken, blocks served per peer */
  last: SessionSummary | null;
}

export class Sync {
  private readonly heads = new Map<string, PeerHead>();
  /** peer → the head it claimed but could not serve; ignored until it announces another */
  private readonly useless = new Map<string, string>();
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private session: SyncSession | null = null;
  /** blocks imported by sync sessions, for logs and benches */
  imported = 0;
  private last: SessionSummary | null = null;

  constructor(private readonly opts: SyncOptions) {}

  progress(): SyncProgress {
    const height = this.opts.node.chain.height;
    const s = this.session;
    return s === null
      ? { syncing: false, startHeight: height, targetHeight: Math.max(height, this.bestKnownHeight()), height, peer: null, last: this.last }
      : { syncing: true, startHeight: s.startHeight, targetHeight: Math.max(s.targetHeight, height), height, peer: s.source, last: this.last };
  }

  peerHead(peerId: string): PeerHead | undefined {
    return this.heads.get(peerId);
  }

  private bestKnownHeight(): number {
    let best = 0;
    for (const h of this.heads.values()) best = Math.max(best, h.height);
    return best;
  }

  /** Ask a peer for its head; sync from it if it is ahead. Errors are the caller's to penalise or ignore. */
  async refresh(peer: PeerId): Promise<PeerHead> {
    const bytes = await requestOne(this.opts.host, peer, this.opts.protocols.status, {}, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const s = decodeStatus(bytes);
    const head: PeerHead = { head: toHex(s.head), height: s.height, work: BigInt('0x' + s.work) };
    this.setHead(peer.toString(), head);
    return head;
  }

  /** A peer's head as learned from a block it gossiped (we imported it, so we know its work). */
  noteBlock(peerId: string, id: string): void {
    const e = this.opts.node.chain.entry(id);
    const old = this.heads.get(peerId);
    if (e === undefined || (old !== undefined && old.work >= BigInt('0x' + e.work))) return;
    this.heads.set(peerId, { head: id, height: e.height, work: BigInt('0x' + e.work) });
  }

  setHead(peerId: string, head: PeerHead): void {
    this.heads.set(peerId, head);
    if (this.useless.get(peerId) !== head.head) this.useless.delete(peerId);
    this.trigger();
  }

  peerGone(peerId: string): void {
    this.heads.delete(peerId);
    this.useless.delete(peerId);
  }

  /** Start a session if some peer is ahead (or note that the running one should look again). */
  trigger(): void {
    if (this.stopped) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    if (this.bestPeer() === undefined) return;
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** Resolves when no session runs (tests, benches). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private bestPeer(): [string, PeerHead] | undefined {
    const chain = this.opts.node.chain;
    const ours = BigInt('0x' + chain.head.work);
    let best: [string, PeerHead] | undefined;
    for (const [peer, h] of this.heads) {
      if (h.work <= ours || this.useless.get(peer) === h.head || chain.entry(h.head) !== undefined) continue;
      // Checked last: a connection lookup by id string, where getPeers() would decode every peer id.
      if (this.opts.host.getConnections(peerIdFromString(peer)).length === 0) continue;
      if (best === undefined || h.work > best[1].work) best = [peer, h];
    }
    return best;
  }

  private async loop(): Promise<void> {
    for (;;) {
      this.again = false;
      const best = this.bestPeer();
      if (best === undefined || this.stopped) {
        if (this.again && !this.stopped) continue;
        return;
      }
      const [peer, claim] = best;
      try {
        await this.syncFrom(peer, claim);
      } catch (err) {
        this.opts.log.warn(`sync from ${peer.slice(-8)} failed: ${asError(err).code} ${asError(err).message}`);
      } finally {
        this.session = null;
      }
      // A peer that claimed a head and left us without it cannot be synced from again for that head.
      if (this.opts.node.chain.entry(claim.head) === undefined && this.heads.get(peer)?.head === claim.head) {
        this.useless.set(peer, claim.head);
      }
    }
  }

  private async syncFrom(source: string, claim: PeerHead): Promise<void> {
    const { node, log } = this.opts;
    const host: SessionHost = {
      opts: this.opts,
      heightOf: (peer) => this.heads.get(peer)?.height,
      stopped: () => this.stopped,
      imported: () => {
        this.imported++;
      },
    };
    const session = new SyncSession(host, source, claim);
    this.session = session;
    log.info(`sync: from ${source.slice(-8)}, our height ${session.startHeight}, theirs ${claim.height}`);
    const { summary, failure } = await session.run();
    this.last = summary;
    if (failure !== undefined && !this.stopped) throw failure;
    const spread = Object.entries(summary.byPeer).map(([p, n]) => `${p.slice(-8)}=${n}`).join(' ');
    log.info(`sync: ${summary.blocks} block(s) in ${summary.ms} ms (${spread || 'none new'}), height ${node.chain.height}`);
  }
}
