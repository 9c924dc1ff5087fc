/**
 * Pending txs. The pool keeps txs in an order in which they apply one after
 * another on top of the chain's state (arrival order, each sender's nonces
 * consecutive), with that result kept as an overlay, so a new tx is checked
 * against everything already pending: a publish right after a pending claim is
 * accepted, a second claim of the same name is not. Txs whose nonce is ahead of
 * the sender's next one wait (per-sender cap) until the gap fills.
 *
 * A block takes them in another order: highest fee first (`blockOrder`), each
 * sender's txs still in nonce order, re-applied in that order so that every
 * prefix of it applies.
 *
 * The head's state is read through a session (node/state/): what the pending
 * txs read stays loaded until the chain moves. Changes run one at a time, since
 * each waits on disk reads and the next must see what the last one pooled.
 */
import { GopkgrError } from '../ledger/errors.ts';
import { toHex } from '../ledger/encoding.ts';
import { MEMPOOL_MAX_PER_SENDER, MEMPOOL_MAX_TXS } from './constants.ts';
import { StateOverlay, getAccount } from '../ledger/state.ts';
import { applyLoaded, type StateSource, type StateSessionLike } from './state/source.ts';
import { Serial } from './serial.ts';
import { applySignedTx, NO_HOOKS, type RuleHooks, type TxContext } from '../ledger/rules.ts';
import type { ParentLedger } from '../ledger/publicLock.ts';
import { txCost } from '../ledger/blockCost.ts';
import { feeOf, type SignedTx } from '../ledger/tx.ts';
import type { ChainParams } from '../ledger/params.ts';

export interface PendingTx {
  id: string;
  tx: SignedTx;
  bytes: Uint8Array;
  sender: string;
  /** validation cost (ledger/blockCost.ts) on the pool's state before it; set when the tx becomes ready */
  cost?: number;
}

/** A pending tx in a block's order, with its validation cost on the state after the txs before it in that order. */
export interface BlockCandidate {
  pending: PendingTx;
  cost: number;
}

export interface MempoolContext {
  params: ChainParams;
  chainId: Uint8Array;
  /** state of the chain's head */
  state: StateSource;
  /** height the next block will have */
  nextHeight: () => number;
  hooks?: RuleHooks;
  /**
   * A private chain forked beside a public one: the public versions a tx's lock entries name, at the anchor the
   * next block would take (node/anchors.ts). Absent: none (such an entry is not on chain).
   */
  parentLedger?: (tx: SignedTx) => Promise<ParentLedger | undefined>;
}

/** Tries of a sender's next tx in one block order before it is left for a later block (see blockOrder). */
const MAX_PASSES = 4;

export class Mempool {
  private ready: PendingTx[] = [];
  private readyIds = new Set<string>();
  private waiting = new Map<string, PendingTx>();
  private session: StateSessionLike;
  private overlay: StateOverlay;
  private readonly serial = new Serial();
  /**
   * The txs a reset has yet to re-apply on the new head: still pending until
   * proven otherwise, so `has` (and GET /v1/txs/:id) never loses a tx in the
   * moments between two blocks' bookkeeping.
   */
  private revalidating = new Set<string>();
  /** bumped on every change of the ready txs or the head, so a cached block order is known stale */
  private generation = 0;
  private blockOrderCache: { generation: number; max: number; order: BlockCandidate[] } | undefined;
  /** each ready tx's view of the public chain (private chains), read when it became ready */
  private readonly parents = new WeakMap<PendingTx, ParentLedger>();

  constructor(private readonly ctx: MempoolContext) {
    this.session = ctx.state.session({ wholePackages: false });
    this.overlay = new StateOverlay(this.session);
  }

  get size(): number {
    return this.ready.length + this.waiting.size;
  }

  has(id: string): boolean {
    return this.readyIds.has(id) || this.waiting.has(id) || this.revalidating.has(id);
  }

  get(id: string): PendingTx | undefined {
    return this.ready.find((p) => p.id === id) ?? this.waiting.get(id);
  }

  /** Txs in an order that applies cleanly on the head's state. */
  ordered(): readonly PendingTx[] {
    return this.ready;
  }

  /**
   * The pending txs in the order a block takes them, at most `max`: the highest
   * fee first (ties in arrival order), but never a sender's tx before its own
   * lower nonce. Built greedily on a fresh overlay of the head's state: the best
   * next tx of any sender is applied; one that does not apply there yet (it
   * needs another sender's tx first: a transfer that pays its fee, a maintainer
   * added) is passed over and tried again after the next one that applies. So
   * every prefix applies, each tx's cost is the one the block's rules will
   * count, and a tx that cannot apply in this order waits for a later block.
   * Without fees this is the ready order itself, at no cost.
   */
  blockOrder(max = Number.POSITIVE_INFINITY): Promise<BlockCandidate[]> {
    return this.serial.run(() => this.blockOrderUnlocked(max));
  }

  private async blockOrderUnlocked(max: number): Promise<BlockCandidate[]> {
    if (!this.ready.some((p) => feeOf(p.tx) > 0)) return this.ready.slice(0, max).map((p) => ({ pending: p, cost: p.cost! }));
    const cached = this.blockOrderCache;
    if (cached !== undefined && cached.generation === this.generation && cached.max >= max) return cached.order.slice(0, max);
    const arrival = new Map(this.ready.map((p, i) => [p.id, i]));
    // Each sender's ready txs, in nonce order (the ready list keeps them so).
    const queues = new Map<string, PendingTx[]>();
    for (const p of this.ready) {
      const q = queues.get(p.sender);
      if (q === undefined) queues.set(p.sender, [p]);
      else q.push(p);
    }
    const before = (a: PendingTx, b: PendingTx): boolean => feeOf(a.tx) > feeOf(b.tx) || (feeOf(a.tx) === feeOf(b.tx) && arrival.get(a.id)! < arrival.get(b.id)!);
    const base = new StateOverlay(this.session);
    const order: BlockCandidate[] = [];
    // Senders whose next tx did not apply since the last tx that did.
    const passedOver = new Set<string>();
    // How often each sender's next tx failed: past MAX_PASSES it waits for a later block, so txs that no
    // longer apply in this order cost at most MAX_PASSES tries each, not one per tx placed.
    const misses = new Map<string, number>();
    while (order.length < max) {
      let best: PendingTx | undefined;
      for (const [sender, q] of queues) if (!passedOver.has(sender) && (best === undefined || before(q[0]!, best))) best = q[0]!;
      if (best === undefined) break;
      const next = best;
      try {
        const cost = await applyLoaded(this.session, base, (s) => {
          const c = txCost(s, next.tx, next.bytes.length);
          applySignedTx(s, next.tx, this.txContext(next), this.ctx.hooks ?? NO_HOOKS);
          return c;
        });
        order.push({ pending: next, cost });
        const q = queues.get(next.sender)!;
        q.shift();
        if (q.length === 0) queues.delete(next.sender);
        passedOver.clear();
      } catch (err) {
        if (!(err instanceof GopkgrError)) throw err;
        passedOver.add(next.sender);
        const n = (misses.get(next.sender) ?? 0) + 1;
        misses.set(next.sender, n);
        if (n >= MAX_PASSES) queues.delete(next.sender);
      }
    }
    this.blockOrderCache = { generation: this.generation, max, order };
    return order;
  }

  /** The nonce the sender's next tx should carry, counting pending txs. */
  nextNonce(senderHex: string): Promise<number> {
    return this.serial.run(() => this.nextNonceUnlocked(senderHex));
  }

  private async nextNonceUnlocked(senderHex: string): Promise<number> {
    let nonce = await this.nonceOf(senderHex);
    const waitingNonces = new Set([...this.waiting.values()].filter((p) => p.sender === senderHex).map((p) => p.tx.nonce));
    while (waitingNonces.has(nonce)) nonce++;
    return nonce;
  }

  private countFor(sender: string): number {
    let n = 0;
    for (const p of this.ready) if (p.sender === sender) n++;
    for (const p of this.waiting.values()) if (p.sender === sender) n++;
    return n;
  }

  private nonceOf(senderHex: string): Promise<number> {
    return this.session.run(() => getAccount(this.overlay, senderHex).nonce);
  }

  /** Add a tx whose signature was already checked. Throws a coded error if it cannot apply. */
  add(p: PendingTx): Promise<void> {
    return this.serial.run(() => this.addUnlocked(p));
  }

  private async addUnlocked(p: PendingTx): Promise<void> {
    // Not has(): a reset re-adds the very txs it is revalidating.
    if (this.readyIds.has(p.id) || this.waiting.has(p.id)) throw new GopkgrError('TX_ALREADY_PENDING', `tx ${p.id.slice(0, 16)} is already pending`);
    if (this.size >= MEMPOOL_MAX_TXS) throw new GopkgrError('MEMPOOL_FULL', 'the mempool is full', { hint: 'retry after the next block' });
    if (this.countFor(p.sender) >= MEMPOOL_MAX_PER_SENDER) {
      throw new GopkgrError('MEMPOOL_SENDER_LIMIT', `id:${p.sender.slice(0, 16)}… already has ${MEMPOOL_MAX_PER_SENDER} pending txs`, { hint: 'wait for them to be mined' });
    }
    const expected = await this.nonceOf(p.sender);
    if (p.tx.nonce > expected && p.tx.nonce < expected + MEMPOOL_MAX_PER_SENDER) {
      this.waiting.set(p.id, p);
      return;
    }
    await this.applyReady(p);
    await this.promoteWaiting();
  }

  private async applyReady(p: PendingTx): Promise<void> {
    const parent = await this.ctx.parentLedger?.(p.tx);
    if (parent !== undefined) this.parents.set(p, parent);
    p.cost = await applyLoaded(this.session, this.overlay, (s) => {
      const cost = txCost(s, p.tx, p.bytes.length);
      applySignedTx(s, p.tx, this.txContext(p), this.ctx.hooks ?? NO_HOOKS);
      return cost;
    });
    this.ready.push(p);
    this.readyIds.add(p.id);
    this.generation++;
  }

  private txContext(p: PendingTx): TxContext {
    const parent = this.parents.get(p);
    return { params: this.ctx.params, chainId: this.ctx.chainId, height: this.ctx.nextHeight(), blockId: '', txId: p.id, ...(parent === undefined ? {} : { parent }) };
  }

  private async promoteWaiting(): Promise<void> {
    let moved = true;
    while (moved) {
      moved = false;
      for (const p of [...this.waiting.values()]) {
        if (p.tx.nonce !== (await this.nonceOf(p.sender))) continue;
        this.waiting.delete(p.id);
        try {
          await this.applyReady(p);
        } catch (err) {
          // It no longer applies (its slot was taken by another tx): drop it.
          if (!(err instanceof GopkgrError)) throw err;
        }
        moved = true;
      }
    }
  }

  /**
   * The chain moved: re-apply what is still pending on the new head's state,
   * putting txs of disconnected blocks back first, dropping what no longer applies
   * (included txs fail their nonce check and go).
   */
  reset(returning: PendingTx[] = [], included: ReadonlySet<string> = new Set()): Promise<void> {
    return this.serial.run(() => this.resetUnlocked(returning, included));
  }

  private async resetUnlocked(returning: PendingTx[], included: ReadonlySet<string>): Promise<void> {
    const candidates = [...returning, ...this.ready].filter((p) => !included.has(p.id));
    const waiting = [...this.waiting.values()].filter((p) => !included.has(p.id));
    this.ready = [];
    this.readyIds = new Set();
    this.waiting = new Map();
    this.generation++;
    this.session = this.ctx.state.session({ wholePackages: false });
    this.overlay = new StateOverlay(this.session);
    const all = [...candidates, ...waiting];
    this.revalidating = new Set(all.map((p) => p.id));
    try {
      for (const p of all) {
        if (this.readyIds.has(p.id)) continue;
        try {
          await this.addUnlocked(p);
        } catch (err) {
          // dropped: mined, or made invalid by the new chain
          if (!(err instanceof GopkgrError)) throw err;
        } finally {
          this.revalidating.delete(p.id);
        }
      }
    } finally {
      this.revalidating = new Set();
    }
  }
}

export function senderOf(tx: SignedTx): string {
  return toHex(tx.from);
}
