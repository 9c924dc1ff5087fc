/**
 * Authority consensus (private chains, DESIGN.md "Consensus"): the genesis names
 * the authorities in turn order and the slot length; each slot's in-turn
 * authority signs the one block of its slot (no proof of work); every block
 * weighs one, so the longest branch wins; a block is final once a majority of
 * distinct authorities build on it; two blocks by one signer for one slot are
 * evidence against it.
 */
import { GopkgrError } from '../../ledger/errors.ts';
import { toHex } from '../../ledger/encoding.ts';
import { assembleBlock, type BlockHeader } from '../../ledger/block.ts';
import { genesisHeader, type ChainParams } from '../../ledger/params.ts';
import type { Consensus, IndexedBlock } from '../types.ts';
import { readAuthorityParams, type AuthoritySet } from './params.ts';
import { authorityGenesisSeal, authoritySealCodec, authoritySealJson, authoritySealOf } from './seal.ts';
import { checkAuthorityHeader, checkAuthoritySeal, nextAuthorityTerms, authorityTermsOf } from './rules.ts';
import { authorityAncestryDepth, authorityFinalizedHeight } from './finality.ts';
import { checkEquivocation, checkEncodedEquivocation, conflictKeyOf } from './equivocation.ts';
import { genesisAnchor } from './anchor.ts';
import { SetsInForce } from './set.ts';

export interface AuthorityConsensus extends Consensus {
  readonly kind: 'authority';
  readonly set: AuthoritySet;
  /** the genesis block id: signed into every seal */
  readonly chainId: Uint8Array;
  /** the set named by hex keys in force (Ancestry.authorities), or the genesis's */
  setOf(hexKeys: readonly string[] | undefined): AuthoritySet;
}

export function authorityConsensus(params: ChainParams): AuthorityConsensus {
  const set = readAuthorityParams(params);
  const anchor0 = genesisAnchor(params);
  const chainId = assembleBlock(genesisHeader(params, authorityGenesisSeal(anchor0)), [], authoritySealCodec).id;
  const sets = new SetsInForce(set);
  const finalized = (ctx: Parameters<Consensus['finalizedHeight']>[0]): number => authorityFinalizedHeight(ctx, sets.at(ctx));
  return {
    kind: 'authority',
    params,
    set,
    chainId,
    setOf: (hexKeys) => sets.of(hexKeys),
    idParams: { authorities: [...set.authorities], slotMs: set.slotMs, epochBlocks: set.epochBlocks, anchorDepth: set.anchorDepth },
    seal: authoritySealCodec,
    ancestryDepth: authorityAncestryDepth(set),
    genesisSeal: () => authorityGenesisSeal(anchor0),
    sealJson: authoritySealJson,
    indexFields: (header: BlockHeader) => {
      const s = authoritySealOf(header.seal);
      return { slot: s.slot, signer: toHex(s.signer), anchorHeight: s.anchorHeight, anchor: toHex(s.anchorId) };
    },
    anchorOf: (header: BlockHeader) => {
      const s = authoritySealOf(header.seal);
      return { height: s.anchorHeight, id: toHex(s.anchorId) };
    },
    checkSeal: (id, header) => {
      // Genesis is unsigned; the chain never imports it, so any header reaching here is a block's.
      checkAuthoritySeal(id, header, chainId);
    },
    checkHeader: (id, header, ctx) => checkAuthorityHeader(id, header, ctx, params, sets.at(ctx)),
    weightOf: (header: BlockHeader) => (header.height === 0 ? 0n : 1n),
    // Every seal that reached here carries a valid signature (checkSeal); one by a key no set seen
    // here names cost its sender nothing: not chased. An authority's orphan is.
    isCheapOrphan: (header: BlockHeader) => !sets.known(toHex(authoritySealOf(header.seal).signer)),
    nextTerms: (ctx) => nextAuthorityTerms(ctx, params, sets.at(ctx)),
    termsJson: (terms) => {
      authorityTermsOf(terms);
      throw new GopkgrError('WORK_NOT_SERVED', 'this chain is sealed by its authorities, not mined: there is no work to serve', {
        hint: 'run `gopkgr node --sign` with an authority\'s identity instead of a miner',
      });
    },
    finalizedHeight: finalized,
    isFinal: (height, ctx) => height <= finalized(ctx),
    checkEvidence: (a, b) => checkEquivocation(a, b, set, chainId),
    checkEncodedEvidence: (a, b, inForce) => checkEncodedEquivocation(a, b, sets.of(inForce), chainId),
    conflictKey: (entry: IndexedBlock) => (typeof entry.slot === 'number' && typeof entry.signer === 'string' && entry.height > 0
      ? { key: conflictKeyOf(entry.slot, entry.signer), offender: entry.signer }
      : undefined),
  };
}

export { readAuthorityParams, DEFAULT_SLOT_MS, DEFAULT_EPOCH_BLOCKS, DEFAULT_ANCHOR_DEPTH, MIN_SLOT_MS, type AuthoritySet } from './params.ts';
export { genesisAnchor, anchorOfEntry, checkAnchorAfterParent, judgeAnchor, chooseAnchor, type ReplicaView, type AnchorVerdict } from './anchor.ts';
export { slotAt, slotStart, inTurnSigner, inTurnIndex, nextSlotOf } from './slots.ts';
export { authoritySealCodec, authoritySealOf, authoritySealJson, authorityGenesisSeal, sealMessage, signHeader, sealVerifies, SEAL_DOMAIN, NO_ANCHOR } from './seal.ts';
export { SetsInForce } from './set.ts';
export { checkAuthoritySeal, checkSignerInTurn, checkAuthorityHeader, nextAuthorityTerms, MAX_SLOT_DRIFT_MS } from './rules.ts';
export { authorityFinalizedHeight } from './finality.ts';
export { checkEquivocation, checkEncodedEquivocation, conflictKeyOf } from './equivocation.ts';
export { sealAuthorityBlock } from './produce.ts';
