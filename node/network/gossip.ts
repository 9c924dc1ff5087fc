/**
 * Gossip of blocks, txs and attestations over gossipsub. Every message is
 * validated by its one validation function (validation/) before gossipsub may
 * deliver or forward it; this module is the adapter that turns a verdict into
 * gossipsub's validation result (lodestar's gossipValidatorFn), and the
 * publisher of what this node makes itself (mined blocks, txs from its API).
 */
import { TopicValidatorResult, type GossipSub, type GossipsubMessage } from '@libp2p/gossipsub';
import { toHex } from '../../ledger/encoding.ts';
import type { DecodedBlock } from '../../ledger/block.ts';
import type { BlockIndexEntry } from '../store.ts';
import type { PendingTx } from '../mempool.ts';
import type { FullNode, Logger } from '../fullNode.ts';
import { GopkgrError } from '../../ledger/errors.ts';
import { RecentSet } from './recentSet.ts';
import { validateGossipBlock } from './validation/validateBlock.ts';
import { validateGossipTx } from './validation/validateTx.ts';
import type { Verdict } from './validation/verdict.ts';
import type { Host } from './host.ts';

/** The parts of the gossipsub router the exported interface type leaves out. */
export interface ScoringRouter {
  reportMessageValidationResult(msgId: string, propagationSource: string, acceptance: TopicValidatorResult): void;
  getScore(peerId: string): number;
}

export function scoringRouter(pubsub: GossipSub): ScoringRouter {
  const r = pubsub as unknown as Partial<ScoringRouter>;
  if (typeof r.reportMessageValidationResult !== 'function' || typeof r.getScore !== 'function') {
    throw new GopkgrError('NET_GOSSIPSUB_API', 'this @libp2p/gossipsub has no reportMessageValidationResult/getScore');
  }
  return r as ScoringRouter;
}

/** Blocks waiting for validation at most: a second of a flood at full speed; more are ignored. */
const MAX_QUEUED_BLOCKS = 512;

const RESULT: Record<Verdict['result'], TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject,
};

export interface GossipEvents {
  /** a block or tx from `peerId` passed validation */
  accepted?(peerId: string, kind: 'block' | 'tx', id: string): void;
  /** a block whose parent we lack: sync from `peerId` */
  orphan?(peerId: string): void;
  /** `peerId` sent something invalid (gossipsub already penalised it) */
  rejected?(peerId: string, verdict: Verdict): void;
  /** `peerId` did something gossipsub does not score: a cheap orphan, a message over the size limit */
  misbehaved?(peerId: string, kind: 'cheapOrphan' | 'oversized'): void;
}

/** it-length-prefixed's errors for a frame whose length is over the cap (or whose length prefix is). */
const OVERSIZED_FRAME_ERRORS: ReadonlySet<string> = new Set(['InvalidDataLengthError', 'InvalidDataLengthLengthError']);

interface ReadStreamErrorHook {
  handlePeerReadStreamError?: (err: unknown, peerId: { toString(): string }) => void;
}

export interface GossipOptions {
  host: Host;
  node: FullNode;
  topics: { blocks: string; txs: string; attestations: string };
  log: Logger;
  /** fetch a tarball from `peerId` (then from others) for a publish tx */
  fetchBlob(hash: string, peerId: string): Promise<boolean>;
  events?: GossipEvents;
}

export class Gossip {
  private readonly router: ScoringRouter;
  /** ids of blocks and txs that came from the network: never published again by us */
  private readonly fromNetwork = new RecentSet(50_000);
  private lastConnected: DecodedBlock | undefined;
  /**
   * Block validations run one after another in arrival order: a child that
   * arrives while its parent is still importing must see the parent (else it
   * would look like an orphan). The chain imports one block at a time anyway.
   */
  private blockQueue: Promise<unknown> = Promise.resolve();
  private blocksQueued = 0;
  private started = false;
  /** message counters by verdict, for status and tests */
  readonly counts = { accept: 0, ignore: 0, reject: 0 };

  constructor(private readonly opts: GossipOptions) {
    this.router = scoringRouter(opts.host.services.pubsub);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const pubsub = this.opts.host.services.pubsub;
    pubsub.addEventListener('gossipsub:message', this.onMessage);
    this.scoreOversizedMessages();
    for (const topic of Object.values(this.opts.topics)) pubsub.subscribe(topic);
    this.opts.node.chain.on('block', this.onBlock);
    this.opts.node.on('head', this.onHead);
    this.opts.node.on('tx', this.onTx);
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    const pubsub = this.opts.host.services.pubsub;
    pubsub.removeEventListener('gossipsub:message', this.onMessage);
    this.opts.node.chain.off('block', this.onBlock);
    this.opts.node.off('head', this.onHead);
    this.opts.node.off('tx', this.onTx);
  }

  /**
   * gossipsub drops an RPC frame over maxInboundDataLength by ending the
   * peer's inbound stream, and the peer loses no score for the megabytes we
   * read: charge it here (gossipsub has no event for this; its own handler
   * still runs).
   */
  private scoreOversizedMessages(): void {
    const router = this.opts.host.services.pubsub as unknown as ReadStreamErrorHook;
    const original = router.handlePeerReadStreamError;
    if (typeof original !== 'function') {
      this.opts.log.warn('gossip: this @libp2p/gossipsub has no handlePeerReadStreamError; oversized messages go unscored');
      return;
    }
    router.handlePeerReadStreamError = (err, peerId) => {
      const name = (err as Error | undefined)?.name ?? '';
      if (OVERSIZED_FRAME_ERRORS.has(name)) {
        this.opts.log.warn(`gossip: ${peerId.toString().slice(-8)} sent a message over the size limit: ${(err as Error).message}`);
        this.opts.events?.misbehaved?.(peerId.toString(), 'oversized');
      }
      original.call(router, err, peerId);
    };
  }

  /** Mark a block or tx as received from the network (sync uses this too). */
  markReceived(id: string): void {
    this.fromNetwork.add(id);
  }

  score(peerId: string): number {
    return this.router.getScore(peerId);
  }

  private readonly onMessage = (evt: CustomEvent<GossipsubMessage>): void => {
    const { msgId, propagationSource, msg } = evt.detail;
    const from = propagationSource.toString();
    void this.validate(msg.topic, msg.data, from).then(
      (verdict) => this.report(msgId, from, verdict),
      (err: unknown) => this.report(msgId, from, { result: 'ignore', reason: 'NET_INTERNAL', message: String(err) }),
    ).catch((err: unknown) => this.opts.log.warn(`gossip: cannot report on a message from ${from.slice(-8)}: ${(err as Error).message}`));
  };

  private async validate(topic: string, data: Uint8Array, from: string): Promise<Verdict & { id?: string }> {
    const { node, topics } = this.opts;
    const markReceived = (id: string): void => this.fromNetwork.add(id);
    if (topic === topics.blocks) {
      // A flood of blocks waits in a bounded line; past it they are dropped without blame.
      if (this.blocksQueued >= MAX_QUEUED_BLOCKS) return { result: 'ignore', reason: 'NET_BUSY', message: `${this.blocksQueued} blocks are waiting for validation` };
      this.blocksQueued++;
      const run = this.blockQueue.then(() => validateGossipBlock({ node, beforeImport: markReceived }, data));
      this.blockQueue = run.catch(() => undefined).finally(() => this.blocksQueued--);
      const v = await run;
      if (v.reason === 'BLOCK_PARENT_UNKNOWN') this.opts.events?.orphan?.(from);
      if (v.reason === 'BLOCK_ORPHAN_CHEAP') this.opts.events?.misbehaved?.(from, 'cheapOrphan');
      if (v.result === 'accept' && v.id !== undefined) this.opts.events?.accepted?.(from, 'block', v.id);
      return v;
    }
    if (topic === topics.txs || topic === topics.attestations) {
      const v = await validateGossipTx({
        node,
        beforeSubmit: markReceived,
        attestationsOnly: topic === topics.attestations,
        fetchBlob: (hash) => this.opts.fetchBlob(hash, from),
      }, data);
      if (v.result === 'accept' && v.id !== undefined) this.opts.events?.accepted?.(from, 'tx', v.id);
      return v;
    }
    return { result: 'reject', reason: 'NET_UNKNOWN_TOPIC', message: `topic ${topic.slice(0, 80)}` };
  }

  private report(msgId: string, from: string, verdict: Verdict): void {
    this.counts[verdict.result]++;
    if (!this.started) return;
    this.router.reportMessageValidationResult(msgId, from, RESULT[verdict.result]);
    if (verdict.result === 'reject') {
      this.opts.log.warn(`gossip: rejected a message from ${from.slice(-8)}: ${verdict.reason} ${verdict.message}`);
      this.opts.events?.rejected?.(from, verdict);
    }
  }

  private readonly onBlock = (block: DecodedBlock): void => {
    this.lastConnected = block;
  };

  /** A new head that did not come from the network was made here (miner, API): publish it. */
  private readonly onHead = (head: BlockIndexEntry): void => {
    if (this.fromNetwork.has(head.id)) return;
    const block = this.lastConnected !== undefined && toHex(this.lastConnected.id) === head.id ? this.lastConnected : undefined;
    this.fromNetwork.add(head.id);
    void (async () => {
      const bytes = block?.bytes ?? (await this.opts.node.chain.getBlockBytes(head.id));
      if (bytes !== undefined) await this.opts.host.services.pubsub.publish(this.opts.topics.blocks, bytes);
    })().catch((err: unknown) => this.opts.log.warn(`gossip: cannot publish block ${head.height}: ${(err as Error).message}`));
  };

  private readonly onTx = (pending: PendingTx): void => {
    if (this.fromNetwork.has(pending.id)) return;
    this.fromNetwork.add(pending.id);
    const topic = pending.tx.type === 'attest' ? this.opts.topics.attestations : this.opts.topics.txs;
    this.opts.host.services.pubsub.publish(topic, pending.bytes).catch((err: unknown) => {
      this.opts.log.warn(`gossip: cannot publish tx ${pending.id.slice(0, 16)}: ${(err as Error).message}`);
    });
  };
}
