/**
 * The state digest route's answer: the state root (node/snapshot/stateRoot.ts,
 * streamed over the `s:` records of one LevelDB snapshot, so the whole state is
 * never in memory) and the head it belongs to, read from that same snapshot.
 * Equal states give equal digests on every machine.
 */
import { toHex } from '../../ledger/encoding.ts';
import type { Chain } from '../chain.ts';
import { stateRootOf } from '../snapshot/stateRoot.ts';

export async function stateDigest(chain: Chain): Promise<{ height: number; head: string; keys: number; digest: string }> {
  const { head, root, records } = await stateRootOf(chain.store);
  const id = head ?? chain.head.id;
  return { height: chain.entry(id)?.height ?? chain.height, head: id, keys: records, digest: toHex(root) };
}
