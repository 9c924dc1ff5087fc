/**
 * The consensus floor's public face: the Consensus interface (types.ts) and
 * consensusFor, which picks the kind the chain's params name. A chain's params
 * without a `consensus` object are proof of work (every chain made before
 * consensus had a name), so their ids stay what they were.
 */
import { GopkgrError } from '../ledger/errors.ts';
import { assembleBlock, type DecodedBlock } from '../ledger/block.ts';
import { toHex } from '../ledger/encoding.ts';
import { genesisHeader, type ChainParams } from '../ledger/params.ts';
import { powConsensus } from './pow/index.ts';
import { authorityConsensus } from './authority/index.ts';
import type { Consensus, ConsensusKind } from './types.ts';

export type {
  Consensus, ConsensusKind, ChainSeal, PowSeal, AuthoritySeal, PowParams, AuthorityParams, AnyConsensusParams, IndexedBlock, Ancestry,
  HeaderContext, BlockTerms, PowTerms, AuthorityTerms, PowTermsJson, WorkTermsJson, BlockTemplate, Producer,
  BlockAnchor,
} from './types.ts';

export {
  authorityConsensus, sealAuthorityBlock, slotAt, slotStart, inTurnIndex, inTurnSigner, nextSlotOf, DEFAULT_SLOT_MS, DEFAULT_EPOCH_BLOCKS,
  DEFAULT_ANCHOR_DEPTH, judgeAnchor, chooseAnchor, anchorOfEntry, type ReplicaView, type AnchorVerdict,
  type AuthorityConsensus, type AuthoritySet,
} from './authority/index.ts';

/** The kinds this build can run. */
export const BUILT_KINDS: readonly ConsensusKind[] = ['pow', 'authority'];

export function consensusKindOf(params: ChainParams): string {
  return params.consensus?.kind ?? 'pow';
}

/** The consensus the params name; CONSENSUS_KIND_UNSUPPORTED for a kind this build does not run. */
export function consensusFor(params: ChainParams): Consensus {
  const kind = consensusKindOf(params);
  if (kind === 'pow') return powConsensus(params);
  if (kind === 'authority') return authorityConsensus(params);
  throw new GopkgrError('CONSENSUS_KIND_UNSUPPORTED', `consensus kind "${kind}" is unknown; this build runs ${BUILT_KINDS.join(', ')}`, {
    hint: 'use a genesis whose consensus kind this version of gopkgr supports',
  });
}

/** The genesis block of the chain these params describe, sealed as its consensus seals it. */
export function genesisBlock(params: ChainParams, consensus: Consensus = consensusFor(params)): DecodedBlock {
  return assembleBlock(genesisHeader(params, consensus.genesisSeal()), [], consensus.seal);
}

/** The chain id: the genesis block id, which commits to every parameter. */
export function chainIdOf(params: ChainParams): string {
  return toHex(genesisBlock(params).id);
}
