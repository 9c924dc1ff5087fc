/**
 * Authority-set votes and equivocation evidence as txs (ledger/authorityVote.ts):
 * each rule's valid case accepted and each invalid case rejected with its code,
 * the tally at an epoch boundary (majority of the set in force, the set never
 * empty, offenders leaving), and the boundary step inside a block's steps.
 */
import { describe, expect, it } from 'vitest';
import {
  applyBlockTxs, applySignedTx, authorityStateOf, buildRewardTx, decodeTx, DEV_PARAMS, encodeTx, epochOf, fromHex, identityOf, isEpochBoundary,
  StateOverlay, stateKeys, toHex, txId, type ChainParams, type EquivocationCheck, type KeyPair, type SignedTx,
} from '../../ledger/index.ts';
import { applyEpochBoundary } from '../../ledger/authorityVote.ts';
import { chainIdOf, consensusFor } from '../../consensus/index.ts';
import { authoritySealCodec, signHeader, slotStart, type AuthorityConsensus } from '../../consensus/authority/index.ts';
import { encodeHeader } from '../../ledger/block.ts';
import { actor, keyPair, overlay, txContext, type Actor } from '../support/chain.ts';
import { codeOf } from '../support/codeOf.ts';

const KEYS: KeyPair[] = [0, 1, 2].map((i) => keyPair(`vote-authority-${i}`));
const NEWCOMER = keyPair('vote-newcomer');
const OUTSIDER = keyPair('vote-outsider');
const EPOCH = 4;

function params(keys: readonly KeyPair[] = KEYS): ChainParams {
  return { ...DEV_PARAMS, name: 'votes', consensus: { kind: 'authority', authorities: keys.map((k) => identityOf(k.publicKey)), slotMs: 1000, epochBlocks: EPOCH } };
}

const PARAMS = params();
const CHAIN_ID = fromHex(chainIdOf(PARAMS));
const hex = (k: KeyPair): string => toHex(k.publicKey);

function world(p: ChainParams = PARAMS): { s: StateOverlay; voters: Actor[]; apply: (tx: SignedTx, height?: number) => void; refuse: (tx: SignedTx, height?: number) => string | undefined } {
  const s = overlay();
  const ctx = (tx: SignedTx, height: number) => ({ ...txContext(CHAIN_ID, tx, height, p) });
  // The consensus's own check of two encoded headers (what the chain passes the rules).
  const check: EquivocationCheck = consensusFor(p).checkEncodedEvidence!;
  return {
    s,
    voters: KEYS.map((k) => actor(k, CHAIN_ID)),
    apply: (tx, height = 1) => applySignedTx(s, tx, ctx(tx, height), { minimumBump: () => null, checkEquivocation: check }),
    refuse: (tx, height = 1) => codeOf(() => applySignedTx(new StateOverlay(s), tx, ctx(tx, height), { minimumBump: () => null, checkEquivocation: check })),
  };
}

const vote = (a: Actor, action: 'add' | 'remove', who: KeyPair): SignedTx => a.tx('authority-vote', { action, identity: who.publicKey });

describe('authority-vote tx', () => {
  it('round-trips its canonical bytes and refuses an unknown action (TX_MALFORMED)', () => {
    const tx = actor(KEYS[0]!, CHAIN_ID).tx('authority-vote', { action: 'add', identity: NEWCOMER.publicKey });
    expect(decodeTx(encodeTx(tx))).toEqual(tx);
    const bad = actor(KEYS[0]!, CHAIN_ID).tx('authority-vote', { action: 'promote' as 'add', identity: NEWCOMER.publicKey });
    expect(codeOf(() => decodeTx(encodeTx(bad)))).toBe('TX_MALFORMED');
  });

  it('tallies the votes of the epoch, one per authority and proposal', () => {
    const { s, voters, apply, refuse } = world();
    apply(vote(voters[0]!, 'add', NEWCOMER));
    apply(vote(voters[1]!, 'add', NEWCOMER), 2);
    const state = authorityStateOf(s, PARAMS);
    expect(state.set).toEqual(KEYS.map(hex));
    expect(state.proposals).toEqual([{ action: 'add', identity: hex(NEWCOMER), epoch: 1, voters: [hex(KEYS[0]!), hex(KEYS[1]!)] }]);
    // TX_DUPLICATE_VOTE: a second vote by one authority on one proposal in one epoch.
    expect(refuse(vote(voters[0]!, 'add', NEWCOMER), 3)).toBe('TX_DUPLICATE_VOTE');
  });

  it('TX_NOT_AUTHORITY: a vote signed by an identity outside the set', () => {
    const { refuse } = world();
    expect(refuse(vote(actor(OUTSIDER, CHAIN_ID), 'add', NEWCOMER))).toBe('TX_NOT_AUTHORITY');
  });

  it('TX_AUTHORITY_ALREADY_MEMBER and TX_AUTHORITY_NOT_MEMBER: adding a member, removing a stranger', () => {
    const { voters, refuse } = world();
    expect(refuse(vote(voters[0]!, 'add', KEYS[1]!))).toBe('TX_AUTHORITY_ALREADY_MEMBER');
    expect(refuse(vote(voters[1]!, 'remove', NEWCOMER))).toBe('TX_AUTHORITY_NOT_MEMBER');
  });

  it('TX_AUTHORITY_SET_EMPTY: removing the only authority', () => {
    const solo = params([KEYS[0]!]);
    const { apply, refuse } = world(solo);
    const a = actor(KEYS[0]!, CHAIN_ID);
    expect(refuse(a.peek('authority-vote', { action: 'remove', identity: KEYS[0]!.publicKey }))).toBe('TX_AUTHORITY_SET_EMPTY');
    // Its own vote is a majority of one: adding works.
    apply(a.tx('authority-vote', { action: 'add', identity: NEWCOMER.publicKey }));
  });

  it('TX_NOT_AUTHORITY_CHAIN: a vote or evidence on a proof-of-work chain', () => {
    const a = actor(KEYS[0]!, CHAIN_ID);
    const s = overlay();
    const tx = a.tx('authority-vote', { action: 'add', identity: NEWCOMER.publicKey });
    expect(codeOf(() => applySignedTx(s, tx, txContext(CHAIN_ID, tx, 1, DEV_PARAMS)))).toBe('TX_NOT_AUTHORITY_CHAIN');
    const ev = a.at(0, 'evidence', { a: new Uint8Array(40), b: new Uint8Array(41) });
    expect(codeOf(() => applySignedTx(overlay(), ev, txContext(CHAIN_ID, ev, 1, DEV_PARAMS)))).toBe('TX_NOT_AUTHORITY_CHAIN');
  });
});

describe('the epoch boundary', () => {
  it('counts epochs from 1 and closes each at a multiple of epochBlocks', () => {
    expect([1, 4, 5, 8, 9].map((h) => epochOf(h, EPOCH))).toEqual([1, 1, 2, 2, 3]);
    expect([0, 3, 4, 8].map((h) => isEpochBoundary(h, EPOCH))).toEqual([false, false, true, true]);
  });

  it('applies a proposal with a majority of the set in force and drops one without', () => {
    const { s, voters, apply } = world();
    apply(vote(voters[0]!, 'add', NEWCOMER));
    apply(vote(voters[1]!, 'add', NEWCOMER));
    apply(vote(voters[2]!, 'remove', KEYS[0]!));
    applyEpochBoundary(s, PARAMS);
    expect(authorityStateOf(s, PARAMS)).toEqual({ set: [...KEYS.map(hex), hex(NEWCOMER)], proposals: [], offenders: [] });
    // Votes do not carry over: a new epoch starts from none. A majority of four is three.
    apply(vote(voters[0]!, 'remove', KEYS[2]!), 5);
    apply(vote(voters[1]!, 'remove', KEYS[2]!), 6);
    applyEpochBoundary(s, PARAMS);
    expect(authorityStateOf(s, PARAMS).set).toHaveLength(4);
  });

  it('runs as the last step of a boundary block, and not of another block', () => {
    const s = overlay();
    const a = actor(KEYS[0]!, CHAIN_ID);
    const solo = params([KEYS[0]!]);
    const at = (height: number, txs: SignedTx[]): void => {
      const reward = buildRewardTx(height, KEYS[0]!.publicKey, txs, solo);
      const all = [reward, ...txs];
      applyBlockTxs(s, all, all.map((t) => txId(encodeTx(t))), { params: solo, chainId: CHAIN_ID, height, blockId: '', txSizes: all.map((t) => encodeTx(t).length) });
    };
    at(3, [a.tx('authority-vote', { action: 'add', identity: NEWCOMER.publicKey })]);
    expect(authorityStateOf(s, solo).set).toEqual([hex(KEYS[0]!)]);
    at(4, []);
    expect(authorityStateOf(s, solo).set).toEqual([hex(KEYS[0]!), hex(NEWCOMER)]);
  });
});

describe('evidence tx', () => {
  /** A header `who` signed for slot 5 (whoever's turn it is: evidence needs no turn), its tx root filled with `fill`. */
  const header = (who: KeyPair, fill: number, p: ChainParams = PARAMS): Uint8Array => {
    const c = consensusFor(p) as AuthorityConsensus;
    const h = signHeader({ v: 1, height: 1, parent: c.chainId, txRoot: new Uint8Array(32).fill(fill), time: slotStart(5, p, c.set) }, 5, who.publicKey, who.secretKey, c.chainId);
    return encodeHeader(h, authoritySealCodec);
  };

  it('records the offender once, and the offender leaves the set at the boundary', () => {
    const { s, voters, apply, refuse } = world();
    const ev = voters[0]!.tx('evidence', { a: header(KEYS[2]!, 1), b: header(KEYS[2]!, 2) });
    apply(ev);
    expect(s.get(stateKeys.evidence(hex(KEYS[2]!)))).toMatchObject({ offender: hex(KEYS[2]!), from: hex(KEYS[0]!), height: 1 });
    expect(authorityStateOf(s, PARAMS).offenders).toEqual([hex(KEYS[2]!)]);
    // TX_EVIDENCE_RECORDED: a second one against the same offender, from anyone.
    expect(refuse(actor(OUTSIDER, CHAIN_ID).tx('evidence', { a: header(KEYS[2]!, 3), b: header(KEYS[2]!, 4) }))).toBe('TX_EVIDENCE_RECORDED');
    applyEpochBoundary(s, PARAMS);
    expect(authorityStateOf(s, PARAMS)).toEqual({ set: [hex(KEYS[0]!), hex(KEYS[1]!)], proposals: [], offenders: [] });
  });

  it('EVIDENCE_INVALID: headers that prove nothing; TX_MALFORMED: an empty header', () => {
    const { voters, refuse } = world();
    expect(refuse(voters[0]!.tx('evidence', { a: header(KEYS[2]!, 1), b: header(KEYS[2]!, 1) }))).toBe('EVIDENCE_INVALID');
    expect(refuse(voters[0]!.at(0, 'evidence', { a: header(OUTSIDER, 1), b: header(OUTSIDER, 2) }))).toBe('EVIDENCE_INVALID');
    const empty = voters[0]!.at(0, 'evidence', { a: new Uint8Array(0), b: header(KEYS[2]!, 1) });
    expect(codeOf(() => decodeTx(encodeTx(empty)))).toBe('TX_MALFORMED');
  });

  it('never empties the set: the last authority stays even with evidence against it', () => {
    const solo = params([KEYS[0]!]);
    const { s, apply } = world(solo);
    apply(actor(OUTSIDER, CHAIN_ID).tx('evidence', { a: header(KEYS[0]!, 1, solo), b: header(KEYS[0]!, 2, solo) }));
    applyEpochBoundary(s, solo);
    expect(authorityStateOf(s, solo).set).toEqual([hex(KEYS[0]!)]);
  });
});
