/**
 * Finality: a block is final once blocks signed by a majority of distinct
 * authorities build on it (its descendants on the branch, not itself). With
 * in-turn signing only, a minority of authorities can never build such a
 * branch, so two final blocks at one height would need a majority to sign on
 * both sides, which equivocation evidence catches.
 *
 * Computed from the newest ancestors back: the newest block whose descendants
 * already carry `majority` distinct signers. A window too short to find one
 * answers genesis (0): finality is only ever understated, never overstated.
 */
import type { Ancestry } from '../types.ts';
import type { AuthoritySet } from './params.ts';

export function authorityFinalizedHeight(ctx: Ancestry, set: AuthoritySet): number {
  const signers = new Set<string>();
  const list = ctx.ancestors;
  for (let i = list.length - 1; i >= 0; i--) {
    if (signers.size >= set.majority) return list[i]!.height;
    const signer = list[i]!.signer;
    if (typeof signer === 'string' && list[i]!.height > 0) signers.add(signer);
  }
  return 0;
}

/** How many ancestors finality and the header rules read: enough for a majority to sign with up to half the authorities silent, and then some. */
export function authorityAncestryDepth(set: AuthoritySet): number {
  return 4 * set.keys.length + 8;
}
