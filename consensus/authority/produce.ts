/**
 * An authority's block: the template's header and txs, sealed for `slot` by
 * the authority's key. The time is clamped into the slot (the rules refuse a
 * time outside it), so a producer a little late within its slot still makes a
 * valid block. `anchor`: the public block it anchors to (anchor.ts chooseAnchor); none on a chain without a parent.
 */
import { assembleBlock, type DecodedBlock } from '../../ledger/block.ts';
import type { ChainParams } from '../../ledger/params.ts';
import type { KeyPair } from '../../ledger/crypto.ts';
import type { AuthoritySeal, BlockAnchor, BlockTemplate } from '../types.ts';
import { fromHex } from '../../ledger/encoding.ts';
import type { AuthoritySet } from './params.ts';
import { authoritySealCodec, NO_ANCHOR, signHeader } from './seal.ts';
import { slotStart } from './slots.ts';

export function sealAuthorityBlock(
  template: BlockTemplate, slot: number, key: KeyPair, chainId: Uint8Array, params: ChainParams, set: AuthoritySet, anchor?: BlockAnchor,
): DecodedBlock<AuthoritySeal> {
  const start = slotStart(slot, params, set);
  const time = Math.min(Math.max(template.header.time, start), start + set.slotMs - 1);
  const sealed = anchor === undefined ? NO_ANCHOR : { height: anchor.height, id: fromHex(anchor.id) };
  const header = signHeader({ ...template.header, time }, slot, key.publicKey, key.secretKey, chainId, sealed);
  return assembleBlock(header, template.txs, authoritySealCodec);
}
