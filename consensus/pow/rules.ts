/**
 * Proof of work's header rules, pure: the caller passes the ancestors it reads
 * from its index and its clock.
 *
 *   seal    the block id meets the target the header claims     BLOCK_BAD_POW
 *   target  the one retargeting gives after the parent          BLOCK_BAD_TARGET
 *   time    after the median of the last MEDIAN_TIME_SPAN blocks BLOCK_TIME_TOO_OLD
 *           at most MAX_FUTURE_BLOCK_MS ahead of `now`           BLOCK_TIME_TOO_NEW
 */
import { GopkgrError } from '../../ledger/errors.ts';
import { bytesEqual, fromHex, toHex } from '../../ledger/encoding.ts';
import { bytesToBigInt, type BlockHeader } from '../../ledger/block.ts';
import { MAX_FUTURE_BLOCK_MS, MEDIAN_TIME_SPAN } from '../../ledger/constants.ts';
import type { ChainParams } from '../../ledger/params.ts';
import type { Ancestry, BlockTerms, HeaderContext, IndexedBlock, PowTerms } from '../types.ts';
import { medianTimePast, nextTarget, type TimedTarget } from './difficulty.ts';
import { powSealOf } from './seal.ts';
import { meetsTarget } from './work.ts';

/** Ancestors checkHeader and nextTerms need: a retarget window and its first block, and the median-time span. */
export function powAncestryDepth(params: ChainParams): number {
  return Math.max(params.retargetWindow + 1, MEDIAN_TIME_SPAN);
}

/** The ancestors' times and targets, as difficulty.ts reads them. */
export function timedTargets(ancestors: readonly IndexedBlock[]): TimedTarget[] {
  return ancestors.map((a) => {
    if (typeof a.target !== 'string' || !/^[0-9a-f]{64}$/.test(a.target)) {
      throw new GopkgrError('CHAIN_INDEX_CORRUPT', `index entry ${a.id.slice(0, 16)} has no proof-of-work target`, { status: 500 });
    }
    return { time: a.time, target: fromHex(a.target) };
  });
}

export function nextPowTerms(ctx: Ancestry, params: ChainParams): PowTerms {
  const timed = timedTargets(ctx.ancestors);
  return {
    kind: 'pow',
    target: nextTarget(timed.slice(-(params.retargetWindow + 1)), params),
    minTime: medianTimePast(timed.slice(-MEDIAN_TIME_SPAN)),
  };
}

export function checkPowSeal(id: Uint8Array, header: BlockHeader): void {
  if (!meetsTarget(id, powSealOf(header.seal).target)) throw new GopkgrError('BLOCK_BAD_POW', `block ${toHex(id).slice(0, 16)} does not meet its target`);
}

export function checkPowHeader(id: Uint8Array, header: BlockHeader, ctx: HeaderContext, params: ChainParams): void {
  const seal = powSealOf(header.seal);
  const terms = nextPowTerms(ctx, params);
  if (!bytesEqual(seal.target, terms.target)) throw new GopkgrError('BLOCK_BAD_TARGET', `block ${toHex(id).slice(0, 16)} carries the wrong target`);
  if (header.time <= terms.minTime) throw new GopkgrError('BLOCK_TIME_TOO_OLD', `block time ${header.time} is not after the median time of its ancestors`);
  if (header.time > ctx.now + MAX_FUTURE_BLOCK_MS) throw new GopkgrError('BLOCK_TIME_TOO_NEW', `block time ${header.time} is more than 2 hours ahead of this node's clock`);
}

/** The terms as proof of work's, or an internal error: terms of another kind are a caller's bug. */
export function powTermsOf(terms: BlockTerms): PowTerms {
  if (terms.kind !== 'pow') throw new GopkgrError('CONSENSUS_KIND_MISMATCH', `proof of work was handed ${terms.kind} terms`, { status: 500 });
  return terms;
}

/** An orphan whose target is more than `factor` times easier than the next block's here. */
export function isCheapPowOrphan(header: BlockHeader, terms: BlockTerms, factor: bigint): boolean {
  return bytesToBigInt(powSealOf(header.seal).target) > bytesToBigInt(powTermsOf(terms).target) * factor;
}
