/**
 * Blocks from planned txs with the miner's own code: a Work as a node would
 * hand it out (parent, height, target from the retarget rule, median time),
 * buildCandidate for the template and mineOnThisThread for the seal (dev
 * targets take ~16 hashes). Times step by the block time, so the target stays
 * at the easiest and every block is valid whenever it is imported.
 */
import { DEV_PARAMS, sha256, toHex, keyPairFromSecret, type ChainParams } from '../../ledger/index.ts';
import { genesisBlock, medianTimePast, nextTarget, type TimedTarget } from '../../consensus/pow/index.ts';
import { buildCandidate, mineOnThisThread } from '../../miner/index.ts';
import type { Work } from '../../node/index.ts';

const MINER = keyPairFromSecret(sha256(new TextEncoder().encode('gopkgr-scale/miner'))).publicKey;

export class ChainAssembler {
  readonly chainId: Uint8Array;
  private readonly ancestry: TimedTarget[];
  private parent: string;
  height = 0;

  constructor(readonly params: ChainParams = DEV_PARAMS) {
    const genesis = genesisBlock(params);
    this.chainId = genesis.id;
    this.parent = toHex(genesis.id);
    this.ancestry = [{ time: genesis.header.time, target: genesis.header.seal.target }];
  }

  get headId(): string {
    return this.parent;
  }

  /** Seals the next block holding exactly `txs` (encoded signed txs, in order). */
  next(txs: Uint8Array[]): { id: string; bytes: Uint8Array } {
    const window = this.ancestry.slice(-(this.params.retargetWindow + 1));
    const parentTime = this.ancestry.at(-1)!.time;
    const work: Work = {
      target: toHex(nextTarget(window, this.params)), parent: this.parent, height: this.height + 1,
      minTime: medianTimePast(this.ancestry), parentTime, txs, params: this.params,
      // The generator already stopped each block at MAX_BLOCK_COST (priced with the ledger's txCost); the
      // node checks the rule again when it imports the block.
      costs: txs.map(() => 0),
    };
    const candidate = buildCandidate(work, MINER, parentTime + this.params.blockTimeMs);
    // The generator packs by the template's own limits: a tx left out would break every later nonce.
    if (candidate.txs.length !== txs.length + 1) throw new Error(`block ${work.height}: the template took ${candidate.txs.length - 1} of ${txs.length} txs`);
    const block = mineOnThisThread(candidate);
    this.ancestry.push({ time: block.header.time, target: block.header.seal.target });
    if (this.ancestry.length > 64) this.ancestry.shift();
    this.parent = toHex(block.id);
    this.height++;
    return { id: this.parent, bytes: block.bytes };
  }
}
