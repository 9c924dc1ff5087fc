/**
 * Slots: time since genesis cut into slotMs pieces. Slot s covers
 * [genesisTime + s*slotMs, genesisTime + (s+1)*slotMs); its in-turn signer is
 * authorities[s mod n]. Slot 0 holds genesis, so the first block's slot is >= 1.
 */
import type { ChainParams } from '../../ledger/params.ts';
import type { AuthoritySet } from './params.ts';

export function slotAt(time: number, params: ChainParams, set: AuthoritySet): number {
  return time < params.genesisTime ? 0 : Math.floor((time - params.genesisTime) / set.slotMs);
}

export function slotStart(slot: number, params: ChainParams, set: AuthoritySet): number {
  return params.genesisTime + slot * set.slotMs;
}

/** Index (turn order) of the authority whose slot this is. */
export function inTurnIndex(slot: number, set: AuthoritySet): number {
  return slot % set.keys.length;
}

export function inTurnSigner(slot: number, set: AuthoritySet): Uint8Array {
  return set.keys[inTurnIndex(slot, set)]!;
}

/** The first slot after `after` that belongs to the authority at `index`. */
export function nextSlotOf(index: number, after: number, set: AuthoritySet): number {
  const n = set.keys.length;
  const base = after + 1;
  return base + ((index - (base % n)) % n + n) % n;
}
