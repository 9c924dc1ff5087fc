/**
 * An authority's block: the template's header and txs, sealed for `slot` by
 * the authority's key. The time is clamped into the slot (the rules refuse a
 * time outside it), so a producer a little late within its slot still makes a
 * valid block.
 */
import { assembleBlock, type DecodedBlock } from '../../ledger/block.ts';
import type { ChainParams } from '../../ledger/params.ts';
import type { KeyPair } from '../../ledger/crypto.ts';
import type { AuthoritySeal, BlockTemplate } from '../types.ts';
import type { AuthoritySet } from './params.ts';
import { authoritySealCodec, signHeader } from './seal.ts';
import { slotStart } from './slots.ts';

export function sealAuthorityBlock(
  template: BlockTemplate, slot: number, key: KeyPair, chainId: Uint8Array, params: ChainParams, set: AuthoritySet,
): DecodedBlock<AuthoritySeal> {
  const start = slotStart(slot, params, set);
  const time = Math.min(Math.max(template.header.time, start), start + set.slotMs - 1);
  const header = signHeader({ ...template.header, time }, slot, key.publicKey, key.secretKey, chainId);
  return assembleBlock(header, template.txs, authoritySealCodec);
}
