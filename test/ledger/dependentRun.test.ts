/**
 * Crater (ledger/dependentRun.ts): an attest tx with `dependent` records a run
 * of a direct dependent's suite with the attested version substituted in its
 * lock. The valid case accepted, each invalid one rejected with its code, and
 * the state effect: a quorum of agreeing failing runs (the dependent's own
 * baseline passing) marks the version breakingByInference naming the
 * dependent; a quorum of passing runs lists it as a verified upgrade path.
 */
import { describe, expect, it } from 'vitest';
import {
  applySignedTx, COST_PER_LOCK_ENTRY, decodeTx, DEV_PARAMS, encodeTx, fromHex, lockHash, MAX_DEPENDENT_RUNS, StateOverlay, stateKeys, substituteLock, toHex, txCost,
  type AttestBody, type KeyPair, type SignedTx, type VersionState,
} from '../../ledger/index.ts';
import { chainIdOf } from '../../consensus/index.ts';
import { actor, hashOf, idBytes, idOf, keyPair, overlay, publishBody, txContext, type Actor } from '../support/chain.ts';
import { codeOf } from '../support/codeOf.ts';
import { versionView } from '../../node/views.ts';

const CHAIN_ID = fromHex(chainIdOf(DEV_PARAMS));
const [ALICE, BOB, CAROL, DAVE, ERIN] = ['alice', 'bob', 'carol', 'dave', 'erin'].map(keyPair) as [KeyPair, KeyPair, KeyPair, KeyPair, KeyPair];
const hex = (k: KeyPair): string => toHex(k.publicKey);

/** Txs applied on one overlay; a rejection leaves it untouched. */
class World {
  readonly s = overlay();
  height = 1;
  ok(tx: SignedTx): void {
    applySignedTx(this.s, tx, txContext(CHAIN_ID, tx, this.height));
  }
  no(tx: SignedTx): string {
    return codeOf(() => applySignedTx(new StateOverlay(this.s), tx, txContext(CHAIN_ID, tx, this.height))) ?? 'accepted';
  }
  version(pkg: Uint8Array, v: string): VersionState {
    return this.s.get(stateKeys.version(toHex(pkg), v)) as VersionState;
  }
}

interface Setup {
  w: World;
  alice: Actor;
  bob: Actor;
  testers: Actor[];
  /** @lib/p (alice's), with 1.0.0, 1.0.1 and 2.0.0 */
  p: Uint8Array;
  /** @app/d@1.0.0 (bob's): deps @lib/p ^1.0.0, locks @lib/p@1.0.0 */
  d: Uint8Array;
  /** @app/e@1.0.0: depends on nothing */
  e: Uint8Array;
  create(ns: string, name: string, by: Actor): Uint8Array;
}

function setup(): Setup {
  const w = new World();
  const [alice, bob, carol, dave, erin] = [ALICE, BOB, CAROL, DAVE, ERIN].map((k) => actor(k, CHAIN_ID)) as [Actor, Actor, Actor, Actor, Actor];
  const create = (ns: string, name: string, by: Actor): Uint8Array => {
    const tx = by.tx('create', { ns, name });
    w.ok(tx);
    return idBytes(tx);
  };
  w.ok(alice.tx('claim', { ns: '@lib' }));
  w.ok(bob.tx('claim', { ns: '@app' }));
  const p = create('@lib', 'p', alice);
  for (const v of ['1.0.0', '1.0.1', '2.0.0']) w.ok(alice.tx('publish', publishBody(p, v)));
  const d = create('@app', 'd', bob);
  w.ok(bob.tx('publish', publishBody(d, '1.0.0', { deps: { '@lib/p': '^1.0.0' }, lock: { '@lib/p@1.0.0': publishBody(p, '1.0.0').contentHash } })));
  const e = create('@app', 'e', bob);
  w.ok(bob.tx('publish', publishBody(e, '1.0.0')));
  return { w, alice, bob, testers: [carol, dave, erin], p, d, e, create };
}

/** D's lock with P@version substituted (P's versions have empty locks). */
function substitutedHash(p: Uint8Array, version: string): Uint8Array {
  return lockHash({ [`@lib/p@${version}`]: toHex(publishBody(p, version).contentHash) });
}

/** A run of `dep`'s suite with @lib/p@`version` substituted, `failed` failures, result `result`. */
function run(p: Uint8Array, dep: Uint8Array, opts: { version?: string; failed?: number; result?: string; depVersion?: string; lock?: Uint8Array } = {}): AttestBody {
  const version = opts.version ?? '1.0.1';
  const failed = opts.failed ?? 0;
  return {
    pkg: p, version, contentHash: publishBody(p, version).contentHash, lockHash: opts.lock ?? substitutedHash(p, version),
    passed: 3 - failed, failed, skipped: 0, resultHash: hashOf(opts.result ?? (failed === 0 ? 'pass' : 'fail')), runtimeMs: 20,
    dependent: { pkg: dep, version: opts.depVersion ?? '1.0.0' },
  };
}

/** D@1.0.0's own attestations (with its locked @lib/p@1.0.0), all passing, by `testers`. */
function baseline(w: World, p: Uint8Array, d: Uint8Array, testers: Actor[]): void {
  for (const t of testers) {
    w.ok(t.tx('attest', {
      pkg: d, version: '1.0.0', contentHash: publishBody(d, '1.0.0').contentHash, lockHash: lockHash({ '@lib/p@1.0.0': toHex(publishBody(p, '1.0.0').contentHash) }),
      passed: 3, failed: 0, skipped: 0, resultHash: hashOf('d passes'), runtimeMs: 10,
    }));
  }
}

describe('substituteLock: the exact entries a dependent run is bound to', () => {
  it('drops every entry of the package, adds the new version, and adds only the new version\'s lock entries the dependent does not hold', () => {
    const lock = { '@lib/p@1.0.0': 'aa', '@lib/q@1.0.0': 'bb' };
    expect(substituteLock(lock, '@lib/p', '1.1.0', 'cc', { '@lib/q@1.2.0': 'dd', '@lib/r@1.0.0': 'ee' })).toEqual({ '@lib/q@1.0.0': 'bb', '@lib/p@1.1.0': 'cc', '@lib/r@1.0.0': 'ee' });
    // Order does not change the hash (the canonical encoding sorts keys).
    expect(lockHash(substituteLock({ '@lib/q@1.0.0': 'bb'.repeat(32), '@lib/p@1.0.0': 'aa'.repeat(32) }, '@lib/p', '1.1.0', 'cc'.repeat(32), {})))
      .toEqual(lockHash({ '@lib/p@1.1.0': 'cc'.repeat(32), '@lib/q@1.0.0': 'bb'.repeat(32) }));
  });
});

describe('attest with dependent: accepted, and TX_MALFORMED', () => {
  it('records the run on the version, its reward awaiting agreement; a second agreeing tester pays both', () => {
    const { w, p, d, testers: [carol, dave] } = setup();
    const tx = carol!.tx('attest', run(p, d));
    w.ok(tx);
    expect(w.version(p, '1.0.1').dependentRuns).toEqual([{
      tester: hex(CAROL), dependent: '@app/d@1.0.0', locked: '1.0.0', contentHash: toHex(publishBody(p, '1.0.1').contentHash), lockHash: toHex(substitutedHash(p, '1.0.1')),
      passed: 3, failed: 0, skipped: 0, resultHash: toHex(hashOf('pass')), runtimeMs: 20, reward: 0, rewardStatus: 'awaiting-agreement', height: 1, block: '', txId: idOf(tx),
    }]);
    // The version's own attestations are untouched: a dependent run is not one.
    expect(w.version(p, '1.0.1').attestations).toEqual([]);
    w.ok(dave!.tx('attest', run(p, d)));
    expect(w.version(p, '1.0.1').dependentRuns!.map((r) => [r.rewardStatus, r.reward])).toEqual([['paid', DEV_PARAMS.testerReward], ['paid', DEV_PARAMS.testerReward]]);
  });

  it('TX_MALFORMED: a dependent run carries no predecessor, verdict or rebuild fields, and names a 32-byte package and a version', () => {
    const { p, d, testers: [carol] } = setup();
    const withPrev = carol!.peek('attest', { ...run(p, d), prev: '1.0.0', prevPassed: 1, prevFailed: 0, prevResultHash: hashOf('x') });
    expect(codeOf(() => decodeTx(encodeTx(withPrev)))).toBe('TX_MALFORMED');
    const withRebuild = carol!.peek('attest', { ...run(p, d), rebuild: 'reproduced' });
    expect(codeOf(() => decodeTx(encodeTx(withRebuild)))).toBe('TX_MALFORMED');
    const badPkg = carol!.peek('attest', { ...run(p, d), dependent: { pkg: new Uint8Array(3), version: '1.0.0' } });
    expect(codeOf(() => decodeTx(encodeTx(badPkg)))).toBe('TX_MALFORMED');
    const badVersion = carol!.peek('attest', { ...run(p, d), dependent: { pkg: d, version: 'latest' } });
    expect(codeOf(() => decodeTx(encodeTx(badVersion)))).toBe('TX_MALFORMED');
    const good = carol!.peek('attest', run(p, d));
    expect((decodeTx(encodeTx(good)) as SignedTx & { body: AttestBody }).body.dependent).toEqual({ pkg: d, version: '1.0.0' });
  });
});

describe('attest with dependent: each rejection with its code', () => {
  it('TX_DEPENDENT_UNKNOWN: a package or a version that is not on chain', () => {
    const { w, p, d, testers: [carol] } = setup();
    expect(w.no(carol!.peek('attest', run(p, hashOf('nothing'))))).toBe('TX_DEPENDENT_UNKNOWN');
    expect(w.no(carol!.peek('attest', run(p, d, { depVersion: '1.0.9' })))).toBe('TX_DEPENDENT_UNKNOWN');
  });

  it('TX_DEPENDENT_NOT_DEPENDENT: a package that does not depend on it, or the package itself', () => {
    const { w, p, e, testers: [carol] } = setup();
    expect(w.no(carol!.peek('attest', run(p, e)))).toBe('TX_DEPENDENT_NOT_DEPENDENT');
    expect(w.no(carol!.peek('attest', run(p, p)))).toBe('TX_DEPENDENT_NOT_DEPENDENT');
  });

  it('TX_DEPENDENT_RANGE: the version the dependent locks already, or one its range does not admit', () => {
    const { w, p, d, testers: [carol] } = setup();
    expect(w.no(carol!.peek('attest', run(p, d, { version: '1.0.0' })))).toBe('TX_DEPENDENT_RANGE');
    expect(w.no(carol!.peek('attest', run(p, d, { version: '2.0.0' })))).toBe('TX_DEPENDENT_RANGE');
  });

  it('TX_ATTEST_HASH_MISMATCH: other content than the substituted version has', () => {
    const { w, p, d, testers: [carol] } = setup();
    expect(w.no(carol!.peek('attest', { ...run(p, d), contentHash: hashOf('other') }))).toBe('TX_ATTEST_HASH_MISMATCH');
  });

  it('TX_DEPENDENT_LOCK_MISMATCH: the dependent\'s own lock, or the version\'s, is not the substituted one', () => {
    const { w, p, d, testers: [carol] } = setup();
    expect(w.no(carol!.peek('attest', run(p, d, { lock: lockHash({ '@lib/p@1.0.0': toHex(publishBody(p, '1.0.0').contentHash) }) })))).toBe('TX_DEPENDENT_LOCK_MISMATCH');
    expect(w.no(carol!.peek('attest', run(p, d, { lock: lockHash({}) })))).toBe('TX_DEPENDENT_LOCK_MISMATCH');
  });

  it('TX_DUPLICATE_DEPENDENT_ATTESTATION: one tester twice for one (version, dependent); its own attestation of the version is still taken', () => {
    const { w, p, d, testers: [carol, dave] } = setup();
    w.ok(carol!.tx('attest', run(p, d)));
    expect(w.no(carol!.peek('attest', run(p, d, { failed: 1 })))).toBe('TX_DUPLICATE_DEPENDENT_ATTESTATION');
    w.ok(dave!.tx('attest', run(p, d)));
    w.ok(carol!.tx('attest', { pkg: p, version: '1.0.1', contentHash: publishBody(p, '1.0.1').contentHash, lockHash: lockHash({}), passed: 1, failed: 0, skipped: 0, resultHash: hashOf('own'), runtimeMs: 5 }));
  });

  it(`TX_DEPENDENT_CAP: runs of at most MAX_DEPENDENT_RUNS (${MAX_DEPENDENT_RUNS}) dependents per version; more runs of a taken one still count`, () => {
    const { w, p, bob, create, testers: [carol, dave] } = setup();
    const dependents = Array.from({ length: MAX_DEPENDENT_RUNS + 1 }, (_, i) => {
      const dep = create('@app', `dep${i}`, bob);
      w.ok(bob.tx('publish', publishBody(dep, '1.0.0', { deps: { '@lib/p': '^1.0.0' }, lock: { '@lib/p@1.0.0': publishBody(p, '1.0.0').contentHash } })));
      return dep;
    });
    for (const dep of dependents.slice(0, MAX_DEPENDENT_RUNS)) w.ok(carol!.tx('attest', run(p, dep)));
    expect(w.no(carol!.peek('attest', run(p, dependents[MAX_DEPENDENT_RUNS]!)))).toBe('TX_DEPENDENT_CAP');
    w.ok(dave!.tx('attest', run(p, dependents[0]!)));
  });
});

describe('attest with dependent: the state effect', () => {
  it('a quorum of agreeing failing runs, the dependent\'s baseline passing, marks the version breakingByInference naming the dependent', () => {
    const { w, p, d, testers: [carol, dave, erin] } = setup();
    baseline(w, p, d, [carol!, dave!]);
    w.ok(carol!.tx('attest', run(p, d, { failed: 1 })));
    // One tester is not a quorum (breakQuorum = 2).
    expect(DEV_PARAMS.breakQuorum).toBe(2);
    expect(w.version(p, '1.0.1').breakingByInference).toBeUndefined();
    w.height = 2;
    w.ok(dave!.tx('attest', run(p, d, { failed: 1 })));
    const v = w.version(p, '1.0.1');
    expect(v.breakingByInference).toEqual({ prev: '1.0.0', resultHash: toHex(hashOf('fail')), testers: [hex(CAROL), hex(DAVE)], height: 2, dependents: ['@app/d@1.0.0'] });
    expect(v.dependentsBroken).toEqual(['@app/d@1.0.0']);
    expect(v.dependentsVerified).toBeUndefined();
    // A later passing run changes nothing: the dependent is decided.
    w.ok(erin!.tx('attest', run(p, d)));
    expect(w.version(p, '1.0.1').dependentsVerified).toBeUndefined();
    expect(w.version(p, '1.0.1').breakingByInference).toEqual(v.breakingByInference);
    // The API shows the names per version, and testers as identities.
    const view = versionView(w.version(p, '1.0.1')) as { dependentsBroken: string[]; dependentsVerified: string[]; dependentRuns: Array<{ tester: string }> };
    expect(view.dependentsBroken).toEqual(['@app/d@1.0.0']);
    expect(view.dependentsVerified).toEqual([]);
    expect(view.dependentRuns.map((r) => r.tester)).toEqual([`id:${hex(CAROL)}`, `id:${hex(DAVE)}`, `id:${hex(ERIN)}`]);
  });

  it('failing runs mark nothing while the dependent\'s own suite has no passing quorum (its baseline)', () => {
    const { w, p, d, testers: [carol, dave] } = setup();
    baseline(w, p, d, [carol!]);
    w.ok(carol!.tx('attest', run(p, d, { failed: 1 })));
    w.ok(dave!.tx('attest', run(p, d, { failed: 1 })));
    expect(w.version(p, '1.0.1').breakingByInference).toBeUndefined();
    expect(w.version(p, '1.0.1').dependentsBroken).toBeUndefined();
  });

  it('a quorum of passing runs lists the dependent as verified; disagreeing runs decide nothing', () => {
    const { w, p, d, testers: [carol, dave, erin] } = setup();
    w.ok(carol!.tx('attest', run(p, d, { result: 'pass one way' })));
    w.ok(dave!.tx('attest', run(p, d, { result: 'pass another way' })));
    expect(w.version(p, '1.0.1').dependentsVerified).toBeUndefined();
    w.ok(erin!.tx('attest', run(p, d, { result: 'pass one way' })));
    expect(w.version(p, '1.0.1').dependentsVerified).toEqual(['@app/d@1.0.0']);
    expect(w.version(p, '1.0.1').breakingByInference).toBeUndefined();
  });

  it('the maintainers of the dependent\'s namespace are never paid for its runs, and do not count as agreement for payment', () => {
    const { w, p, d, bob, testers: [carol] } = setup();
    w.ok(bob.tx('attest', run(p, d)));
    w.ok(carol!.tx('attest', run(p, d)));
    expect(w.version(p, '1.0.1').dependentRuns!.map((r) => r.rewardStatus)).toEqual(['own-namespace', 'awaiting-agreement']);
  });
});

describe('block cost of a dependent run', () => {
  it("counts the dependent's lock entries (the substituted lock is hashed)", () => {
    const { w, p, d, e, bob, create, testers: [carol] } = setup();
    const wide = create('@app', 'wide', bob);
    const lock = { '@lib/p@1.0.0': publishBody(p, '1.0.0').contentHash, '@app/d@1.0.0': publishBody(d, '1.0.0').contentHash, '@app/e@1.0.0': publishBody(e, '1.0.0').contentHash };
    w.ok(bob.tx('publish', publishBody(wide, '1.0.0', { deps: { '@lib/p': '^1.0.0' }, lock })));
    const narrow = carol!.peek('attest', run(p, d));
    const wider = carol!.peek('attest', run(p, wide));
    // Costed at one size (their work stamps may differ in length): only the dependent's lock differs (1 entry against 3).
    const size = encodeTx(wider).length;
    expect(txCost(w.s, wider, size) - txCost(w.s, narrow, size)).toBe(2 * COST_PER_LOCK_ENTRY);
  });
});
