/**
 * The Consensus interface (DESIGN.md "Consensus is a part of its own"): what the
 * chain asks the consensus named in its genesis. The chain keeps the block
 * index, links parents and heights, applies txs and switches branches; whether a
 * header's seal is valid after its parent, how much weight a block adds, which
 * block is final, and what the next block's producer must do are answered here.
 *
 * Two kinds: `pow` (consensus/pow/) and `authority` (consensus/authority/).
 *
 * Every method is pure: time reaches the rules only as an argument (`now`), and
 * everything a rule needs from the chain comes in as index entries the caller
 * reads (IndexedBlock), so every node computes the same verdict.
 *
 * The types live apart from consensus/index.ts so that the kinds' modules can
 * implement them without importing the module that picks between them.
 */
import type { BlockHeader, DecodedBlock, Seal, SealCodec } from '../ledger/block.ts';
import type { Canonical } from '../ledger/encoding.ts';
import type { ChainParams } from '../ledger/params.ts';
import type { Tx } from '../ledger/tx.ts';

// ------------------------------------------------------------------ seals

/** Proof of work: the block id, read as a big-endian number, is at most `target`. */
export interface PowSeal extends Seal {
  readonly kind: 'pow';
  /** 32 bytes, big-endian */
  readonly target: Uint8Array;
  /** 8 bytes; the header's last 8 bytes, so a miner changes it in place */
  readonly nonce: Uint8Array;
}

/**
 * Authority (private chains): the in-turn signer of `slot` (authorities[slot mod n])
 * signs the header, domain-separated and with the chain id, over every field but
 * the signature (consensus/authority/seal.ts).
 */
export interface AuthoritySeal extends Seal {
  readonly kind: 'authority';
  /** floor(time / slotMs) */
  readonly slot: number;
  /**
   * The anchor (consensus/authority/anchor.ts): a block of the public chain this
   * one was forked beside, `anchorDepth` or more below the producer's replica
   * head; the public versions a lock entry of this block may name are those at or
   * below it. A chain with no parent anchors every block at (0, zeros).
   */
  readonly anchorHeight: number;
  /** 32 bytes: the public block's id */
  readonly anchorId: Uint8Array;
  /** the signer's compressed secp256k1 public key (33 bytes) */
  readonly signer: Uint8Array;
  /** 64-byte compact signature */
  readonly signature: Uint8Array;
}

export type ChainSeal = PowSeal | AuthoritySeal;
export type ConsensusKind = ChainSeal['kind'];

// ------------------------------------------------------------------ params

/** Proof of work's parameters are ChainParams' flat fields (powLimit, initialTarget, retargetWindow, blockTimeMs). */
export interface PowParams {
  readonly kind: 'pow';
}

/** The genesis's `consensus` object of an authority chain (consensus/authority/params.ts). */
export interface AuthorityParams {
  readonly kind: 'authority';
  /** `id:<compressed hex>` of each authority, in turn order */
  readonly authorities: readonly string[];
  /** slot length in milliseconds */
  readonly slotMs: number;
  /** blocks per epoch: authority-set votes take effect at an epoch boundary */
  readonly epochBlocks: number;
  /** how far below its replica's head a producer anchors its block (the public blocks a private block may rely on) */
  readonly anchorDepth: number;
}

export type AnyConsensusParams = PowParams | AuthorityParams;

// ------------------------------------------------------------------ chain context

/**
 * What the chain's index keeps of a block (node/store.ts BlockIndexEntry): the
 * neutral fields, and the seal's index fields the consensus asked it to keep
 * (Consensus.indexFields; proof of work keeps `target`, hex).
 */
export interface IndexedBlock {
  readonly id: string;
  readonly parent: string;
  readonly height: number;
  readonly time: number;
  readonly [sealField: string]: unknown;
}

/** The chain behind a block, as the caller reads it from its index. */
export interface Ancestry {
  /**
   * Oldest first, ending with the block itself (for a header's checks: its
   * parent); at least `ancestryDepth` entries, or every one back to genesis.
   */
  readonly ancestors: readonly IndexedBlock[];
  /**
   * Authority chains: the set in force for a child of the last ancestor (hex
   * keys, turn order), as the last epoch boundary at or below it left it (the
   * chain reads it from that boundary's index entry). Absent: the genesis's.
   */
  readonly authorities?: readonly string[];
  /**
   * Authority chains: the newest epoch boundary behind the last ancestor has
   * not been applied here (a side branch), so the set in force is not known
   * yet; membership and turn are checked when the branch is applied.
   */
  readonly setPending?: boolean;
}

export interface HeaderContext extends Ancestry {
  /** this node's clock, in ms: the only time a rule may depend on */
  readonly now: number;
  /**
   * Signers (hex keys) this node holds equivocation evidence against: their
   * blocks are refused (authority; proof of work has no signers).
   */
  readonly excludedSigners?: ReadonlySet<string>;
}

// ------------------------------------------------------------------ production

/** What the producer of the next block must meet. */
export interface PowTerms {
  readonly kind: 'pow';
  /** the target the block must carry and meet */
  readonly target: Uint8Array;
  /** the block's time must be greater than this */
  readonly minTime: number;
}

export interface AuthorityTerms {
  readonly kind: 'authority';
  /** the next slot after the parent's, and its in-turn signer */
  readonly slot: number;
  readonly signer: Uint8Array;
  readonly minTime: number;
}

export type BlockTerms = PowTerms | AuthorityTerms;

/**
 * The terms as a node's /v1/work shows them, beside parent, height and minTime
 * (Consensus.termsJson). /v1/work is the interface of an outside producer, the
 * miner; an authority chain's producer is the node's own signer (`--sign`), so
 * only proof of work's terms are served there.
 */
export interface PowTermsJson {
  /** hex, 64 digits */
  readonly target: string;
}
export type WorkTermsJson = PowTermsJson;

/** A block before its seal: the header's neutral fields and the txs they commit to. */
export interface BlockTemplate {
  readonly header: Omit<BlockHeader, 'seal'>;
  readonly txs: Tx[];
}

/**
 * The producer seam. Proof of work's producer is the miner (miner/: a nonce
 * search on worker threads); an authority's will be a signer of its own slots.
 * Resolves null when `signal` aborts first (new head: start again).
 */
export interface Producer<T extends BlockTerms = BlockTerms, S extends ChainSeal = ChainSeal> {
  seal(template: BlockTemplate, terms: T, signal?: AbortSignal): Promise<DecodedBlock<S> | null>;
}

// ------------------------------------------------------------------ the interface

export interface Consensus {
  readonly kind: ConsensusKind;
  readonly params: ChainParams;
  /**
   * The parameters this consensus reads, by name. The chain id commits to all
   * of them (the genesis txRoot is the hash of the params), so two chains whose
   * rules differ never share an id.
   */
  readonly idParams: Readonly<Record<string, Canonical>>;
  /** Header bytes ↔ seal: the fields after `time`. */
  readonly seal: SealCodec;
  /** How many ancestors (the parent included) checkHeader and nextTerms need. */
  readonly ancestryDepth: number;

  /** The genesis block's seal. */
  genesisSeal(): Seal;
  /** The seal as the HTTP API shows it, beside the header's other fields (pow: {target, nonce} in hex). */
  sealJson(seal: Seal): Record<string, string | number>;
  /** What the chain's index keeps of this block's seal for later rules (pow: {target} in hex). */
  indexFields(header: BlockHeader): Record<string, string | number>;

  /**
   * Cheap and stateless, before anything costly (gossip validation, sync's
   * header checks, import): is the seal sound on its own? pow: the id meets
   * the header's own target. Throws BLOCK_BAD_POW (pow) or the kind's code.
   */
  checkSeal(id: Uint8Array, header: BlockHeader): void;
  /**
   * Is the header valid after its parent? Seal and time rules only (the chain
   * checks the link, the height and the txs). pow: the target retargeting gives
   * (BLOCK_BAD_TARGET), a time after the median of the last 11 blocks
   * (BLOCK_TIME_TOO_OLD) and at most MAX_FUTURE_BLOCK_MS ahead of `now`
   * (BLOCK_TIME_TOO_NEW).
   */
  checkHeader(id: Uint8Array, header: BlockHeader, ctx: HeaderContext): void;
  /** The weight a block adds to its branch; fork choice follows the greatest sum (pow: its expected work). */
  weightOf(header: BlockHeader): bigint;
  /**
   * An orphan (parent unknown) whose seal claims less than 1/factor of the
   * weight a block here costs now: a claim that cost its sender next to nothing,
   * not worth chasing. `terms` are nextTerms after our head.
   */
  isCheapOrphan(header: BlockHeader, terms: BlockTerms, factor: bigint): boolean;

  /** What the producer of a child of the last ancestor must meet. */
  nextTerms(ctx: Ancestry): BlockTerms;
  /** The terms beside the other fields of the node's /v1/work (pow: {target} in hex; minTime is given apart). */
  termsJson(terms: BlockTerms): WorkTermsJson;

  /**
   * The height of the newest final block on the branch ending with the last
   * ancestor: no reorg may cross it. pow has no finality: 0 (genesis).
   * An authority chain: the newest block on which blocks signed by a majority
   * of distinct authorities build.
   */
  finalizedHeight(ctx: Ancestry): number;
  /** Whether the block at `height` on that branch is final. */
  isFinal(height: number, ctx: Ancestry): boolean;
  /**
   * Two stored blocks with one conflict key are evidence against their producer
   * (authority: `<slot>:<signer>`, two blocks one signer signed for one slot).
   * Absent, or undefined for a block: nothing to compare (proof of work).
   * `offender`: whom such evidence is against (authority: the signer, hex).
   */
  conflictKey?(entry: IndexedBlock): { key: string; offender: string } | undefined;
  /**
   * Whom two headers prove a cheat (authority: two signed for one slot by one
   * signer; the offender's key, hex), or EVIDENCE_INVALID. Absent: this kind
   * has no producers to catch (proof of work).
   */
  checkEvidence?(a: BlockHeader, b: BlockHeader): string;
  /**
   * checkEvidence on encoded headers against the set `set` (hex keys) in force:
   * what an evidence tx's rule asks (RuleHooks.checkEquivocation).
   */
  checkEncodedEvidence?(a: Uint8Array, b: Uint8Array, set: readonly string[]): string;
  /**
   * The public block a header anchors to (authority chains forked beside a public
   * one: see AuthoritySeal), or undefined for a kind without anchors (proof of work).
   */
  anchorOf?(header: BlockHeader): BlockAnchor | undefined;
}

/** A block of the parent (public) chain, as a private block names it. */
export interface BlockAnchor {
  readonly height: number;
  /** hex, 64 digits */
  readonly id: string;
}
