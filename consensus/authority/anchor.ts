/**
 * Anchors (DESIGN.md "Private chains"): each block of a private chain forked
 * beside a public one names a public block (height, id) its producer's replica
 * held at least `anchorDepth` below its head. A lock entry of the block naming a
 * public version is valid only at or below that anchor (ledger/publicLock.ts), so
 * what a private block relies on was settled on the public chain when it was made.
 *
 * Pure: the replica comes in as a view (its height and the id of its main chain
 * at a height), read by the caller (node/anchors.ts).
 *
 *   header rule (after the parent)
 *     no parent chain: the anchor is (0, zeros)                       BLOCK_ANCHOR_NO_PARENT
 *     the anchor is not below the parent's (height, or one height,
 *     another block)                                                  BLOCK_ANCHOR_BACKWARDS
 *   replica rule (judgeAnchor, this node's view of the public chain)
 *     the anchor is the replica's main-chain block at its height       ok
 *     not (yet): the replica is short of anchorHeight + anchorDepth    pending (BLOCK_ANCHOR_PENDING, held back)
 *     the replica is past it by anchorDepth with another block there   BLOCK_ANCHOR_NOT_ON_PARENT
 */
import { GopkgrError } from '../../ledger/errors.ts';
import { fromHex, toHex } from '../../ledger/encoding.ts';
import type { ChainParams } from '../../ledger/params.ts';
import type { BlockAnchor, IndexedBlock } from '../types.ts';
import type { AuthoritySeal } from '../types.ts';
import { NO_ANCHOR } from './seal.ts';

const ZERO_ID = toHex(NO_ANCHOR.id);

/** The anchor of genesis: the public chain's genesis (height 0, whose id is the parent's chain id), or (0, zeros) without a parent. */
export function genesisAnchor(params: ChainParams): { height: number; id: Uint8Array } {
  return params.parent === undefined ? NO_ANCHOR : { height: 0, id: fromHex(params.parent.chainId) };
}

/** The anchor an index entry keeps (indexFields), or CHAIN_INDEX_CORRUPT. */
export function anchorOfEntry(entry: IndexedBlock): BlockAnchor {
  const height = entry.anchorHeight;
  const id = entry.anchor;
  if (typeof height !== 'number' || !Number.isSafeInteger(height) || height < 0 || typeof id !== 'string' || !/^[0-9a-f]{64}$/.test(id)) {
    throw new GopkgrError('CHAIN_INDEX_CORRUPT', `index entry ${entry.id.slice(0, 16)} has no anchor`, { status: 500 });
  }
  return { height, id };
}

/** The header rule: an anchor never goes backwards along a chain; a chain with no parent anchors nowhere. */
export function checkAnchorAfterParent(who: string, seal: AuthoritySeal, parent: IndexedBlock, params: ChainParams): void {
  const id = toHex(seal.anchorId);
  if (params.parent === undefined) {
    if (seal.anchorHeight !== 0 || id !== ZERO_ID) {
      throw new GopkgrError('BLOCK_ANCHOR_NO_PARENT', `${who} anchors at public block ${seal.anchorHeight}, but this chain was forked beside no public chain (its anchor is 0 and zeros)`);
    }
    return;
  }
  const before = anchorOfEntry(parent);
  // Rule: anchors only go forward, so the public blocks a chain relies on only grow (no block un-anchors its ancestors).
  if (seal.anchorHeight < before.height || (seal.anchorHeight === before.height && id !== before.id)) {
    throw new GopkgrError('BLOCK_ANCHOR_BACKWARDS', `${who} anchors at public block ${seal.anchorHeight} ${id.slice(0, 16)}, behind its parent's anchor ${before.height} ${before.id.slice(0, 16)}`);
  }
}

/** What the anchor rules read of this node's replica of the public chain. */
export interface ReplicaView {
  /** the replica's main-chain height */
  readonly height: number;
  /** the id (hex) of the replica's main-chain block at `height`, or undefined above its head */
  mainIdAt(height: number): string | undefined;
}

export type AnchorVerdict = 'ok' | 'pending';

/**
 * Is `anchor` a block of the public chain as this node's replica sees it? 'pending' while the replica may still
 * reach it (or reorg onto it); BLOCK_ANCHOR_NOT_ON_PARENT once the replica's main chain is `depth` past that
 * height with another block there.
 */
export function judgeAnchor(who: string, anchor: BlockAnchor, replica: ReplicaView, depth: number): AnchorVerdict {
  const here = replica.mainIdAt(anchor.height);
  if (here === anchor.id) return 'ok';
  if (replica.height < anchor.height + depth) return 'pending';
  throw new GopkgrError('BLOCK_ANCHOR_NOT_ON_PARENT', `${who} anchors at public block ${anchor.height} ${anchor.id.slice(0, 16)}, but the public chain has ${String(here).slice(0, 16)} there (${replica.height - anchor.height} blocks deep)`);
}

/**
 * The anchor a producer puts in its next block: the replica's main-chain block `depth` below its head, never
 * behind the parent's anchor. Undefined when the parent's anchor is not on the replica's main chain (a producer
 * whose replica is behind its chain, or on another branch): it waits rather than sign a block it cannot judge.
 */
export function chooseAnchor(replica: ReplicaView, depth: number, parentAnchor: BlockAnchor): BlockAnchor | undefined {
  const height = Math.max(parentAnchor.height, replica.height - depth);
  const id = replica.mainIdAt(height);
  if (id === undefined) return undefined;
  if (height === parentAnchor.height && id !== parentAnchor.id) return undefined;
  return { height, id };
}
