/**
 * Proof of work behind the Consensus interface (consensus/pow/): the seal's
 * bytes, the cheap seal check, the header rules against a parent context, the
 * weight fork choice adds up, and consensusFor's refusal of kinds not built.
 */
import { describe, expect, it } from 'vitest';
import {
  bigIntToBytes32, blockId, bytesToBigInt, decode, DEV_PARAMS, fromHex, HEADER_NEUTRAL_FIELDS, MAX_FUTURE_BLOCK_MS, readHeader, sha256, toHex,
  type BlockHeader, type Canonical, type ChainParams,
} from '../../ledger/index.ts';
import { chainIdOf, consensusFor, genesisBlock, type IndexedBlock, type PowSeal } from '../../consensus/index.ts';
import { encodeHeader, meetsTarget, NONCE_BYTES, powSealCodec, type PowHeader } from '../../consensus/pow/index.ts';
import { codeOf } from '../support/codeOf.ts';

const pow = consensusFor(DEV_PARAMS);
const genesis = genesisBlock(DEV_PARAMS);
const GENESIS: IndexedBlock = { id: toHex(genesis.id), parent: '00'.repeat(32), height: 0, time: DEV_PARAMS.genesisTime, ...pow.indexFields(genesis.header) };

function header(target: Uint8Array, nonce: Uint8Array = new Uint8Array(NONCE_BYTES), time = DEV_PARAMS.genesisTime + 1000): PowHeader {
  return { v: 1, height: 1, parent: genesis.id, txRoot: sha256(new Uint8Array(0)), time, seal: { kind: 'pow', target, nonce } };
}

/** The first nonce whose id meets (or, with `miss`, misses) the header's target. */
function sealed(h: PowHeader, miss = false): { header: PowHeader; id: Uint8Array } {
  for (let n = 0n; ; n++) {
    const nonce = new Uint8Array(NONCE_BYTES);
    new DataView(nonce.buffer).setBigUint64(0, n);
    const candidate: PowHeader = { ...h, seal: { ...h.seal, nonce } };
    const id = blockId(encodeHeader(candidate));
    if (meetsTarget(id, h.seal.target) !== miss) return { header: candidate, id };
  }
}

const nextTarget = (): Uint8Array => {
  const terms = pow.nextTerms({ ancestors: [GENESIS] });
  if (terms.kind !== 'pow') throw new Error('pow terms expected');
  return terms.target;
};

describe('consensus/pow: the seal', () => {
  it('round-trips through header bytes, the nonce as the last 8 bytes', () => {
    const nonce = fromHex('0102030405060708');
    const h = header(fromHex(DEV_PARAMS.powLimit), nonce);
    const bytes = encodeHeader(h);
    expect(toHex(bytes.subarray(bytes.length - NONCE_BYTES))).toBe('0102030405060708');
    const back = readHeader(decode(bytes), pow.seal);
    expect(back).toEqual(h);
    expect(back.seal).toEqual({ kind: 'pow', target: fromHex(DEV_PARAMS.powLimit), nonce });
    expect(pow.sealJson(back.seal)).toEqual({ target: DEV_PARAMS.powLimit, nonce: '0102030405060708' });
  });

  it('refuses seal fields of the wrong shape, and a seal of another kind, with BLOCK_MALFORMED', () => {
    const fields = (target: Canonical, nonce: Canonical): Canonical => [1, 1, genesis.id, new Uint8Array(32), 5, target, nonce];
    expect(codeOf(() => readHeader(fields(new Uint8Array(31), new Uint8Array(8)), pow.seal))).toBe('BLOCK_MALFORMED');
    expect(codeOf(() => readHeader(fields(new Uint8Array(32), new Uint8Array(9)), pow.seal))).toBe('BLOCK_MALFORMED');
    expect(codeOf(() => readHeader(fields(new Uint8Array(32), 7), pow.seal))).toBe('BLOCK_MALFORMED');
    expect(codeOf(() => readHeader([1, 1, genesis.id, new Uint8Array(32), 5, new Uint8Array(32)], pow.seal))).toBe('BLOCK_MALFORMED');
    expect(powSealCodec.arity + HEADER_NEUTRAL_FIELDS).toBe(7);
    const foreign = { ...header(new Uint8Array(32)), seal: { kind: 'authority', slot: 1, signer: new Uint8Array(33), signature: new Uint8Array(64) } } as BlockHeader;
    expect(codeOf(() => pow.checkSeal(new Uint8Array(32), foreign))).toBe('BLOCK_MALFORMED');
    expect(codeOf(() => pow.weightOf(foreign))).toBe('BLOCK_MALFORMED');
  });
});

describe('consensus/pow: checkSeal (cheap, stateless)', () => {
  it('accepts an id that meets the header target and rejects one that misses it with BLOCK_BAD_POW', () => {
    const target = fromHex(DEV_PARAMS.powLimit);
    const good = sealed(header(target));
    expect(codeOf(() => pow.checkSeal(good.id, good.header))).toBeUndefined();
    const bad = sealed(header(target), true);
    expect(codeOf(() => pow.checkSeal(bad.id, bad.header))).toBe('BLOCK_BAD_POW');
    // The id is the caller's: a good header with another block's id is refused too.
    expect(codeOf(() => pow.checkSeal(bad.id, good.header))).toBe('BLOCK_BAD_POW');
  });
});

describe('consensus/pow: checkHeader (after its parent)', () => {
  const now = DEV_PARAMS.genesisTime + 10_000;

  it('accepts the retarget target and a time after the median', () => {
    const h = sealed(header(nextTarget()));
    expect(codeOf(() => pow.checkHeader(h.id, h.header, { ancestors: [GENESIS], now }))).toBeUndefined();
  });

  it('rejects a target other than the retarget gives with BLOCK_BAD_TARGET, easier or harder', () => {
    const expected = bytesToBigInt(nextTarget());
    for (const target of [expected / 2n, expected + 1n]) {
      const h = sealed(header(bigIntToBytes32(target)));
      expect(codeOf(() => pow.checkHeader(h.id, h.header, { ancestors: [GENESIS], now })), target.toString(16)).toBe('BLOCK_BAD_TARGET');
    }
  });

  it('rejects a time not after the median (BLOCK_TIME_TOO_OLD) or too far ahead of now (BLOCK_TIME_TOO_NEW)', () => {
    const old = sealed(header(nextTarget(), undefined, DEV_PARAMS.genesisTime));
    expect(codeOf(() => pow.checkHeader(old.id, old.header, { ancestors: [GENESIS], now }))).toBe('BLOCK_TIME_TOO_OLD');
    const ahead = sealed(header(nextTarget(), undefined, now + MAX_FUTURE_BLOCK_MS + 1));
    expect(codeOf(() => pow.checkHeader(ahead.id, ahead.header, { ancestors: [GENESIS], now }))).toBe('BLOCK_TIME_TOO_NEW');
    // The same header is fine once the clock the caller passes has caught up: no clock of its own.
    expect(codeOf(() => pow.checkHeader(ahead.id, ahead.header, { ancestors: [GENESIS], now: now + 1 }))).toBeUndefined();
  });

  it('terms for the producer are the target and the median checkHeader enforces', () => {
    const terms = pow.nextTerms({ ancestors: [GENESIS] });
    expect(terms).toEqual({ kind: 'pow', target: fromHex(DEV_PARAMS.initialTarget), minTime: DEV_PARAMS.genesisTime });
    expect(pow.termsJson(terms)).toEqual({ target: DEV_PARAMS.initialTarget });
    expect(pow.ancestryDepth).toBe(DEV_PARAMS.retargetWindow + 1);
  });
});

describe('consensus/pow: weight, orphans and finality', () => {
  it('a block weighs its expected work, 2^256 / (target + 1): a harder target weighs more', () => {
    const easy = header(fromHex(DEV_PARAMS.powLimit));
    const hard = header(bigIntToBytes32(bytesToBigInt(fromHex(DEV_PARAMS.powLimit)) / 16n));
    expect(pow.weightOf(easy)).toBe((1n << 256n) / (bytesToBigInt(fromHex(DEV_PARAMS.powLimit)) + 1n));
    expect(pow.weightOf(easy)).toBe(16n);
    expect(pow.weightOf(hard) > pow.weightOf(easy)).toBe(true);
    expect(pow.weightOf(header(bigIntToBytes32(0n)))).toBe(1n << 256n);
  });

  it('an orphan is cheap when its target is more than factor times easier than the next block here', () => {
    const params: ChainParams = { ...DEV_PARAMS, powLimit: 'f'.repeat(64), initialTarget: '00ff' + 'f'.repeat(60) };
    const c = consensusFor(params);
    const terms = c.nextTerms({ ancestors: [{ ...GENESIS, target: params.powLimit }] });
    const next = bytesToBigInt(fromHex(params.initialTarget));
    expect(c.isCheapOrphan(header(bigIntToBytes32(next * 8n)), terms, 8n)).toBe(false);
    expect(c.isCheapOrphan(header(bigIntToBytes32(next * 8n + 1n)), terms, 8n)).toBe(true);
  });

  it('nothing is final under proof of work but genesis', () => {
    expect(pow.finalizedHeight({ ancestors: [GENESIS] })).toBe(0);
    expect(pow.isFinal(0, { ancestors: [GENESIS] })).toBe(true);
    expect(pow.isFinal(1, { ancestors: [GENESIS] })).toBe(false);
  });
});

describe('consensusFor', () => {
  it('gives proof of work for params without a consensus object, and keeps the dev chain id', () => {
    expect(pow.kind).toBe('pow');
    expect(pow.idParams).toEqual({ powLimit: DEV_PARAMS.powLimit, initialTarget: DEV_PARAMS.initialTarget, retargetWindow: 20, blockTimeMs: 1000 });
    expect(chainIdOf(DEV_PARAMS)).toBe('b963b1deb3c35e33ab9fe52c25aedc06b90cd326765f91040e5613ba8f444e73');
    expect((genesis.header.seal as PowSeal).target).toEqual(fromHex(DEV_PARAMS.powLimit));
  });

  it('refuses an unknown kind with CONSENSUS_KIND_UNSUPPORTED', () => {
    const stake = { ...DEV_PARAMS, consensus: { kind: 'stake' } };
    expect(codeOf(() => consensusFor(stake))).toBe('CONSENSUS_KIND_UNSUPPORTED');
    expect(() => consensusFor(stake)).toThrow(/"stake" is unknown/);
    expect(codeOf(() => chainIdOf(stake))).toBe('CONSENSUS_KIND_UNSUPPORTED');
  });
});
