/**
 * Lock entries across chains (DESIGN.md "Private chains"): a private chain holds
 * only its genesis's namespaces, so a lock entry naming any other is a version of
 * the public chain it was forked beside. Such an entry is valid only if that
 * version is on the public chain at or below the anchor of the block it is in:
 *
 *   not on the public chain                        TX_LOCK_NOT_ON_PARENT
 *   published above the block's anchor             TX_LOCK_ABOVE_ANCHOR
 *   another content hash than the public chain's   TX_LOCK_HASH_MISMATCH
 *   the chain reads no public chain                TX_LOCK_UNKNOWN (as any entry not on chain)
 *
 * Pure: the caller passes what it read of its replica of the public chain for
 * the entries in hand (ParentLedger), built at the block's anchor (a tx in the
 * mempool: the anchor the next block would take).
 */
import { GopkgrError } from './errors.ts';
import type { ChainParams } from './params.ts';

/** A version of the public chain, as a private chain's rules read it. */
export interface PublicVersion {
  /** sha256 hex of the tarball */
  contentHash: string;
  /** the public block height it was published at */
  height: number;
  /** its dependencies as published (bounds edits after the anchor do not reach back into a private block) */
  deps: Record<string, string>;
}

/** What a private block's rules see of the public chain: its versions, and the anchor they are judged at. */
export interface ParentLedger {
  /** the public block height the block anchors to */
  readonly anchorHeight: number;
  /** `@ns/name@version` on the public chain (at any height), or undefined */
  version(ref: string): PublicVersion | undefined;
}

/** The namespace of `@ns/name` or `@ns/name@version`. */
function namespaceOfRef(ref: string): string {
  return ref.slice(0, ref.indexOf('/'));
}

/** Whether a name (or ref) belongs to the parent chain: this chain names its namespaces, and not this one's. */
export function isParentName(params: ChainParams, ref: string): boolean {
  return params.namespaces !== undefined && !params.namespaces.includes(namespaceOfRef(ref));
}

/** The public version a private lock entry names, checked at the ledger's anchor (see the file header). */
export function checkParentLockEntry(ref: string, hashHex: string, parent: ParentLedger | undefined): PublicVersion {
  if (parent === undefined) {
    throw new GopkgrError('TX_LOCK_UNKNOWN', `lock entry ${ref} is not on chain (this chain reads no public chain)`);
  }
  const v = parent.version(ref);
  if (v === undefined) {
    throw new GopkgrError('TX_LOCK_NOT_ON_PARENT', `lock entry ${ref} is not on the public chain`, { hint: 'depend on a version published on the public chain' });
  }
  if (v.height > parent.anchorHeight) {
    throw new GopkgrError('TX_LOCK_ABOVE_ANCHOR', `lock entry ${ref} was published at public block ${v.height}, above this block's anchor ${parent.anchorHeight}`, {
      hint: `publish again once ${ref} is settled on the public chain (${v.height - parent.anchorHeight} more public block(s)), or lock an older version`,
    });
  }
  if (v.contentHash !== hashHex) {
    throw new GopkgrError('TX_LOCK_HASH_MISMATCH', `lock entry ${ref} has content hash ${hashHex}, the public chain has ${v.contentHash}`);
  }
  return v;
}
