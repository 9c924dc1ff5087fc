/**
 * The ledger's block functions bound to proof of work's seal: what the miner,
 * benchmarks and tests of a proof-of-work chain call. node/ goes through the
 * Consensus interface (consensus.seal) instead.
 */
import {
  assembleBlock as assembleWith, decodeBlock as decodeWith, encodeBlock as encodeBlockWith, encodeHeader as encodeHeaderWith,
  type Block, type BlockHeader, type DecodedBlock,
} from '../../ledger/block.ts';
import { bigIntToBytes32 } from '../../ledger/block.ts';
import { genesisHeader, type ChainParams } from '../../ledger/params.ts';
import type { Tx } from '../../ledger/tx.ts';
import type { PowSeal } from '../types.ts';
import { NONCE_BYTES, powSealCodec } from './seal.ts';

export type PowHeader = BlockHeader<PowSeal>;
export type PowBlock = DecodedBlock<PowSeal>;

export function encodeHeader(header: PowHeader): Uint8Array {
  return encodeHeaderWith(header, powSealCodec);
}

export function encodeBlock(block: Block<PowSeal>): Uint8Array {
  return encodeBlockWith(block, powSealCodec);
}

export function decodeBlock(bytes: Uint8Array): PowBlock {
  return decodeWith(bytes, powSealCodec);
}

export function assembleBlock(header: PowHeader, txs: Tx[]): PowBlock {
  return assembleWith(header, txs, powSealCodec);
}

/** The genesis seal: the easiest target (powLimit) and a zero nonce; genesis is not mined. */
export function powGenesisSeal(params: ChainParams): PowSeal {
  return { kind: 'pow', target: bigIntToBytes32(BigInt('0x' + params.powLimit)), nonce: new Uint8Array(NONCE_BYTES) };
}

export function genesisBlock(params: ChainParams): PowBlock {
  return assembleBlock(genesisHeader(params, powGenesisSeal(params)), []);
}
