/**
 * The miner as proof of work's Producer (miner/producer.ts): it seals a block
 * template with the terms the chain's consensus gives, on real worker threads,
 * and the result passes the consensus's own checks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bigIntToBytes32, buildRewardTx, bytesEqual, DEV_PARAMS, encodeTx, merkleRoot, toHex, txId } from '../../ledger/index.ts';
import { consensusFor, genesisBlock, type BlockTemplate, type IndexedBlock, type PowTerms } from '../../consensus/index.ts';
import { decodeBlock, powTermsOf } from '../../consensus/pow/index.ts';
import { PowSearch } from '../../miner/pow.ts';
import { PowProducer } from '../../miner/producer.ts';
import { keyPair } from '../support/chain.ts';

const consensus = consensusFor(DEV_PARAMS);
const genesis = genesisBlock(DEV_PARAMS);
const GENESIS: IndexedBlock = { id: toHex(genesis.id), parent: '00'.repeat(32), height: 0, time: genesis.header.time, ...consensus.indexFields(genesis.header) };

function template(): BlockTemplate {
  const reward = buildRewardTx(1, keyPair('producer').publicKey, [], DEV_PARAMS);
  return {
    header: { v: 1, height: 1, parent: genesis.id, txRoot: merkleRoot([txId(encodeTx(reward))]), time: DEV_PARAMS.genesisTime + 1000 },
    txs: [reward],
  };
}

let search: PowSearch | undefined;
afterEach(async () => {
  await search?.close();
  search = undefined;
});

describe('PowProducer', () => {
  it('seals a template with the chain terms into a block the consensus accepts after its parent', async () => {
    search = new PowSearch({ threads: 1 });
    const producer = new PowProducer(search);
    const terms = powTermsOf(consensus.nextTerms({ ancestors: [GENESIS] }));
    const block = await producer.seal(template(), terms);
    expect(block).not.toBeNull();
    const decoded = decodeBlock(block!.bytes);
    expect(bytesEqual(decoded.id, block!.id)).toBe(true);
    expect(bytesEqual(decoded.header.seal.target, terms.target)).toBe(true);
    expect(() => consensus.checkSeal(decoded.id, decoded.header)).not.toThrow();
    expect(() => consensus.checkHeader(decoded.id, decoded.header, { ancestors: [GENESIS], now: DEV_PARAMS.genesisTime + 1000 })).not.toThrow();
    expect(producer.lastHashes).toBeGreaterThan(0);
  });

  it('gives null when aborted before it finds a nonce', async () => {
    search = new PowSearch({ threads: 1 });
    const producer = new PowProducer(search);
    const impossible: PowTerms = { kind: 'pow', target: bigIntToBytes32(0n), minTime: DEV_PARAMS.genesisTime };
    const abort = new AbortController();
    const sealing = producer.seal(template(), impossible, abort.signal);
    setTimeout(() => abort.abort(), 200);
    expect(await sealing).toBeNull();
  });
});
