/** The miner's public face. */
export { Miner, type WorkSource, type MinerOptions, type MinedBlock } from './miner.ts';
export { localSource, httpSource } from './sources.ts';
export { buildTemplate, buildCandidate, candidateFor, workTerms, workCosts, sealCandidate, mineOnThisThread, type Candidate } from './template.ts';
export { PowProducer } from './producer.ts';
export { PowSearch, checkPow } from './pow.ts';
