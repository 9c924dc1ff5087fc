/**
 * Authority consensus (consensus/authority/): the seal's bytes and its pinned
 * signing vector, every header rule accepted and refused with its code, slots
 * and turns, finality at a majority of distinct signers on a real Chain, and
 * equivocation (two blocks by one signer for one slot) kept as evidence and
 * the offender's later blocks refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildRewardTx, decode, verifyReference, DEV_PARAMS, encodeTx, fromHex, identityOf, merkleRoot, readHeader, sha256, toHex, txId,
  type BlockHeader, type Canonical, type ChainParams, type KeyPair,
} from '../../ledger/index.ts';
import { chainIdOf, consensusFor, genesisBlock, type AuthoritySeal, type IndexedBlock } from '../../consensus/index.ts';
import {
  authorityConsensus, authoritySealCodec, checkEquivocation, nextSlotOf, sealAuthorityBlock, sealMessage, signHeader, slotAt, slotStart,
  type AuthorityConsensus,
} from '../../consensus/authority/index.ts';
import { encodeHeader } from '../../ledger/block.ts';
import type { Chain } from '../../node/index.ts';
import { keyPair, openChain, rejectsWith } from '../support/chain.ts';
import { closeAll } from '../support/cleanup.ts';
import { codeOf } from '../support/codeOf.ts';

afterEach(closeAll);

const SLOT_MS = 2000;
const AUTHORITIES: KeyPair[] = [0, 1, 2].map((i) => keyPair(`authority-${i}`));
const OUTSIDER = keyPair('not-an-authority');

function authorityParams(keys: readonly KeyPair[] = AUTHORITIES, extra: Record<string, Canonical> = {}): ChainParams {
  return {
    ...DEV_PARAMS, name: 'acme',
    consensus: { kind: 'authority', authorities: keys.map((k) => identityOf(k.publicKey)), slotMs: SLOT_MS, epochBlocks: 100, ...extra },
  };
}

const PARAMS = authorityParams();
const consensus = consensusFor(PARAMS) as AuthorityConsensus;
const genesis = genesisBlock(PARAMS);
const GENESIS: IndexedBlock = { id: toHex(genesis.id), parent: '00'.repeat(32), height: 0, time: PARAMS.genesisTime, ...consensus.indexFields(genesis.header) };

/** The authority whose turn `slot` is. */
const inTurn = (slot: number): KeyPair => AUTHORITIES[slot % AUTHORITIES.length]!;

/** A sealed header at height 1 on genesis (or `parent`) for `slot`, signed by `key` (default: the in-turn one). */
function sealed(slot: number, opts: { key?: KeyPair; time?: number; chainId?: Uint8Array; height?: number; parent?: Uint8Array; txRoot?: Uint8Array } = {}): { header: BlockHeader<AuthoritySeal>; id: Uint8Array } {
  const key = opts.key ?? inTurn(slot);
  const header = signHeader({
    v: 1, height: opts.height ?? 1, parent: opts.parent ?? genesis.id, txRoot: opts.txRoot ?? sha256(new Uint8Array(0)),
    time: opts.time ?? slotStart(slot, PARAMS, consensus.set),
  }, slot, key.publicKey, key.secretKey, opts.chainId ?? consensus.chainId);
  return { header, id: genesisBlockId(header) };
}

function genesisBlockId(header: BlockHeader): Uint8Array {
  return sha256(sha256(encodeHeader(header, authoritySealCodec)));
}

describe('authority seal', () => {
  it('round-trips [slot, anchorHeight, anchorId, signer, signature] after the neutral fields', () => {
    const { header } = sealed(1);
    const back = readHeader(decode(encodeHeader(header, authoritySealCodec)), authoritySealCodec);
    expect(back).toEqual(header);
    expect(consensus.sealJson(header.seal)).toEqual({
      slot: 1, anchorHeight: 0, anchor: '00'.repeat(32), signer: identityOf(inTurn(1).publicKey), signature: toHex(header.seal.signature),
    });
  });

  it('signs the pinned message bytes, and the pinned signature verifies', () => {
    const header = { v: 1, height: 1, parent: new Uint8Array(32).fill(0xaa), txRoot: new Uint8Array(32).fill(0xbb), time: 1_767_225_602_000 };
    const chainId = new Uint8Array(32).fill(0xcc);
    const key = keyPair('authority-0');
    const signedHeader = signHeader(header, 7, key.publicKey, key.secretKey, chainId, { height: 42, id: new Uint8Array(32).fill(0xdd) });
    const message = sealMessage(signedHeader, chainId);
    // "gopkgr/authority-seal/v1\0" || chainId || cbor [1, 1, parent, txRoot, time, 7, 42, anchorId, signer]
    expect(toHex(message.subarray(0, 25))).toBe(toHex(new TextEncoder().encode('gopkgr/authority-seal/v1\0')));
    expect(toHex(message.subarray(25, 57))).toBe('cc'.repeat(32));
    expect(toHex(sha256(message))).toBe(PINNED_MESSAGE_SHA256);
    expect(toHex(signedHeader.seal.signature)).toBe(PINNED_SIGNATURE);
    // The reference implementation (noble) agrees with the fast path the rules use.
    expect(verifyReference(fromHex(PINNED_SIGNATURE), message, key.publicKey)).toBe(true);
    expect(codeOf(() => consensus.checkSeal(new Uint8Array(32), { ...signedHeader, seal: { ...signedHeader.seal, slot: 0 } as AuthoritySeal }))).toBe('BLOCK_BAD_SEAL_SIGNATURE');
  });

  it('refuses a seal of another kind, and a malformed one, with BLOCK_MALFORMED', () => {
    const pow = { ...sealed(1).header, seal: { kind: 'pow', target: new Uint8Array(32), nonce: new Uint8Array(8) } } as BlockHeader;
    expect(codeOf(() => consensus.checkSeal(new Uint8Array(32), pow))).toBe('BLOCK_MALFORMED');
    expect(codeOf(() => authoritySealCodec.read([1, new Uint8Array(32), new Uint8Array(64)]))).toBe('BLOCK_MALFORMED');
    expect(codeOf(() => authoritySealCodec.read([-1, new Uint8Array(33), new Uint8Array(64)]))).toBe('BLOCK_MALFORMED');
  });
});

describe('authority rules', () => {
  const now = slotStart(10, PARAMS, consensus.set);

  it('accepts the in-turn signer\'s block in its slot', () => {
    const { header, id } = sealed(1);
    expect(codeOf(() => consensus.checkSeal(id, header))).toBeUndefined();
    expect(codeOf(() => consensus.checkHeader(id, header, { ancestors: [GENESIS], now }))).toBeUndefined();
  });

  it('BLOCK_SIGNER_UNKNOWN: a key not in the set in force (its signature alone passes checkSeal)', () => {
    const { header, id } = sealed(1, { key: OUTSIDER });
    expect(codeOf(() => consensus.checkSeal(id, header))).toBeUndefined();
    expect(codeOf(() => consensus.checkHeader(id, header, { ancestors: [GENESIS], now }))).toBe('BLOCK_SIGNER_UNKNOWN');
    // Once a vote put it in the set in force, the same header passes.
    const voted = [...AUTHORITIES, OUTSIDER].map((k) => toHex(k.publicKey));
    const { header: h4, id: id4 } = sealed(3, { key: OUTSIDER });
    expect(codeOf(() => consensus.checkHeader(id4, h4, { ancestors: [GENESIS], now, authorities: voted }))).toBeUndefined();
  });

  it('does not chase an orphan by a key no set seen here names; an authority\'s orphan it does', () => {
    const c = authorityConsensus(PARAMS);
    const terms = c.nextTerms({ ancestors: [GENESIS] });
    expect(c.isCheapOrphan(sealed(1, { key: OUTSIDER }).header, terms, 16n)).toBe(true);
    expect(c.isCheapOrphan(sealed(1).header, terms, 16n)).toBe(false);
    // Once a set naming it is in force here (a boundary was applied), its orphans are chased too.
    c.checkHeader(sealed(1).id, sealed(1).header, { ancestors: [GENESIS], now, authorities: [...AUTHORITIES, OUTSIDER].map((k) => toHex(k.publicKey)) });
    expect(c.isCheapOrphan(sealed(1, { key: OUTSIDER }).header, terms, 16n)).toBe(false);
  });

  it('BLOCK_OUT_OF_TURN: an authority signing another\'s slot', () => {
    const { header, id } = sealed(1, { key: inTurn(2) });
    expect(codeOf(() => consensus.checkHeader(id, header, { ancestors: [GENESIS], now }))).toBe('BLOCK_OUT_OF_TURN');
  });

  it('BLOCK_BAD_SEAL_SIGNATURE: a tampered header, and a seal made for another chain', () => {
    const { header, id } = sealed(1);
    expect(codeOf(() => consensus.checkSeal(id, { ...header, time: header.time + 1 }))).toBe('BLOCK_BAD_SEAL_SIGNATURE');
    const foreign = sealed(1, { chainId: new Uint8Array(32).fill(1) });
    expect(codeOf(() => consensus.checkSeal(foreign.id, foreign.header))).toBe('BLOCK_BAD_SEAL_SIGNATURE');
  });

  it('BLOCK_SLOT_NOT_AFTER_PARENT: a slot equal to or before the parent\'s', () => {
    const parent: IndexedBlock = { ...GENESIS, id: 'ab'.repeat(32), height: 1, slot: 4, signer: toHex(inTurn(4).publicKey) };
    for (const slot of [4, 3]) {
      const { header, id } = sealed(slot, { height: 2 });
      expect(codeOf(() => consensus.checkHeader(id, header, { ancestors: [GENESIS, parent], now }))).toBe('BLOCK_SLOT_NOT_AFTER_PARENT');
    }
    const { header, id } = sealed(5, { height: 2 });
    expect(codeOf(() => consensus.checkHeader(id, header, { ancestors: [GENESIS, parent], now }))).toBeUndefined();
  });

  it('BLOCK_TIME_NOT_IN_SLOT: a time before or after its slot', () => {
    const start = slotStart(2, PARAMS, consensus.set);
    for (const time of [start - 1, start + SLOT_MS]) {
      const { header, id } = sealed(2, { time });
      expect(codeOf(() => consensus.checkHeader(id, header, { ancestors: [GENESIS], now }))).toBe('BLOCK_TIME_NOT_IN_SLOT');
    }
    const last = sealed(2, { time: start + SLOT_MS - 1 });
    expect(codeOf(() => consensus.checkHeader(last.id, last.header, { ancestors: [GENESIS], now }))).toBeUndefined();
  });

  it('BLOCK_SLOT_IN_FUTURE: a slot that has not begun by our clock', () => {
    const { header, id } = sealed(11);
    expect(codeOf(() => consensus.checkHeader(id, header, { ancestors: [GENESIS], now }))).toBe('BLOCK_SLOT_IN_FUTURE');
    // Within the drift allowance it is taken.
    expect(codeOf(() => consensus.checkHeader(id, header, { ancestors: [GENESIS], now: now + SLOT_MS - 500 }))).toBeUndefined();
  });

  it('BLOCK_SIGNER_EQUIVOCATED: a signer this node holds evidence against', () => {
    const { header, id } = sealed(1);
    const excluded = new Set([toHex(inTurn(1).publicKey)]);
    expect(codeOf(() => consensus.checkHeader(id, header, { ancestors: [GENESIS], now, excludedSigners: excluded }))).toBe('BLOCK_SIGNER_EQUIVOCATED');
  });

  it('serves no proof-of-work terms (WORK_NOT_SERVED) and names the next slot\'s signer', () => {
    const terms = consensus.nextTerms({ ancestors: [GENESIS] });
    expect(terms).toMatchObject({ kind: 'authority', slot: 1, signer: inTurn(1).publicKey });
    expect(codeOf(() => consensus.termsJson(terms))).toBe('WORK_NOT_SERVED');
  });
});

describe('slots and parameters', () => {
  it('cuts time into slots from genesis and finds an authority\'s next slot', () => {
    const set = consensus.set;
    expect(slotAt(PARAMS.genesisTime + 2 * SLOT_MS + 1999, PARAMS, set)).toBe(2);
    expect(slotAt(PARAMS.genesisTime - 5, PARAMS, set)).toBe(0);
    expect(nextSlotOf(0, 0, set)).toBe(3);
    expect(nextSlotOf(1, 0, set)).toBe(1);
    expect(nextSlotOf(2, 4, set)).toBe(5);
    expect(nextSlotOf(2, 5, set)).toBe(8);
  });

  it('refuses a genesis without authorities, with a duplicate, or a slot too short (GENESIS_INVALID)', () => {
    expect(codeOf(() => authorityConsensus(authorityParams([])))).toBe('GENESIS_INVALID');
    expect(codeOf(() => authorityConsensus(authorityParams([AUTHORITIES[0]!, AUTHORITIES[0]!])))).toBe('GENESIS_INVALID');
    expect(codeOf(() => authorityConsensus(authorityParams(AUTHORITIES, { slotMs: 10 })))).toBe('GENESIS_INVALID');
    expect(codeOf(() => authorityConsensus({ ...PARAMS, consensus: { kind: 'authority', authorities: ['id:zz'], slotMs: SLOT_MS, epochBlocks: 1 } }))).toBe('GENESIS_INVALID');
  });

  it('gives another chain id to another authority set or slot length', () => {
    const ids = new Set([chainIdOf(PARAMS), chainIdOf(authorityParams(AUTHORITIES.slice(0, 2))), chainIdOf(authorityParams(AUTHORITIES, { slotMs: 3000 })), chainIdOf(DEV_PARAMS)]);
    expect(ids.size).toBe(4);
    expect(toHex(consensus.chainId)).toBe(chainIdOf(PARAMS));
  });
});

// ---------------------------------------------------------------- on a real chain

/** The block `key` seals for `slot` on `parentId` (default: head), with only its reward tx. */
function authorityBlock(chain: Chain, slot: number, opts: { parent?: string; key?: KeyPair; rewardTo?: KeyPair } = {}): ReturnType<typeof sealAuthorityBlock> {
  const parent = chain.entry(opts.parent ?? chain.head.id)!;
  const key = opts.key ?? inTurn(slot);
  const reward = buildRewardTx(parent.height + 1, (opts.rewardTo ?? key).publicKey, [], chain.params);
  const template = { header: { v: 1, height: parent.height + 1, parent: fromHex(parent.id), txRoot: merkleRoot([txId(encodeTx(reward))]), time: 0 }, txs: [reward] };
  return sealAuthorityBlock(template, slot, key, chain.chainId, chain.params, consensus.set);
}

async function authorityChain(): Promise<Chain> {
  const clock = { now: slotStart(1000, PARAMS, consensus.set) };
  const t = await openChain(undefined, { params: PARAMS, now: () => clock.now });
  return t.chain;
}

describe('an authority chain', () => {
  it('takes blocks in turn, skips empty slots, and finalises at a majority of distinct signers', async () => {
    const chain = await authorityChain();
    expect(chain.consensus.kind).toBe('authority');
    await chain.importBlock(authorityBlock(chain, 1));
    expect(chain.finalizedHeight()).toBe(0);
    await chain.importBlock(authorityBlock(chain, 2));
    // Blocks by 2 distinct authorities (of 3) build on block 0 only: genesis.
    expect(chain.finalizedHeight()).toBe(0);
    // Slot 3 is left empty (its authority is down); slot 4 is authority 1's.
    await chain.importBlock(authorityBlock(chain, 4));
    expect(chain.height).toBe(3);
    // Blocks 2 and 3 (signers 2 and 1) build on block 1: final.
    expect(chain.finalizedHeight()).toBe(1);
    await chain.importBlock(authorityBlock(chain, 5));
    expect(chain.finalizedHeight()).toBe(2);
  });

  it('refuses a reorg past the final block, however long the other branch', async () => {
    const chain = await authorityChain();
    const main = [];
    for (const slot of [1, 2, 4, 5]) {
      const b = authorityBlock(chain, slot);
      await chain.importBlock(b);
      main.push(b);
    }
    expect(chain.finalizedHeight()).toBe(2);
    // A longer branch from block 1 (below the final block 2): kept on the side.
    let parent = toHex(main[0]!.id);
    for (const slot of [3, 6, 7, 9, 10]) {
      const b = authorityBlock(chain, slot, { parent });
      expect((await chain.importBlock(b)).status).toBe('side');
      parent = toHex(b.id);
    }
    expect(chain.head.id).toBe(toHex(main.at(-1)!.id));
  });

  it('keeps two blocks by one signer for one slot as evidence and refuses the signer\'s later blocks', async () => {
    const chain = await authorityChain();
    const first = authorityBlock(chain, 1);
    await chain.importBlock(first);
    // The same signer, the same slot, another block (another reward address): equivocation.
    const second = authorityBlock(chain, 1, { parent: GENESIS.id, rewardTo: OUTSIDER });
    await rejectsWith(chain.importBlock(second), 'BLOCK_EQUIVOCATION');
    const offender = toHex(inTurn(1).publicKey);
    expect(chain.equivocators()).toEqual([offender]);
    const evidence = (await chain.evidence(offender))!;
    expect(evidence).toHaveLength(2);
    const [a, b] = evidence.map((bytes) => readHeader(decode(bytes), authoritySealCodec));
    expect(checkEquivocation(a!, b!, consensus.set, chain.chainId)).toBe(offender);
    // Its next slot (4) is refused; the others go on.
    await chain.importBlock(authorityBlock(chain, 2));
    await chain.importBlock(authorityBlock(chain, 3));
    await rejectsWith(chain.importBlock(authorityBlock(chain, 4)), 'BLOCK_SIGNER_EQUIVOCATED');
    expect(chain.height).toBe(3);
  });

  it('remembers the evidence when it reopens', async () => {
    const t = await openChain(undefined, { params: PARAMS, now: () => slotStart(1000, PARAMS, consensus.set) });
    await t.chain.importBlock(authorityBlock(t.chain, 1));
    await rejectsWith(t.chain.importBlock(authorityBlock(t.chain, 1, { parent: GENESIS.id, rewardTo: OUTSIDER })), 'BLOCK_EQUIVOCATION');
    await t.close();
    const again = await openChain(t.dir, { params: PARAMS, now: () => slotStart(1000, PARAMS, consensus.set) });
    expect(again.chain.equivocators()).toEqual([toHex(inTurn(1).publicKey)]);
    await again.chain.importBlock(authorityBlock(again.chain, 2));
    await again.chain.importBlock(authorityBlock(again.chain, 3));
    await rejectsWith(again.chain.importBlock(authorityBlock(again.chain, 4)), 'BLOCK_SIGNER_EQUIVOCATED');
  });

  it('takes evidence found elsewhere (two headers), and then refuses the offender\'s blocks', async () => {
    const chain = await authorityChain();
    const a = encodeHeader(sealed(1).header, authoritySealCodec);
    const b = encodeHeader(sealed(1, { txRoot: new Uint8Array(32).fill(7) }).header, authoritySealCodec);
    await rejectsWith(chain.addEvidence(a, a), 'EVIDENCE_INVALID');
    await rejectsWith(chain.addEvidence(a, new Uint8Array([1, 2, 3])), 'EVIDENCE_INVALID');
    expect(chain.equivocators()).toEqual([]);
    expect(await chain.addEvidence(a, b)).toBe(toHex(inTurn(1).publicKey));
    expect((await chain.evidence(toHex(inTurn(1).publicKey)))!.map(toHex)).toEqual([toHex(a), toHex(b)]);
    await rejectsWith(chain.importBlock(authorityBlock(chain, 1)), 'BLOCK_SIGNER_EQUIVOCATED');
    await chain.importBlock(authorityBlock(chain, 2));
    const pow = await openChain();
    await rejectsWith(pow.chain.addEvidence(a, b), 'EVIDENCE_INVALID');
  });

  it('EVIDENCE_INVALID: headers of two slots, two signers, or one header twice', () => {
    const a = sealed(1).header;
    expect(checkEquivocation(a, sealed(1, { txRoot: new Uint8Array(32).fill(9) }).header, consensus.set, consensus.chainId)).toBe(toHex(inTurn(1).publicKey));
    expect(codeOf(() => checkEquivocation(a, sealed(4, { time: slotStart(4, PARAMS, consensus.set) }).header, consensus.set, consensus.chainId))).toBe('EVIDENCE_INVALID');
    expect(codeOf(() => checkEquivocation(a, a, consensus.set, consensus.chainId))).toBe('EVIDENCE_INVALID');
    const forged = { ...sealed(1, { txRoot: new Uint8Array(32).fill(9) }).header };
    forged.seal = { ...forged.seal, signature: a.seal.signature };
    expect(codeOf(() => checkEquivocation(a, forged, consensus.set, consensus.chainId))).toBe('EVIDENCE_INVALID');
  });
});

const PINNED_MESSAGE_SHA256 = '2a1e6be48eb162d8b9e73dc444b9778d7584818e86a58983d9c5630186045cc6';
const PINNED_SIGNATURE = 'aa9bb26328b4e57c77a868d05e8771e825d821d9909c221e6ae40789f3319f8f2f6ebc9894493cab50b1466afa3d5fbfc7820f6c988145853746fb714a1bcd8c';
