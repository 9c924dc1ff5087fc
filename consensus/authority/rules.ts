/**
 * The authority chain's header rules, pure: the caller passes the ancestors it
 * reads from its index, its clock, and the signers it holds evidence against.
 *
 * Stateless (checkSeal):
 *   signature  verifies over the domain-separated message          BLOCK_BAD_SEAL_SIGNATURE
 * After the parent (checkHeader), with the set in force there (votes change
 * it at epoch boundaries, so the signer's rights depend on the ancestry):
 *   signer     one of the authorities in force                    BLOCK_SIGNER_UNKNOWN
 *   turn       the in-turn signer of its slot (slot mod n)         BLOCK_OUT_OF_TURN
 *   slot       after the parent's slot                            BLOCK_SLOT_NOT_AFTER_PARENT
 *   time       inside its slot                                    BLOCK_TIME_NOT_IN_SLOT
 *   future     its slot has begun by this node's clock (+ drift)  BLOCK_SLOT_IN_FUTURE
 *   evidence   the signer has not signed two blocks for one slot   BLOCK_SIGNER_EQUIVOCATED
 *   anchor     not behind the parent's (anchor.ts)                  BLOCK_ANCHOR_BACKWARDS, BLOCK_ANCHOR_NO_PARENT
 */
import { GopkgrError } from '../../ledger/errors.ts';
import { bytesEqual, toHex } from '../../ledger/encoding.ts';
import type { BlockHeader } from '../../ledger/block.ts';
import type { ChainParams } from '../../ledger/params.ts';
import type { Ancestry, AuthorityTerms, BlockTerms, HeaderContext, IndexedBlock } from '../types.ts';
import type { AuthoritySet } from './params.ts';
import { authoritySealOf, sealVerifies } from './seal.ts';
import { inTurnSigner, slotStart } from './slots.ts';
import { checkAnchorAfterParent } from './anchor.ts';

/**
 * How far ahead of this node's clock a slot may begin and its block still be
 * taken: clocks of a private network's hosts (NTP) agree to well within this,
 * and a block that arrives a little early is not worth a round of sync.
 */
export const MAX_SLOT_DRIFT_MS = 1_000;

/** The slot an index entry keeps (indexFields), or CHAIN_INDEX_CORRUPT. */
export function slotOfEntry(entry: IndexedBlock): number {
  const slot = entry.slot;
  if (typeof slot !== 'number' || !Number.isSafeInteger(slot) || slot < 0) {
    throw new GopkgrError('CHAIN_INDEX_CORRUPT', `index entry ${entry.id.slice(0, 16)} has no authority slot`, { status: 500 });
  }
  return slot;
}

export function checkAuthoritySeal(id: Uint8Array, header: BlockHeader, chainId: Uint8Array): void {
  // Rule: the signature covers the header and the chain id. Which keys may sign depends on the
  // ancestry (the set in force), so membership and turn are checkHeader's.
  if (!sealVerifies(header, chainId)) throw new GopkgrError('BLOCK_BAD_SEAL_SIGNATURE', `block ${toHex(id).slice(0, 16)}: the seal's signature does not verify against its signer`);
}

/** The signer is an authority in force and it is its turn (cheap set lookups). */
export function checkSignerInTurn(id: Uint8Array, header: BlockHeader, set: AuthoritySet): void {
  const seal = authoritySealOf(header.seal);
  const who = `block ${toHex(id).slice(0, 16)}`;
  // Rule: only the authorities in force sign blocks.
  if (!set.hexKeys.includes(toHex(seal.signer))) throw new GopkgrError('BLOCK_SIGNER_UNKNOWN', `${who} is signed by id:${toHex(seal.signer)}, not an authority of this chain`);
  // Rule: each slot has one signer, authorities[slot mod n]; others wait for their own.
  const expected = inTurnSigner(seal.slot, set);
  if (!bytesEqual(expected, seal.signer)) {
    throw new GopkgrError('BLOCK_OUT_OF_TURN', `${who} for slot ${seal.slot} is signed by id:${toHex(seal.signer)}, whose turn it is not (id:${toHex(expected)})`);
  }
}

export function checkAuthorityHeader(id: Uint8Array, header: BlockHeader, ctx: HeaderContext, params: ChainParams, set: AuthoritySet): void {
  const seal = authoritySealOf(header.seal);
  const who = `block ${toHex(id).slice(0, 16)}`;
  const parent = ctx.ancestors.at(-1);
  if (parent === undefined) throw new GopkgrError('CHAIN_INDEX_CORRUPT', `${who}: no parent entry was given`, { status: 500 });
  // (On a side branch above a boundary never applied here, the chain checks these once it applies it.)
  if (ctx.setPending !== true) checkSignerInTurn(id, header, set);
  // Rule: slots only go forward, so one chain has at most one block per slot.
  const parentSlot = slotOfEntry(parent);
  if (seal.slot <= parentSlot) throw new GopkgrError('BLOCK_SLOT_NOT_AFTER_PARENT', `${who} has slot ${seal.slot}, not after its parent's slot ${parentSlot}`);
  // Rule: the header's time lies inside its slot (so time, too, only goes forward).
  const start = slotStart(seal.slot, params, set);
  if (header.time < start || header.time >= start + set.slotMs) {
    throw new GopkgrError('BLOCK_TIME_NOT_IN_SLOT', `${who} has time ${header.time}, outside its slot ${seal.slot} [${start}, ${start + set.slotMs})`);
  }
  // Rule: no block for a slot that has not begun here (a signer running ahead of the clock).
  if (start > ctx.now + MAX_SLOT_DRIFT_MS) {
    throw new GopkgrError('BLOCK_SLOT_IN_FUTURE', `${who} is for slot ${seal.slot}, which begins ${start - ctx.now} ms from now by this node's clock`);
  }
  // Rule: an authority caught signing two blocks for one slot signs no more blocks this node takes.
  const signer = toHex(seal.signer);
  if (ctx.excludedSigners?.has(signer) === true) {
    throw new GopkgrError('BLOCK_SIGNER_EQUIVOCATED', `${who} is signed by id:${signer}, who signed two blocks for one slot`);
  }
  // Rule: the anchor in the public chain never goes backwards (whether the replica holds it is the node's to judge).
  checkAnchorAfterParent(who, seal, parent, params);
}

/** The next slot after the last ancestor's and its in-turn signer; the producer picks the slot its clock is in. */
export function nextAuthorityTerms(ctx: Ancestry, params: ChainParams, set: AuthoritySet): AuthorityTerms {
  const parent = ctx.ancestors.at(-1)!;
  const slot = slotOfEntry(parent) + 1;
  return { kind: 'authority', slot, signer: inTurnSigner(slot, set), minTime: slotStart(slot, params, set) - 1 };
}

export function authorityTermsOf(terms: BlockTerms): AuthorityTerms {
  if (terms.kind !== 'authority') throw new GopkgrError('CONSENSUS_KIND_MISMATCH', `authority consensus was handed ${terms.kind} terms`, { status: 500 });
  return terms;
}
