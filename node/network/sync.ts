/**
 * Headers-first sync (Bitcoin's design, in batches from several peers).
 *
 * Peers tell us their head and its cumulative work (status protocol, on
 * connect, periodically, and implied by the blocks they gossip). When a peer
 * claims more work than our head, a session syncs from it:
 *
 *  1. headers: ask that peer for up to MAX_HEADERS headers after our block
 *     locator; check that they link to a block we have and to each other, that
 *     heights count up and that each meets its target (cheap: two hashes). The
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
 * A peer that stalls (FRAME_TIMEOUT_MS between frames), lies or serves invalid
 * data is penalised and dropped from the session; its batches go to other
 * peers. Nothing a peer sends can throw out of a session.
 */
import { peerIdFromString } from '@libp2p/peer-id';
import type { PeerId } from '@libp2p/interface';
import { GopkgrError } from '../../ledger/errors.ts';
import { fromHex, toHex } from '../../ledger/encoding.ts';
import type { DecodedBlock } from '../../ledger/block.ts';
import type { FullNode, Logger } from '../fullNode.ts';
import { MAX_BLOCK_BYTES } from '../../ledger/constants.ts';
import { BLOCKS_PER_REQUEST, MAX_BATCHES_IN_FLIGHT, MAX_BATCHES_PER_PEER, MAX_HEADERS, MAX_LOCATOR, REQUEST_TIMEOUT_MS } from './constants.ts';
import { buildLocator } from './locator.ts';
import { blocksRequest, decodeBlockPack, decodeHeaders, decodeStatus, headersRequest } from './messages.ts';
import { request, requestOne } from './reqresp.ts';
import { Notifier } from './notifier.ts';
import type { PenaltyKind } from './penalties.ts';
import type { Host } from './host.ts';

/** Headers fetched ahead of the importer: bounds memory while keeping the downloaders busy. */
const HEADER_WINDOW = 2 * MAX_HEADERS;
/** Blocks downloaded ahead of the importer. */
const DOWNLOAD_WINDOW = BLOCKS_PER_REQUEST * MAX_BATCHES_IN_FLIGHT * 2;

export interface PeerHead {
  head: string;
  height: number;
  work: bigint;
}

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

export interface SessionSummary {
  blocks: number;
  ms: number;
  byPeer: Record<string, number>;
  error: string | null;
}

export interface SyncOptions {
  host: Host;
  node: FullNode;
  protocols: { status: string; headers: string; blocks: string };
  log: Logger;
  penalise(peerId: string, kind: PenaltyKind): void;
  /** a block id about to be imported from the network (not to be gossiped again) */
  markReceived(id: string): void;
}

interface Slot {
  id: string;
  height: number;
  state: 'todo' | 'fetching' | 'done';
  block?: DecodedBlock;
  from?: string;
}

function asError(err: unknown): GopkgrError {
  return err instanceof GopkgrError ? err : new GopkgrError('SYNC_INTERNAL', err instanceof Error ? err.message : String(err), { status: 500 });
}

/** Which penalty a failed request earns. */
function penaltyOf(err: GopkgrError): PenaltyKind | undefined {
  if (err.code === 'NET_TIMEOUT') return 'timeout';
  if (err.code === 'NET_BAD_RESPONSE' || err.code === 'NET_BAD_MESSAGE' || err.code === 'NET_FRAME_TOO_LARGE' || err.code === 'DECODE_ERROR') return 'malformed';
  if (err.code.startsWith('SYNC_BAD_') || err.code.startsWith('BLOCK_')) return 'invalidData';
  return undefined;
}

export class Sync {
  private readonly heads = new Map<string, PeerHead>();
  /** peer → the head it claimed but could not serve; ignored until it announces another */
  private readonly useless = new Map<string, string>();
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private session: { peer: string; startHeight: number; targetHeight: number } | null = null;
  /** blocks imported by sync sessions, for logs and benches */
  imported = 0;
  private last: SessionSummary | null = null;

  constructor(private readonly opts: SyncOptions) {}

  progress(): SyncProgress {
    const height = this.opts.node.chain.height;
    const s = this.session;
    return s === null
      ? { syncing: false, startHeight: height, targetHeight: Math.max(height, this.bestKnownHeight()), height, peer: null, last: this.last }
      : { syncing: true, startHeight: s.startHeight, targetHeight: Math.max(s.targetHeight, height), height, peer: s.peer, last: this.last };
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
    const { node, host, protocols, log } = this.opts;
    const chain = node.chain;
    const sourceId = peerIdFromString(source);
    const startHeight = chain.height;
    this.session = { peer: source, startHeight, targetHeight: claim.height };
    log.info(`sync: from ${source.slice(-8)}, our height ${startHeight}, theirs ${claim.height}`);
    const started = Date.now();

    const queue: Slot[] = [];
    let next = 0;
    let headersDone = false;
    let failure: GopkgrError | undefined;
    const wake = new Notifier();
    const inFlightByPeer = new Map<string, number>();
    let inFlight = 0;
    const dropped = new Set<string>();
    const byPeer: Record<string, number> = {};
    const fail = (err: unknown, peer?: string): void => {
      const e = asError(err);
      if (peer !== undefined) {
        const kind = penaltyOf(e);
        if (kind !== undefined) this.opts.penalise(peer, kind);
      }
      failure ??= e;
      wake.notify();
    };
    const finished = (): boolean => failure !== undefined || this.stopped || (headersDone && next >= queue.length);

    const fetchHeaders = async (): Promise<void> => {
      let locator = buildLocator(chain);
      let lastId: string | undefined;
      while (!headersDone && !finished()) {
        if (queue.length - next >= HEADER_WINDOW) {
          await wake.wait();
          continue;
        }
        let item: Uint8Array;
        try {
          item = await requestOne(host, sourceId, protocols.headers, headersRequest({ locator, max: MAX_HEADERS }));
        } catch (err) {
          fail(err, source);
          return;
        }
        try {
          const headers = decodeHeaders(item, MAX_HEADERS, chain.consensus.seal);
          let prevId = headers.length > 0 ? toHex(headers[0]!.header.parent) : '';
          let prevHeight = -1;
          if (headers.length > 0) {
            const parent = chain.entry(prevId);
            // Rule: the first header follows a block we have (or the last header of the previous answer).
            if (parent === undefined && prevId !== lastId) throw new GopkgrError('SYNC_BAD_HEADERS', 'headers do not follow any block we know');
            prevHeight = parent?.height ?? queue.at(-1)?.height ?? -1;
          }
          for (const { header, id: raw } of headers) {
            const id = toHex(raw);
            // Rules: each header links to the one before, heights count up, and the work is done.
            if (toHex(header.parent) !== prevId) throw new GopkgrError('SYNC_BAD_HEADERS', `header ${id.slice(0, 16)} does not link to the one before it`);
            if (header.height !== prevHeight + 1) throw new GopkgrError('SYNC_BAD_HEADERS', `header ${id.slice(0, 16)} has height ${header.height}, expected ${prevHeight + 1}`);
            try {
              chain.consensus.checkSeal(raw, header);
            } catch (err) {
              throw new GopkgrError('SYNC_BAD_HEADERS', `header ${id.slice(0, 16)}: ${(err as Error).message}`);
            }
            const known = chain.entry(id);
            if (known?.status === 'invalid') throw new GopkgrError('SYNC_BAD_HEADERS', `header ${id.slice(0, 16)} is of a block known to be invalid`);
            if (known === undefined) queue.push({ id, height: header.height, state: 'todo' });
            prevId = id;
            prevHeight = header.height;
          }
          if (headers.length > 0) {
            lastId = prevId;
            locator = [fromHex(prevId), ...locator].slice(0, MAX_LOCATOR);
          }
          if (headers.length < MAX_HEADERS) headersDone = true;
          if (this.session !== null && prevHeight > this.session.targetHeight) this.session.targetHeight = prevHeight;
          wake.notify();
        } catch (err) {
          fail(err, source);
          return;
        }
      }
    };

    const pickPeer = (height: number): string | undefined => {
      const connected = host.getPeers().map(String);
      let best: string | undefined;
      let bestLoad = Infinity;
      for (const p of connected) {
        if (dropped.has(p)) continue;
        if (p !== source && (this.heads.get(p)?.height ?? -1) < height) continue;
        const load = inFlightByPeer.get(p) ?? 0;
        if (load >= MAX_BATCHES_PER_PEER) continue;
        // The source is preferred on ties: it surely has these blocks.
        if (load < bestLoad || (load === bestLoad && p === source)) {
          best = p;
          bestLoad = load;
        }
      }
      return best;
    };

    const fetchBatch = async (peer: string, batch: Slot[]): Promise<void> => {
      let got = 0;
      try {
        for await (const pack of request(host, peerIdFromString(peer), protocols.blocks, blocksRequest(batch.map((s) => fromHex(s.id))))) {
          for (const bytes of decodeBlockPack(pack, MAX_BLOCK_BYTES)) {
            const slot = batch[got];
            if (slot === undefined) throw new GopkgrError('NET_BAD_RESPONSE', 'more blocks than asked for');
            const block = chain.decode(bytes);
            // Rule: the block is the one its header promised.
            if (toHex(block.id) !== slot.id) throw new GopkgrError('SYNC_BAD_BLOCK', `peer sent block ${toHex(block.id).slice(0, 16)} for ${slot.id.slice(0, 16)}`);
            slot.block = block;
            slot.from = peer;
            slot.state = 'done';
            got++;
          }
          wake.notify();
        }
        // Fewer blocks than asked: the peer does not have them (another branch). Not a fault unless it is the source.
        if (got < batch.length) {
          dropped.add(peer);
          if (peer === source) fail(new GopkgrError('SYNC_SOURCE_INCOMPLETE', 'the peer could not serve blocks of its own headers'), source);
        }
      } catch (err) {
        const e = asError(err);
        const kind = penaltyOf(e);
        if (kind !== undefined) this.opts.penalise(peer, kind);
        dropped.add(peer);
        log.warn(`sync: batch from ${peer.slice(-8)} failed after ${got}/${batch.length} blocks: ${e.code} ${e.message}`);
        if (peer === source && e.code !== 'NET_TIMEOUT') failure ??= e;
      } finally {
        for (const s of batch) if (s.state !== 'done') s.state = 'todo';
      }
    };

    const dispatch = async (): Promise<void> => {
      while (!finished()) {
        if (inFlight >= MAX_BATCHES_IN_FLIGHT) {
          await wake.wait();
          continue;
        }
        // Re-check from the importer's position: a failed batch puts slots back to 'todo'.
        let start = -1;
        for (let i = next; i < Math.min(queue.length, next + DOWNLOAD_WINDOW); i++) {
          if (queue[i]!.state === 'todo') {
            start = i;
            break;
          }
        }
        if (start < 0) {
          await wake.wait();
          continue;
        }
        const peer = pickPeer(queue[start]!.height);
        if (peer === undefined) {
          if (inFlight === 0) {
            fail(new GopkgrError('SYNC_NO_PEERS', 'no connected peer can serve the blocks we need'));
            return;
          }
          await wake.wait();
          continue;
        }
        const batch: Slot[] = [];
        for (let i = start; i < queue.length && batch.length < BLOCKS_PER_REQUEST && queue[i]!.state === 'todo'; i++) batch.push(queue[i]!);
        for (const s of batch) s.state = 'fetching';
        inFlight++;
        inFlightByPeer.set(peer, (inFlightByPeer.get(peer) ?? 0) + 1);
        void fetchBatch(peer, batch).finally(() => {
          inFlight--;
          inFlightByPeer.set(peer, (inFlightByPeer.get(peer) ?? 1) - 1);
          wake.notify();
        });
      }
    };

    const importBlocks = async (): Promise<void> => {
      while (!finished()) {
        const slot = queue[next];
        if (slot === undefined || slot.state !== 'done') {
          await wake.wait();
          continue;
        }
        this.opts.markReceived(slot.id);
        try {
          await node.submitBlock(slot.block!);
        } catch (err) {
          fail(err, slot.from);
          return;
        }
        if (slot.from !== undefined) byPeer[slot.from] = (byPeer[slot.from] ?? 0) + 1;
        slot.block = undefined;
        next++;
        this.imported++;
        wake.notify();
      }
    };

    await Promise.all([fetchHeaders(), dispatch(), importBlocks()]);
    // Let in-flight batches end before the session's state goes away.
    while (inFlight > 0) await wake.wait(100);
    const took = Date.now() - started;
    this.last = { blocks: next, ms: took, byPeer, error: failure === undefined ? null : `${failure.code}: ${failure.message}` };
    if (failure !== undefined && !this.stopped) throw failure;
    const spread = Object.entries(byPeer).map(([p, n]) => `${p.slice(-8)}=${n}`).join(' ');
    log.info(`sync: ${next} block(s) in ${took} ms (${spread || 'none new'}), height ${chain.height}`);
  }
}
