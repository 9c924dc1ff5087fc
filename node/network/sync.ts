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
 * what it claimed, when a peer is worth trying again) and runs one session at
 * a time (syncSession.ts).
 *
 * A peer that stalls (FRAME_TIMEOUT_MS between frames), lies or serves invalid
 * data is penalised and dropped from the session; its batches go to other
 * peers. Nothing a peer sends can throw out of a session. A session that fails
 * for any reason but the peer's fault is resumed from the height it reached
 * (syncResume.ts): from another peer at once, from the same one after a short
 * backoff, or as soon as it reconnects.
 */
import { peerIdFromString } from '@libp2p/peer-id';
import type { PeerId } from '@libp2p/interface';
import { toHex } from '../../ledger/encoding.ts';
import type { GopkgrError } from '../../ledger/errors.ts';
import { REQUEST_TIMEOUT_MS } from './constants.ts';
import { awakeDeadline } from './awakeDeadline.ts';
import { decodeStatus } from './messages.ts';
import { requestOne } from './reqresp.ts';
import { SyncResume, type SessionEnd } from './syncResume.ts';
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
  /** which peers are backing off after a failed session, and until when */
  private readonly resume = new SyncResume();
  /** wakes the loop when the first backoff ends */
  private retryTimer: NodeJS.Timeout | undefined;
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
    const deadline = awakeDeadline(REQUEST_TIMEOUT_MS);
    let bytes: Uint8Array;
    try {
      bytes = await requestOne(this.opts.host, peer, this.opts.protocols.status, {}, { signal: deadline.signal });
    } finally {
      deadline.clear();
    }
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
    this.resume.forget(peerId);
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
    clearTimeout(this.retryTimer);
    await this.running;
  }

  /** Resolves when no session runs (tests, benches). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  /** The connected peer with the most work beyond ours that may be synced from now; else how long until one backing off may. */
  private bestPeer(): [string, PeerHead] | undefined {
    const chain = this.opts.node.chain;
    const ours = BigInt('0x' + chain.head.work);
    let best: [string, PeerHead] | undefined;
    let soonest = Infinity;
    for (const [peer, h] of this.heads) {
      if (h.work <= ours || this.useless.get(peer) === h.head || chain.entry(h.head) !== undefined) continue;
      // Checked last: a connection lookup by id string, where getPeers() would decode every peer id.
      if (this.opts.host.getConnections(peerIdFromString(peer)).length === 0) continue;
      const wait = this.resume.waitFor(peer);
      if (wait > 0) {
        soonest = Math.min(soonest, wait);
        continue;
      }
      if (best === undefined || h.work > best[1].work) best = [peer, h];
    }
    if (best === undefined && soonest < Infinity) this.retryIn(soonest);
    return best;
  }

  /** Look again in `ms`, when a peer's backoff ends (one timer: the soonest wins). */
  private retryIn(ms: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.trigger(), ms + 10);
    this.retryTimer.unref();
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
      let outcome: { blocks: number; failure: GopkgrError | undefined };
      try {
        outcome = await this.syncFrom(peer, claim);
      } catch (err) {
        outcome = { blocks: 0, failure: asError(err) };
      } finally {
        this.session = null;
      }
      if (this.stopped) return;
      const reached = this.opts.node.chain.entry(claim.head) !== undefined;
      const { blocks, failure } = outcome;
      const end: SessionEnd = reached ? { kind: 'reached' } : failure === undefined ? { kind: 'short' } : { kind: 'failed', code: failure.code, blocks };
      const verdict = this.resume.ended(peer, end);
      if (failure !== undefined) {
        const next = verdict.action === 'retry' ? `; resuming from height ${this.opts.node.chain.height} (this peer again in ${verdict.afterMs} ms)` : '';
        this.opts.log.warn(`sync from ${peer.slice(-8)} failed: ${failure.code} ${failure.message}${next}`);
      }
      // A peer that claimed a head and could not (or would not validly) serve it is not synced from again for that head.
      if (verdict.action === 'setAside' && this.heads.get(peer)?.head === claim.head) this.useless.set(peer, claim.head);
    }
  }

  private async syncFrom(source: string, claim: PeerHead): Promise<{ blocks: number; failure: GopkgrError | undefined }> {
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
    if (failure !== undefined) return { blocks: summary.blocks, failure };
    const spread = Object.entries(summary.byPeer).map(([p, n]) => `${p.slice(-8)}=${n}`).join(' ');
    log.info(`sync: ${summary.blocks} block(s) in ${summary.ms} ms (${spread || 'none new'}), height ${node.chain.height}`);
    return { blocks: summary.blocks, failure: undefined };
  }
}
