/**
 * Fork choice respects the consensus's finality (node/chain.ts): no branch that
 * leaves the main chain below the newest final block becomes the main chain,
 * however heavy, at import or when the chain reopens. Proof of work has no
 * finality, so the chain runs here with proof of work whose finality rule is
 * that of an authority chain in miniature: a block is final two below the tip.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEV_PARAMS, toHex } from '../../ledger/index.ts';
import { consensusFor, type Consensus } from '../../consensus/index.ts';
import { keyPair, mineChain, openChain } from '../support/chain.ts';
import { closeAll } from '../support/cleanup.ts';

afterEach(closeAll);

const pow = consensusFor(DEV_PARAMS);
const finalTwoBelowTip: Consensus = {
  ...pow,
  finalizedHeight: ({ ancestors }) => Math.max(0, (ancestors.at(-1)?.height ?? 0) - 2),
  isFinal: (height, ctx) => height <= finalTwoBelowTip.finalizedHeight(ctx),
};
const OTHER_MINER = keyPair('other-branch-miner').publicKey;

describe('fork choice and finality', () => {
  it('keeps a heavier branch that forks below the final block on the side', async () => {
    const t = await openChain(undefined, { consensus: finalTwoBelowTip });
    const main = await mineChain(t.chain, 5);
    expect(t.chain.finalizedHeight()).toBe(3);
    const branch = await mineChain(t.chain, 6, { parent: toHex(main[0]!.id), miner: OTHER_MINER });
    expect(t.chain.entry(toHex(branch.at(-1)!.id))!.height).toBe(7);
    expect(BigInt('0x' + t.chain.entry(toHex(branch.at(-1)!.id))!.work) > BigInt('0x' + t.chain.head.work)).toBe(true);
    expect(t.chain.head.id).toBe(toHex(main.at(-1)!.id));
    expect(t.chain.height).toBe(5);
  });

  it('reorganises onto a heavier branch that forks at or above the final block', async () => {
    const t = await openChain(undefined, { consensus: finalTwoBelowTip });
    const main = await mineChain(t.chain, 5);
    const branch = await mineChain(t.chain, 3, { parent: toHex(main[2]!.id), miner: OTHER_MINER });
    expect(t.chain.head.id).toBe(toHex(branch.at(-1)!.id));
    expect(t.chain.height).toBe(6);
    expect(t.chain.mainIdAt(3)).toBe(toHex(main[2]!.id));
    expect(t.chain.mainIdAt(4)).toBe(toHex(branch[0]!.id));
  });

  it('does not switch to such a branch on reopening either; without finality it would', async () => {
    const first = await openChain(undefined, { consensus: finalTwoBelowTip });
    const main = await mineChain(first.chain, 5);
    const branch = await mineChain(first.chain, 6, { parent: toHex(main[0]!.id), miner: OTHER_MINER });
    await first.close();

    const again = await openChain(first.dir, { consensus: finalTwoBelowTip });
    expect(again.chain.head.id).toBe(toHex(main.at(-1)!.id));
    await again.close();

    const plain = await openChain(first.dir);
    expect(plain.chain.head.id).toBe(toHex(branch.at(-1)!.id));
    expect(plain.chain.height).toBe(7);
  });
});
