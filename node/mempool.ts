/**
 * Pending txs. The pool keeps txs in an order in which they apply one after
 * another on top of the chain's state (arrival order, each sender's nonces
 * consecutive), with that result kept as an overlay, so a new tx is checked
 * against everything already pending: a publish right after a pending claim is
 * accepted, a second claim of the same name is not. Txs whose nonce is ahead of
 * the sender's next one wait (per-sender cap) until the gap fills.
 */
import { GopkgrError } from '../ledger/errors.ts';
import { toHex } from '../ledger/encoding.ts';
import { MEMPOOL_MAX_PER_SENDER, MEMPOOL_MAX_TXS } from './constants.ts';
import { StateOverlay, getAccount, type StateReader } from '../ledger/state.ts';
import { applySignedTx, NO_HOOKS, type RuleHooks } from '../ledger/rules.ts';
import { txCost } from '../ledger/blockCost.ts';
import type { SignedTx } from '../ledger/tx.ts';
import type { ChainParams } from '../ledger/params.ts';

export interface PendingTx {
  id: string;
  tx: SignedTx;
  bytes: Uint8Array;
  sender: string;
  /** validation cost (ledger/blockCost.ts) on the pool's state before it; set when the tx becomes ready */
  cost?: number;
}

export interface MempoolContext {
  params: ChainParams;
  chainId: Uint8Array;
  /** state of the chain's head */
  state: () => StateReader;
  /** height the next block will have */
  nextHeight: () => number;
  hooks?: RuleHooks;
}

export class Mempool {
  private ready: PendingTx[] = [];
  private readyIds = new Set<string>();
  private waiting = new Map<string, PendingTx>();
  private overlay: StateOverlay;

  constructor(private readonly ctx: MempoolContext) {
    this.overlay = new StateOverlay(ctx.state());
  }

  get size(): number {
    return this.ready.length + this.waiting.size;
  }

  has(id: string): boolean {
    return this.readyIds.has(id) || this.waiting.has(id);
  }

  get(id: string): PendingTx | undefined {
    return this.ready.find((p) => p.id === id) ?? this.waiting.get(id);
  }

  /** Txs in an order that applies cleanly on the head's state. */
  ordered(): readonly PendingTx[] {
    return this.ready;
  }

  /** The nonce the sender's next tx should carry, counting pending txs. */
  nextNonce(senderHex: string): number {
    let nonce = getAccount(this.overlay, senderHex).nonce;
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

  /** Add a tx whose signature was already checked. Throws a coded error if it cannot apply. */
  add(p: PendingTx): void {
    if (this.has(p.id)) throw new GopkgrError('TX_ALREADY_PENDING', `tx ${p.id.slice(0, 16)} is already pending`);
    if (this.size >= MEMPOOL_MAX_TXS) throw new GopkgrError('MEMPOOL_FULL', 'the mempool is full', { hint: 'retry after the next block' });
    if (this.countFor(p.sender) >= MEMPOOL_MAX_PER_SENDER) {
      throw new GopkgrError('MEMPOOL_SENDER_LIMIT', `id:${p.sender.slice(0, 16)}… already has ${MEMPOOL_MAX_PER_SENDER} pending txs`, { hint: 'wait for them to be mined' });
    }
    const expected = getAccount(this.overlay, p.sender).nonce;
    if (p.tx.nonce > expected && p.tx.nonce < expected + MEMPOOL_MAX_PER_SENDER) {
      this.waiting.set(p.id, p);
      return;
    }
    this.applyReady(p);
    this.promoteWaiting();
  }

  private applyReady(p: PendingTx): void {
    const trial = new StateOverlay(this.overlay);
    const cost = txCost(this.overlay, p.tx, p.bytes.length);
    applySignedTx(trial, p.tx, this.txContext(p.id), this.ctx.hooks ?? NO_HOOKS);
    p.cost = cost;
    for (const [k, v] of trial.writes) {
      if (v === null) this.overlay.delete(k);
      else this.overlay.set(k, v);
    }
    this.ready.push(p);
    this.readyIds.add(p.id);
  }

  private txContext(id: string): { params: ChainParams; chainId: Uint8Array; height: number; blockId: string; txId: string } {
    return { params: this.ctx.params, chainId: this.ctx.chainId, height: this.ctx.nextHeight(), blockId: '', txId: id };
  }

  private promoteWaiting(): void {
    let moved = true;
    while (moved) {
      moved = false;
      for (const p of this.waiting.values()) {
        if (p.tx.nonce !== getAccount(this.overlay, p.sender).nonce) continue;
        this.waiting.delete(p.id);
        try {
          this.applyReady(p);
        } catch {
          // It no longer applies (its slot was taken by another tx): drop it.
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
  reset(returning: PendingTx[] = [], included: ReadonlySet<string> = new Set()): void {
    const candidates = [...returning, ...this.ready].filter((p) => !included.has(p.id));
    const waiting = [...this.waiting.values()].filter((p) => !included.has(p.id));
    this.ready = [];
    this.readyIds = new Set();
    this.waiting = new Map();
    this.overlay = new StateOverlay(this.ctx.state());
    for (const p of candidates) {
      if (this.readyIds.has(p.id)) continue;
      try {
        this.add(p);
      } catch {
        // dropped: mined, or made invalid by the new chain
      }
    }
    for (const p of waiting) {
      try {
        this.add(p);
      } catch {
        // dropped
      }
    }
  }
}

export function senderOf(tx: SignedTx): string {
  return toHex(tx.from);
}
