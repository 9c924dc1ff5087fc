/**
 * The authority set in force: the genesis's until an epoch boundary changes it
 * (ledger/authorityVote.ts tallies the votes in state; the chain passes the
 * result in as Ancestry.authorities, read from the last boundary ancestor's
 * index entry). The rules, turn order and finality majority all follow it.
 */
import { GopkgrError } from '../../ledger/errors.ts';
import { fromHex } from '../../ledger/encoding.ts';
import type { Ancestry } from '../types.ts';
import type { AuthoritySet } from './params.ts';

/** Sets seen lately, by their keys joined: a set changes at most once an epoch, so this stays tiny. */
const MAX_CACHED_SETS = 16;

export class SetsInForce {
  private readonly cache = new Map<string, AuthoritySet>();

  constructor(private readonly genesis: AuthoritySet) {}

  /** The set named by `hexKeys` (turn order), or the genesis's when absent. */
  of(hexKeys: readonly string[] | undefined): AuthoritySet {
    if (hexKeys === undefined) return this.genesis;
    const joined = hexKeys.join(',');
    if (joined === this.genesis.hexKeys.join(',')) return this.genesis;
    let set = this.cache.get(joined);
    if (set === undefined) {
      if (hexKeys.length === 0) throw new GopkgrError('CHAIN_INDEX_CORRUPT', 'an authority set in force is empty', { status: 500 });
      const keys = hexKeys.map((k) => fromHex(k, 'authority', 33));
      set = { ...this.genesis, authorities: hexKeys.map((k) => `id:${k}`), keys, hexKeys: [...hexKeys], majority: Math.floor(keys.length / 2) + 1 };
      if (this.cache.size >= MAX_CACHED_SETS) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(joined, set);
    }
    return set;
  }

  /** Whether `hex` is in the genesis's set or in any set in force seen lately (an orphan's signer worth chasing). */
  known(hex: string): boolean {
    if (this.genesis.hexKeys.includes(hex)) return true;
    for (const set of this.cache.values()) if (set.hexKeys.includes(hex)) return true;
    return false;
  }

  /** The set in force for a child of the last ancestor. */
  at(ctx: Ancestry): AuthoritySet {
    return this.of(ctx.authorities);
  }
}
