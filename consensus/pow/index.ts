/**
 * Proof of work as a Consensus: the seal is [target, nonce], the target follows
 * the retarget (difficulty.ts), a block weighs its expected work, and nothing is
 * ever final (the heaviest branch wins, however deep the fork).
 */
import { bytesToBigInt, type BlockHeader } from '../../ledger/block.ts';
import { toHex } from '../../ledger/encoding.ts';
import type { ChainParams } from '../../ledger/params.ts';
import type { Consensus } from '../types.ts';
import { powGenesisSeal } from './blocks.ts';
import { checkPowHeader, checkPowSeal, isCheapPowOrphan, nextPowTerms, powAncestryDepth, powTermsOf } from './rules.ts';
import { powSealCodec, powSealJson, powSealOf } from './seal.ts';
import { workOf } from './work.ts';

export function powConsensus(params: ChainParams): Consensus {
  return {
    kind: 'pow',
    params,
    idParams: { powLimit: params.powLimit, initialTarget: params.initialTarget, retargetWindow: params.retargetWindow, blockTimeMs: params.blockTimeMs },
    seal: powSealCodec,
    ancestryDepth: powAncestryDepth(params),
    genesisSeal: () => powGenesisSeal(params),
    sealJson: powSealJson,
    indexFields: (header: BlockHeader) => ({ target: toHex(powSealOf(header.seal).target) }),
    checkSeal: checkPowSeal,
    checkHeader: (id, header, ctx) => checkPowHeader(id, header, ctx, params),
    weightOf: (header: BlockHeader) => workOf(bytesToBigInt(powSealOf(header.seal).target)),
    isCheapOrphan: isCheapPowOrphan,
    nextTerms: (ctx) => nextPowTerms(ctx, params),
    termsJson: (terms) => ({ target: toHex(powTermsOf(terms).target) }),
    finalizedHeight: () => 0,
    isFinal: (height) => height <= 0,
  };
}

export { workOf, meetsTarget } from './work.ts';
export { NONCE_BYTES, TARGET_BYTES, powSealCodec, powSealOf, powSealJson } from './seal.ts';
export { encodeHeader, encodeBlock, decodeBlock, assembleBlock, genesisBlock, powGenesisSeal, type PowHeader, type PowBlock } from './blocks.ts';
export { checkPowSeal, checkPowHeader, nextPowTerms, powTermsOf, isCheapPowOrphan, timedTargets } from './rules.ts';
export { nextTarget, medianTimePast, MAX_RETARGET_FACTOR, type TimedTarget } from './difficulty.ts';
