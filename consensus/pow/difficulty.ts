/**
 * Per-block difficulty retargeting and block-time rules. Pure: callers pass the
 * ancestors' times and targets (newest last).
 * Header validation (rules.ts checkPowHeader) and the miner's work (rules.ts
 * nextPowTerms, through Consensus.nextTerms) both use nextTarget, so they cannot
 * disagree.
 *
 * Next target = mean target of the last W blocks × (time they took / W × block time),
 * the measured span clamped to [1/4, 4] of the expected one, and never easier
 * than powLimit.
 *
 * The bound: a block's target is within [1/4, 4] of the target of the block one
 * window (W blocks) earlier, or of the initial target while the chain is shorter
 * than a window. The per-block span clamp alone does not give this: each block
 * may move 4x from the window's mean, and a window of blocks with warped
 * timestamps (all at the future limit, then creeping at median-time-past + 1)
 * compounds those moves, letting difficulty fall 80x within one window. So the
 * result is clamped against the target one window back too, which holds for any
 * timestamps whatsoever; the median-time-past and future-time rules then only
 * bound how long an attacker can keep pushing at that 4x-per-window pace.
 */
import { bigIntToBytes32, bytesToBigInt } from '../../ledger/block.ts';
import { MEDIAN_TIME_SPAN } from '../../ledger/constants.ts';
import type { ChainParams } from '../../ledger/params.ts';

export interface TimedTarget {
  time: number;
  target: Uint8Array;
}

/** How far a target may move, either way, over one retarget window. */
export const MAX_RETARGET_FACTOR = 4n;

/**
 * `ancestors` ends with the parent of the block whose target is computed, and
 * holds at least the last `retargetWindow + 1` blocks (or every block back to
 * genesis on a shorter chain).
 */
export function nextTarget(ancestors: readonly TimedTarget[], params: ChainParams): Uint8Array {
  const powLimit = BigInt('0x' + params.powLimit);
  const initial = BigInt('0x' + params.initialTarget);
  // Genesis and the first block use the initial target.
  if (ancestors.length < 2) return bigIntToBytes32(initial);
  const window = ancestors.slice(-(params.retargetWindow + 1));
  const spans = window.length - 1;
  let sum = 0n;
  for (const a of window.slice(1)) sum += bytesToBigInt(a.target);
  const mean = sum / BigInt(spans);
  const expected = BigInt(spans * params.blockTimeMs);
  let actual = BigInt(window[window.length - 1]!.time - window[0]!.time);
  if (actual < expected / 4n) actual = expected / 4n;
  if (actual > expected * 4n) actual = expected * 4n;
  if (actual < 1n) actual = 1n;
  let next = (mean * actual) / expected;
  // The window-level bound (see the header). The new block is at height h; the
  // parent at h-1 is last, so block h-W sits W from the end. Before a full
  // window exists (h <= W), that slot is genesis or earlier: the initial target
  // stands in (genesis carries powLimit, not the target blocks start from).
  const reference = ancestors.length > params.retargetWindow ? bytesToBigInt(ancestors[ancestors.length - params.retargetWindow]!.target) : initial;
  const lowest = (reference + MAX_RETARGET_FACTOR - 1n) / MAX_RETARGET_FACTOR;
  const highest = reference * MAX_RETARGET_FACTOR;
  if (next < lowest) next = lowest;
  if (next > highest) next = highest;
  if (next > powLimit) next = powLimit;
  if (next < 1n) next = 1n;
  return bigIntToBytes32(next);
}

/** Median of the last MEDIAN_TIME_SPAN ancestors' times; a new block must be later. */
export function medianTimePast(ancestors: readonly TimedTarget[]): number {
  const times = ancestors.slice(-MEDIAN_TIME_SPAN).map((a) => a.time).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}
