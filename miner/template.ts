/**
 * Block templates: the node's pending txs (already in an order that applies
 * cleanly), the reward that pays this miner and the block's testers, a header
 * whose nonce the proof-of-work search fills in.
 */
import {
  assembleBlock, blockId, buildRewardTx, decodeTx, encodeTx, encodeHeader, fromHex, merkleRoot, meetsTarget, txId, NONCE_BYTES, MAX_BLOCK_BYTES,
  MAX_BLOCK_TXS, type BlockHeader, type DecodedBlock, type Tx,
} from '../ledger/index.ts';
import type { Work } from '../node/index.ts';

export interface Candidate {
  header: BlockHeader;
  txs: Tx[];
  /** encoded header; the nonce is its last NONCE_BYTES bytes */
  headerBytes: Uint8Array;
  nonceOffset: number;
}

/** Room left in a block for the header, the reward and CBOR framing. */
const BLOCK_OVERHEAD = 64 * 1024;

export function buildCandidate(work: Work, minerKey: Uint8Array, now: number): Candidate {
  const txs: Tx[] = [];
  let bytes = 0;
  // A prefix of the pool's order always applies; stop at the first tx that does not fit.
  for (const raw of work.txs) {
    if (txs.length + 1 >= MAX_BLOCK_TXS || bytes + raw.length > MAX_BLOCK_BYTES - BLOCK_OVERHEAD) break;
    txs.push(decodeTx(raw));
    bytes += raw.length;
  }
  const all: Tx[] = [buildRewardTx(work.height, minerKey, txs, work.params), ...txs];
  const ids = all.map((tx, i) => (i === 0 ? txId(encodeTx(tx)) : txId(work.txs[i - 1]!)));
  const header: BlockHeader = {
    v: 1,
    height: work.height,
    parent: fromHex(work.parent),
    txRoot: merkleRoot(ids),
    time: Math.max(now, work.minTime + 1),
    target: fromHex(work.target),
    nonce: new Uint8Array(NONCE_BYTES),
  };
  const headerBytes = encodeHeader(header);
  return { header, txs: all, headerBytes, nonceOffset: headerBytes.length - NONCE_BYTES };
}

/**
 * Find a nonce on the calling thread and seal the block. Only for trivial targets
 * (dev chains in benchmarks and tests, ~16 hashes a block); real mining is PowSearch.
 */
export function mineOnThisThread(candidate: Candidate): DecodedBlock {
  const header = candidate.headerBytes.slice();
  const view = new DataView(header.buffer, header.byteOffset + candidate.nonceOffset, NONCE_BYTES);
  for (let n = 0n; ; n++) {
    view.setBigUint64(0, n);
    if (meetsTarget(blockId(header), candidate.header.target)) return sealCandidate(candidate, header.slice(candidate.nonceOffset));
  }
}

export function sealCandidate(candidate: Candidate, nonce: Uint8Array): DecodedBlock {
  return assembleBlock({ ...candidate.header, nonce }, candidate.txs);
}
