/**
 * Incentives (issue 17): the transfer tx, the optional fee of every signed tx,
 * the reward that pays a block's producer its fees, testers paid only for
 * agreed attestations of versions they do not maintain, and the mempool's
 * fee-first block order. Each rule shows its valid case accepted and each
 * invalid case rejected with its code, as test/node/rules.test.ts does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  applyBlockTxs, applySignedTx, decodeTx, DEV_PARAMS, encode, encodeTx, fromHex, GopkgrError, lockHash, sign, rotationMessage,
  StateOverlay, stateKeys, toHex, txId, type Canonical, type KeyPair, type RewardTx, type SignedTx, type StateValue, type Tx, type VersionState,
} from '../../ledger/index.ts';
import type { AccountState } from '../../ledger/state.ts';
import { chainIdOf } from '../../consensus/index.ts';
import { Mempool, type PendingTx, type Work } from '../../node/index.ts';
import { buildTemplate } from '../../miner/index.ts';
import {
  actor, extend, hashOf, idBytes, keyPair, memoryState, MINER, mineBlock, openChain, overlay, publishBody, txContext, type Actor,
} from '../support/chain.ts';
import { closeAll } from '../support/cleanup.ts';

afterEach(closeAll);

const CHAIN_ID = fromHex(chainIdOf(DEV_PARAMS));
const REWARD = DEV_PARAMS.testerReward;
const KEYS = {
  alice: keyPair('inc-alice'), bob: keyPair('inc-bob'), carol: keyPair('inc-carol'), dave: keyPair('inc-dave'),
  erin: keyPair('inc-erin'), frank: keyPair('inc-frank'),
};
type Name = keyof typeof KEYS;
const hex = (k: KeyPair): string => toHex(k.publicKey);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof GopkgrError ? err.code : `not a GopkgrError: ${String(err)}`;
  }
  return 'accepted';
}

/** A tx re-encoded after `change` edits a copy of its canonical form. */
function edited(tx: SignedTx, change: (o: Record<string, Canonical>) => void): Uint8Array {
  const copy = structuredClone(tx) as unknown as Record<string, Canonical>;
  change(copy);
  return encode(copy);
}

/** State on an overlay, with balances given up front; rejected txs must leave it as it was. */
class World {
  readonly s = overlay();
  readonly who: Record<Name, Actor>;
  height = 1;

  constructor(balances: Partial<Record<Name, number>> = {}) {
    this.who = Object.fromEntries(Object.entries(KEYS).map(([n, k]) => [n, actor(k, CHAIN_ID)])) as Record<Name, Actor>;
    for (const [n, balance] of Object.entries(balances)) this.s.set(stateKeys.account(hex(KEYS[n as Name])), { nonce: 0, balance });
  }

  ok(tx: SignedTx): void {
    applySignedTx(this.s, tx, txContext(CHAIN_ID, tx, this.height));
  }

  no(tx: SignedTx): string {
    const before = [...this.s.writes];
    const code = codeOf(() => applySignedTx(new StateOverlay(this.s), tx, txContext(CHAIN_ID, tx, this.height)));
    expect([...this.s.writes]).toEqual(before);
    return code;
  }

  balance(n: Name | KeyPair): number {
    const key = typeof n === 'string' ? KEYS[n] : n;
    return (this.s.get(stateKeys.account(hex(key))) as AccountState | undefined)?.balance ?? 0;
  }

  version(pkg: Uint8Array, v: string): VersionState {
    return this.s.get(stateKeys.version(toHex(pkg), v)) as VersionState;
  }
}

describe('transfer and fee shapes (decodeTx): TX_MALFORMED', () => {
  const alice = actor(KEYS.alice, CHAIN_ID);
  const transfer = alice.at(0, 'transfer', { to: KEYS.bob.publicKey, amount: 5 });

  it('accepts a transfer, with and without a fee, and round-trips it', () => {
    expect(decodeTx(encodeTx(transfer))).toEqual(transfer);
    expect(transfer.fee).toBeUndefined();
    const paying = actor(KEYS.alice, CHAIN_ID).paying(3, 'claim', { ns: '@acme' });
    expect(paying.fee).toBe(3);
    expect(decodeTx(encodeTx(paying))).toEqual(paying);
  });

  const malformed: Array<[string, () => Uint8Array]> = [
    ['a transfer of 0', () => edited(transfer, (o) => { (o.body as Record<string, Canonical>).amount = 0; })],
    ['a negative amount', () => edited(transfer, (o) => { (o.body as Record<string, Canonical>).amount = -5; })],
    ['an amount as text', () => edited(transfer, (o) => { (o.body as Record<string, Canonical>).amount = '5'; })],
    ['a missing amount', () => edited(transfer, (o) => { delete (o.body as Record<string, Canonical>).amount; })],
    ['a recipient that is not a key', () => edited(transfer, (o) => { (o.body as Record<string, Canonical>).to = new Uint8Array(32).fill(2); })],
    ['an unknown body field', () => edited(transfer, (o) => { (o.body as Record<string, Canonical>).memo = 'thanks'; })],
    ['a fee of 0 (a zero fee is the absent key)', () => edited(transfer, (o) => { o.fee = 0; })],
    ['a negative fee', () => edited(transfer, (o) => { o.fee = -1; })],
    ['a fee as text', () => edited(transfer, (o) => { o.fee = '1'; })],
  ];
  for (const [name, bytes] of malformed) {
    it(`TX_MALFORMED: ${name}`, () => {
      expect(codeOf(() => decodeTx(bytes()))).toBe('TX_MALFORMED');
    });
  }
});

describe('transfer and fees: TX_INSUFFICIENT_BALANCE, TX_TRANSFER_TO_SELF, TX_TRANSFER_TO_ROTATED', () => {
  it('moves the amount, takes the fee, counts the nonce', () => {
    const w = new World({ alice: 100 });
    w.ok(w.who.alice.paying(4, 'transfer', { to: KEYS.bob.publicKey, amount: 60 }));
    expect(w.balance('alice')).toBe(36);
    expect(w.balance('bob')).toBe(60);
    expect((w.s.get(stateKeys.account(hex(KEYS.alice))) as AccountState).nonce).toBe(1);
    // The recipient can spend it, fee included.
    w.ok(w.who.bob.paying(10, 'transfer', { to: KEYS.carol.publicKey, amount: 50 }));
    expect([w.balance('bob'), w.balance('carol')]).toEqual([0, 50]);
  });

  it('a fee is taken from any tx kind; a tx without one needs no balance', () => {
    const w = new World({ alice: 10 });
    w.ok(w.who.alice.paying(7, 'claim', { ns: '@acme' }));
    expect(w.balance('alice')).toBe(3);
    w.ok(w.who.carol.tx('claim', { ns: '@carol' }));
    expect(w.balance('carol')).toBe(0);
  });

  it('TX_INSUFFICIENT_BALANCE: an amount above the balance, a fee above it, amount and fee together above it', () => {
    const w = new World({ alice: 100 });
    expect(w.no(w.who.alice.peek('transfer', { to: KEYS.bob.publicKey, amount: 101 }))).toBe('TX_INSUFFICIENT_BALANCE');
    expect(w.no(signedPaying(w.who.alice, 101, 'claim', { ns: '@acme' }))).toBe('TX_INSUFFICIENT_BALANCE');
    expect(w.no(signedPaying(w.who.alice, 1, 'transfer', { to: KEYS.bob.publicKey, amount: 100 }))).toBe('TX_INSUFFICIENT_BALANCE');
    expect(w.no(signedPaying(w.who.carol, 1, 'claim', { ns: '@carol' }))).toBe('TX_INSUFFICIENT_BALANCE');
    w.ok(signedPaying(w.who.alice, 1, 'transfer', { to: KEYS.bob.publicKey, amount: 99 }));
    expect(w.balance('alice')).toBe(0);
  });

  it('TX_TRANSFER_TO_SELF', () => {
    const w = new World({ alice: 100 });
    expect(w.no(w.who.alice.peek('transfer', { to: KEYS.alice.publicKey, amount: 1 }))).toBe('TX_TRANSFER_TO_SELF');
  });

  it('TX_TRANSFER_TO_ROTATED: a key rotated away never spends again; its successor can be paid', () => {
    const w = new World({ alice: 100, bob: 30 });
    const next = keyPair('inc-bob-next');
    const bob = w.who.bob;
    w.ok(bob.tx('rotate', { to: next.publicKey, proof: sign(rotationMessage(CHAIN_ID, KEYS.bob.publicKey, next.publicKey, bob.nonce), next.secretKey) }));
    expect(w.balance(next)).toBe(30);
    expect(w.no(w.who.alice.peek('transfer', { to: KEYS.bob.publicKey, amount: 1 }))).toBe('TX_TRANSFER_TO_ROTATED');
    w.ok(w.who.alice.tx('transfer', { to: next.publicKey, amount: 1 }));
    expect(w.balance(next)).toBe(31);
  });
});

/** The next tx of `a` with a fee, without taking its nonce (a tx that is to be rejected). */
function signedPaying<K extends SignedTx['type']>(a: Actor, fee: number, type: K, body: Parameters<Actor['peek']>[1]): SignedTx {
  const tx = a.paying(fee, type, body as never);
  a.nonce--;
  return tx;
}

describe('tester rewards: paid on agreement, never for a maintained namespace, once', () => {
  /** @acme owned by alice with bob a maintainer; @acme/lib 1.0.0 published by alice. */
  function acme(): { w: World; pkg: Uint8Array } {
    const w = new World();
    w.ok(w.who.alice.tx('claim', { ns: '@acme' }));
    w.ok(w.who.alice.tx('maintainer', { ns: '@acme', op: 'add', who: KEYS.bob.publicKey }));
    const create = w.who.alice.tx('create', { ns: '@acme', name: 'lib' });
    w.ok(create);
    const pkg = idBytes(create);
    w.ok(w.who.alice.tx('publish', publishBody(pkg, '1.0.0')));
    return { w, pkg };
  }
  const attest = (w: World, n: Name, pkg: Uint8Array, result: string, version = '1.0.0'): void => {
    w.ok(w.who[n].tx('attest', {
      pkg, version, contentHash: publishBody(pkg, version).contentHash, lockHash: lockHash({}), passed: 1, failed: 0, skipped: 0, resultHash: hashOf(result), runtimeMs: 1,
    }));
  };
  const statuses = (w: World, pkg: Uint8Array, version = '1.0.0'): Array<[string | undefined, number, number | undefined]> =>
    w.version(pkg, version).attestations.map((a) => [a.rewardStatus, a.reward, a.paidAt]);

  it('a lone attestation waits; the agreeing second pays both; a later agreeing one is paid on arrival', () => {
    const { w, pkg } = acme();
    attest(w, 'carol', pkg, 'ok');
    expect(statuses(w, pkg)).toEqual([['awaiting-agreement', 0, undefined]]);
    expect(w.balance('carol')).toBe(0);
    w.height = 2;
    attest(w, 'dave', pkg, 'ok');
    expect(statuses(w, pkg)).toEqual([['paid', REWARD, 2], ['paid', REWARD, 2]]);
    expect([w.balance('carol'), w.balance('dave')]).toEqual([REWARD, REWARD]);
    w.height = 3;
    attest(w, 'erin', pkg, 'ok');
    expect(statuses(w, pkg)[2]).toEqual(['paid', REWARD, 3]);
    // Paid once: the first pair is not paid again.
    expect([w.balance('carol'), w.balance('dave'), w.balance('erin')]).toEqual([REWARD, REWARD, REWARD]);
  });

  it('a disagreeing attestation is not paid, until another tester agrees with it', () => {
    const { w, pkg } = acme();
    attest(w, 'carol', pkg, 'ok');
    attest(w, 'dave', pkg, 'different');
    expect(statuses(w, pkg)).toEqual([['awaiting-agreement', 0, undefined], ['awaiting-agreement', 0, undefined]]);
    expect([w.balance('carol'), w.balance('dave')]).toEqual([0, 0]);
    attest(w, 'erin', pkg, 'different');
    expect(statuses(w, pkg).map((s) => s[0])).toEqual(['awaiting-agreement', 'paid', 'paid']);
    expect([w.balance('carol'), w.balance('dave'), w.balance('erin')]).toEqual([0, REWARD, REWARD]);
  });

  it('the owner, a maintainer and the publisher are never paid for the namespace\'s versions, and do not count as agreement', () => {
    const { w, pkg } = acme();
    attest(w, 'alice', pkg, 'ok');
    attest(w, 'bob', pkg, 'ok');
    attest(w, 'carol', pkg, 'ok');
    expect(statuses(w, pkg)).toEqual([['own-namespace', 0, undefined], ['own-namespace', 0, undefined], ['awaiting-agreement', 0, undefined]]);
    expect([w.balance('alice'), w.balance('bob'), w.balance('carol')]).toEqual([0, 0, 0]);
    attest(w, 'dave', pkg, 'ok');
    expect(statuses(w, pkg).map((s) => s[0])).toEqual(['own-namespace', 'own-namespace', 'paid', 'paid']);
    expect([w.balance('alice'), w.balance('bob')]).toEqual([0, 0]);
  });

  it('a publisher removed as maintainer is still not paid for its own version', () => {
    const { w, pkg } = acme();
    w.ok(w.who.bob.tx('publish', publishBody(pkg, '1.0.1')));
    w.ok(w.who.alice.tx('maintainer', { ns: '@acme', op: 'remove', who: KEYS.bob.publicKey }));
    attest(w, 'bob', pkg, 'ok', '1.0.1');
    attest(w, 'carol', pkg, 'ok', '1.0.1');
    expect(statuses(w, pkg, '1.0.1').map((s) => s[0])).toEqual(['own-namespace', 'awaiting-agreement']);
  });

  it('TX_DUPLICATE_ATTESTATION: a tester that rotated its key cannot attest (or be paid) again under the new one', () => {
    const { w, pkg } = acme();
    attest(w, 'carol', pkg, 'ok');
    attest(w, 'dave', pkg, 'ok');
    const next = keyPair('inc-carol-next');
    const carol = w.who.carol;
    w.ok(carol.tx('rotate', { to: next.publicKey, proof: sign(rotationMessage(CHAIN_ID, KEYS.carol.publicKey, next.publicKey, carol.nonce), next.secretKey) }));
    const again = actor(next, CHAIN_ID, carol.nonce).peek('attest', {
      pkg, version: '1.0.0', contentHash: publishBody(pkg, '1.0.0').contentHash, lockHash: lockHash({}), passed: 1, failed: 0, skipped: 0, resultHash: hashOf('ok'), runtimeMs: 1,
    });
    expect(w.no(again)).toBe('TX_DUPLICATE_ATTESTATION');
    expect(w.balance(next)).toBe(REWARD);
  });

  it('eligibility is fixed when the tester attests: made a maintainer afterwards, it is still paid on agreement', () => {
    const { w, pkg } = acme();
    attest(w, 'carol', pkg, 'ok');
    w.ok(w.who.alice.tx('maintainer', { ns: '@acme', op: 'add', who: KEYS.carol.publicKey }));
    attest(w, 'dave', pkg, 'ok');
    expect(statuses(w, pkg).map((s) => s[0])).toEqual(['paid', 'paid']);
  });
});

describe('block reward with fees: BLOCK_BAD_REWARD', () => {
  it('the producer is paid minerReward plus the block\'s fees; the payers lose them', async () => {
    const { chain } = await openChain();
    const alice = actor(KEYS.alice, chain.chainId);
    await extend(chain, [], { miner: KEYS.alice.publicKey });
    const txs = [alice.paying(7, 'claim', { ns: '@acme' }), alice.paying(3, 'transfer', { to: KEYS.carol.publicKey, amount: 10 })];
    const block = mineBlock(chain, txs, { miner: KEYS.bob.publicKey });
    expect((block.txs[0] as RewardTx).outputs.map((o) => [toHex(o.to), o.amount])).toEqual([[hex(KEYS.bob), DEV_PARAMS.minerReward + 10]]);
    // A reward that leaves the fees out, or claims more, is refused.
    for (const amount of [DEV_PARAMS.minerReward, DEV_PARAMS.minerReward + 11]) {
      const reward: RewardTx = { v: 1, type: 'reward', height: chain.height + 1, outputs: [{ to: KEYS.bob.publicKey, amount }] };
      await expect(chain.importBlock(mineBlock(chain, txs, { reward }).bytes)).rejects.toMatchObject({ code: 'BLOCK_BAD_REWARD' });
    }
    await chain.importBlock(block.bytes);
    const balance = async (k: KeyPair): Promise<number> => ((await chain.state.get(stateKeys.account(hex(k)))) as AccountState).balance;
    expect(await balance(KEYS.alice)).toBe(DEV_PARAMS.minerReward - 7 - 3 - 10);
    expect(await balance(KEYS.bob)).toBe(DEV_PARAMS.minerReward + 10);
    expect(await balance(KEYS.carol)).toBe(10);
  });
});

describe('mempool block order: highest fee first, nonces in order', () => {
  function pending(tx: SignedTx): PendingTx {
    const bytes = encodeTx(tx);
    return { id: toHex(txId(bytes)), tx, bytes, sender: toHex(tx.from) };
  }
  function funded(balances: Partial<Record<Name, number>>): { pool: Mempool; who: Record<Name, Actor> } {
    const map = new Map<string, StateValue>();
    for (const [n, balance] of Object.entries(balances)) map.set(stateKeys.account(hex(KEYS[n as Name])), { nonce: 0, balance });
    const who = Object.fromEntries(Object.entries(KEYS).map(([n, k]) => [n, actor(k, CHAIN_ID)])) as Record<Name, Actor>;
    return { pool: new Mempool({ params: DEV_PARAMS, chainId: CHAIN_ID, state: memoryState(map), nextHeight: () => 1 }), who };
  }
  const ns = (c: { pending: PendingTx }): string => (c.pending.tx.body as { ns?: string }).ns ?? c.pending.tx.type;

  it('without fees the block order is the arrival order, with the pool\'s costs', async () => {
    const { pool, who } = funded({});
    for (const tx of [who.alice.tx('claim', { ns: '@a' }), who.bob.tx('claim', { ns: '@b' })]) await pool.add(pending(tx));
    const order = await pool.blockOrder();
    expect(order.map((c) => c.pending.id)).toEqual(pool.ordered().map((p) => p.id));
    expect(order.map((c) => c.cost)).toEqual(pool.ordered().map((p) => p.cost));
  });

  it('orders by fee, ties in arrival order, and a sender\'s high fee never jumps its own lower nonce', async () => {
    const { pool, who } = funded({ alice: 100, bob: 100, carol: 100 });
    const txs = [
      who.alice.paying(1, 'claim', { ns: '@a0' }), who.alice.paying(9, 'claim', { ns: '@a1' }),
      who.bob.paying(5, 'claim', { ns: '@b' }), who.carol.paying(5, 'claim', { ns: '@c' }), who.dave.tx('claim', { ns: '@d' }),
    ];
    for (const tx of txs) await pool.add(pending(tx));
    expect((await pool.blockOrder()).map(ns)).toEqual(['@b', '@c', '@a0', '@a1', '@d']);
    expect((await pool.blockOrder(2)).map(ns)).toEqual(['@b', '@c']);
  });

  it('a tx that no longer applies in fee order is left out of the block and stays pending', async () => {
    const { pool, who } = funded({ alice: 100 });
    const claim = who.alice.tx('claim', { ns: '@acme' });
    const add = who.alice.tx('maintainer', { ns: '@acme', op: 'add', who: KEYS.bob.publicKey });
    const create = who.alice.tx('create', { ns: '@acme', name: 'lib' });
    const txs = [
      claim, add, create,
      who.bob.tx('publish', publishBody(idBytes(create), '1.0.0')),
      // Paying more, the removal goes first, and bob may no longer publish.
      who.alice.paying(9, 'maintainer', { ns: '@acme', op: 'remove', who: KEYS.bob.publicKey }),
    ];
    for (const tx of txs) await pool.add(pending(tx));
    expect(pool.ordered().map((p) => p.tx.type)).toEqual(['claim', 'maintainer', 'create', 'publish', 'maintainer']);
    const order = await pool.blockOrder();
    expect(order.map((c) => c.pending.id)).toEqual([txs[0]!, txs[1]!, txs[2]!, txs[4]!].map((tx) => toHex(txId(encodeTx(tx)))));
    expect(pool.size).toBe(5);
  });

  it('a tx that needs another sender\'s tx first waits for it, and every prefix applies', async () => {
    const { pool, who } = funded({ alice: 100, bob: 10 });
    // Dave has nothing until alice's transfer; his fee is the higher one.
    const txs = [who.alice.paying(1, 'transfer', { to: KEYS.dave.publicKey, amount: 20 }), who.dave.paying(15, 'claim', { ns: '@d' }), who.bob.paying(2, 'claim', { ns: '@b' })];
    for (const tx of txs) await pool.add(pending(tx));
    const order = await pool.blockOrder();
    expect(order.map(ns)).toEqual(['@b', 'transfer', '@d']);
    // The miner's template takes that order; the block it makes applies and pays the fees to its producer.
    const work = {
      kind: 'pow', target: DEV_PARAMS.powLimit, parent: '00'.repeat(32), height: 1, minTime: 0, parentTime: DEV_PARAMS.genesisTime,
      txs: order.map((c) => c.pending.bytes), costs: order.map((c) => c.cost), params: DEV_PARAMS,
    } as Work;
    const template = buildTemplate(work, MINER.publicKey, DEV_PARAMS.genesisTime + 1000);
    expect((template.txs[0] as RewardTx).outputs[0]!.amount).toBe(DEV_PARAMS.minerReward + 18);
    const funds = new Map<string, StateValue>([[stateKeys.account(hex(KEYS.alice)), { nonce: 0, balance: 100 }], [stateKeys.account(hex(KEYS.bob)), { nonce: 0, balance: 10 }]]);
    const base = new StateOverlay({ get: (k) => funds.get(k) });
    const bytes = template.txs.map((tx: Tx) => encodeTx(tx));
    applyBlockTxs(base, template.txs, bytes.map((b) => txId(b)), { params: DEV_PARAMS, chainId: CHAIN_ID, height: 1, blockId: 'b', txSizes: bytes.map((b) => b.length) });
    expect((base.get(stateKeys.account(hex(MINER))) as AccountState).balance).toBe(DEV_PARAMS.minerReward + 18);
    expect((base.get(stateKeys.account(hex(KEYS.dave))) as AccountState).balance).toBe(5);
  });
});
