/**
 * Proof of work's block producer (consensus/ Producer): the template sealed with
 * the terms' target, its nonce found by PowSearch on worker threads.
 */
import { bytesToBigInt } from '../ledger/index.ts';
import type { BlockTemplate, PowSeal, PowTerms, Producer } from '../consensus/index.ts';
import type { PowBlock } from '../consensus/pow/index.ts';
import type { PowSearch } from './pow.ts';
import { candidateFor, sealCandidate } from './template.ts';

export class PowProducer implements Producer<PowTerms, PowSeal> {
  /** hashes the last sealed block took (for the miner's reports) */
  lastHashes = 0;

  constructor(private readonly search: PowSearch) {}

  async seal(template: BlockTemplate, terms: PowTerms, signal?: AbortSignal): Promise<PowBlock | null> {
    const candidate = candidateFor(template, terms);
    const found = await this.search.search({ header: candidate.headerBytes, nonceOffset: candidate.nonceOffset, target: bytesToBigInt(terms.target) }, signal);
    if (found === null) return null;
    this.lastHashes = found.hashes;
    return sealCandidate(candidate, found.nonce);
  }
}
