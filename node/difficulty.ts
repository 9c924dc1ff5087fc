/**
 * Per-block difficulty retargeting and block-time rules. Pure: callers pass the
 * ancestors' headers (newest last) and, for the future-time rule, the clock.
 *
 * Next target = mean target of the last W blocks × (time they took / W × block time),
 * the measured span clamped to [1/4, 4] of the expected one so a burst of
 * fast or slow blocks moves difficulty by at most 4x per window, and never
 * easier than powLimit.
 */
import { bigIntToBytes32, bytesToBigInt } from './block.ts';
import { MEDIAN_TIME_SPAN } from './constants.ts';
import type { ChainParams } from './params.ts';

export interface TimedTarget {
  time: number;
  target: Uint8Array;
}

/** `ancestors` ends with the parent of the block whose target is computed. */
export function nextTarget(ancestors: readonly TimedTarget[], params: ChainParams): Uint8Array {
  const powLimit = BigInt('0x' + params.powLimit);
  // Genesis and the first block use the initial target.
  if (ancestors.length < 2) return bigIntToBytes32(BigInt('0x' + params.initialTarget));
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
  if (next > powLimit) next = powLimit;
  if (next < 1n) next = 1n;
  return bigIntToBytes32(next);
}

/** Median of the last MEDIAN_TIME_SPAN ancestors' times; a new block must be later. */
export function medianTimePast(ancestors: readonly TimedTarget[]): number {
  const times = ancestors.slice(-MEDIAN_TIME_SPAN).map((a) => a.time).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}
