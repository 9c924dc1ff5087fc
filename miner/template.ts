/**
 * Block templates: the node's pending txs (already in an order that applies
 * cleanly, highest fee first: node/mempool.ts blockOrder), the reward that pays
 * this miner minerReward plus the fees of the txs it takes, a header whose nonce
 * the proof-of-work search fills in.
 */
import {
  blockId, buildRewardTx, decodeTx, encodeTx, fromHex, merkleRoot, txId, GopkgrError, MAX_BLOCK_BYTES, MAX_BLOCK_COST, MAX_BLOCK_TXS, type Tx,
} from '../ledger/index.ts';
import type { BlockTemplate, PowTerms } from '../consensus/index.ts';
import { assembleBlock, encodeHeader, meetsTarget, NONCE_BYTES, type PowBlock, type PowHeader } from '../consensus/pow/index.ts';
import type { Work } from '../node/index.ts';

export interface Candidate {
  header: PowHeader;
  txs: Tx[];
  /** encoded header; the nonce is its last NONCE_BYTES bytes */
  headerBytes: Uint8Array;
  nonceOffset: number;
}

/** Room left in a block for the header, the reward and CBOR framing. */
const BLOCK_OVERHEAD = 64 * 1024;

/** The validation cost of each of the work's txs (the node's pool computed them on the state each applies on); checked, as work may come over HTTP. */
export function workCosts(work: Work): readonly number[] {
  const costs = work.costs ?? [];
  if (costs.length !== work.txs.length || !costs.every((c) => Number.isSafeInteger(c) && c >= 0)) {
    throw new GopkgrError('POW_BAD_WORK', 'the work must give one validation cost (a non-negative integer) per tx');
  }
  return costs;
}

/** The next block without its seal: the pool's txs that fit (the highest fees first), after the reward that pays this miner. */
export function buildTemplate(work: Work, minerKey: Uint8Array, now: number): BlockTemplate {
  const txs: Tx[] = [];
  const costs = workCosts(work);
  let bytes = 0;
  let cost = 0;
  // A prefix of the pool's order always applies, and its costs are the ones the
  // block's rules will count; stop at the first tx that does not fit in bytes or cost.
  for (const [i, raw] of work.txs.entries()) {
    if (txs.length + 1 >= MAX_BLOCK_TXS || bytes + raw.length > MAX_BLOCK_BYTES - BLOCK_OVERHEAD || cost + costs[i]! > MAX_BLOCK_COST) break;
    txs.push(decodeTx(raw));
    bytes += raw.length;
    cost += costs[i]!;
  }
  const all: Tx[] = [buildRewardTx(work.height, minerKey, txs, work.params), ...txs];
  const ids = all.map((tx, i) => (i === 0 ? txId(encodeTx(tx)) : txId(work.txs[i - 1]!)));
  return {
    header: { v: 1, height: work.height, parent: fromHex(work.parent), txRoot: merkleRoot(ids), time: Math.max(now, work.minTime + 1) },
    txs: all,
  };
}

/** Proof of work's terms as a node's /v1/work gives them (checked: the work may come over HTTP). */
export function workTerms(work: Work): PowTerms {
  if (typeof work.target !== 'string' || !/^[0-9a-f]{64}$/.test(work.target)) throw new GopkgrError('POW_BAD_WORK', 'the work\'s target must be 64 lowercase hex digits');
  return { kind: 'pow', target: fromHex(work.target), minTime: work.minTime };
}

/** The template with a proof-of-work seal whose nonce (the header's last 8 bytes) is still zero. */
export function candidateFor(template: BlockTemplate, terms: PowTerms): Candidate {
  const header: PowHeader = { ...template.header, seal: { kind: 'pow', target: terms.target, nonce: new Uint8Array(NONCE_BYTES) } };
  const headerBytes = encodeHeader(header);
  return { header, txs: template.txs, headerBytes, nonceOffset: headerBytes.length - NONCE_BYTES };
}

export function buildCandidate(work: Work, minerKey: Uint8Array, now: number): Candidate {
  return candidateFor(buildTemplate(work, minerKey, now), workTerms(work));
}

/**
 * Find a nonce on the calling thread and seal the block. Only for trivial targets
 * (dev chains in benchmarks and tests, ~16 hashes a block); real mining is PowSearch.
 */
export function mineOnThisThread(candidate: Candidate): PowBlock {
  const header = candidate.headerBytes.slice();
  const view = new DataView(header.buffer, header.byteOffset + candidate.nonceOffset, NONCE_BYTES);
  for (let n = 0n; ; n++) {
    view.setBigUint64(0, n);
    if (meetsTarget(blockId(header), candidate.header.seal.target)) return sealCandidate(candidate, header.slice(candidate.nonceOffset));
  }
}

export function sealCandidate(candidate: Candidate, nonce: Uint8Array): PowBlock {
  return assembleBlock({ ...candidate.header, seal: { ...candidate.header.seal, nonce } }, candidate.txs);
}
