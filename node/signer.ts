/**
 * The producer of an authority chain (`gopkgr node --sign`): at the start of
 * each slot that is this identity's turn, it seals a block of the pool's txs
 * on the current head and imports it (the network gossips it as any new
 * block). No proof of work: a block costs one signature. Between its slots it
 * sleeps until the next one, so a node never signs for a slot not yet begun.
 * Turns follow the authority set in force at the head (votes change it at
 * epoch boundaries): an identity voted out waits, slot by slot, in case it is
 * voted in again.
 */
import { MAX_BLOCK_BYTES, MAX_BLOCK_COST, MAX_BLOCK_TXS } from '../ledger/constants.ts';
import { GopkgrError } from '../ledger/errors.ts';
import { bytesEqual, fromHex, toHex } from '../ledger/encoding.ts';
import { merkleRoot } from '../ledger/block.ts';
import { encodeTx, txId, type Tx } from '../ledger/tx.ts';
import { buildRewardTx } from '../ledger/rules.ts';
import type { KeyPair } from '../ledger/crypto.ts';
import { anchorOfEntry, inTurnSigner, nextSlotOf, sealAuthorityBlock, slotAt, slotStart, type AuthorityConsensus, type AuthoritySet, type BlockAnchor, type BlockTemplate } from '../consensus/index.ts';
import type { BlockIndexEntry } from './store.ts';
import type { FullNode, Logger } from './fullNode.ts';
import { submitEvidenceTx } from './evidenceTx.ts';

/** Room in a block for its header, the reward and CBOR framing. */
const BLOCK_OVERHEAD = 64 * 1024;

export interface SignedBlockInfo {
  slot: number;
  height: number;
  id: string;
  txs: number;
}

export class AuthoritySigner {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private running: Promise<void> = Promise.resolve();
  private readonly me: string;
  private lastSlot = -1;

  constructor(
    private readonly node: FullNode,
    private readonly key: KeyPair,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly onBlock?: (b: SignedBlockInfo) => void,
  ) {
    const consensus = node.chain.consensus;
    if (consensus.kind !== 'authority') {
      throw new GopkgrError('SIGNER_NOT_AUTHORITY', 'this chain is not sealed by authorities: --sign needs a private chain\'s genesis', { hint: 'use --mine on a proof-of-work chain' });
    }
    this.me = toHex(key.publicKey);
    if (this.index() < 0) {
      throw new GopkgrError('SIGNER_NOT_AUTHORITY', `id:${this.me} is not one of this chain's authorities`, {
        hint: 'sign with an identity the genesis names (gopkgr fork --authority) or one voted in (gopkgr authority propose add), or run without --sign',
      });
    }
  }

  /** The authority set in force for the next block on the head. */
  private get set(): AuthoritySet {
    const chain = this.node.chain;
    return this.consensus.setOf(chain.authoritiesAt(chain.head.id));
  }

  /** This identity's place in the turn order in force, or -1 when it is not an authority now. */
  private index(set: AuthoritySet = this.set): number {
    return set.hexKeys.indexOf(this.me);
  }

  private get consensus(): AuthorityConsensus {
    return this.node.chain.consensus as AuthorityConsensus;
  }

  start(): void {
    this.stopped = false;
    this.node.chain.on('equivocation', this.onEquivocation);
    for (const offender of this.node.chain.equivocators()) this.onEquivocation({ offender });
    this.schedule();
  }

  /** Evidence this node holds goes on the chain as a tx, while this identity is an authority in force. */
  private readonly onEquivocation = ({ offender }: { offender: string }): void => {
    if (this.stopped || this.index() < 0) return;
    submitEvidenceTx(this.node, this.key, offender)
      .then((id) => { if (id !== undefined) this.log.info(`evidence tx ${id.slice(0, 16)} against id:${offender.slice(0, 16)}… is in the pool`); })
      .catch((err: unknown) => this.log.warn(`evidence tx against id:${offender.slice(0, 16)}…: ${(err as Error).message}`));
  };

  async stop(): Promise<void> {
    this.node.chain.off('equivocation', this.onEquivocation);
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Sleep until this identity's next slot begins. */
  private schedule(): void {
    if (this.stopped) return;
    const { params } = this.node.chain;
    const set = this.set;
    const index = this.index(set);
    const now = this.now();
    const current = slotAt(now, params, set);
    if (index < 0) {
      // Not an authority in force now: look again at the next slot.
      this.timer = setTimeout(() => this.schedule(), Math.max(1, slotStart(current + 1, params, set) - now));
      return;
    }
    // This slot, if it is ours and not yet used; else our next one.
    const slot = current % set.keys.length === index && current > this.lastSlot ? current : nextSlotOf(index, current, set);
    const wait = Math.max(0, slotStart(slot, params, set) - now);
    this.timer = setTimeout(() => {
      this.running = this.produce(slot).catch((err: unknown) => this.log.warn(`signer: slot ${slot}: ${(err as Error).message}`)).finally(() => this.schedule());
    }, wait);
  }

  private async produce(slot: number): Promise<void> {
    if (this.stopped) return;
    this.lastSlot = slot;
    const chain = this.node.chain;
    const head = chain.head;
    // The head may already hold this slot or a later one (a clock behind the others'): nothing to sign.
    if (typeof head.slot === 'number' && head.slot >= slot) return;
    // The head may have crossed an epoch boundary since this slot was picked: sign only in our turn under the set it left.
    const set = this.set;
    if (!bytesEqual(inTurnSigner(slot, set), this.key.publicKey)) return;
    const anchor = this.anchorAfter(head);
    if (anchor === null) {
      this.log.warn(`signer: slot ${slot} left empty: this node's replica of the public chain does not hold the head's anchor yet`);
      return;
    }
    const block = sealAuthorityBlock(this.template(head.id, head.height + 1), slot, this.key, chain.chainId, chain.params, set, anchor);
    const result = await this.node.submitBlock(block);
    this.onBlock?.({ slot, height: result.height, id: result.id, txs: block.txs.length - 1 });
  }

  /**
   * The anchor of a block on `head` (consensus/authority/anchor.ts): the replica's block anchorDepth below its head,
   * never behind the head's; undefined on a chain with no parent; null when the replica cannot give one (it does
   * not hold the head's anchor on its main chain): the slot stays empty rather than carry an anchor no one can judge.
   * Without a replica (a chain opened with no parent source), the head's anchor again.
   */
  private anchorAfter(head: BlockIndexEntry): BlockAnchor | undefined | null {
    const chain = this.node.chain;
    if (chain.params.parent === undefined) return undefined;
    const after = anchorOfEntry(head);
    if (chain.parent === undefined) return after;
    return chain.parent.choose(after) ?? null;
  }

  /** The pool's txs that fit (the pool keeps them in an order that applies), after the reward that pays this authority. */
  private template(parent: string, height: number): BlockTemplate {
    const txs: Tx[] = [];
    const ids: Uint8Array[] = [];
    let bytes = 0;
    let cost = 0;
    for (const p of this.node.mempool.ordered()) {
      const c = p.cost ?? 0;
      if (txs.length + 1 >= MAX_BLOCK_TXS || bytes + p.bytes.length > MAX_BLOCK_BYTES - BLOCK_OVERHEAD || cost + c > MAX_BLOCK_COST) break;
      txs.push(p.tx);
      ids.push(fromHex(p.id));
      bytes += p.bytes.length;
      cost += c;
    }
    const reward = buildRewardTx(height, this.key.publicKey, txs, this.node.chain.params);
    return {
      header: { v: 1, height, parent: fromHex(parent), txRoot: merkleRoot([txId(encodeTx(reward)), ...ids]), time: this.now() },
      txs: [reward, ...txs],
    };
  }
}
