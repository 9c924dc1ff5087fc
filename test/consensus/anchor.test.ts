/**
 * Anchors' pure rules (consensus/authority/anchor.ts): the header rule after the
 * parent (accepted; BLOCK_ANCHOR_BACKWARDS; BLOCK_ANCHOR_NO_PARENT), the
 * replica rule (ok, pending, BLOCK_ANCHOR_NOT_ON_PARENT), the producer's choice,
 * and the genesis: its anchor is the public genesis, and the chain id commits to
 * anchorDepth.
 */
import { describe, expect, it } from 'vitest';
import { DEV_PARAMS, identityOf, toHex, type ChainParams } from '../../ledger/index.ts';
import { chainIdOf, consensusFor, genesisBlock, type AuthoritySeal, type IndexedBlock } from '../../consensus/index.ts';
import { checkAnchorAfterParent, chooseAnchor, judgeAnchor, readAuthorityParams, type AuthorityConsensus, type ReplicaView } from '../../consensus/authority/index.ts';
import { keyPair } from '../support/chain.ts';
import { codeOf } from '../support/codeOf.ts';

const KEYS = [0, 1].map((i) => keyPair(`anchor-authority-${i}`));
const PUBLIC_ID = chainIdOf(DEV_PARAMS);

function params(opts: { orphan?: boolean } = {}, anchorDepth?: number): ChainParams {
  return {
    ...DEV_PARAMS, name: 'acme', namespaces: ['@acme'], ...(opts.orphan === true ? {} : { parent: { chainId: PUBLIC_ID } }),
    consensus: { kind: 'authority', authorities: KEYS.map((k) => identityOf(k.publicKey)), slotMs: 1000, epochBlocks: 100, ...(anchorDepth === undefined ? {} : { anchorDepth }) },
  };
}

const id = (n: number): string => n.toString(16).padStart(64, '0');
const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
const seal = (height: number, anchorId: string): AuthoritySeal => ({ kind: 'authority', slot: 5, anchorHeight: height, anchorId: bytes(anchorId), signer: new Uint8Array(33), signature: new Uint8Array(64) });
const entry = (height: number, anchorId: string): IndexedBlock => ({ id: id(999), parent: id(998), height: 4, time: 0, slot: 4, signer: '', anchorHeight: height, anchor: anchorId });

/** A replica whose main chain holds id(h) at each height up to `height`. */
const replica = (height: number, swap: Record<number, string> = {}): ReplicaView => ({ height, mainIdAt: (h) => (h > height ? undefined : swap[h] ?? id(h)) });

describe('anchor header rule', () => {
  const p = params();
  it('accepts an anchor at or after the parent\'s', () => {
    expect(codeOf(() => checkAnchorAfterParent('b', seal(10, id(10)), entry(10, id(10)), p))).toBeUndefined();
    expect(codeOf(() => checkAnchorAfterParent('b', seal(11, id(11)), entry(10, id(10)), p))).toBeUndefined();
  });

  it('BLOCK_ANCHOR_BACKWARDS: below the parent\'s anchor, or another block at its height', () => {
    expect(codeOf(() => checkAnchorAfterParent('b', seal(9, id(9)), entry(10, id(10)), p))).toBe('BLOCK_ANCHOR_BACKWARDS');
    expect(codeOf(() => checkAnchorAfterParent('b', seal(10, id(77)), entry(10, id(10)), p))).toBe('BLOCK_ANCHOR_BACKWARDS');
  });

  it('BLOCK_ANCHOR_NO_PARENT: a chain forked beside no public chain anchors at (0, zeros) only', () => {
    const orphan = params({ orphan: true });
    expect(codeOf(() => checkAnchorAfterParent('b', seal(0, id(0)), entry(0, id(0)), orphan))).toBeUndefined();
    expect(codeOf(() => checkAnchorAfterParent('b', seal(3, id(3)), entry(0, id(0)), orphan))).toBe('BLOCK_ANCHOR_NO_PARENT');
  });
});

describe('anchor replica rule', () => {
  it('ok when the replica\'s main chain holds the anchor', () => {
    expect(judgeAnchor('b', { height: 5, id: id(5) }, replica(20), 6)).toBe('ok');
  });

  it('pending while the replica is short of the anchor, or not yet anchorDepth past it', () => {
    expect(judgeAnchor('b', { height: 30, id: id(30) }, replica(20), 6)).toBe('pending');
    expect(judgeAnchor('b', { height: 18, id: id(1234) }, replica(20), 6)).toBe('pending');
  });

  it('BLOCK_ANCHOR_NOT_ON_PARENT once the replica is anchorDepth past it with another block there', () => {
    expect(codeOf(() => judgeAnchor('b', { height: 14, id: id(1234) }, replica(20), 6))).toBe('BLOCK_ANCHOR_NOT_ON_PARENT');
  });
});

describe('the producer\'s anchor', () => {
  it('is anchorDepth below the replica head, never behind the parent\'s, and none when the replica lacks the parent\'s', () => {
    expect(chooseAnchor(replica(20), 6, { height: 3, id: id(3) })).toEqual({ height: 14, id: id(14) });
    expect(chooseAnchor(replica(20), 6, { height: 17, id: id(17) })).toEqual({ height: 17, id: id(17) });
    expect(chooseAnchor(replica(4), 6, { height: 0, id: id(0) })).toEqual({ height: 0, id: id(0) });
    expect(chooseAnchor(replica(10), 6, { height: 12, id: id(12) })).toBeUndefined();
    expect(chooseAnchor(replica(20, { 17: id(555) }), 6, { height: 17, id: id(17) })).toBeUndefined();
  });
});

describe('anchors in the genesis', () => {
  it('anchors genesis at the public genesis, defaults anchorDepth to 6, and the chain id commits to anchorDepth', () => {
    const p = params();
    const c = consensusFor(p) as AuthorityConsensus;
    expect(c.anchorOf!(genesisBlock(p).header)).toEqual({ height: 0, id: PUBLIC_ID });
    expect(readAuthorityParams(p).anchorDepth).toBe(6);
    expect(new Set([chainIdOf(p), chainIdOf(params({}, 6)), chainIdOf(params({}, 2))]).size).toBe(3);
    expect(codeOf(() => readAuthorityParams(params({}, -1)))).toBe('GENESIS_INVALID');
    const orphan = params({ orphan: true });
    expect(c.anchorOf!(genesisBlock(orphan, consensusFor(orphan)).header)).toEqual({ height: 0, id: toHex(new Uint8Array(32)) });
  });
});
