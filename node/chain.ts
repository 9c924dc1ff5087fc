/**
 * The chain: block index, fork choice by cumulative weight, and reorganisations
 * of any depth that restore state exactly. Everything about seals (proof of work
 * today) is the chain's consensus's (consensus/index.ts): the chain asks it
 * whether a header is valid after its parent and how much weight a block adds.
 *
 * Import runs the cheap checks first (decode, seal, parent, header context, tx
 * root) and the costly ones last (signatures, then state). A block that
 * extends a branch with less weight than the main chain is stored without
 * state checks; its txs are checked when its branch becomes the heaviest. A
 * reorg is computed in memory (undo the old branch, apply the new one on
 * stacked overlays) and written as one atomic batch, so a crash leaves either
 * the old head and its state or the new head and its state. No reorg undoes a
 * block the consensus calls final (proof of work has none but genesis).
 */
import { EventEmitter } from 'node:events';
import { GopkgrError } from '../ledger/errors.ts';
import { bytesEqual, toHex, type Canonical } from '../ledger/encoding.ts';
import { decodeBlock, encodeHeader, headerBytesOf, merkleRoot, type DecodedBlock } from '../ledger/block.ts';
import { consensusFor, genesisBlock, type BlockTerms, type Consensus } from '../consensus/index.ts';
import { MAX_TX_BYTES } from '../ledger/constants.ts';
import type { ChainParams } from '../ledger/params.ts';
import { StateOverlay, type StateReader, type StateValue } from '../ledger/state.ts';
import { applyBlockTxs, blockSteps, NO_HOOKS, type RuleHooks } from '../ledger/rules.ts';
import { checkStamp, type SignatureCheck, type SignedTx } from '../ledger/tx.ts';
import { verify } from '../ledger/crypto.ts';
import { ChainStore, del, evidenceKey, headerKey, heightKey, put, putRaw, rangeEnd, type BatchOp, type BlockIndexEntry, type TxLocation } from './store.ts';
import { StateStore, type StateSession } from './state/stateStore.ts';
import { derivedHints, readHints } from './state/readHints.ts';
import { applyLoaded } from './state/source.ts';
import { Serial } from './serial.ts';
import { readCheckpoint } from './snapshot/import.ts';
import { parentRefsOf, type ParentSource } from './anchors.ts';
import type { ParentLedger } from '../ledger/publicLock.ts';
import { epochBlocksOf, genesisAuthorities, isEpochBoundary, type AuthorityState } from '../ledger/authorityVote.ts';
import { keys } from '../ledger/state.ts';

/** How long block application runs before it lets the node's other work (requests, gossip) in. */
const APPLY_SLICE_MS = 20;
/** Rounds of derived read hints before a block's txs run (lock names, their packages, then their versions). */
const HINT_ROUNDS = 4;

export interface SignatureVerifier {
  /**
   * true for each check whose signature verifies. `background`: the calling
   * thread is busy with other work (a block verified ahead of its import), so
   * leave it all to other threads where there are any. `join`: the calling thread has other work
   * first (a block's state reads); other threads start at once, and it joins in when `join` settles.
   */
  verifyAll(checks: SignatureCheck[], opts?: { background?: boolean; join?: Promise<unknown> }): Promise<boolean[]>;
}

export const inlineVerifier: SignatureVerifier = {
  async verifyAll(checks) {
    return checks.map((c) => verify(c.sig, c.message, c.publicKey));
  },
};

export type ImportStatus = 'connected' | 'reorg' | 'side' | 'duplicate';

export interface ImportResult {
  status: ImportStatus;
  id: string;
  height: number;
  /** blocks taken off the main chain by a reorg, newest first */
  disconnected: DecodedBlock[];
  /** blocks put on the main chain, oldest first */
  connected: DecodedBlock[];
}

export interface ChainOptions {
  params: ChainParams;
  hooks?: RuleHooks;
  verifier?: SignatureVerifier;
  /** default: the one the params name (consensusFor) */
  consensus?: Consensus;
  /** the local clock, for the future-time rule only */
  now?: () => number;
  /** bound of the decoded-state cache, in encoded bytes (default: StateStore's) */
  stateCacheBytes?: number;
  /**
   * A private chain forked beside a public one: its node's replica of that chain, which judges blocks' anchors
   * and answers their lock entries' public versions (node/anchors.ts). Absent: anchors are checked only against
   * each other, and a lock entry naming a public version is not on chain.
   */
  parent?: ParentSource;
}

export class Chain extends EventEmitter {
  readonly params: ChainParams;
  readonly consensus: Consensus;
  readonly chainId: Uint8Array;
  readonly chainIdHex: string;
  /** the rules' hooks, with the consensus's evidence check added (what the mempool applies too) */
  readonly hooks: RuleHooks;
  private readonly verifier: SignatureVerifier;
  private readonly now: () => number;
  private readonly serial = new Serial();
  private index = new Map<string, BlockIndexEntry>();
  /** The registry state: on disk, read through a bounded cache. */
  readonly state: StateStore;
  private main: string[] = [];
  private readonly prepared = new WeakMap<DecodedBlock, Promise<void>>();
  /** the state keys a block's txs read, as loadHints found them */
  private readonly hinted = new WeakMap<DecodedBlock, string[]>();
  private lastFailure: GopkgrError | null = null;
  /** joined from a snapshot at this height: below it there are headers but no blocks or undo data, so no reorg goes there */
  private checkpointHeight = 0;
  /** Consensus.conflictKey of every valid stored block → its id: a second block with one key is evidence. */
  private readonly conflicts = new Map<string, string>();
  /** producers this node holds equivocation evidence against (x:<offender> in the store) */
  private readonly offenders = new Set<string>();
  /** the replica of the public chain, on a private chain forked beside one (ChainOptions.parent) */
  readonly parent: ParentSource | undefined;
  /** authority chains: blocks per epoch (the set in force changes only at a multiple of it) */
  private readonly epochBlocks: number | undefined;

  constructor(readonly store: ChainStore, opts: ChainOptions) {
    super();
    this.params = opts.params;
    const hooks = opts.hooks ?? NO_HOOKS;
    this.consensus = opts.consensus ?? consensusFor(opts.params);
    // Evidence txs ask the consensus whether two headers prove an equivocation (authority chains).
    const evidence = this.consensus.checkEncodedEvidence;
    this.hooks = evidence === undefined ? hooks : { ...hooks, checkEquivocation: evidence };
    this.epochBlocks = epochBlocksOf(opts.params);
    this.verifier = opts.verifier ?? inlineVerifier;
    this.now = opts.now ?? Date.now;
    this.parent = opts.params.parent === undefined ? undefined : opts.parent;
    this.state = new StateStore(store, opts.stateCacheBytes);
    const genesis = genesisBlock(opts.params, this.consensus);
    this.chainId = genesis.id;
    this.chainIdHex = toHex(genesis.id);
  }

  /** Load the block index and main chain (the state stays on disk); write genesis on first start. */
  async open(): Promise<void> {
    this.index = await this.store.loadIndex();
    if (this.index.size === 0) {
      const genesis = genesisBlock(this.params, this.consensus);
      const entry: BlockIndexEntry = {
        id: this.chainIdHex, parent: toHex(genesis.header.parent), height: 0, time: genesis.header.time,
        ...this.consensus.indexFields(genesis.header), work: this.consensus.weightOf(genesis.header).toString(16), status: 'valid',
      };
      await this.store.write([
        putRaw(`b:${entry.id}`, genesis.bytes), put(`i:${entry.id}`, entry), put(heightKey(0), entry.id),
        put('u:' + entry.id, []), put('meta:head', entry.id), put('meta:chain', this.chainIdHex),
      ]);
      this.index.set(entry.id, entry);
    } else {
      const stored = await this.store.getValue<string>('meta:chain');
      if (stored !== this.chainIdHex) {
        throw new GopkgrError('CHAIN_MISMATCH', `the data dir holds chain ${String(stored).slice(0, 16)}…, not ${this.chainIdHex.slice(0, 16)}…`, {
          hint: 'use another --data dir for another chain',
          status: 500,
        });
      }
    }
    this.checkpointHeight = (await readCheckpoint(this.store))?.height ?? 0;
    for (const e of this.index.values()) this.noteConflictKey(e);
    for await (const key of this.store.db.keys({ gte: 'x:', lt: rangeEnd('x:') })) this.offenders.add(key.slice(2));
    const head = (await this.store.getValue<string>('meta:head'))!;
    this.main = [];
    for (let e = this.index.get(head); e !== undefined; e = this.index.get(e.parent)) this.main[e.height] = e.id;
    // A crash can leave a stored branch heavier than the head (stored, not yet switched to).
    await this.serial.run(() => this.switchToBest());
  }

  get head(): BlockIndexEntry {
    return this.index.get(this.main[this.main.length - 1]!)!;
  }

  get height(): number {
    return this.main.length - 1;
  }

  entry(id: string): BlockIndexEntry | undefined {
    return this.index.get(id);
  }

  mainIdAt(height: number): string | undefined {
    return this.main[height];
  }

  isOnMain(id: string): boolean {
    const e = this.index.get(id);
    return e !== undefined && this.main[e.height] === id;
  }

  /** Settles when no block is being imported: background work waits for it so it never slows a block down. */
  idle(): Promise<unknown> {
    return this.serial.idle();
  }

  async getBlockBytes(id: string): Promise<Uint8Array | undefined> {
    return this.store.getRaw(`b:${id}`);
  }

  /** A stored block's header bytes: stored on their own (databases from before that: cut from the block). */
  async getHeaderBytes(id: string): Promise<Uint8Array | undefined> {
    const header = await this.store.getRaw(headerKey(id));
    if (header !== undefined) return header;
    const bytes = await this.getBlockBytes(id);
    return bytes === undefined ? undefined : headerBytesOf(bytes, this.consensus.seal);
  }

  async getBlock(id: string): Promise<DecodedBlock | undefined> {
    const bytes = await this.getBlockBytes(id);
    return bytes === undefined ? undefined : this.decode(bytes);
  }

  /** A block's bytes, decoded with this chain's seal (stateless; see ledger/block.ts decodeBlock). */
  decode(bytes: Uint8Array): DecodedBlock {
    return decodeBlock(bytes, this.consensus.seal);
  }

  async txLocation(idHex: string): Promise<TxLocation | undefined> {
    return this.store.getValue<TxLocation>(`t:${idHex}`);
  }

  /** The index entries of `id` and of up to `count - 1` ancestors, oldest first (what the consensus reads). */
  ancestry(id: string, count = this.consensus.ancestryDepth): BlockIndexEntry[] {
    const out: BlockIndexEntry[] = [];
    for (let e = this.index.get(id); e !== undefined && out.length < count; e = this.index.get(e.parent)) out.push(e);
    return out.reverse();
  }

  /**
   * Authority chains: the set in force for a child of `id` (hex keys, turn order), as the newest
   * applied epoch boundary at or below it left it (its index entry's `authorities`, written when
   * its txs applied); undefined: the genesis's (or a chain without authorities).
   */
  authoritiesAt(id: string): string[] | undefined {
    return this.setContext(id).authorities;
  }

  /**
   * The set in force after `id`, read from the newest epoch boundary at or below it; `setPending`
   * when that boundary was never applied here (a side branch): reorgTo checks the headers above it
   * once it applies it.
   */
  private setContext(id: string): { authorities?: string[]; setPending?: true } {
    const epoch = this.epochBlocks;
    if (epoch === undefined) return {};
    for (let e = this.index.get(id); e !== undefined && e.height > 0; e = this.index.get(e.parent)) {
      if (!isEpochBoundary(e.height, epoch)) continue;
      return Array.isArray(e.authorities) ? { authorities: e.authorities as string[] } : { setPending: true };
    }
    return {};
  }

  /** What the consensus reads of the chain behind `id`: its ancestors and the set in force after it. */
  private context(id: string): { ancestors: BlockIndexEntry[]; authorities?: string[]; setPending?: true } {
    return { ancestors: this.ancestry(id), ...this.setContext(id) };
  }

  /** What a child of `parentId` must meet (pow: its target, and a time after minTime). */
  nextTerms(parentId: string): BlockTerms {
    return this.consensus.nextTerms(this.context(parentId));
  }

  /** A child of `parentId` must be later than this. */
  medianTimeAfter(parentId: string): number {
    return this.nextTerms(parentId).minTime;
  }

  /** Producers this node holds equivocation evidence against (authority: signer keys, hex). */
  equivocators(): string[] {
    return [...this.offenders];
  }

  /** The two headers that prove `offender` equivocated, if this node holds them. */
  async evidence(offender: string): Promise<Uint8Array[] | undefined> {
    return this.store.getValue<Uint8Array[]>(evidenceKey(offender));
  }

  /**
   * Evidence someone sends (POST /v1/evidence): two encoded headers the consensus
   * finds proof of a cheat (EVIDENCE_INVALID otherwise). Kept like evidence found
   * at import: the offender's later blocks are refused. Returns the offender.
   */
  async addEvidence(a: Uint8Array, b: Uint8Array): Promise<string> {
    const check = this.consensus.checkEncodedEvidence;
    if (check === undefined) throw new GopkgrError('EVIDENCE_INVALID', `a ${this.consensus.kind} chain has no block signers to hold evidence against`);
    // Against the set in force at the head (or the genesis's): an authority added by vote can be caught too.
    const inForce = this.authoritiesAt(this.head.id) ?? genesisAuthorities(this.params);
    const offender = check(a, b, inForce);
    if (!this.offenders.has(offender)) {
      await this.store.write([put(evidenceKey(offender), [a, b])]);
      this.offenders.add(offender);
      this.emit('equivocation', { offender, blocks: [] });
    }
    return offender;
  }

  private noteConflictKey(e: BlockIndexEntry): void {
    if (e.status !== 'valid') return;
    const conflict = this.consensus.conflictKey?.(e);
    if (conflict !== undefined && !this.conflicts.has(conflict.key)) this.conflicts.set(conflict.key, e.id);
  }

  /**
   * A block that shares its conflict key with another stored block (authority: one signer, one
   * slot) is refused, and the two headers are kept as evidence: the producer's later blocks are
   * refused too (HeaderContext.excludedSigners).
   */
  private async refuseConflict(entry: BlockIndexEntry, headerBytes: Uint8Array): Promise<void> {
    const conflict = this.consensus.conflictKey?.(entry);
    if (conflict === undefined) return;
    const other = this.conflicts.get(conflict.key);
    if (other === undefined || other === entry.id) return;
    const otherHeader = await this.getHeaderBytes(other);
    if (otherHeader !== undefined && !this.offenders.has(conflict.offender)) {
      await this.store.write([put(evidenceKey(conflict.offender), [otherHeader, headerBytes])]);
      this.offenders.add(conflict.offender);
      this.emit('equivocation', { offender: conflict.offender, blocks: [other, entry.id] });
    }
    throw new GopkgrError('BLOCK_EQUIVOCATION', `block ${entry.id.slice(0, 16)} is a second block by ${conflict.offender.slice(0, 16)}… for one slot (the first: ${other.slice(0, 16)}); kept as evidence`);
  }

  /** Height of the newest final block of the main chain (no reorg crosses it; 0 under proof of work). */
  finalizedHeight(): number {
    return Math.max(this.checkpointHeight, this.consensus.finalizedHeight(this.context(this.head.id)));
  }

  importBlock(input: Uint8Array | DecodedBlock): Promise<ImportResult> {
    return this.serial.run(() => this.importUnlocked(input));
  }

  /**
   * Start a block's stateless checks (decode, stamps, signatures) ahead of its
   * import, on other threads: a caller importing many blocks (sync, replay)
   * prepares block n+1 while block n is applied, so signatures verify in
   * parallel with state and storage work. importBlock reuses the result.
   */
  prepareBlock(input: Uint8Array | DecodedBlock): DecodedBlock {
    const block = input instanceof Uint8Array ? this.decode(input) : input;
    if (!this.prepared.has(block)) {
      const checked = this.checkSignatures(block, true);
      checked.catch(() => undefined); // reported when the block is imported
      this.prepared.set(block, checked);
    }
    return block;
  }

  private async importUnlocked(input: Uint8Array | DecodedBlock): Promise<ImportResult> {
    const block = input instanceof Uint8Array ? this.decode(input) : input;
    const id = toHex(block.id);
    const h = block.header;
    const known = this.index.get(id);
    if (known !== undefined) {
      if (known.status === 'invalid') throw new GopkgrError('BLOCK_KNOWN_INVALID', `block ${id.slice(0, 16)} was already found invalid: ${known.reason ?? ''}`);
      return { status: 'duplicate', id, height: known.height, disconnected: [], connected: [] };
    }
    // Rule: the seal is sound on its own (pow: the id meets the header's target; cheap, stops junk early).
    this.consensus.checkSeal(block.id, h);
    const parent = this.index.get(toHex(h.parent));
    // Rule: the parent is known (the network layer keeps orphans until it is).
    if (parent === undefined) throw new GopkgrError('BLOCK_PARENT_UNKNOWN', `parent ${toHex(h.parent).slice(0, 16)} of block ${id.slice(0, 16)} is unknown`);
    if (parent.status === 'invalid') throw new GopkgrError('BLOCK_PARENT_INVALID', `parent of block ${id.slice(0, 16)} is invalid`);
    // Rule: heights count up by one.
    if (h.height !== parent.height + 1) throw new GopkgrError('BLOCK_BAD_HEIGHT', `block height ${h.height} does not follow parent height ${parent.height}`);
    // Rules of the consensus after the parent (pow: the retarget's target; a time after the median of
    // the last 11 blocks and not more than 2 hours ahead of our clock).
    this.consensus.checkHeader(block.id, h, { ...this.context(parent.id), now: this.now(), excludedSigners: this.offenders });
    // Rule (private chains): the anchor is a block of the public chain as this node's replica has it; one the
    // replica has not reached is held back (FullNode retries it when the replica moves), not judged.
    const anchor = this.parent === undefined ? undefined : this.consensus.anchorOf?.(h);
    if (anchor !== undefined && this.parent!.judge(`block ${id.slice(0, 16)}`, anchor) === 'pending') {
      throw new GopkgrError('BLOCK_ANCHOR_PENDING', `block ${id.slice(0, 16)} anchors at public block ${anchor.height} ${anchor.id.slice(0, 16)}, which this node's replica does not hold yet`);
    }
    // Rule: the header commits to exactly these txs, each once.
    if (!bytesEqual(h.txRoot, merkleRoot(block.txIds))) throw new GopkgrError('BLOCK_BAD_TX_ROOT', `tx root of block ${id.slice(0, 16)} does not match its txs`);
    const seen = new Set<string>();
    for (const txid of block.txIds) {
      const hex = toHex(txid);
      if (seen.has(hex)) throw new GopkgrError('BLOCK_DUPLICATE_TX', `block ${id.slice(0, 16)} holds tx ${hex.slice(0, 16)} twice`);
      seen.add(hex);
    }
    // Rule: every tx fits the tx size limit, in a block as in the mempool (decodeTx).
    block.txBytes.forEach((bytes, i) => {
      if (bytes.length > MAX_TX_BYTES) throw new GopkgrError('TX_TOO_LARGE', `tx ${i} of block ${id.slice(0, 16)} is ${bytes.length} bytes, more than ${MAX_TX_BYTES}`);
    });
    // The state the txs will read is read from disk while other threads check the signatures; this
    // thread joins them once its reads are in. Only for a block on the head, whose state is the one on
    // disk, and only ever as a hint.
    const warming = toHex(h.parent) === this.head.id ? this.loadHints(this.state.session({ wholePackages: false }), block).catch(() => undefined) : undefined;
    await (this.prepared.get(block) ?? this.checkSignatures(block, false, warming));
    await warming;
    const entry: BlockIndexEntry = {
      id, parent: parent.id, height: h.height, time: h.time, ...this.consensus.indexFields(h),
      work: (BigInt('0x' + parent.work) + this.consensus.weightOf(h)).toString(16), status: 'valid',
    };
    const headerBytes = encodeHeader(h, this.consensus.seal);
    // Rule (authority): one block per signer and slot; a second is evidence against the signer.
    await this.refuseConflict(entry, headerBytes);
    const storeOps: BatchOp[] = [putRaw(`b:${id}`, block.bytes), putRaw(headerKey(id), headerBytes), put(`i:${id}`, entry)];
    this.index.set(id, entry);
    this.noteConflictKey(entry);
    // A branch that would undo a final block stays a side branch, however heavy.
    if (BigInt('0x' + entry.work) <= BigInt('0x' + this.head.work) || this.forksBelow(entry, this.finalizedHeight())) {
      await this.store.write(storeOps);
      return { status: 'side', id, height: entry.height, disconnected: [], connected: [] };
    }
    const result = await this.reorgTo(entry, storeOps, block);
    if (result === null) {
      // The failing block may be an ancestor on the branch: report its own reason.
      throw this.lastFailure ?? new GopkgrError('BLOCK_INVALID', this.index.get(id)?.reason ?? 'invalid');
    }
    return { ...result, id, height: entry.height };
  }

  /** Stateless tx checks: work stamps inline, signatures through the verifier. */
  private async checkSignatures(block: DecodedBlock, background: boolean, join?: Promise<unknown>): Promise<void> {
    const checks: SignatureCheck[] = [];
    const where: number[] = [];
    block.txs.forEach((tx, i) => {
      if (tx.type === 'reward') return;
      try {
        checks.push(checkStamp(tx as SignedTx, this.chainId, this.params.txWorkBits));
      } catch (err) {
        throw new GopkgrError((err as GopkgrError).code, `tx ${i}: ${(err as Error).message}`);
      }
      where.push(i);
    });
    const ok = await this.verifier.verifyAll(checks, { background, join });
    const bad = ok.indexOf(false);
    if (bad >= 0) throw new GopkgrError('TX_BAD_SIGNATURE', `tx ${where[bad]} of block ${toHex(block.id).slice(0, 16)}: signature does not verify against tx.from`);
  }

  /** Switch the main chain to the heaviest (by weight) valid stored tip, if it is not the head. */
  private async switchToBest(): Promise<void> {
    for (;;) {
      let best = this.head;
      const final = this.finalizedHeight();
      for (const e of this.index.values()) {
        if (e.status === 'valid' && BigInt('0x' + e.work) > BigInt('0x' + best.work) && !this.forksBelow(e, final)) best = e;
      }
      if (best.id === this.head.id) return;
      await this.reorgTo(best, []);
    }
  }

  /** Whether `tip`'s branch leaves the main chain below `final` (switching to it would undo a final block). */
  private forksBelow(tip: BlockIndexEntry, final: number): boolean {
    if (final <= 0) return false;
    let e = tip;
    while (this.main[e.height] !== e.id) e = this.index.get(e.parent)!;
    return e.height < final;
  }

  /**
   * Make `tip` the head: undo the main chain down to the fork point, apply the
   * branch up to tip, write it all in one batch. Returns null (and marks the
   * failing block and its descendants invalid) if a branch block breaks a rule.
   */
  private async reorgTo(tip: BlockIndexEntry, extraOps: BatchOp[], tipBlock?: DecodedBlock): Promise<Omit<ImportResult, 'id' | 'height'> | null> {
    const branch: BlockIndexEntry[] = [];
    let fork = tip;
    while (this.main[fork.height] !== fork.id) {
      branch.push(fork);
      fork = this.index.get(fork.parent)!;
    }
    branch.reverse();
    const ops: BatchOp[] = [...extraOps];
    const session = this.state.session({ wholePackages: false });
    let layer = new StateOverlay(session);
    const disconnected: DecodedBlock[] = [];
    for (let height = this.height; height > fork.height; height--) {
      const id = this.main[height]!;
      const undo = (await this.store.getValue<Array<[string, StateValue | null]>>(`u:${id}`)) ?? [];
      for (const [key, value] of undo) {
        if (value === null) layer.delete(key);
        else layer.set(key, value);
      }
      const block = (await this.getBlock(id))!;
      disconnected.push(block);
      ops.push(del(`u:${id}`), del(heightKey(height)));
      block.txIds.forEach((txid) => ops.push(del(`t:${toHex(txid)}`)));
      layer = new StateOverlay(layer);
    }
    const connected: DecodedBlock[] = [];
    let firstBoundary = false;
    for (const e of branch) {
      const block = tipBlock !== undefined && e.id === tip.id ? tipBlock : (await this.getBlock(e.id))!;
      try {
        // Rule (authority): above an epoch boundary applied for the first time here, the headers
        // were checked against the set before it: check them against the set it left.
        if (firstBoundary) this.consensus.checkHeader(block.id, block.header, { ...this.context(e.parent), now: this.now() });
        await this.applyBlock(session, layer, block, e);
        firstBoundary = this.recordAuthorities(e, layer, ops) || firstBoundary;
      } catch (err) {
        const error = err instanceof GopkgrError ? err : new GopkgrError('BLOCK_INVALID', String(err));
        await this.markInvalid(e, `${error.code}: ${error.message}`, extraOps);
        this.lastFailure = error;
        return null;
      }
      // The undo data is the values before this block of every key it wrote.
      await session.load(layer.writes.keys());
      ops.push(put(`u:${e.id}`, layer.undo() as unknown as Canonical), put(heightKey(e.height), e.id));
      block.txIds.forEach((txid, index) => ops.push(put(`t:${toHex(txid)}`, { block: e.id, height: e.height, index })));
      connected.push(block);
      layer = new StateOverlay(layer);
    }
    // Flatten the overlays into the final writes against the state we started from.
    const finalWrites = new Map<string, StateValue | null>();
    for (let l: StateReader = layer; l instanceof StateOverlay; l = l.base) {
      for (const [key, value] of l.writes) if (!finalWrites.has(key)) finalWrites.set(key, value);
    }
    const committed = new Map<string, { value: StateValue | null; bytes: number }>();
    for (const [key, value] of finalWrites) {
      const op = value === null ? del(`s:${key}`) : put(`s:${key}`, value);
      ops.push(op);
      committed.set(key, { value, bytes: op.type === 'put' ? op.value.length : 0 });
    }
    ops.push(put('meta:head', tip.id));
    await this.store.write(ops);
    this.state.committed(committed);
    this.main.length = fork.height + 1;
    for (const e of branch) this.main[e.height] = e.id;
    const status: ImportStatus = disconnected.length > 0 ? 'reorg' : 'connected';
    if (disconnected.length > 0) this.emit('reorg', { disconnected, connected });
    for (const block of connected) this.emit('block', block);
    return { status, disconnected, connected };
  }

  /**
   * An epoch boundary's index entry keeps the authority set its txs left in force (what the
   * header checks of the blocks above it read). True when it was not recorded before.
   */
  private recordAuthorities(e: BlockIndexEntry, layer: StateOverlay, ops: BatchOp[]): boolean {
    if (this.epochBlocks === undefined || !isEpochBoundary(e.height, this.epochBlocks)) return false;
    const state = layer.get(keys.authority) as AuthorityState | undefined;
    if (state === undefined) return false;
    const first = !Array.isArray(e.authorities);
    const entry: BlockIndexEntry = { ...e, authorities: state.set };
    this.index.set(e.id, entry);
    ops.push(put(`i:${e.id}`, entry));
    return first;
  }

  /**
   * Apply one block's txs on `layer`, each on an overlay of its own (a tx that
   * reads a key not yet loaded runs again once it is), yielding to the node's
   * other work every APPLY_SLICE_MS so a long block never starves it.
   */
  private async applyBlock(session: StateSession, layer: StateOverlay, block: DecodedBlock, e: BlockIndexEntry): Promise<void> {
    const parentLedger = await this.parentLedgerOf(block);
    const steps = blockSteps(block.txs, block.txIds, {
      params: this.params, chainId: this.chainId, height: e.height, blockId: e.id, txSizes: block.txBytes.map((b) => b.length),
      ...(parentLedger === undefined ? {} : { parent: parentLedger }),
    }, this.hooks);
    await this.loadHints(session, block);
    let sliceStart = performance.now();
    for (const step of steps) {
      await applyLoaded(session, layer, step);
      if (performance.now() - sliceStart > APPLY_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
  }

  /** The public versions a private block's lock entries name, at its anchor (undefined: no replica, or no anchors). */
  private async parentLedgerOf(block: DecodedBlock): Promise<ParentLedger | undefined> {
    const anchor = this.parent === undefined ? undefined : this.consensus.anchorOf?.(block.header);
    if (anchor === undefined) return undefined;
    return this.parent!.ledger(anchor.height, parentRefsOf(block.txs, this.params));
  }

  /**
   * Load what a block's txs will read, in a few batched reads (each round follows the records the last one
   * loaded). The keys found are kept with the block: its application loads them again in one read (from the
   * cache, where its warm-up put them) instead of deriving them round by round a second time.
   */
  private async loadHints(session: StateSession, block: DecodedBlock): Promise<void> {
    const found = this.hinted.get(block);
    if (found !== undefined) return session.load(found);
    const keys = [...readHints(block.txs)];
    await session.load(keys);
    for (let round = 0; round < HINT_ROUNDS; round++) {
      const more = [...derivedHints(block.txs, (key) => session.peek(key))].filter((key) => !session.has(key));
      if (more.length === 0) break;
      keys.push(...more);
      await session.load(more);
    }
    this.hinted.set(block, keys);
  }

  private async markInvalid(entry: BlockIndexEntry, reason: string, extraOps: BatchOp[]): Promise<void> {
    const bad = new Set<string>([entry.id]);
    // Descendants of an invalid block are invalid too.
    let grew = true;
    while (grew) {
      grew = false;
      for (const e of this.index.values()) {
        if (!bad.has(e.id) && bad.has(e.parent)) {
          bad.add(e.id);
          grew = true;
        }
      }
    }
    // Only the verdict is kept: an invalid block's bytes would be disk filled for nothing.
    const ops: BatchOp[] = extraOps.filter((op) => !op.key.startsWith('b:') && !op.key.startsWith('h:'));
    for (const id of bad) {
      const e = { ...this.index.get(id)!, status: 'invalid' as const, reason: id === entry.id ? reason : `descends from invalid block ${entry.id.slice(0, 16)}` };
      this.index.set(id, e);
      ops.push(put(`i:${id}`, e), del(`b:${id}`), del(headerKey(id)));
    }
    await this.store.write(ops);
  }

  /** Rebuild the state from genesis by replaying the stored main chain (for checks and tests). */
  async replayState(): Promise<Map<string, StateValue>> {
    const layer = new StateOverlay({ get: () => undefined });
    for (let height = 1; height <= this.height; height++) {
      const id = this.main[height]!;
      const block = (await this.getBlock(id))!;
      applyBlockTxs(layer, block.txs, block.txIds, { params: this.params, chainId: this.chainId, height, blockId: id, txSizes: block.txBytes.map((b) => b.length) }, this.hooks);
    }
    const out = new Map<string, StateValue>();
    for (const [k, v] of layer.writes) if (v !== null) out.set(k, v);
    return out;
  }

  /** The current state, as a plain map, read from disk (for checks and tests). */
  async readState(): Promise<Map<string, StateValue>> {
    return this.state.readAll();
  }
}

