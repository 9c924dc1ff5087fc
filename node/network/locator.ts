/**
 * Block locators (Bitcoin's getheaders): the requester lists ids from its tip
 * back to genesis, dense near the tip and exponentially sparser further back;
 * the responder answers from the first listed id that is on its main chain. So
 * one round trip finds the fork point of two chains that share any history,
 * with at most ~log2(height) + 10 ids on the wire.
 */
import { fromHex, toHex } from '../../ledger/encoding.ts';
import type { Chain } from '../chain.ts';
import { MAX_LOCATOR } from './constants.ts';

/** Ids from `tipId` (a block in our index) back to genesis: 10 consecutive, then steps doubling; genesis always last. */
export function buildLocator(chain: Chain, tipId: string = chain.head.id): Uint8Array[] {
  const out: string[] = [];
  let entry = chain.entry(tipId);
  let step = 1;
  while (entry !== undefined && out.length < MAX_LOCATOR - 1) {
    out.push(entry.id);
    if (entry.height === 0) break;
    if (out.length >= 10) step *= 2;
    const target = Math.max(0, entry.height - step);
    // On the main chain a height lookup is direct; on a side branch walk the parents.
    if (chain.isOnMain(entry.id)) entry = chain.entry(chain.mainIdAt(target)!);
    else {
      let e = entry;
      while (e !== undefined && e.height > target) e = chain.entry(e.parent)!;
      entry = e;
    }
  }
  const genesis = chain.mainIdAt(0)!;
  if (out.at(-1) !== genesis) out.push(genesis);
  return out.map((id) => fromHex(id));
}

/** Height of the first locator id on our main chain (genesis, 0, when none is: the peer then starts from scratch). */
export function forkHeight(chain: Chain, locator: readonly Uint8Array[]): number {
  for (const raw of locator) {
    const id = toHex(raw);
    if (chain.isOnMain(id)) return chain.entry(id)!.height;
  }
  return 0;
}
