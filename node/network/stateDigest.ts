/**
 * A digest of the whole registry state, to compare two nodes in one request:
 *   sha256(encode([[key, value], ...]))   keys sorted by code unit, values as stored
 * (canonical CBOR), so equal states give equal digests on every machine.
 */
import { encode, toHex, type Canonical } from '../../ledger/encoding.ts';
import { sha256 } from '../../ledger/crypto.ts';
import type { Chain } from '../chain.ts';

export async function stateDigest(chain: Chain): Promise<{ height: number; head: string; keys: number; digest: string }> {
  const entries = [...(await chain.readState()).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const digest = toHex(sha256(encode(entries as unknown as Canonical)));
  return { height: chain.height, head: chain.head.id, keys: entries.length, digest };
}
