/** The miner's public face. */
export { Miner, type WorkSource, type MinerOptions, type MinedBlock } from './miner.ts';
export { localSource, httpSource } from './sources.ts';
export { buildCandidate, sealCandidate, mineOnThisThread, type Candidate } from './template.ts';
export { PowSearch, checkPow } from './pow.ts';
