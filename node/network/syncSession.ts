/**
 * One sync session (sync.ts explains the design): headers from the source peer,
 * blocks in batches from every peer high enough, imports in height order. Its
 * state is one session's: the source and its claim, the queue of headers we
 * lack and their blocks, the peers dropped and the batches in flight. Three
 * loops share it (fetchHeaders, dispatch, importBlocks) and wake each other
 * through one Notifier; `run` ends when all three do and no batch is in flight.
 *
 * Nothing a peer sends can throw out of a session: every failure ends up in
 * `failure` (the first one wins), penalising the peer that caused it.
 */
import { peerIdFromString } from '@libp2p/peer-id';
import type { PeerId } from '@libp2p/interface';
import { GopkgrError } from '../../ledger/errors.ts';
import { fromHex, toHex } from '../../ledger/encoding.ts';
import type { DecodedBlock } from '../../ledger/block.ts';
import { MAX_BLOCK_BYTES } from '../../ledger/constants.ts';
import type { FullNode, Logger } from '../fullNode.ts';
import { BLOCKS_PER_REQUEST, MAX_BATCHES_IN_FLIGHT, MAX_BATCHES_PER_PEER, MAX_HEADERS, MAX_LOCATOR } from './constants.ts';
import { verifyHeaderChain } from './headerChain.ts';
import { buildLocator } from './locator.ts';
import { blocksRequest, decodeBlockPack, decodeHeaders, headersRequest } from './messages.ts';
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

/** What a session reads of the Sync that runs it. */
export interface SessionHost {
  readonly opts: SyncOptions;
  /** the height a peer last claimed, if it claimed one */
  heightOf(peer: string): number | undefined;
  stopped(): boolean;
  /** one more block imported (Sync.imported, for logs and benches) */
  imported(): void;
}

interface Slot {
  id: string;
  height: number;
  state: 'todo' | 'fetching' | 'done';
  block?: DecodedBlock;
  from?: string;
}

export function asError(err: unknown): GopkgrError {
  return err instanceof GopkgrError ? err : new GopkgrError('SYNC_INTERNAL', err instanceof Error ? err.message : String(err), { status: 500 });
}

/**
 * Which penalty a failed request earns. A timeout earns none: a peer busy
 * applying blocks, or reading thousands of ours from disk to answer, is slow,
 * not malicious, and scoring it would end in a ban (issue 14). A peer that
 * stalls on purpose gains nothing: its batches go to other peers and the next
 * session asks it again only after a doubling backoff (syncResume.ts).
 */
export function penaltyOf(err: GopkgrError): PenaltyKind | undefined {
  if (err.code === 'NET_BAD_RESPONSE' || err.code === 'NET_BAD_MESSAGE' || err.code === 'NET_FRAME_TOO_LARGE' || err.code === 'DECODE_ERROR') return 'malformed';
  if (err.code.startsWith('SYNC_BAD_') || err.code.startsWith('BLOCK_')) return 'invalidData';
  return undefined;
}

export class SyncSession {
  readonly startHeight: number;
  /** the height we sync to: the source's claim, raised by the headers it sends */
  targetHeight: number;
  private readonly sourceId: PeerId;
  private readonly queue: Slot[] = [];
  /** the importer's position in `queue` */
  private next = 0;
  private headersDone = false;
  private failure: GopkgrError | undefined;
  private readonly wake = new Notifier();
  private readonly inFlightByPeer = new Map<string, number>();
  private inFlight = 0;
  private readonly dropped = new Set<string>();
  private readonly byPeer: Record<string, number> = {};

  constructor(private readonly host: SessionHost, readonly source: string, claim: PeerHead) {
    this.sourceId = peerIdFromString(source);
    this.startHeight = host.opts.node.chain.height;
    this.targetHeight = claim.height;
  }

  /** Sync until done or failed; the summary says which (`error`), and `failure` is thrown after it is recorded by the caller. */
  async run(): Promise<{ summary: SessionSummary; failure: GopkgrError | undefined }> {
    const started = Date.now();
    await Promise.all([this.fetchHeaders(), this.dispatch(), this.importBlocks()]);
    // Let in-flight batches end before the session's state goes away.
    while (this.inFlight > 0) await this.wake.wait(100);
    const failure = this.failure;
    const summary = { blocks: this.next, ms: Date.now() - started, byPeer: this.byPeer, error: failure === undefined ? null : `${failure.code}: ${failure.message}` };
    return { summary, failure };
  }

  private fail(err: unknown, peer?: string): void {
    const e = asError(err);
    if (peer !== undefined) {
      const kind = penaltyOf(e);
      if (kind !== undefined) this.host.opts.penalise(peer, kind);
    }
    this.failure ??= e;
    this.wake.notify();
  }

  private finished(): boolean {
    return this.failure !== undefined || this.host.stopped() || (this.headersDone && this.next >= this.queue.length);
  }

  private async fetchHeaders(): Promise<void> {
    const { node, host, protocols } = this.host.opts;
    let locator = buildLocator(node.chain);
    let lastId: string | undefined;
    while (!this.headersDone && !this.finished()) {
      if (this.queue.length - this.next >= HEADER_WINDOW) {
        await this.wake.wait();
        continue;
      }
      let item: Uint8Array;
      try {
        item = await requestOne(host, this.sourceId, protocols.headers, headersRequest({ locator, max: MAX_HEADERS }));
      } catch (err) {
        this.fail(err, this.source);
        return;
      }
      try {
        const last = this.acceptHeaders(item, lastId);
        if (last !== undefined) {
          lastId = last.id;
          locator = [fromHex(last.id), ...locator].slice(0, MAX_LOCATOR);
          if (last.height > this.targetHeight) this.targetHeight = last.height;
        }
        this.wake.notify();
      } catch (err) {
        this.fail(err, this.source);
        return;
      }
    }
  }

  /** Check one answer of headers and queue the blocks we lack; returns its last header (undefined when empty). */
  private acceptHeaders(item: Uint8Array, lastId: string | undefined): { id: string; height: number } | undefined {
    const chain = this.host.opts.node.chain;
    const headers = decodeHeaders(item, MAX_HEADERS, chain.consensus.seal);
    if (headers.length === 0) {
      this.headersDone = true;
      return undefined;
    }
    const anchorId = toHex(headers[0]!.header.parent);
    const parent = chain.entry(anchorId);
    // Rule: the first header follows a block we have (or the last header of the previous answer).
    if (parent === undefined && anchorId !== lastId) throw new GopkgrError('SYNC_BAD_HEADERS', 'headers do not follow any block we know');
    const anchor = { id: anchorId, height: parent?.height ?? this.queue.at(-1)?.height ?? -1 };
    // Rules: each header links to the one before, heights count up, and each seal is sound.
    const verified = verifyHeaderChain(headers, anchor, chain.consensus);
    for (const { id, height } of verified) {
      const known = chain.entry(id);
      if (known?.status === 'invalid') throw new GopkgrError('SYNC_BAD_HEADERS', `header ${id.slice(0, 16)} is of a block known to be invalid`);
      if (known === undefined) this.queue.push({ id, height, state: 'todo' });
    }
    if (headers.length < MAX_HEADERS) this.headersDone = true;
    return verified.at(-1);
  }

  private pickPeer(height: number): string | undefined {
    const connected = this.host.opts.host.getPeers().map(String);
    let best: string | undefined;
    let bestLoad = Infinity;
    for (const p of connected) {
      if (this.dropped.has(p)) continue;
      if (p !== this.source && (this.host.heightOf(p) ?? -1) < height) continue;
      const load = this.inFlightByPeer.get(p) ?? 0;
      if (load >= MAX_BATCHES_PER_PEER) continue;
      // The source is preferred on ties: it surely has these blocks.
      if (load < bestLoad || (load === bestLoad && p === this.source)) {
        best = p;
        bestLoad = load;
      }
    }
    return best;
  }

  private async fetchBatch(peer: string, batch: Slot[]): Promise<void> {
    const { host, protocols, node, log } = this.host.opts;
    let got = 0;
    try {
      for await (const pack of request(host, peerIdFromString(peer), protocols.blocks, blocksRequest(batch.map((s) => fromHex(s.id))))) {
        for (const bytes of decodeBlockPack(pack, MAX_BLOCK_BYTES)) {
          const slot = batch[got];
          if (slot === undefined) throw new GopkgrError('NET_BAD_RESPONSE', 'more blocks than asked for');
          const block = node.chain.decode(bytes);
          // Rule: the block is the one its header promised.
          if (toHex(block.id) !== slot.id) throw new GopkgrError('SYNC_BAD_BLOCK', `peer sent block ${toHex(block.id).slice(0, 16)} for ${slot.id.slice(0, 16)}`);
          slot.block = block;
          slot.from = peer;
          slot.state = 'done';
          got++;
        }
        this.wake.notify();
      }
      // None of the blocks asked for: the peer does not have them (another branch). Not a fault unless it
      // is the source. Some but not all: the peer's answer reached its byte budget (BLOCKS_RESPONSE_BYTES,
      // four full blocks), and the rest of the batch goes back to be asked for again.
      if (got === 0) {
        this.dropped.add(peer);
        if (peer === this.source) this.fail(new GopkgrError('SYNC_SOURCE_INCOMPLETE', 'the peer could not serve blocks of its own headers'), this.source);
      }
    } catch (err) {
      const e = asError(err);
      const kind = penaltyOf(e);
      if (kind !== undefined) this.host.opts.penalise(peer, kind);
      this.dropped.add(peer);
      log.warn(`sync: batch from ${peer.slice(-8)} failed after ${got}/${batch.length} blocks: ${e.code} ${e.message}`);
      if (peer === this.source && e.code !== 'NET_TIMEOUT') this.failure ??= e;
    } finally {
      for (const s of batch) if (s.state !== 'done') s.state = 'todo';
    }
  }

  private async dispatch(): Promise<void> {
    const queue = this.queue;
    while (!this.finished()) {
      if (this.inFlight >= MAX_BATCHES_IN_FLIGHT) {
        await this.wake.wait();
        continue;
      }
      // Re-check from the importer's position: a failed batch puts slots back to 'todo'.
      let start = -1;
      for (let i = this.next; i < Math.min(queue.length, this.next + DOWNLOAD_WINDOW); i++) {
        if (queue[i]!.state === 'todo') {
          start = i;
          break;
        }
      }
      if (start < 0) {
        await this.wake.wait();
        continue;
      }
      const peer = this.pickPeer(queue[start]!.height);
      if (peer === undefined) {
        if (this.inFlight === 0) {
          this.fail(new GopkgrError('SYNC_NO_PEERS', 'no connected peer can serve the blocks we need'));
          return;
        }
        await this.wake.wait();
        continue;
      }
      const batch: Slot[] = [];
      for (let i = start; i < queue.length && batch.length < BLOCKS_PER_REQUEST && queue[i]!.state === 'todo'; i++) batch.push(queue[i]!);
      for (const s of batch) s.state = 'fetching';
      this.inFlight++;
      this.inFlightByPeer.set(peer, (this.inFlightByPeer.get(peer) ?? 0) + 1);
      void this.fetchBatch(peer, batch).finally(() => {
        this.inFlight--;
        this.inFlightByPeer.set(peer, (this.inFlightByPeer.get(peer) ?? 1) - 1);
        this.wake.notify();
      });
    }
  }

  private async importBlocks(): Promise<void> {
    const { node } = this.host.opts;
    while (!this.finished()) {
      const slot = this.queue[this.next];
      if (slot === undefined || slot.state !== 'done') {
        await this.wake.wait();
        continue;
      }
      this.host.opts.markReceived(slot.id);
      try {
        await node.submitBlock(slot.block!);
      } catch (err) {
        this.fail(err, slot.from);
        return;
      }
      if (slot.from !== undefined) this.byPeer[slot.from] = (this.byPeer[slot.from] ?? 0) + 1;
      slot.block = undefined;
      this.next++;
      this.host.imported();
      this.wake.notify();
      // Let what arrived during that block (status requests, our batches' frames) be read before the
      // next one takes the thread: the import's own store write resumes us ahead of them otherwise.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
