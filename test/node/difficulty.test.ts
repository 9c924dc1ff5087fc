/**
 * The retarget bound (consensus/pow/difficulty.ts): under any timestamps the block rules
 * allow (later than the median of the last 11, at most MAX_FUTURE_BLOCK_MS ahead
 * of the validating node's clock), a block's target stays within
 * MAX_RETARGET_FACTOR of the target one retarget window earlier, either way.
 *
 * A search over timestamp sequences, each a chain grown block by block with
 * nextTarget and medianTimePast exactly as Chain.importBlock checks them:
 * adversarial strategies (every block at the future limit, alternating limit and
 * median + 1, median + 1 creeping, a warp then a creep, a greedy attacker that
 * picks whichever allowed time moves the next target furthest) and random ones,
 * with the clock advancing at random, per block or not at all.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bigIntToBytes32, bytesToBigInt, DEV_PARAMS, fromHex, MAX_FUTURE_BLOCK_MS, MEDIAN_TIME_SPAN, type ChainParams } from '../../ledger/index.ts';
import { MAX_RETARGET_FACTOR, medianTimePast, nextTarget } from '../../consensus/pow/difficulty.ts';
import { prng, type Prng } from '../support/prng.ts';
import { extend, mineBlock, openChain, targetAfter } from '../support/chain.ts';
import { closeAll } from '../support/cleanup.ts';

interface Timed { time: number; target: Uint8Array }

/** Chooses a block's time in (mtp, latest]; `tryTime` gives the target the block after would carry. */
type Strategy = (ctx: { h: number; mtp: number; latest: number; rand: Prng; tryTime: (t: number) => bigint }) => number;

const between = (rand: Prng, lo: number, hi: number): number => lo + Math.floor(rand.next() * (hi - lo + 1));

const STRATEGIES: Record<string, Strategy> = {
  'all at the future limit': ({ latest }) => latest,
  'alternating limit and median + 1': ({ h, mtp, latest }) => (h % 2 === 0 ? latest : mtp + 1),
  'median + 1 creeping': ({ mtp }) => mtp + 1,
  'a warp to the limit, then a creep': ({ h, mtp, latest }) => (Math.floor(h / 7) % 2 === 0 ? latest : mtp + 1),
  'limit in bursts at random': ({ mtp, latest, rand }) => (rand.next() < 0.5 ? latest : mtp + 1),
  'random in the allowed range': ({ mtp, latest, rand }) => between(rand, mtp + 1, latest),
  'greedy: easiest next target': ({ mtp, latest, rand, tryTime }) => best([mtp + 1, latest, between(rand, mtp + 1, latest)], tryTime, 1),
  'greedy: hardest next target': ({ mtp, latest, rand, tryTime }) => best([mtp + 1, latest, between(rand, mtp + 1, latest)], tryTime, -1),
  'greedy, changing direction each window': ({ h, mtp, latest, rand, tryTime }) => best([mtp + 1, latest, between(rand, mtp + 1, latest)], tryTime, Math.floor(h / 10) % 2 === 0 ? 1 : -1),
};

function best(candidates: number[], tryTime: (t: number) => bigint, sign: 1 | -1): number {
  let pick = candidates[0]!;
  let score = tryTime(pick);
  for (const c of candidates.slice(1)) {
    const s = tryTime(c);
    if (sign > 0 ? s > score : s < score) [pick, score] = [c, s];
  }
  return pick;
}

/** How the validating node's clock advances per block: an attacker may mine as fast as it likes. */
const CLOCKS: Record<string, (rand: Prng, blockTimeMs: number) => number> = {
  'no time passes': () => 0,
  'one block time per block': (_r, b) => b,
  'random, 0 to 3 block times': (r, b) => Math.floor(r.next() * 3 * b),
};

const base: ChainParams = { ...DEV_PARAMS, powLimit: 'f'.repeat(64), initialTarget: '0000ffff' + 'f'.repeat(56) };
const PARAMS: ChainParams[] = [
  { ...base, retargetWindow: DEV_PARAMS.retargetWindow, blockTimeMs: DEV_PARAMS.blockTimeMs },
  { ...base, retargetWindow: 10, blockTimeMs: 60_000 },
  { ...base, retargetWindow: 5, blockTimeMs: 600_000 },
];

interface Outcome { maxUp: number; maxDown: number }

/**
 * Grow `windows` retarget windows of blocks, checking every block's target
 * against the one a window earlier; returns the largest ratios seen either way.
 */
function grow(params: ChainParams, strategy: Strategy, clock: (rand: Prng, b: number) => number, rand: Prng, windows: number): Outcome {
  const W = params.retargetWindow;
  const initial = BigInt('0x' + params.initialTarget);
  // Genesis carries powLimit, as genesisBlock builds it.
  const chain: Timed[] = [{ time: params.genesisTime, target: fromHex(params.powLimit) }];
  let now = params.genesisTime;
  const out: Outcome = { maxUp: 1, maxDown: 1 };
  for (let h = 1; h <= W * windows; h++) {
    // What Chain.targetAfter and Chain.medianTimeAfter pass.
    const target = nextTarget(chain.slice(-(W + 1)), params);
    const mtp = medianTimePast(chain.slice(-MEDIAN_TIME_SPAN));
    now += clock(rand, params.blockTimeMs);
    // With every allowed time used up (the median has reached the future limit),
    // no block is valid until the clock catches up: the attacker has to wait.
    now = Math.max(now, mtp + 1 - MAX_FUTURE_BLOCK_MS);
    const latest = now + MAX_FUTURE_BLOCK_MS;
    const tryTime = (t: number): bigint => bytesToBigInt(nextTarget([...chain, { time: t, target }].slice(-(W + 1)), params));
    const time = strategy({ h, mtp, latest, rand, tryTime });
    // The sequence is one the rules accept.
    expect(time).toBeGreaterThan(mtp);
    expect(time).toBeLessThanOrEqual(latest);
    chain.push({ time, target });

    const t = bytesToBigInt(target);
    const reference = h > W ? bytesToBigInt(chain[h - W]!.target) : initial;
    if (t > reference * MAX_RETARGET_FACTOR || t * MAX_RETARGET_FACTOR < reference) {
      throw new Error(`block ${h}: target ${t.toString(16)} is more than ${MAX_RETARGET_FACTOR}x from ${reference.toString(16)}, the target one window earlier`);
    }
    out.maxUp = Math.max(out.maxUp, Number((t * 1000n) / reference) / 1000);
    out.maxDown = Math.max(out.maxDown, Number((reference * 1000n) / t) / 1000);
  }
  return out;
}

describe('retarget bound: at most 4x per window, either way, under any allowed timestamps', () => {
  it('holds for every adversarial strategy, clock and window size', () => {
    const rand = prng(0xd1ff);
    const worst: Record<string, Outcome> = {};
    let sequences = 0;
    for (const params of PARAMS) {
      for (const [name, strategy] of Object.entries(STRATEGIES)) {
        for (const clock of Object.values(CLOCKS)) {
          for (let rep = 0; rep < 4; rep++) {
            const o = grow(params, strategy, clock, rand, 6);
            sequences++;
            const w = (worst[name] ??= { maxUp: 1, maxDown: 1 });
            w.maxUp = Math.max(w.maxUp, o.maxUp);
            w.maxDown = Math.max(w.maxDown, o.maxDown);
          }
        }
      }
    }
    expect(sequences).toBeGreaterThanOrEqual(300);
    // The search reaches the bound both ways, so the bound (not a lack of pressure) is what held.
    expect(worst['all at the future limit']!.maxUp).toBe(Number(MAX_RETARGET_FACTOR));
    expect(worst['median + 1 creeping']!.maxDown).toBe(Number(MAX_RETARGET_FACTOR));
  });

  it('holds for random timestamp sequences (random search)', () => {
    const rand = prng(0x7a39);
    for (let i = 0; i < 300; i++) {
      const params = rand.pick(PARAMS);
      // Each block draws its own strategy: mixtures no fixed strategy covers.
      const strategies = Object.values(STRATEGIES);
      const mixed: Strategy = (ctx) => rand.pick(strategies)(ctx);
      const clock = rand.pick(Object.values(CLOCKS));
      grow(params, mixed, clock, rand, 3 + rand.int(4));
    }
  });

  it('holds at DEV_PARAMS, where the initial target is powLimit (difficulty can only rise from there)', () => {
    const rand = prng(0xdef);
    for (const strategy of Object.values(STRATEGIES)) {
      const o = grow(DEV_PARAMS, strategy, CLOCKS['random, 0 to 3 block times']!, rand, 5);
      expect(o.maxUp).toBeLessThanOrEqual(Number(MAX_RETARGET_FACTOR));
    }
  });

  it('clamps against the block one window back, not only per block', () => {
    const params: ChainParams = { ...base, retargetWindow: 10, blockTimeMs: 1000 };
    const T = bytesToBigInt(fromHex(params.initialTarget)) / 16n;
    // One window back the target was T; the blocks since then carry 8T, so their
    // mean times a slow span would ask for up to 32T: the result stops at 4T.
    const ancestors: Timed[] = Array.from({ length: 11 }, (_, i) => ({ time: params.genesisTime + i * 100_000, target: bigIntToBytes32(i === 1 ? T : 8n * T) }));
    expect(bytesToBigInt(nextTarget(ancestors, params))).toBe(4n * T);
    const fast = ancestors.map((a, i) => ({ time: params.genesisTime + i, target: bigIntToBytes32(i === 1 ? 64n * T : 8n * T) }));
    expect(bytesToBigInt(nextTarget(fast, params))).toBe(16n * T);
  });
});

describe('retarget bound in Chain.importBlock (real LevelDB chain)', () => {
  afterEach(closeAll);

  it('accepts a time-warped chain only at targets within 4x of one window back, and rejects a block that claims an easier one', async () => {
    // powLimit far above the initial target, so difficulty can fall as well as rise; work is trivial at these targets.
    const params: ChainParams = { ...DEV_PARAMS, powLimit: 'f'.repeat(64), initialTarget: '3fff' + 'f'.repeat(60), retargetWindow: 5 };
    let now = params.genesisTime;
    const t = await openChain(undefined, { params, now: () => now });
    const W = params.retargetWindow;
    const targets: bigint[] = [];
    const rand = prng(0xc4a1);
    for (let h = 1; h <= W * 6; h++) {
      now += rand.int(2 * params.blockTimeMs);
      const mtp = t.chain.medianTimeAfter(t.chain.head.id);
      // Warped: two windows at the future limit, one creeping at the median, repeated.
      const warp = Math.floor((h - 1) / W) % 3 !== 2;
      const time = warp ? Math.max(now + MAX_FUTURE_BLOCK_MS, mtp + 1) : mtp + 1;
      now = Math.max(now, time - MAX_FUTURE_BLOCK_MS);
      const block = await extend(t.chain, [], { time });
      const target = bytesToBigInt(block.header.seal.target);
      targets.push(target);
      const reference = h > W ? targets[h - W - 1]! : BigInt('0x' + params.initialTarget);
      expect(target <= reference * MAX_RETARGET_FACTOR && target * MAX_RETARGET_FACTOR >= reference, `block ${h}`).toBe(true);
    }
    expect(t.chain.height).toBe(W * 6);
    // The warp did push: some block sits at 4x the target one window before it.
    expect(targets.some((x, i) => i >= W && x === targets[i - W]! * MAX_RETARGET_FACTOR)).toBe(true);

    // Validation and block building use the same rule: one unit easier than it gives is refused.
    const head = t.chain.head.id;
    const allowed = bytesToBigInt(targetAfter(t.chain, head));
    const tooEasy = mineBlock(t.chain, [], { header: { target: bigIntToBytes32(allowed + 1n) } });
    await expect(t.chain.importBlock(tooEasy)).rejects.toMatchObject({ code: 'BLOCK_BAD_TARGET' });
  });
});
