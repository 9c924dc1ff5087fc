/**
 * What a private chain reads of its node's replica of the public chain
 * (node/network/publicFollower.ts): whether a block's anchor is a block of the
 * public chain (consensus/authority/anchor.ts judgeAnchor), the anchor a producer
 * or the mempool takes now (chooseAnchor), and the public versions a block's lock
 * entries name, read from the replica's state for the ledger's pure rule
 * (ledger/publicLock.ts). It only reads the replica; nothing is written to it.
 */
import { GopkgrError } from '../ledger/errors.ts';
import { keys, type StateReader, type VersionState } from '../ledger/state.ts';
import { isParentName, type ParentLedger, type PublicVersion } from '../ledger/publicLock.ts';
import type { ChainParams } from '../ledger/params.ts';
import type { Tx } from '../ledger/tx.ts';
import { chooseAnchor, judgeAnchor, type AnchorVerdict, type BlockAnchor, type ReplicaView } from '../consensus/index.ts';

/** The private chain's side of its replica (Chain, FullNode, Mempool and the signer ask it). */
export interface ParentSource {
  /** 'ok', 'pending' (not reached yet), or BLOCK_ANCHOR_NOT_ON_PARENT */
  judge(who: string, anchor: BlockAnchor): AnchorVerdict;
  /** the anchor a block on a parent anchored at `after` takes now, or undefined when the replica cannot give one */
  choose(after: BlockAnchor): BlockAnchor | undefined;
  /** the public versions `refs` name, judged at `anchorHeight` */
  ledger(anchorHeight: number, refs: readonly string[]): Promise<ParentLedger>;
  /** `fn` runs whenever the replica's head moves; returns the unsubscribe */
  onAdvance(fn: () => void): () => void;
}

/** What the anchors read of the replica's chain (node/chain.ts Chain; named here so chain.ts can import this file). */
export interface ReplicaChain {
  readonly height: number;
  mainIdAt(height: number): string | undefined;
  readonly state: { read<T>(fn: (state: StateReader) => T, opts?: { wholePackages?: boolean }): Promise<T> };
  on(event: 'block', fn: () => void): unknown;
  off(event: 'block', fn: () => void): unknown;
}

/** The lock entries of a block's (or a tx's) publishes that name public versions. */
export function parentRefsOf(txs: readonly Tx[], params: ChainParams): string[] {
  const refs = new Set<string>();
  for (const tx of txs) {
    if (tx.type !== 'publish') continue;
    for (const ref of Object.keys(tx.body.lock)) if (isParentName(params, ref)) refs.add(ref);
  }
  return [...refs];
}

function readVersion(s: StateReader, ref: string): PublicVersion | undefined {
  const at = ref.lastIndexOf('@');
  if (at <= 0) return undefined;
  const id = s.get(keys.name(ref.slice(0, at))) as string | undefined;
  const v = id === undefined ? undefined : (s.get(keys.version(id, ref.slice(at + 1))) as VersionState | undefined);
  return v === undefined ? undefined : { contentHash: v.contentHash, height: v.height, deps: v.publishedDeps ?? v.deps };
}

/**
 * A ParentSource over the replica node. Its state is the replica's main chain at its head; a version there
 * published at or below the anchor height is on the branch through the anchor whenever the anchor is on that
 * main chain (judged first), and versions are never removed, so reading at the head is reading at the anchor.
 */
export function replicaParent(replica: ReplicaChain, depth: number): ParentSource {
  const view: ReplicaView = {
    get height() {
      return replica.height;
    },
    mainIdAt: (height) => replica.mainIdAt(height),
  };
  return {
    judge: (who, anchor) => judgeAnchor(who, anchor, view, depth),
    choose: (after) => chooseAnchor(view, depth, after),
    async ledger(anchorHeight, refs) {
      const found = new Map<string, PublicVersion>();
      if (refs.length > 0) {
        await replica.state.read((s) => {
          found.clear();
          for (const ref of refs) {
            const v = readVersion(s, ref);
            if (v !== undefined) found.set(ref, v);
          }
        }, { wholePackages: false });
      }
      return { anchorHeight, version: (ref) => found.get(ref) };
    },
    onAdvance(fn) {
      // The chain emits 'block' for each block put on its main chain (a reorg's too), after its head moved.
      replica.on('block', fn);
      return () => replica.off('block', fn);
    },
  };
}

/** The anchor the private chain's next block would take on `head` (what the mempool judges txs at). */
export function nextAnchor(parent: ParentSource, headAnchor: BlockAnchor): BlockAnchor {
  const anchor = parent.choose(headAnchor);
  if (anchor === undefined) {
    throw new GopkgrError('ANCHOR_UNAVAILABLE', `this node's replica of the public chain does not hold the head's anchor (public block ${headAnchor.height}) on its main chain`, {
      hint: 'wait for the replica to catch up with the public chain (--public-peer), or import the public blocks (gopkgr chain import)',
    });
  }
  return anchor;
}
