/**
 * Every ledger rule, one describe per rule family, each with the valid case
 * accepted and every invalid variant rejected with its exact code:
 *   - stateless tx checks (ledger/tx.ts: shape, size, stamp, signature);
 *   - state rules (ledger/rules.ts) on a StateOverlay, the quick way, and through
 *     real blocks on a Chain over level where it matters (state visible in
 *     chain.stateReader; a rejected block leaves head and state unchanged);
 *   - block checks of Chain.importBlock (node/chain.ts, ledger/block.ts);
 *   - the mempool (node/mempool.ts) and difficulty (consensus/pow/difficulty.ts).
 * Tests are named after the code they show, as lodestar's are.
 */
import { createHash, generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  applySignedTx, buildRewardTx, checkTxSignature, decodeTx, DEV_PARAMS, encode, encodeTx, fromHex, GopkgrError,
  leadingZeroBits, lockHash, manifestHash, rotationMessage, sha256, sign, signingMessage, StateOverlay, stateKeys, toHex, txId, bigIntToBytes32,
  bytesToBigInt, MAX_BLOCK_BYTES, MAX_BLOCK_TXS, MAX_FUTURE_BLOCK_MS, MAX_TX_BYTES, type Canonical, type ChainParams, type DecodedBlock, type KeyPair,
  type NamespaceState, type PackageState, type AttestBody, type PublishBody, type RewardTx, type RuleHooks, type SignedTx, type Tx,
  type VersionState,
} from '../../ledger/index.ts';
import { medianTimePast, nextTarget } from '../../consensus/pow/difficulty.ts';
import { chainIdOf } from '../../consensus/index.ts';
import { assembleBlock, decodeBlock, encodeHeader, genesisBlock } from '../../consensus/pow/index.ts';
import { blockId } from '../../ledger/block.ts';
import { knownEncoding } from '../../ledger/encoding.ts';
import { defaultHooks, Mempool, MEMPOOL_MAX_PER_SENDER, type Chain, type PendingTx } from '../../node/index.ts';
import { isPublicKey } from '../../ledger/crypto.ts';
import type { AccountState } from '../../ledger/state.ts';
import { hashExport, MANIFEST_FORMAT, type Decl, type ManifestExport } from '../../infver/index.ts';
import {
  actor, EMPTY_MANIFEST, extend, hashOf, idBytes, idOf, keyPair, MINER, mineBlock, mineChain, openChain, overlay, publishBody, rejectsWith, sealHeader, signed, targetAfter,
  memoryState, stateDump, stateThroughCache, txContext, type Actor,
} from '../support/chain.ts';
import type { StateSource } from '../../node/state/source.ts';
import { closeAll } from '../support/cleanup.ts';
import { versionView } from '../../node/views.ts';

afterEach(closeAll);

const CHAIN_ID = fromHex(chainIdOf(DEV_PARAMS));
const G = DEV_PARAMS.genesisTime;

const ALICE = keyPair('alice');
const BOB = keyPair('bob');
const CAROL = keyPair('carol');
const DAVE = keyPair('dave');
const hex = (k: KeyPair): string => toHex(k.publicKey);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof GopkgrError ? err.code : `not a GopkgrError: ${String(err)}`;
  }
  return 'accepted';
}

function people(): { alice: Actor; bob: Actor; carol: Actor; dave: Actor } {
  return { alice: actor(ALICE, CHAIN_ID), bob: actor(BOB, CHAIN_ID), carol: actor(CAROL, CHAIN_ID), dave: actor(DAVE, CHAIN_ID) };
}

/** A rotate body moving `from`'s history to `to`, the proof signed by `proofKey` over `proofNonce` (by default: right key, next nonce). */
function rotateBody(from: Actor, to: KeyPair, proofNonce = from.nonce, proofKey: KeyPair = to): { to: Uint8Array; proof: Uint8Array } {
  return { to: to.publicKey, proof: sign(rotationMessage(CHAIN_ID, from.key.publicKey, to.publicKey, proofNonce), proofKey.secretKey) };
}

// ------------------------------------------------------------------ stateless tx checks

/** A tx re-encoded after `change` edits a deep copy of its canonical form. */
function edited(tx: Tx, change: (o: Record<string, Canonical>) => void): Uint8Array {
  const copy = structuredClone(tx) as unknown as Record<string, Canonical>;
  change(copy);
  return encode(copy);
}

/** Sign `tx` with a chosen stamp (no search), so the stamp can be made too weak. */
function signWithStamp(unsigned: Omit<SignedTx, 'sig'>, key: KeyPair): SignedTx {
  return { ...unsigned, sig: sign(signingMessage(unsigned as SignedTx, CHAIN_ID), key.secretKey) } as SignedTx;
}

describe('tx shape (decodeTx): TX_MALFORMED, TX_TOO_LARGE', () => {
  const { alice } = people();
  const claim = alice.at(0, 'claim', { ns: '@acme' });
  const pkg = sha256(new Uint8Array([1]));
  const publish = alice.at(0, 'publish', publishBody(pkg, '1.0.0', { deps: { '@acme/dep': '^1.0.0' }, repo: 'https://example.com/x.git', commit: 'a'.repeat(40) }));

  it('accepts well-formed txs of every kind and round-trips them', () => {
    const bodies: Array<[SignedTx['type'], unknown]> = [
      ['claim', { ns: '@acme' }],
      ['maintainer', { ns: '@acme', op: 'add', who: BOB.publicKey }],
      ['create', { ns: '@acme', name: 'lib' }],
      ['publish', publishBody(pkg, '1.0.0', { apiHash: hashOf('api'), manifest: { exports: ['a'] }, build: 'npm run build' })],
      ['publish', publishBody(pkg, '1.0.0', { repo: 'file:///srv/x', commit: 'e'.repeat(40), sourceTree: 'f'.repeat(40) })],
      ['publish', publishBody(pkg, '1.0.0', { description: `Pad strings — left or right ${'x'.repeat(470)}` })],
      ['deprecate', { pkg, version: '1.0.0', deprecated: true, reason: 'use 2.x' }],
      ['bounds', { pkg, version: '1.0.0', deps: { '@acme/dep': '^1.2.0' } }],
      ['rotate', { to: BOB.publicKey, proof: new Uint8Array(64) }],
      ['attest', { pkg, version: '1.0.0', contentHash: hashOf('c'), lockHash: hashOf('l'), passed: 3, failed: 0, skipped: 1, resultHash: hashOf('r'), runtimeMs: 12 }],
    ];
    for (const [type, body] of bodies) {
      const tx = alice.at(0, type, body as never);
      expect(decodeTx(encodeTx(tx))).toEqual(tx);
    }
    expect(decodeTx(encodeTx(publish))).toEqual(publish);
  });

  it('a decoded publish keeps its manifest\'s encoding, cut from the tx\'s bytes: the bytes encode() gives', () => {
    const manifest = { exports: { b: ['x', 1], a: 'fn', ['k'.repeat(40)]: { z: null } } } as unknown as Canonical;
    const bytes = encodeTx(alice.at(0, 'publish', publishBody(pkg, '1.0.0', { apiHash: manifestHash(manifest), manifest })));
    const tx = decodeTx(bytes);
    const kept = knownEncoding((tx as SignedTx & { type: 'publish' }).body.manifest!);
    expect(kept).toBeDefined();
    expect(toHex(kept!)).toBe(toHex(encode(structuredClone(manifest))));
    // The same through a block's decoding.
    const block = decodeBlock(assembleBlock(genesisBlock(DEV_PARAMS).header, [tx]).bytes);
    expect(toHex(knownEncoding((block.txs[0] as SignedTx & { type: 'publish' }).body.manifest!)!)).toBe(toHex(kept!));
  });

  const malformed: Array<[string, () => Uint8Array]> = [
    ['an unknown top-level field', () => edited(claim, (o) => { o.extra = 1; })],
    ['an unknown body field', () => edited(claim, (o) => { (o.body as Record<string, Canonical>).owner = 'x'; })],
    ['a wrong type: nonce as text', () => edited(claim, (o) => { o.nonce = '0'; })],
    ['a wrong type: negative nonce', () => edited(claim, (o) => { o.nonce = -1; })],
    ['a wrong type: body.ns as a number', () => edited(claim, (o) => { o.body = { ns: 7 }; })],
    ['a wrong type: body as a list', () => edited(claim, (o) => { o.body = ['@acme']; })],
    ['a stamp above 2^32 - 1', () => edited(claim, (o) => { o.stamp = 2 ** 32; })],
    ['tx version 2', () => edited(claim, (o) => { o.v = 2; })],
    ['an unknown tx type', () => edited(claim, (o) => { o.type = 'teleport'; })],
    ['a missing signature', () => edited(claim, (o) => { delete o.sig; })],
    ['a 63-byte signature', () => edited(claim, (o) => { o.sig = new Uint8Array(63); })],
    ['a bad key: from is 32 bytes', () => edited(claim, (o) => { o.from = new Uint8Array(32).fill(2); })],
    ['a bad key: from has prefix 04', () => edited(claim, (o) => { const k = ALICE.publicKey.slice(); k[0] = 4; o.from = k; })],
    ['a bad key: maintainer.who is not a key', () => edited(alice.at(0, 'maintainer', { ns: '@acme', op: 'add', who: BOB.publicKey }), (o) => { (o.body as Record<string, Canonical>).who = new Uint8Array(33); })],
    ['maintainer.op that is not add/remove', () => edited(alice.at(0, 'maintainer', { ns: '@acme', op: 'add', who: BOB.publicKey }), (o) => { (o.body as Record<string, Canonical>).op = 'promote'; })],
    ['a namespace longer than 40 characters', () => edited(claim, (o) => { o.body = { ns: '@' + 'a'.repeat(40) }; })],
    ['publish repo without commit', () => edited(publish, (o) => { delete (o.body as Record<string, Canonical>).commit; })],
    ['publish commit without repo', () => edited(publish, (o) => { delete (o.body as Record<string, Canonical>).repo; })],
    ['publish commit that is not a full git id', () => edited(publish, (o) => { (o.body as Record<string, Canonical>).commit = 'abc123'; })],
    ['publish sourceTree that is not a full git id', () => edited(publish, (o) => { (o.body as Record<string, Canonical>).sourceTree = 'B'.repeat(40); })],
    ['publish sourceTree without a commit', () => edited(publish, (o) => { const b = o.body as Record<string, Canonical>; delete b.repo; delete b.commit; b.sourceTree = 'b'.repeat(40); })],
    ['publish version that is not MAJOR.MINOR.PATCH', () => edited(publish, (o) => { (o.body as Record<string, Canonical>).version = '1.0'; })],
    ['publish version with a pre-release', () => edited(publish, (o) => { (o.body as Record<string, Canonical>).version = '1.0.0-beta'; })],
    ['publish contentHash of 31 bytes', () => edited(publish, (o) => { (o.body as Record<string, Canonical>).contentHash = new Uint8Array(31); })],
    ['publish without size', () => edited(publish, (o) => { delete (o.body as Record<string, Canonical>).size; })],
    ['publish dep that is not @ns/name', () => edited(publish, (o) => { (o.body as Record<string, Canonical>).deps = { 'left-pad': '^1.0.0' }; })],
    ['publish dep range that is not semver', () => edited(publish, (o) => { (o.body as Record<string, Canonical>).deps = { '@acme/dep': 'latest!' }; })],
    ['publish lock key without a version', () => edited(publish, (o) => { (o.body as Record<string, Canonical>).lock = { '@acme/dep': hashOf('x') }; })],
    ['publish lock hash of 31 bytes', () => edited(publish, (o) => { (o.body as Record<string, Canonical>).lock = { '@acme/dep@1.0.0': new Uint8Array(31) }; })],
    ['publish description that is empty', () => edited(publish, (o) => { (o.body as Record<string, Canonical>).description = '  '; })],
    ['publish description over 512 characters', () => edited(publish, (o) => { (o.body as Record<string, Canonical>).description = 'x'.repeat(513); })],
    ['publish description with a newline', () => edited(publish, (o) => { (o.body as Record<string, Canonical>).description = 'pads\nstrings'; })],
    ['publish description with an escape sequence', () => edited(publish, (o) => { (o.body as Record<string, Canonical>).description = 'pads \u001b[2Jstrings'; })],
    ['publish description with a bidirectional override', () => edited(publish, (o) => { (o.body as Record<string, Canonical>).description = 'pads \u202estrings'; })],
    ['publish description that is not text', () => edited(publish, (o) => { (o.body as Record<string, Canonical>).description = 7; })],
    ['publish apiHash that is text', () => edited(publish, (o) => { (o.body as Record<string, Canonical>).apiHash = 'ab'; })],
    ['deprecate.deprecated that is not a boolean', () => edited(alice.at(0, 'deprecate', { pkg, version: '1.0.0', deprecated: true }), (o) => { (o.body as Record<string, Canonical>).deprecated = 1; })],
    ['rotate proof of 65 bytes', () => edited(alice.at(0, 'rotate', { to: BOB.publicKey, proof: new Uint8Array(64) }), (o) => { (o.body as Record<string, Canonical>).proof = new Uint8Array(65); })],
    ['attest passed above 1e6', () => edited(alice.at(0, 'attest', { pkg, version: '1.0.0', contentHash: pkg, lockHash: pkg, passed: 1, failed: 0, skipped: 0, resultHash: pkg, runtimeMs: 1 }), (o) => { (o.body as Record<string, Canonical>).passed = 1_000_001; })],
    ['a tx that is a list', () => encode([1, 'claim'])],
    ['a reward with no outputs', () => encode({ v: 1, type: 'reward', height: 1, outputs: [] })],
    ['a reward output with an unknown field', () => encode({ v: 1, type: 'reward', height: 1, outputs: [{ to: ALICE.publicKey, amount: 1, memo: 'x' }] })],
    ['a reward with a signature', () => encode({ v: 1, type: 'reward', height: 1, outputs: [{ to: ALICE.publicKey, amount: 1 }], sig: new Uint8Array(64) })],
  ];
  for (const [name, make] of malformed) {
    it(`TX_MALFORMED: ${name}`, () => {
      expect(codeOf(() => decodeTx(make()))).toBe('TX_MALFORMED');
    });
  }

  it('DECODE_ERROR: bytes that are not canonical CBOR', () => {
    expect(codeOf(() => decodeTx(new Uint8Array([0xa1, 0x61])))).toBe('DECODE_ERROR');
  });

  it(`TX_TOO_LARGE: a tx over ${MAX_TX_BYTES} bytes (a big manifest), checked before decoding`, () => {
    const big = alice.at(0, 'publish', publishBody(pkg, '1.0.0', { manifest: 'x'.repeat(MAX_TX_BYTES) }));
    const bytes = encodeTx(big);
    expect(bytes.length).toBeGreaterThan(MAX_TX_BYTES);
    expect(codeOf(() => decodeTx(bytes))).toBe('TX_TOO_LARGE');
    // A manifest that keeps the tx under the limit is fine.
    const ok = alice.at(0, 'publish', publishBody(pkg, '1.0.0', { manifest: 'x'.repeat(MAX_TX_BYTES - 1024) }));
    expect(codeOf(() => decodeTx(encodeTx(ok)))).toBe('accepted');
  });
});

describe('tx signature and stamp (checkTxSignature): TX_BAD_SIGNATURE, TX_BAD_STAMP', () => {
  const { alice } = people();

  it('accepts a correctly signed and stamped tx', () => {
    const tx = alice.at(0, 'claim', { ns: '@acme' });
    expect(leadingZeroBits(sha256(signingMessage(tx, CHAIN_ID)))).toBeGreaterThanOrEqual(DEV_PARAMS.txWorkBits);
    expect(codeOf(() => checkTxSignature(tx, CHAIN_ID, DEV_PARAMS.txWorkBits))).toBe('accepted');
  });

  it('TX_BAD_SIGNATURE: signed by another key than tx.from', () => {
    const unsigned = { type: 'claim' as const, from: ALICE.publicKey, nonce: 0, body: { ns: '@acme' } };
    // Bob's secret with Alice's key in `from`: the stamp is fine, the signature is not.
    const forged = signed({ ...BOB, publicKey: ALICE.publicKey }, unsigned.type, unsigned.body, 0, CHAIN_ID);
    expect(codeOf(() => checkTxSignature(forged, CHAIN_ID, DEV_PARAMS.txWorkBits))).toBe('TX_BAD_SIGNATURE');
  });

  it('TX_BAD_SIGNATURE: the high-S twin of a valid signature', () => {
    const tx = alice.at(0, 'claim', { ns: '@acme' });
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = bytesToBigInt(tx.sig.subarray(32));
    const sig = tx.sig.slice();
    sig.set(bigIntToBytes32(n - s), 32);
    expect(codeOf(() => checkTxSignature({ ...tx, sig }, CHAIN_ID, DEV_PARAMS.txWorkBits))).toBe('TX_BAD_SIGNATURE');
  });

  it('TX_BAD_SIGNATURE: a from key of the right form that is not on the curve (decode checks the form only)', () => {
    let offCurve = new Uint8Array(33);
    for (let x = 1n; ; x++) {
      offCurve = new Uint8Array([2, ...bigIntToBytes32(x)]);
      if (!isPublicKey(offCurve)) break;
    }
    const tx = decodeTx(encodeTx({ ...alice.at(0, 'claim', { ns: '@acme' }), from: offCurve })) as SignedTx;
    expect(codeOf(() => checkTxSignature(tx, CHAIN_ID, 0))).toBe('TX_BAD_SIGNATURE');
  });

  it('TX_BAD_STAMP: a signing digest with fewer leading zero bits than txWorkBits', () => {
    let stamp = 0;
    const unsigned = (st: number): Omit<SignedTx, 'sig'> => ({ v: 1, type: 'claim', from: ALICE.publicKey, nonce: 0, stamp: st, body: { ns: '@acme' } }) as Omit<SignedTx, 'sig'>;
    while (leadingZeroBits(sha256(signingMessage(unsigned(stamp) as SignedTx, CHAIN_ID))) >= DEV_PARAMS.txWorkBits) stamp++;
    const weak = signWithStamp(unsigned(stamp), ALICE);
    expect(codeOf(() => checkTxSignature(weak, CHAIN_ID, DEV_PARAMS.txWorkBits))).toBe('TX_BAD_STAMP');
    // The signature itself is good: with no work required it passes.
    expect(codeOf(() => checkTxSignature(weak, CHAIN_ID, 0))).toBe('accepted');
  });

  it('TX_BAD_SIGNATURE: a tx signed for another chain (replay), with the stamp requirement off', () => {
    const other = fromHex(chainIdOf({ ...DEV_PARAMS, name: 'gopkgr-other' }));
    const tx = signed(ALICE, 'claim', { ns: '@acme' }, 0, other, 0);
    expect(codeOf(() => checkTxSignature(tx, CHAIN_ID, 0))).toBe('TX_BAD_SIGNATURE');
    expect(codeOf(() => checkTxSignature(tx, other, 0))).toBe('accepted');
  });
});

// ------------------------------------------------------------------ state rules on an overlay

/**
 * A registry state built by applying txs one by one (as the mempool does).
 * `ok` applies a tx and expects success; `no` tries a tx on a throwaway layer and
 * returns its error code, leaving this state untouched.
 */
class World {
  readonly s = overlay();
  height = 1;
  /** the chain parameters the rules see (a test may take the InfVer pin out) */
  params: ChainParams = DEV_PARAMS;

  ok(tx: SignedTx, hooks?: RuleHooks): void {
    applySignedTx(this.s, tx, txContext(CHAIN_ID, tx, this.height, this.params), hooks);
  }

  no(tx: SignedTx, hooks?: RuleHooks): string {
    const before = stateDump(new Map([...this.s.writes]));
    const code = codeOf(() => applySignedTx(new StateOverlay(this.s), tx, txContext(CHAIN_ID, tx, this.height, this.params), hooks));
    expect(stateDump(new Map([...this.s.writes]))).toEqual(before);
    return code;
  }

  /** The message a rejected tx gets (its code is what `no` returns). */
  message(tx: SignedTx, hooks?: RuleHooks): string {
    try {
      applySignedTx(new StateOverlay(this.s), tx, txContext(CHAIN_ID, tx, this.height, this.params), hooks);
    } catch (err) {
      return (err as Error).message;
    }
    return 'accepted';
  }

  get<T>(key: string): T | undefined {
    return this.s.get(key) as T | undefined;
  }

  ns(name: string): NamespaceState | undefined {
    return this.get<NamespaceState>(stateKeys.namespace(name));
  }

  account(k: KeyPair): AccountState | undefined {
    return this.get<AccountState>(stateKeys.account(hex(k)));
  }

  version(pkg: Uint8Array, v: string): VersionState | undefined {
    return this.get<VersionState>(stateKeys.version(toHex(pkg), v));
  }
}

/** @acme owned by alice with bob as maintainer, @acme/lib created, 1.0.0 published. */
function acme(): { w: World; alice: Actor; bob: Actor; carol: Actor; dave: Actor; pkg: Uint8Array; v1: SignedTx } {
  const p = people();
  const w = new World();
  w.ok(p.alice.tx('claim', { ns: '@acme' }));
  w.ok(p.alice.tx('maintainer', { ns: '@acme', op: 'add', who: BOB.publicKey }));
  const create = p.alice.tx('create', { ns: '@acme', name: 'lib' });
  w.ok(create);
  const pkg = idBytes(create);
  const v1 = p.alice.tx('publish', publishBody(pkg, '1.0.0', { deps: { '@acme/dep': '^1.0.0' } }));
  w.ok(v1);
  return { w, ...p, pkg, v1 };
}

describe('nonces and rotated keys: TX_BAD_NONCE, TX_KEY_ROTATED', () => {
  it('accepts nonces 0, 1, 2 in order and counts them in the account', () => {
    const { alice } = people();
    const w = new World();
    w.ok(alice.tx('claim', { ns: '@a' }));
    w.ok(alice.tx('claim', { ns: '@b' }));
    w.ok(alice.tx('claim', { ns: '@c' }));
    expect(w.account(ALICE)?.nonce).toBe(3);
  });

  it('TX_BAD_NONCE: a nonce ahead of the next one, and a replayed (used) nonce', () => {
    const { alice } = people();
    const w = new World();
    expect(w.no(alice.at(1, 'claim', { ns: '@a' }))).toBe('TX_BAD_NONCE');
    const first = alice.tx('claim', { ns: '@a' });
    w.ok(first);
    expect(w.no(first)).toBe('TX_BAD_NONCE');
    expect(w.no(alice.at(0, 'claim', { ns: '@b' }))).toBe('TX_BAD_NONCE');
  });

  it('TX_KEY_ROTATED: the old key signs nothing after a rotation, even with the right nonce', () => {
    const { alice } = people();
    const w = new World();
    w.ok(alice.tx('claim', { ns: '@a' }));
    w.ok(alice.tx('rotate', rotateBody(alice, DAVE)));
    expect(w.account(ALICE)?.rotatedTo).toBe(hex(DAVE));
    expect(w.no(alice.peek('claim', { ns: '@b' }))).toBe('TX_KEY_ROTATED');
  });
});

describe('claim: TX_BAD_NAME, TX_NAME_TAKEN', () => {
  it('accepts a first claim and records the owner and its owned list', () => {
    const { alice } = people();
    const w = new World();
    const tx = alice.tx('claim', { ns: '@acme' });
    w.ok(tx);
    expect(w.ns('@acme')).toEqual({ ns: '@acme', owner: hex(ALICE), maintainers: [], height: 1, txId: idOf(tx) });
    expect(w.get(stateKeys.owned(hex(ALICE)))).toEqual(['@acme']);
  });

  for (const ns of ['acme', '@Acme', '@-acme', '@acme-', '@a_b', '@', '@a.b', '@' + 'a'.repeat(40)]) {
    it(`TX_BAD_NAME: "${ns}"`, () => {
      const { alice } = people();
      expect(new World().no(alice.tx('claim', { ns }))).toBe('TX_BAD_NAME');
    });
  }

  it('accepts edge names: one character, 39 characters, inner dashes', () => {
    const { alice } = people();
    const w = new World();
    for (const ns of ['@a', '@' + 'b'.repeat(39), '@a-b-c', '@0']) w.ok(alice.tx('claim', { ns }));
  });

  it('TX_NAME_TAKEN: by someone else, and by the owner again', () => {
    const { alice, bob } = people();
    const w = new World();
    w.ok(alice.tx('claim', { ns: '@acme' }));
    expect(w.no(bob.peek('claim', { ns: '@acme' }))).toBe('TX_NAME_TAKEN');
    expect(w.no(alice.peek('claim', { ns: '@acme' }))).toBe('TX_NAME_TAKEN');
  });

  it('TX_NAMESPACE_NOT_IN_GENESIS: a private chain takes claims of its genesis\'s namespaces only', () => {
    const { alice } = people();
    const w = new World();
    w.params = { ...DEV_PARAMS, namespaces: ['@acme', '@acme-tools'] };
    expect(w.no(alice.peek('claim', { ns: '@left-pad' }))).toBe('TX_NAMESPACE_NOT_IN_GENESIS');
    w.ok(alice.tx('claim', { ns: '@acme' }));
    w.ok(alice.tx('claim', { ns: '@acme-tools' }));
  });
});

describe('maintainer add/remove: TX_UNKNOWN_NAMESPACE, TX_NOT_OWNER, TX_ALREADY_MAINTAINER, TX_NOT_A_MAINTAINER, TX_CANNOT_REMOVE_OWNER', () => {
  it('the owner adds and removes a maintainer; the owned index follows', () => {
    const { w, alice } = acme();
    expect(w.ns('@acme')?.maintainers).toEqual([hex(BOB)]);
    expect(w.get(stateKeys.owned(hex(BOB)))).toEqual(['@acme']);
    w.ok(alice.tx('maintainer', { ns: '@acme', op: 'add', who: CAROL.publicKey }));
    expect(w.ns('@acme')?.maintainers).toEqual([hex(BOB), hex(CAROL)].sort());
    w.ok(alice.tx('maintainer', { ns: '@acme', op: 'remove', who: BOB.publicKey }));
    expect(w.ns('@acme')?.maintainers).toEqual([hex(CAROL)]);
    expect(w.get(stateKeys.owned(hex(BOB)))).toBeUndefined();
  });

  it('TX_UNKNOWN_NAMESPACE: a namespace nobody claimed', () => {
    const { w, alice } = acme();
    expect(w.no(alice.peek('maintainer', { ns: '@nobody', op: 'add', who: CAROL.publicKey }))).toBe('TX_UNKNOWN_NAMESPACE');
  });

  it('TX_NOT_OWNER: a maintainer (not the owner) and an outsider try to change maintainers', () => {
    const { w, bob, carol } = acme();
    expect(w.no(bob.peek('maintainer', { ns: '@acme', op: 'add', who: CAROL.publicKey }))).toBe('TX_NOT_OWNER');
    expect(w.no(carol.peek('maintainer', { ns: '@acme', op: 'add', who: CAROL.publicKey }))).toBe('TX_NOT_OWNER');
    expect(w.no(carol.peek('maintainer', { ns: '@acme', op: 'remove', who: BOB.publicKey }))).toBe('TX_NOT_OWNER');
  });

  it('TX_ALREADY_MAINTAINER: adding a maintainer twice, or the owner', () => {
    const { w, alice } = acme();
    expect(w.no(alice.peek('maintainer', { ns: '@acme', op: 'add', who: BOB.publicKey }))).toBe('TX_ALREADY_MAINTAINER');
    expect(w.no(alice.peek('maintainer', { ns: '@acme', op: 'add', who: ALICE.publicKey }))).toBe('TX_ALREADY_MAINTAINER');
  });

  it('TX_NOT_A_MAINTAINER: removing someone who is not a maintainer', () => {
    const { w, alice } = acme();
    expect(w.no(alice.peek('maintainer', { ns: '@acme', op: 'remove', who: CAROL.publicKey }))).toBe('TX_NOT_A_MAINTAINER');
  });

  it('TX_CANNOT_REMOVE_OWNER: the owner removing itself', () => {
    const { w, alice } = acme();
    expect(w.no(alice.peek('maintainer', { ns: '@acme', op: 'remove', who: ALICE.publicKey }))).toBe('TX_CANNOT_REMOVE_OWNER');
  });
});

describe('create: TX_BAD_NAME, TX_UNKNOWN_NAMESPACE, TX_NOT_MAINTAINER, TX_PACKAGE_EXISTS', () => {
  it('owner and maintainer create packages; the package id is the create tx id', () => {
    const { w, alice, bob } = acme();
    const byBob = bob.tx('create', { ns: '@acme', name: 'tools.js' });
    w.ok(byBob);
    const state = w.get<PackageState>(stateKeys.pkg(idOf(byBob)));
    expect(state).toEqual({ id: idOf(byBob), ns: '@acme', name: 'tools.js', creator: hex(BOB), height: 1, versions: [] });
    expect(w.get(stateKeys.name('@acme/tools.js'))).toBe(idOf(byBob));
    w.ok(alice.tx('create', { ns: '@acme', name: 'a-b_c' }));
  });

  for (const name of ['Lib', '.lib', '_lib', '-lib', 'a/b', '', 'a b', 'x'.repeat(215)]) {
    it(`TX_BAD_NAME: package name "${name.length > 20 ? name.slice(0, 8) + '…' : name}"`, () => {
      const { w, alice } = acme();
      expect(w.no(alice.peek('create', { ns: '@acme', name }))).toBe('TX_BAD_NAME');
    });
  }

  it('TX_UNKNOWN_NAMESPACE: creating in an unclaimed namespace', () => {
    const { w, alice } = acme();
    expect(w.no(alice.peek('create', { ns: '@other', name: 'lib' }))).toBe('TX_UNKNOWN_NAMESPACE');
  });

  it('TX_NOT_MAINTAINER: creating in someone else\'s namespace', () => {
    const { w, carol } = acme();
    expect(w.no(carol.peek('create', { ns: '@acme', name: 'mine' }))).toBe('TX_NOT_MAINTAINER');
  });

  it('TX_PACKAGE_EXISTS: the same name twice, by anyone', () => {
    const { w, alice, bob } = acme();
    expect(w.no(alice.peek('create', { ns: '@acme', name: 'lib' }))).toBe('TX_PACKAGE_EXISTS');
    expect(w.no(bob.peek('create', { ns: '@acme', name: 'lib' }))).toBe('TX_PACKAGE_EXISTS');
  });
});

describe('publish: versions, manifests, locks', () => {
  it('records the version with its fields and appends it to the package', () => {
    const { w, pkg, v1, alice } = acme();
    const v = w.version(pkg, '1.0.0')!;
    expect(v).toMatchObject({
      version: '1.0.0', contentHash: toHex(publishBody(pkg, '1.0.0').contentHash), size: 1000, deps: { '@acme/dep': '^1.0.0' },
      publishedDeps: { '@acme/dep': '^1.0.0' }, lock: {}, deprecated: false, publisher: hex(ALICE), height: 1, txId: idOf(v1), bounds: [], attestations: [],
    });
    expect(w.get<PackageState>(stateKeys.pkg(toHex(pkg)))?.versions).toEqual(['1.0.0']);
    // repo, commit, build and apiHash are kept when given
    const manifest = { exports: { pad: 'function' } };
    w.ok(alice.tx('publish', publishBody(pkg, '1.0.1', { repo: 'https://x/y.git', commit: 'c'.repeat(64), sourceTree: 'd'.repeat(64), build: 'tsc', apiHash: manifestHash(manifest), manifest })));
    const v2 = w.version(pkg, '1.0.1')!;
    expect(v2).toMatchObject({ repo: 'https://x/y.git', commit: 'c'.repeat(64), sourceTree: 'd'.repeat(64), build: 'tsc', apiHash: toHex(manifestHash(manifest)) });
    // The manifest is a record of its own, shared by every version with that API; the version holds its hash.
    expect(v2).not.toHaveProperty('manifest');
    expect(v2).not.toHaveProperty('description');
    w.ok(alice.tx('publish', publishBody(pkg, '1.0.2', { apiHash: manifestHash(manifest), manifest, description: 'Left-pad strings' })));
    expect(w.version(pkg, '1.0.2')).toMatchObject({ description: 'Left-pad strings' });
    expect(w.get(stateKeys.api(toHex(manifestHash(manifest))))).toEqual(manifest);
  });

  it('a maintainer publishes; each of patch, minor and major steps is accepted', () => {
    const { w, pkg, bob } = acme();
    for (const v of ['1.0.1', '1.1.0', '2.0.0', '2.0.1', '3.0.0']) w.ok(bob.tx('publish', publishBody(pkg, v)));
    expect(w.get<PackageState>(stateKeys.pkg(toHex(pkg)))?.versions).toEqual(['1.0.0', '1.0.1', '1.1.0', '2.0.0', '2.0.1', '3.0.0']);
  });

  it('TX_UNKNOWN_PACKAGE: publishing to a package id that no create made', () => {
    const { w, alice } = acme();
    expect(w.no(alice.peek('publish', publishBody(hashOf('nope'), '1.0.0')))).toBe('TX_UNKNOWN_PACKAGE');
  });

  it('TX_NOT_MAINTAINER: publishing into someone else\'s namespace', () => {
    const { w, pkg, carol } = acme();
    expect(w.no(carol.peek('publish', publishBody(pkg, '1.0.1')))).toBe('TX_NOT_MAINTAINER');
  });

  it('TX_NOT_MAINTAINER: a removed maintainer can no longer publish', () => {
    const { w, pkg, alice, bob } = acme();
    w.ok(alice.tx('maintainer', { ns: '@acme', op: 'remove', who: BOB.publicKey }));
    expect(w.no(bob.peek('publish', publishBody(pkg, '1.0.1')))).toBe('TX_NOT_MAINTAINER');
  });

  it('TX_VERSION_EXISTS: re-publishing a version, with the same or other content', () => {
    const { w, pkg, v1, alice } = acme();
    expect(w.no(alice.peek('publish', v1.body as never))).toBe('TX_VERSION_EXISTS');
    expect(w.no(alice.peek('publish', publishBody(pkg, '1.0.0', { contentHash: hashOf('other') })))).toBe('TX_VERSION_EXISTS');
  });

  it('TX_BAD_VERSION: a first version other than 1.0.0', () => {
    const { w, alice } = acme();
    const create = alice.tx('create', { ns: '@acme', name: 'fresh' });
    w.ok(create);
    for (const v of ['0.1.0', '1.0.1', '2.0.0', '0.0.1']) expect(w.no(alice.peek('publish', publishBody(idBytes(create), v)))).toBe('TX_BAD_VERSION');
    w.ok(alice.tx('publish', publishBody(idBytes(create), '1.0.0')));
  });

  it('TX_BAD_VERSION: skipping a step, going back, or a non-reset step', () => {
    const { w, pkg, alice } = acme();
    for (const v of ['1.0.2', '1.2.0', '3.0.0', '0.9.0', '1.1.1', '2.0.1', '2.1.0']) expect(w.no(alice.peek('publish', publishBody(pkg, v)))).toBe('TX_BAD_VERSION');
  });

  it('TX_VERSION_MISMATCH: the step is smaller than the least bump the manifests prove (InfVer hook); a larger one is the publisher\'s call', () => {
    const { w, alice } = acme();
    const hooks: RuleHooks = { minimumBump: (prev, next) => (prev !== undefined && next !== undefined ? { bump: 'minor', reason: 'an export was added' } : null) };
    const m1 = { v: 1 };
    const m2 = { v: 2 };
    const create = alice.tx('create', { ns: '@acme', name: 'typed' });
    w.ok(create, hooks);
    const id = idBytes(create);
    w.ok(alice.tx('publish', publishBody(id, '1.0.0', { manifest: m1, apiHash: manifestHash(m1) })), hooks);
    expect(w.no(alice.peek('publish', publishBody(id, '1.0.1', { manifest: m2, apiHash: manifestHash(m2) })), hooks)).toBe('TX_VERSION_MISMATCH');
    expect(w.message(alice.peek('publish', publishBody(id, '1.0.1', { manifest: m2, apiHash: manifestHash(m2) })), hooks)).toMatch(/an export was added since 1\.0\.0, which needs at least a minor step: publish 1\.1\.0/);
    expect(w.no(alice.peek('publish', publishBody(id, '2.0.0', { manifest: m2, apiHash: manifestHash(m2) })), hooks)).toBe('accepted');
    w.ok(alice.tx('publish', publishBody(id, '1.1.0', { manifest: m2, apiHash: manifestHash(m2) })), hooks);
    // Without a manifest (none in the tx, none on chain with its hash) there is nothing to check the step against: rejected.
    const { manifest: _m, ...bare } = publishBody(id, '1.1.1', { apiHash: hashOf('an API nobody published') });
    expect(w.no(alice.peek('publish', bare), hooks)).toBe('TX_MANIFEST_MISSING');
  });

  it('TX_API_HASH_MISMATCH: a manifest with a wrong apiHash, or none', () => {
    const { w, pkg, alice } = acme();
    const manifest = { exports: ['a'] };
    expect(w.no(alice.peek('publish', publishBody(pkg, '1.0.1', { manifest, apiHash: hashOf('wrong') })))).toBe('TX_API_HASH_MISMATCH');
    expect(w.no(alice.peek('publish', publishBody(pkg, '1.0.1', { manifest })))).toBe('TX_API_HASH_MISMATCH');
    w.ok(alice.tx('publish', publishBody(pkg, '1.0.1', { manifest, apiHash: manifestHash(manifest) })));
  });

  it('TX_MANIFEST_MISSING: an apiHash without its manifest', () => {
    const { w, pkg, alice } = acme();
    const { manifest: _m, ...bare } = publishBody(pkg, '1.0.1', { apiHash: hashOf('api') });
    expect(w.no(alice.peek('publish', bare))).toBe('TX_MANIFEST_MISSING');
    w.ok(alice.tx('publish', publishBody(pkg, '1.0.1')));
    expect(w.version(pkg, '1.0.1')?.apiHash).toBe(toHex(manifestHash(EMPTY_MANIFEST)));
  });

  it('a publish whose API did not change may name its manifest by apiHash alone; the step is checked against the stored one', () => {
    const { w, pkg, alice } = acme();
    const { manifest: _m, ...byHash } = publishBody(pkg, '1.0.1');
    w.ok(alice.tx('publish', byHash), defaultHooks);
    expect(w.version(pkg, '1.0.1')?.apiHash).toBe(toHex(manifestHash(EMPTY_MANIFEST)));
    // The stored manifest is what InfVer reads: with the same API, any step is at least the patch it proves.
    const { manifest: _n, ...minor } = publishBody(pkg, '1.1.0');
    w.ok(alice.tx('publish', minor), defaultHooks);
  });

  it('accepts a lock whose every entry is on chain with its content hash', () => {
    const { w, pkg, alice } = acme();
    const create = alice.tx('create', { ns: '@acme', name: 'app' });
    w.ok(create);
    const libHash = publishBody(pkg, '1.0.0').contentHash;
    w.ok(alice.tx('publish', publishBody(idBytes(create), '1.0.0', { deps: { '@acme/lib': '^1.0.0' }, lock: { '@acme/lib@1.0.0': libHash } })));
    expect(w.version(idBytes(create), '1.0.0')?.lock).toEqual({ '@acme/lib@1.0.0': toHex(libHash) });
  });

  it('TX_LOCK_UNKNOWN: a lock entry whose package or version is not on chain', () => {
    const { w, pkg, alice } = acme();
    const libHash = publishBody(pkg, '1.0.0').contentHash;
    expect(w.no(alice.peek('publish', publishBody(pkg, '1.0.1', { lock: { '@acme/nope@1.0.0': libHash } })))).toBe('TX_LOCK_UNKNOWN');
    expect(w.no(alice.peek('publish', publishBody(pkg, '1.0.1', { lock: { '@acme/lib@9.9.9': libHash } })))).toBe('TX_LOCK_UNKNOWN');
  });

  it('TX_LOCK_HASH_MISMATCH: a lock entry with another content hash than the chain has', () => {
    const { w, pkg, alice } = acme();
    expect(w.no(alice.peek('publish', publishBody(pkg, '1.0.1', { lock: { '@acme/lib@1.0.0': hashOf('tampered') } })))).toBe('TX_LOCK_HASH_MISMATCH');
  });

  it('a checkLock hook can reject a lock tree with its own code', () => {
    const { w, pkg, alice } = acme();
    const hooks: RuleHooks = {
      minimumBump: () => null,
      checkLock: () => {
        throw new GopkgrError('TX_LOCK_NOT_CLOSED', 'lock tree is not closed');
      },
    };
    expect(w.no(alice.peek('publish', publishBody(pkg, '1.0.1')), hooks)).toBe('TX_LOCK_NOT_CLOSED');
  });
});

describe('publish with the node\'s InfVer hooks (defaultHooks): TX_MANIFEST_INVALID, TX_VERSION_MISMATCH', () => {
  const exported = (name: string, decls: Decl[]): ManifestExport => ({ name, decls, kind: decls.map((d) => d.kind).join('+'), hash: hashExport(name, decls) });
  const str: Decl = { kind: 'variable', t: { k: 'kw', n: 'string' } };
  const manifest = (...exports: ManifestExport[]): Canonical => ({ format: MANIFEST_FORMAT, name: '@acme/typed', exports, internal: [] }) as unknown as Canonical;
  const withManifest = (pkg: Uint8Array, version: string, m: Canonical): PublishBody => publishBody(pkg, version, { manifest: m, apiHash: manifestHash(m) });

  function typed(): { w: World; alice: Actor; id: Uint8Array } {
    const { w, alice } = acme();
    const create = alice.tx('create', { ns: '@acme', name: 'typed' });
    w.ok(create, defaultHooks);
    return { w, alice, id: idBytes(create) };
  }

  it('the step must be at least what the manifests prove: added export minor, removed major, unchanged patch', () => {
    const { w, alice, id } = typed();
    const m1 = manifest(exported('a', [str]));
    const m2 = manifest(exported('a', [str]), exported('b', [str]));
    const m3 = manifest(exported('b', [str]));
    w.ok(alice.tx('publish', withManifest(id, '1.0.0', m1)), defaultHooks);
    expect(w.no(alice.peek('publish', withManifest(id, '1.0.1', m2)), defaultHooks)).toBe('TX_VERSION_MISMATCH');
    expect(w.no(alice.peek('publish', withManifest(id, '2.0.0', m2)), defaultHooks)).toBe('accepted');
    w.ok(alice.tx('publish', withManifest(id, '1.1.0', m2)), defaultHooks);
    expect(w.no(alice.peek('publish', withManifest(id, '1.2.0', m3)), defaultHooks)).toBe('TX_VERSION_MISMATCH');
    expect(w.no(alice.peek('publish', withManifest(id, '1.1.1', m3)), defaultHooks)).toBe('TX_VERSION_MISMATCH');
    w.ok(alice.tx('publish', withManifest(id, '2.0.0', m3)), defaultHooks);
    w.ok(alice.tx('publish', withManifest(id, '2.0.1', m3)), defaultHooks);
    expect(w.get<PackageState>(stateKeys.pkg(toHex(id)))?.versions).toEqual(['1.0.0', '1.1.0', '2.0.0', '2.0.1']);
  });

  it('an older major line takes a patch or minor on top of its newest version; a break there is refused with where to publish it', () => {
    const { w, alice, id } = typed();
    const m1 = manifest(exported('a', [str]));
    const m2 = manifest(exported('a', [str]), exported('b', [str]));
    const m3 = manifest(exported('b', [str]));
    w.ok(alice.tx('publish', withManifest(id, '1.0.0', m1)), defaultHooks);
    w.ok(alice.tx('publish', withManifest(id, '2.0.0', m3)), defaultHooks);
    // A fix and a feature for 1.x after 2.0.0, each one step above the newest of the 1.x line.
    w.ok(alice.tx('publish', withManifest(id, '1.0.1', m1)), defaultHooks);
    w.ok(alice.tx('publish', withManifest(id, '1.1.0', m2)), defaultHooks);
    // 1.0.2 would follow 1.0.1, but the 1.x line's newest is 1.1.0 now; 1.3.0 skips a step.
    for (const v of ['1.0.2', '1.3.0']) expect(w.no(alice.peek('publish', withManifest(id, v, m2)), defaultHooks)).toBe('TX_BAD_VERSION');
    expect(w.message(alice.peek('publish', withManifest(id, '1.0.2', m2)), defaultHooks)).toContain('one major, minor or patch step above @acme/typed@1.1.0');
    // Removing an export on the 1.x line needs a major, and 2.0.0 exists: the message says where a break goes.
    expect(w.no(alice.peek('publish', withManifest(id, '1.2.0', m3)), defaultHooks)).toBe('TX_VERSION_MISMATCH');
    expect(w.message(alice.peek('publish', withManifest(id, '1.2.0', m3)), defaultHooks)).toMatch(/a major step from the 1\.x line is refused \(2\.0\.0 exists\): publish the break on top of 2\.0\.0/);
    // The newest line goes on as before, and a new major steps from the newest version of all.
    w.ok(alice.tx('publish', withManifest(id, '2.0.1', m3)), defaultHooks);
    expect(w.no(alice.peek('publish', withManifest(id, '2.0.0', m3)), defaultHooks)).toBe('TX_VERSION_EXISTS');
    w.ok(alice.tx('publish', withManifest(id, '3.0.0', m1)), defaultHooks);
    expect(w.get<PackageState>(stateKeys.pkg(toHex(id)))?.versions).toEqual(['1.0.0', '2.0.0', '1.0.1', '1.1.0', '2.0.1', '3.0.0']);
  });

  it('TX_MANIFEST_INVALID: a manifest of the wrong shape, or whose export hash does not match its shape', () => {
    const { w, alice, id } = typed();
    const wrongShape = { format: MANIFEST_FORMAT, name: '@acme/typed', exports: 'none', internal: [] };
    expect(w.no(alice.peek('publish', withManifest(id, '1.0.0', wrongShape)), defaultHooks)).toBe('TX_MANIFEST_INVALID');
    const badHash = manifest({ ...exported('a', [str]), hash: `sha256:${'0'.repeat(64)}` });
    expect(w.no(alice.peek('publish', withManifest(id, '1.0.0', badHash)), defaultHooks)).toBe('TX_MANIFEST_INVALID');
    // The bare rules (no hooks) only check the apiHash.
    w.ok(alice.tx('publish', withManifest(id, '1.0.0', badHash)));
  });
});

describe('deprecate: TX_UNKNOWN_PACKAGE, TX_NOT_MAINTAINER, TX_UNKNOWN_VERSION, TX_UNDEPRECATE, TX_ALREADY_DEPRECATED', () => {
  it('a maintainer deprecates a version with a reason', () => {
    const { w, pkg, bob } = acme();
    w.ok(bob.tx('deprecate', { pkg, version: '1.0.0', deprecated: true, reason: 'security' }));
    expect(w.version(pkg, '1.0.0')).toMatchObject({ deprecated: true, deprecationReason: 'security' });
  });

  it('TX_UNKNOWN_PACKAGE', () => {
    const { w, alice } = acme();
    expect(w.no(alice.peek('deprecate', { pkg: hashOf('x'), version: '1.0.0', deprecated: true }))).toBe('TX_UNKNOWN_PACKAGE');
  });

  it('TX_NOT_MAINTAINER: deprecation by a non-maintainer', () => {
    const { w, pkg, carol } = acme();
    expect(w.no(carol.peek('deprecate', { pkg, version: '1.0.0', deprecated: true }))).toBe('TX_NOT_MAINTAINER');
  });

  it('TX_UNKNOWN_VERSION', () => {
    const { w, pkg, alice } = acme();
    expect(w.no(alice.peek('deprecate', { pkg, version: '1.0.1', deprecated: true }))).toBe('TX_UNKNOWN_VERSION');
  });

  it('TX_UNDEPRECATE: deprecated false, on a deprecated version and on a live one', () => {
    const { w, pkg, alice } = acme();
    expect(w.no(alice.peek('deprecate', { pkg, version: '1.0.0', deprecated: false }))).toBe('TX_UNDEPRECATE');
    w.ok(alice.tx('deprecate', { pkg, version: '1.0.0', deprecated: true }));
    expect(w.no(alice.peek('deprecate', { pkg, version: '1.0.0', deprecated: false }))).toBe('TX_UNDEPRECATE');
    expect(w.version(pkg, '1.0.0')?.deprecated).toBe(true);
  });

  it('TX_ALREADY_DEPRECATED', () => {
    const { w, pkg, alice } = acme();
    w.ok(alice.tx('deprecate', { pkg, version: '1.0.0', deprecated: true }));
    expect(w.no(alice.peek('deprecate', { pkg, version: '1.0.0', deprecated: true, reason: 'again' }))).toBe('TX_ALREADY_DEPRECATED');
  });
});

describe('bounds: TX_NOT_MAINTAINER, TX_UNKNOWN_VERSION, TX_BOUNDS_UNKNOWN_DEP, TX_BOUNDS_EMPTY', () => {
  it('a maintainer narrows a dependency range; the edit is recorded and the published deps kept', () => {
    const { w, pkg, bob } = acme();
    const tx = bob.tx('bounds', { pkg, version: '1.0.0', deps: { '@acme/dep': '>=1.2.0 <2.0.0' } });
    w.ok(tx);
    const v = w.version(pkg, '1.0.0')!;
    expect(v.deps).toEqual({ '@acme/dep': '>=1.2.0 <2.0.0' });
    expect(v.publishedDeps).toEqual({ '@acme/dep': '^1.0.0' });
    expect(v.bounds).toEqual([{ deps: { '@acme/dep': '>=1.2.0 <2.0.0' }, by: hex(BOB), height: 1, txId: idOf(tx) }]);
    expect(v.contentHash).toBe(toHex(publishBody(pkg, '1.0.0').contentHash));
  });

  it('TX_NOT_MAINTAINER: a bounds edit by a non-maintainer', () => {
    const { w, pkg, carol } = acme();
    expect(w.no(carol.peek('bounds', { pkg, version: '1.0.0', deps: { '@acme/dep': '^1.2.0' } }))).toBe('TX_NOT_MAINTAINER');
  });

  it('TX_UNKNOWN_PACKAGE and TX_UNKNOWN_VERSION', () => {
    const { w, pkg, alice } = acme();
    expect(w.no(alice.peek('bounds', { pkg: hashOf('x'), version: '1.0.0', deps: { '@acme/dep': '^1.2.0' } }))).toBe('TX_UNKNOWN_PACKAGE');
    expect(w.no(alice.peek('bounds', { pkg, version: '2.0.0', deps: { '@acme/dep': '^1.2.0' } }))).toBe('TX_UNKNOWN_VERSION');
  });

  it('TX_BOUNDS_UNKNOWN_DEP: adding a dependency the version does not have', () => {
    const { w, pkg, alice } = acme();
    expect(w.no(alice.peek('bounds', { pkg, version: '1.0.0', deps: { '@acme/other': '^1.0.0' } }))).toBe('TX_BOUNDS_UNKNOWN_DEP');
  });

  it('TX_BOUNDS_EMPTY: an edit naming no dependency', () => {
    const { w, pkg, alice } = acme();
    expect(w.no(alice.peek('bounds', { pkg, version: '1.0.0', deps: {} }))).toBe('TX_BOUNDS_EMPTY');
  });
});

describe('rotate: TX_ROTATE_SAME_KEY, TX_BAD_ROTATE_PROOF, TX_ROTATE_TARGET_USED', () => {
  it('moves ownership, maintainership, balance and the nonce sequence to the new key', () => {
    const { w, alice, bob, pkg } = acme();
    const newAlice = keyPair('alice-2');
    const newBob = keyPair('bob-2');
    w.ok(alice.tx('rotate', rotateBody(alice, newAlice)));
    w.ok(bob.tx('rotate', rotateBody(bob, newBob)));
    expect(w.ns('@acme')).toMatchObject({ owner: hex(newAlice), maintainers: [hex(newBob)] });
    expect(w.get(stateKeys.owned(hex(newAlice)))).toEqual(['@acme']);
    expect(w.get(stateKeys.owned(hex(ALICE)))).toBeUndefined();
    // Alice used nonces 0..4 (claim, add, create, publish, rotate): the new key goes on at 5.
    expect(w.account(newAlice)).toEqual({ nonce: 5, balance: 0, rotatedFrom: hex(ALICE) });
    expect(w.account(ALICE)).toMatchObject({ nonce: 5, rotatedTo: hex(newAlice) });
    const next = actor(newAlice, CHAIN_ID, 0);
    expect(w.no(next.at(0, 'publish', publishBody(pkg, '1.0.1')))).toBe('TX_BAD_NONCE');
    w.ok(next.at(5, 'publish', publishBody(pkg, '1.0.1')));
    w.ok(actor(newBob, CHAIN_ID, 1).tx('publish', publishBody(pkg, '1.0.2')));
    // The new owner runs the namespace; the old key is out.
    expect(w.no(alice.peek('maintainer', { ns: '@acme', op: 'add', who: CAROL.publicKey }))).toBe('TX_KEY_ROTATED');
    w.ok(next.at(6, 'maintainer', { ns: '@acme', op: 'add', who: CAROL.publicKey }));
  });

  it('TX_ROTATE_SAME_KEY', () => {
    const { w, alice } = acme();
    expect(w.no(alice.peek('rotate', rotateBody(alice, ALICE)))).toBe('TX_ROTATE_SAME_KEY');
  });

  it('TX_BAD_ROTATE_PROOF: proof signed by another key, for another nonce, or garbage', () => {
    const { w, alice } = acme();
    const target = keyPair('fresh');
    expect(w.no(alice.peek('rotate', rotateBody(alice, target, alice.nonce, CAROL)))).toBe('TX_BAD_ROTATE_PROOF');
    expect(w.no(alice.peek('rotate', rotateBody(alice, target, alice.nonce + 1)))).toBe('TX_BAD_ROTATE_PROOF');
    expect(w.no(alice.peek('rotate', { to: target.publicKey, proof: new Uint8Array(64).fill(1) }))).toBe('TX_BAD_ROTATE_PROOF');
  });

  it('TX_ROTATE_TARGET_USED: a key with txs, and a key that is already a maintainer', () => {
    const { w, alice, carol } = acme();
    w.ok(carol.tx('claim', { ns: '@carol' }));
    expect(w.no(alice.peek('rotate', rotateBody(alice, CAROL)))).toBe('TX_ROTATE_TARGET_USED');
    // Bob never sent a tx (no account), but he maintains @acme: his key has a history.
    expect(w.account(BOB)).toBeUndefined();
    expect(w.no(alice.peek('rotate', rotateBody(alice, BOB)))).toBe('TX_ROTATE_TARGET_USED');
  });
});

/** The lock hash of a version published with an empty lock tree. */
const EMPTY_LOCK_HASH = lockHash({});

describe('attest: TX_UNKNOWN_PACKAGE, TX_UNKNOWN_VERSION, TX_ATTEST_HASH_MISMATCH, TX_ATTEST_LOCK_MISMATCH, TX_DUPLICATE_ATTESTATION', () => {
  const body = (pkg: Uint8Array, version = '1.0.0', contentHash = publishBody(pkg, '1.0.0').contentHash): SignedTx['body'] => ({
    pkg, version, contentHash, lockHash: EMPTY_LOCK_HASH, passed: 10, failed: 1, skipped: 2, resultHash: hashOf('results'), runtimeMs: 345,
  });

  it('records an attestation by any tester, its reward awaiting another tester\'s agreement', () => {
    const { w, pkg, carol } = acme();
    const tx = carol.tx('attest', body(pkg) as never);
    w.ok(tx);
    expect(w.version(pkg, '1.0.0')?.attestations).toEqual([{
      tester: hex(CAROL), contentHash: toHex(publishBody(pkg, '1.0.0').contentHash), lockHash: toHex(EMPTY_LOCK_HASH), passed: 10, failed: 1, skipped: 2,
      resultHash: toHex(hashOf('results')), runtimeMs: 345, reward: 0, rewardStatus: 'awaiting-agreement', height: 1, block: '', txId: idOf(tx),
    }]);
  });

  it('TX_UNKNOWN_PACKAGE and TX_UNKNOWN_VERSION', () => {
    const { w, pkg, carol } = acme();
    expect(w.no(carol.peek('attest', body(hashOf('x')) as never))).toBe('TX_UNKNOWN_PACKAGE');
    expect(w.no(carol.peek('attest', body(pkg, '1.0.1') as never))).toBe('TX_UNKNOWN_VERSION');
  });

  it('TX_ATTEST_LOCK_MISMATCH: attesting against another dependency tree than the version locked', () => {
    const { w, pkg, carol } = acme();
    expect(w.no(carol.peek('attest', { ...body(pkg), lockHash: lockHash({ '@acme/other@1.0.0': 'ab'.repeat(32) }) } as never))).toBe('TX_ATTEST_LOCK_MISMATCH');
  });

  it('TX_ATTEST_HASH_MISMATCH: attesting other content than the version has', () => {
    const { w, pkg, carol } = acme();
    expect(w.no(carol.peek('attest', body(pkg, '1.0.0', hashOf('other')) as never))).toBe('TX_ATTEST_HASH_MISMATCH');
  });

  it('TX_DUPLICATE_ATTESTATION: the same tester twice; another tester is fine', () => {
    const { w, pkg, carol, dave } = acme();
    w.ok(carol.tx('attest', body(pkg) as never));
    expect(w.no(carol.peek('attest', body(pkg) as never))).toBe('TX_DUPLICATE_ATTESTATION');
    w.ok(dave.tx('attest', body(pkg) as never));
    expect(w.version(pkg, '1.0.0')?.attestations.map((a) => a.tester)).toEqual([hex(CAROL), hex(DAVE)]);
  });
});

/** @acme/lib 1.0.0, then `second`, both with an empty lock (the attestations' lock hash). */
function libThen(second: string): ReturnType<typeof acme> {
  const p = people();
  const w = new World();
  w.ok(p.alice.tx('claim', { ns: '@acme' }));
  const create = p.alice.tx('create', { ns: '@acme', name: 'lib' });
  w.ok(create);
  const pkg = idBytes(create);
  const v1 = p.alice.tx('publish', publishBody(pkg, '1.0.0'));
  w.ok(v1);
  w.ok(p.alice.tx('publish', publishBody(pkg, second)));
  return { w, ...p, pkg, v1 };
}

describe('attest, InfVer 2.0: predecessor runs, TX_ATTEST_BAD_PREV, breaking by inference', () => {
  /** An attestation of `version` that ran `prev`'s tests against it with `prevFailed` failures and result `prevHash`. */
  const body = (pkg: Uint8Array, version: string, prev?: { prev: string; prevFailed: number; prevHash: string }): SignedTx['body'] => ({
    pkg, version, contentHash: publishBody(pkg, version).contentHash, lockHash: EMPTY_LOCK_HASH, passed: 3, failed: 0, skipped: 0, resultHash: hashOf('own'), runtimeMs: 10,
    ...(prev === undefined ? {} : { prev: prev.prev, prevPassed: 2, prevFailed: prev.prevFailed, prevResultHash: hashOf(prev.prevHash) }),
  });
  /** @acme/lib 1.0.0 and 1.0.1 (published with an empty lock: the attestations' lock hash). */
  const twoVersions = (): ReturnType<typeof acme> => libThen('1.0.1');

  it('TX_MALFORMED: the prev fields come all together or not at all', () => {
    const { pkg, carol } = twoVersions();
    const partial = { ...body(pkg, '1.0.1'), prev: '1.0.0' };
    const tx = carol.peek('attest', partial as never);
    expect(codeOf(() => decodeTx(encodeTx(tx)))).toBe('TX_MALFORMED');
    const full = carol.peek('attest', body(pkg, '1.0.1', { prev: '1.0.0', prevFailed: 1, prevHash: 'x' }) as never);
    expect((decodeTx(encodeTx(full)) as SignedTx & { body: { prev?: string } }).body.prev).toBe('1.0.0');
  });

  it('records the predecessor run with the attestation', () => {
    const { w, pkg, carol } = twoVersions();
    w.ok(carol.tx('attest', body(pkg, '1.0.1', { prev: '1.0.0', prevFailed: 0, prevHash: 'pass' }) as never));
    const v = w.version(pkg, '1.0.1')!;
    expect(v.attestations[0]!.prev).toEqual({ version: '1.0.0', passed: 2, failed: 0, resultHash: toHex(hashOf('pass')) });
    expect(v.breakingByInference).toBeUndefined();
  });

  it('TX_ATTEST_BAD_PREV: a version that is not the one published right before, or a first version', () => {
    const { w, pkg, alice, carol } = twoVersions();
    w.ok(alice.tx('publish', publishBody(pkg, '1.0.2')));
    // 1.0.0 is not 1.0.2's predecessor (1.0.1 is), whatever its tests say.
    expect(w.no(carol.peek('attest', body(pkg, '1.0.2', { prev: '1.0.0', prevFailed: 1, prevHash: 'x' }) as never))).toBe('TX_ATTEST_BAD_PREV');
    expect(w.no(carol.peek('attest', body(pkg, '1.0.2', { prev: '1.0.3', prevFailed: 1, prevHash: 'x' }) as never))).toBe('TX_ATTEST_BAD_PREV');
    expect(w.no(carol.peek('attest', body(pkg, '1.0.0', { prev: '0.9.0', prevFailed: 1, prevHash: 'x' }) as never))).toBe('TX_ATTEST_BAD_PREV');
    w.ok(carol.tx('attest', body(pkg, '1.0.2', { prev: '1.0.1', prevFailed: 1, prevHash: 'x' }) as never));
  });

  it('TX_ATTEST_BAD_PREV: on an older major line the predecessor is the version it stepped from, not the one published right before', () => {
    const { w, pkg, alice, carol } = twoVersions();
    w.ok(alice.tx('publish', publishBody(pkg, '2.0.0')));
    w.ok(alice.tx('publish', publishBody(pkg, '1.0.2')));
    expect(w.no(carol.peek('attest', body(pkg, '1.0.2', { prev: '2.0.0', prevFailed: 0, prevHash: 'x' }) as never))).toBe('TX_ATTEST_BAD_PREV');
    w.ok(carol.tx('attest', body(pkg, '1.0.2', { prev: '1.0.1', prevFailed: 0, prevHash: 'x' }) as never));
  });

  it('a quorum (breakQuorum = 2) of agreeing failing predecessor runs marks the version, once', () => {
    const { w, pkg, carol, dave, bob } = twoVersions();
    expect(DEV_PARAMS.breakQuorum).toBe(2);
    w.ok(carol.tx('attest', body(pkg, '1.0.1', { prev: '1.0.0', prevFailed: 1, prevHash: 'fails' }) as never));
    // One tester is not a quorum.
    expect(w.version(pkg, '1.0.1')!.breakingByInference).toBeUndefined();
    w.height = 2;
    w.ok(dave.tx('attest', body(pkg, '1.0.1', { prev: '1.0.0', prevFailed: 1, prevHash: 'fails' }) as never));
    const marked = w.version(pkg, '1.0.1')!.breakingByInference;
    expect(marked).toEqual({ prev: '1.0.0', resultHash: toHex(hashOf('fails')), testers: [hex(CAROL), hex(DAVE)], height: 2 });
    // A later attestation that disagrees changes nothing: the mark is set once.
    w.height = 3;
    w.ok(bob.tx('attest', body(pkg, '1.0.1', { prev: '1.0.0', prevFailed: 0, prevHash: 'pass' }) as never));
    expect(w.version(pkg, '1.0.1')!.breakingByInference).toEqual(marked);
    // The predecessor is untouched.
    expect(w.version(pkg, '1.0.0')!.breakingByInference).toBeUndefined();
  });

  it('disagreeing result hashes, passing runs and attestations without a predecessor run do not make a quorum', () => {
    const { w, pkg, carol, dave, bob } = twoVersions();
    w.ok(carol.tx('attest', body(pkg, '1.0.1', { prev: '1.0.0', prevFailed: 1, prevHash: 'fails one way' }) as never));
    w.ok(dave.tx('attest', body(pkg, '1.0.1', { prev: '1.0.0', prevFailed: 2, prevHash: 'fails another way' }) as never));
    w.ok(bob.tx('attest', body(pkg, '1.0.1') as never));
    expect(w.version(pkg, '1.0.1')!.breakingByInference).toBeUndefined();
    // Two agreeing runs that pass are no evidence of a break either.
    const other = twoVersions();
    other.w.ok(other.carol.tx('attest', body(other.pkg, '1.0.1', { prev: '1.0.0', prevFailed: 0, prevHash: 'pass' }) as never));
    other.w.ok(other.dave.tx('attest', body(other.pkg, '1.0.1', { prev: '1.0.0', prevFailed: 0, prevHash: 'pass' }) as never));
    expect(other.w.version(other.pkg, '1.0.1')!.breakingByInference).toBeUndefined();
  });

  it('a reorg that drops the quorum\'s block drops the mark', async () => {
    const { chain, alice, carol, pkg } = await acmeChain();
    const dave = actor(DAVE, CHAIN_ID);
    await extend(chain, [alice.tx('publish', publishBody(pkg, '1.0.1'))]);
    const fork = chain.head.id;
    await extend(chain, [
      carol.tx('attest', body(pkg, '1.0.1', { prev: '1.0.0', prevFailed: 1, prevHash: 'fails' }) as never),
      dave.tx('attest', body(pkg, '1.0.1', { prev: '1.0.0', prevFailed: 1, prevHash: 'fails' }) as never),
    ]);
    const key = stateKeys.version(toHex(pkg), '1.0.1');
    expect((await chain.state.get(key) as VersionState).breakingByInference).toMatchObject({ prev: '1.0.0', testers: [hex(CAROL), hex(DAVE)], height: 3 });
    // A heavier branch from before the attestations: the mark goes with the block that made it.
    await mineChain(chain, 2, { parent: fork });
    expect(chain.height).toBe(4);
    expect((await chain.state.get(key) as VersionState).breakingByInference).toBeUndefined();
    expect((await chain.state.get(key) as VersionState).attestations).toEqual([]);
  });
});

describe('attest, InfVer verdicts: TX_MALFORMED, TX_ATTEST_VERDICT_NO_PREV, TX_ATTEST_VERDICT_UNPINNED, misversioned', () => {
  type Bump = 'major' | 'minor' | 'patch';
  /** An attestation of `version` carrying the verdict `infver` over the changes named `changes` (hashed). */
  const body = (pkg: Uint8Array, version: string, verdict?: { infver: Bump; changes: string }): SignedTx['body'] => ({
    pkg, version, contentHash: publishBody(pkg, version).contentHash, lockHash: EMPTY_LOCK_HASH, passed: 3, failed: 0, skipped: 0, resultHash: hashOf('own'), runtimeMs: 10,
    ...(verdict === undefined ? {} : { infver: verdict.infver, infverHash: hashOf(verdict.changes) }),
  });
  /** @acme/lib 1.0.0, then `second` (1.1.0: a minor step by default). */
  const published = (second = '1.1.0'): ReturnType<typeof acme> => libThen(second);
  const malformedVerdict = (change: (b: Record<string, Canonical>) => void): string => {
    const { pkg, carol } = published();
    const tx = carol.peek('attest', body(pkg, '1.1.0', { infver: 'major', changes: 'c' }) as never);
    return codeOf(() => decodeTx(edited(tx, (o) => change(o.body as Record<string, Canonical>))));
  };

  it('a verdict round-trips through the canonical encoding; an attestation without one still decodes as before', () => {
    const { pkg, carol } = published();
    const withVerdict = carol.peek('attest', body(pkg, '1.1.0', { infver: 'major', changes: 'c' }) as never);
    expect(decodeTx(encodeTx(withVerdict))).toEqual(withVerdict);
    const without = carol.peek('attest', body(pkg, '1.1.0') as never);
    const decoded = decodeTx(encodeTx(without)) as SignedTx & { body: Record<string, unknown> };
    expect(decoded).toEqual(without);
    expect('infver' in decoded.body).toBe(false);
  });

  it('TX_MALFORMED: infver without infverHash, infverHash without infver', () => {
    expect(malformedVerdict((b) => { delete b.infverHash; })).toBe('TX_MALFORMED');
    expect(malformedVerdict((b) => { delete b.infver; })).toBe('TX_MALFORMED');
  });

  it('TX_MALFORMED: infver that is not major, minor or patch', () => {
    expect(malformedVerdict((b) => { b.infver = 'breaking'; })).toBe('TX_MALFORMED');
    expect(malformedVerdict((b) => { b.infver = 2; })).toBe('TX_MALFORMED');
    expect(malformedVerdict((b) => { b.infver = 'MAJOR'; })).toBe('TX_MALFORMED');
  });

  it('TX_MALFORMED: infverHash that is not 32 bytes', () => {
    expect(malformedVerdict((b) => { b.infverHash = new Uint8Array(31); })).toBe('TX_MALFORMED');
    expect(malformedVerdict((b) => { b.infverHash = 'ab'.repeat(32); })).toBe('TX_MALFORMED');
  });

  it('the message of a malformed verdict names the field', () => {
    const { pkg, carol } = published();
    const tx = carol.peek('attest', body(pkg, '1.1.0', { infver: 'major', changes: 'c' }) as never);
    expect(() => decodeTx(edited(tx, (o) => { (o.body as Record<string, Canonical>).infver = 'huge'; }))).toThrow(/body\.infver must be "major", "minor" or "patch"/);
  });

  it('records the verdict with the attestation', () => {
    const { w, pkg, carol } = published();
    w.ok(carol.tx('attest', body(pkg, '1.1.0', { infver: 'minor', changes: 'added f' }) as never));
    const v = w.version(pkg, '1.1.0')!;
    expect(v.attestations[0]!.infver).toEqual({ bump: 'minor', changesHash: toHex(hashOf('added f')) });
    expect(v.misversioned).toBeUndefined();
  });

  it('TX_ATTEST_VERDICT_NO_PREV: a verdict on a first version', () => {
    const { w, pkg, carol } = published();
    expect(w.no(carol.peek('attest', body(pkg, '1.0.0', { infver: 'major', changes: 'c' }) as never))).toBe('TX_ATTEST_VERDICT_NO_PREV');
    // Without the verdict the same attestation is fine.
    w.ok(carol.tx('attest', body(pkg, '1.0.0') as never));
  });

  it('TX_ATTEST_VERDICT_UNPINNED: a verdict on a chain whose genesis pins no checker TypeScript', () => {
    const { w, pkg, carol } = published();
    const { infverTypescript: _pin, ...unpinned } = DEV_PARAMS;
    w.params = unpinned;
    expect(w.no(carol.peek('attest', body(pkg, '1.1.0', { infver: 'major', changes: 'c' }) as never))).toBe('TX_ATTEST_VERDICT_UNPINNED');
    w.ok(carol.tx('attest', body(pkg, '1.1.0') as never));
  });

  it('a quorum (breakQuorum = 2) of agreeing major verdicts on a minor step marks the version misversioned, once', () => {
    const { w, pkg, carol, dave, bob } = published();
    w.ok(carol.tx('attest', body(pkg, '1.1.0', { infver: 'major', changes: 'f narrowed' }) as never));
    // One tester is not a quorum.
    expect(w.version(pkg, '1.1.0')!.misversioned).toBeUndefined();
    w.height = 2;
    w.ok(dave.tx('attest', body(pkg, '1.1.0', { infver: 'major', changes: 'f narrowed' }) as never));
    const marked = w.version(pkg, '1.1.0')!.misversioned;
    expect(marked).toEqual({ prev: '1.0.0', claimed: 'minor', verdict: 'major', changesHash: toHex(hashOf('f narrowed')), testers: [hex(CAROL), hex(DAVE)], height: 2 });
    // A later verdict that disagrees changes nothing: the mark is set once and never cleared.
    w.height = 3;
    w.ok(bob.tx('attest', body(pkg, '1.1.0', { infver: 'minor', changes: 'f added' }) as never));
    expect(w.version(pkg, '1.1.0')!.misversioned).toEqual(marked);
    expect(w.version(pkg, '1.0.0')!.misversioned).toBeUndefined();
  });

  it('a patch step found minor is misversioned too', () => {
    const { w, pkg, carol, dave } = published('1.0.1');
    w.ok(carol.tx('attest', body(pkg, '1.0.1', { infver: 'minor', changes: 'g added' }) as never));
    w.ok(dave.tx('attest', body(pkg, '1.0.1', { infver: 'minor', changes: 'g added' }) as never));
    expect(w.version(pkg, '1.0.1')!.misversioned).toMatchObject({ prev: '1.0.0', claimed: 'patch', verdict: 'minor' });
  });

  it('quorum not reached: one verdict, or verdicts mixed with attestations that carry none', () => {
    const { w, pkg, carol, dave } = published();
    w.ok(carol.tx('attest', body(pkg, '1.1.0', { infver: 'major', changes: 'f narrowed' }) as never));
    w.ok(dave.tx('attest', body(pkg, '1.1.0') as never));
    expect(w.version(pkg, '1.1.0')!.misversioned).toBeUndefined();
  });

  it('disagreeing change hashes do not make a quorum, even on the same bump', () => {
    const { w, pkg, carol, dave, bob } = published();
    w.ok(carol.tx('attest', body(pkg, '1.1.0', { infver: 'major', changes: 'f narrowed' }) as never));
    w.ok(dave.tx('attest', body(pkg, '1.1.0', { infver: 'major', changes: 'g removed' }) as never));
    expect(w.version(pkg, '1.1.0')!.misversioned).toBeUndefined();
    // Same changes, different bump: no agreement either.
    w.ok(bob.tx('attest', body(pkg, '1.1.0', { infver: 'minor', changes: 'f narrowed' }) as never));
    expect(w.version(pkg, '1.1.0')!.misversioned).toBeUndefined();
  });

  it('a verdict equal to or lower than the step taken does not mark the version', () => {
    for (const infver of ['minor', 'patch'] as const) {
      const { w, pkg, carol, dave } = published();
      w.ok(carol.tx('attest', body(pkg, '1.1.0', { infver, changes: 'same' }) as never));
      w.ok(dave.tx('attest', body(pkg, '1.1.0', { infver, changes: 'same' }) as never));
      expect(w.version(pkg, '1.1.0')!.misversioned).toBeUndefined();
    }
    // A major step can never be understated.
    const { w, pkg, carol, dave } = published('2.0.0');
    w.ok(carol.tx('attest', body(pkg, '2.0.0', { infver: 'major', changes: 'x' }) as never));
    w.ok(dave.tx('attest', body(pkg, '2.0.0', { infver: 'major', changes: 'x' }) as never));
    expect(w.version(pkg, '2.0.0')!.misversioned).toBeUndefined();
  });

  it('a reorg that drops the quorum\'s block drops the mark', async () => {
    const { chain, alice, carol, pkg } = await acmeChain();
    const dave = actor(DAVE, CHAIN_ID);
    await extend(chain, [alice.tx('publish', publishBody(pkg, '1.1.0'))]);
    const fork = chain.head.id;
    await extend(chain, [
      carol.tx('attest', body(pkg, '1.1.0', { infver: 'major', changes: 'f narrowed' }) as never),
      dave.tx('attest', body(pkg, '1.1.0', { infver: 'major', changes: 'f narrowed' }) as never),
    ]);
    const key = stateKeys.version(toHex(pkg), '1.1.0');
    expect((await chain.state.get(key) as VersionState).misversioned).toMatchObject({ prev: '1.0.0', claimed: 'minor', verdict: 'major', testers: [hex(CAROL), hex(DAVE)], height: 3 });
    await mineChain(chain, 2, { parent: fork });
    expect((await chain.state.get(key) as VersionState).misversioned).toBeUndefined();
  });
});

// ------------------------------------------------------------------ blocks on a real chain

/** Import must fail with `code` and leave head, height, state and the stored head as they were. */
async function expectRejected(chain: Chain, block: DecodedBlock | Uint8Array, code: string): Promise<GopkgrError> {
  const head = chain.head.id;
  const height = chain.height;
  const state = stateDump(await chain.readState());
  const storedHead = await chain.store.getValue<string>('meta:head');
  const storedState = stateDump(await stateThroughCache(chain));
  const err = await rejectsWith(chain.importBlock(block), code);
  expect(chain.head.id).toBe(head);
  expect(chain.height).toBe(height);
  expect(stateDump(await chain.readState())).toEqual(state);
  expect(await chain.store.getValue<string>('meta:head')).toBe(storedHead);
  expect(stateDump(await stateThroughCache(chain))).toEqual(storedState);
  return err;
}

/** A chain where alice has claimed @acme, created @acme/lib and published 1.0.0, in block 1. */
async function acmeChain(opts: { now?: () => number } = {}): Promise<{ chain: Chain; alice: Actor; bob: Actor; carol: Actor; dave: Actor; pkg: Uint8Array }> {
  const { chain } = await openChain(undefined, { now: opts.now });
  const p = people();
  const claim = p.alice.tx('claim', { ns: '@acme' });
  const create = p.alice.tx('create', { ns: '@acme', name: 'lib' });
  const pkg = idBytes(create);
  await extend(chain, [claim, create, p.alice.tx('publish', publishBody(pkg, '1.0.0'))]);
  return { chain, ...p, pkg };
}

describe('attest, rebuild verdicts: TX_MALFORMED, TX_ATTEST_REBUILD_NO_COMMIT', () => {
  const COMMIT = 'c'.repeat(40);
  /** @acme/lib 1.0.0 published from a recorded commit (or without one). */
  const lib = (commit: boolean): { w: World; carol: Actor; dave: Actor; pkg: Uint8Array } => {
    const p = people();
    const w = new World();
    w.ok(p.alice.tx('claim', { ns: '@acme' }));
    const create = p.alice.tx('create', { ns: '@acme', name: 'lib' });
    w.ok(create);
    const pkg = idBytes(create);
    w.ok(p.alice.tx('publish', publishBody(pkg, '1.0.0', commit ? { repo: 'file:///srv/lib', commit: COMMIT } : {})));
    return { w, carol: p.carol, dave: p.dave, pkg };
  };
  const body = (pkg: Uint8Array, rebuild?: unknown): AttestBody => ({
    pkg, version: '1.0.0', contentHash: publishBody(pkg, '1.0.0').contentHash, lockHash: EMPTY_LOCK_HASH, passed: 1, failed: 0, skipped: 0, resultHash: hashOf('own'), runtimeMs: 5,
    ...(rebuild === undefined ? {} : { rebuild }),
  } as never);

  it('records reproduced, differs and unverifiable with the attestation of a version that records a commit', () => {
    const { w, carol, dave, pkg } = lib(true);
    w.ok(carol.tx('attest', body(pkg, 'reproduced')));
    w.ok(dave.tx('attest', body(pkg, 'differs')));
    const v = w.version(pkg, '1.0.0')!;
    expect(v.attestations.map((a) => a.rebuild)).toEqual(['reproduced', 'differs']);
    // The package API (GET /v1/packages/@ns/name/version) shows each verdict and how many testers gave it.
    const view = versionView(v) as { rebuilds: Record<string, number>; attestations: Array<{ rebuild?: string }> };
    expect(view.rebuilds).toEqual({ reproduced: 1, differs: 1 });
    expect(view.attestations.map((a) => a.rebuild)).toEqual(['reproduced', 'differs']);
    const other = lib(true);
    other.w.ok(other.carol.tx('attest', body(other.pkg, 'unverifiable')));
    expect(other.w.version(other.pkg, '1.0.0')!.attestations[0]!.rebuild).toBe('unverifiable');
    // Without the field, as every attestation before it: nothing recorded.
    const plain = lib(true);
    plain.w.ok(plain.carol.tx('attest', body(plain.pkg)));
    expect('rebuild' in plain.w.version(plain.pkg, '1.0.0')!.attestations[0]!).toBe(false);
    expect('rebuilds' in (versionView(plain.w.version(plain.pkg, '1.0.0')!) as object)).toBe(false);
  });

  it('TX_ATTEST_REBUILD_NO_COMMIT: any rebuild verdict on a version that records no commit', () => {
    for (const verdict of ['reproduced', 'differs', 'unverifiable']) {
      const { w, carol, pkg } = lib(false);
      expect(w.no(carol.peek('attest', body(pkg, verdict)))).toBe('TX_ATTEST_REBUILD_NO_COMMIT');
      expect(w.version(pkg, '1.0.0')!.attestations).toEqual([]);
    }
  });

  it('TX_MALFORMED: a rebuild verdict that is not one of the three words', () => {
    const { carol, pkg } = lib(true);
    const tx = carol.peek('attest', body(pkg, 'reproduced'));
    for (const bad of ['REPRODUCED', 'ok', '', 1, true, null]) {
      expect(codeOf(() => decodeTx(edited(tx, (o) => { (o.body as Record<string, Canonical>).rebuild = bad as Canonical; })))).toBe('TX_MALFORMED');
    }
    expect(() => decodeTx(edited(tx, (o) => { (o.body as Record<string, Canonical>).rebuild = 'same'; }))).toThrow(/body\.rebuild must be "reproduced", "differs", "unverifiable"/);
    expect(decodeTx(encodeTx(tx))).toEqual(tx);
  });
});

describe('import (npm releases): TX_MALFORMED, TX_IMPORT_EXISTS, NPM_IMPORT_CONFLICT, TX_IMPORT_UNSIGNED, TX_IMPORT_BAD_SIGNATURE', () => {
  const integrityOf = (text: string): string => `sha512-${createHash('sha512').update(text).digest('base64')}`;
  const release = (version: string, bytes = `zod ${version}`, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    name: 'zod', version, integrity: integrityOf(bytes), contentHash: hashOf(bytes), size: bytes.length, deps: { 'left-pad': '^1.3.0', '@types/node': 'latest' }, ...extra,
  });
  const imp = (a: Actor, body: Record<string, unknown>): SignedTx => a.peek('import', body as never);

  it('records the release once, under npm:<name>, with its registry fields; anyone may import', () => {
    const w = new World();
    const { carol } = people();
    w.ok(carol.tx('import', release('3.23.8', 'a', { optionalDeps: { fsevents: '^2' }, peerDeps: { typescript: '>=5' }, installScripts: true }) as never));
    w.ok(carol.tx('import', release('4.0.0-beta.1', 'b') as never));
    expect(w.get(stateKeys.npm('zod'))).toEqual(['3.23.8', '4.0.0-beta.1']);
    expect(w.get(stateKeys.npmRelease('zod', '3.23.8'))).toMatchObject({
      name: 'zod', version: '3.23.8', integrity: integrityOf('a'), contentHash: toHex(hashOf('a')), size: 1, deps: { 'left-pad': '^1.3.0', '@types/node': 'latest' },
      optionalDeps: { fsevents: '^2' }, peerDeps: { typescript: '>=5' }, installScripts: true, importer: hex(CAROL), height: 1,
    });
  });

  it('TX_IMPORT_EXISTS for the same bytes again, NPM_IMPORT_CONFLICT for other bytes under the same name@version', () => {
    const w = new World();
    const { carol, dave } = people();
    w.ok(carol.tx('import', release('1.0.0') as never));
    expect(w.no(imp(dave, release('1.0.0')))).toBe('TX_IMPORT_EXISTS');
    expect(w.no(imp(dave, release('1.0.0', 'tampered')))).toBe('NPM_IMPORT_CONFLICT');
    expect(w.message(imp(dave, release('1.0.0', 'tampered')))).toMatch(/^npm:zod@1\.0\.0 is on chain with content hash /);
  });

  it('TX_MALFORMED: names, versions, integrity, dependency maps and flags npm would not give', () => {
    const { carol } = people();
    const malformed = (body: Record<string, unknown>): string => codeOf(() => decodeTx(encodeTx(imp(carol, body))));
    expect(malformed(release('1.0.0'))).toBe('accepted');
    for (const name of ['Zod', '.hidden', '@scope/', 'a b', 'x'.repeat(215), '@Scope/x']) expect(malformed({ ...release('1.0.0'), name })).toBe('TX_MALFORMED');
    for (const version of ['1.0', 'v1.0.0', '01.0.0', '1.0.0-', '']) expect(malformed({ ...release('1.0.0'), version })).toBe('TX_MALFORMED');
    for (const integrity of ['sha1-abc', 'sha512-short', integrityOf('x').replace('sha512', 'sha384')]) expect(malformed({ ...release('1.0.0'), integrity })).toBe('TX_MALFORMED');
    expect(malformed({ ...release('1.0.0'), deps: { 'Not A Name': '1' } })).toBe('TX_MALFORMED');
    expect(malformed({ ...release('1.0.0'), peerDeps: { ok: 7 } })).toBe('TX_MALFORMED');
    expect(malformed({ ...release('1.0.0'), installScripts: false })).toBe('TX_MALFORMED');
    expect(malformed({ ...release('1.0.0'), signature: { keyid: 'k' } })).toBe('TX_MALFORMED');
    expect(malformed({ ...release('1.0.0'), extra: 1 })).toBe('TX_MALFORMED');
  });

  it('TX_IMPORT_BAD_PREV: an InfVer verdict is on the step from a lower release of the package on chain', () => {
    const w = new World();
    const { carol } = people();
    w.ok(carol.tx('import', release('1.0.0') as never));
    expect(w.no(imp(carol, release('1.1.0', 'x', { infver: { prev: '0.9.0', bump: 'minor' } })))).toBe('TX_IMPORT_BAD_PREV');
    expect(w.no(imp(carol, release('0.5.0', 'x', { infver: { prev: '1.0.0', bump: 'minor' } })))).toBe('TX_IMPORT_BAD_PREV');
    expect(w.no(imp(carol, release('1.0.0-rc.1', 'x', { infver: { prev: '1.0.0', bump: 'patch' } })))).toBe('TX_IMPORT_BAD_PREV');
    w.ok(carol.tx('import', release('1.1.0', 'y', { infver: { prev: '1.0.0', bump: 'major' } }) as never));
    expect(w.get<{ infver: unknown }>(stateKeys.npmRelease('zod', '1.1.0'))?.infver).toEqual({ prev: '1.0.0', bump: 'major' });
    const malformed = (infver: unknown): string => codeOf(() => decodeTx(encodeTx(imp(carol, release('1.2.0', 'z', { infver })))));
    expect(malformed({ prev: '1.0', bump: 'minor' })).toBe('TX_MALFORMED');
    expect(malformed({ prev: '1.0.0', bump: 'huge' })).toBe('TX_MALFORMED');
    expect(malformed({ prev: '1.0.0', bump: 'minor', extra: 1 })).toBe('TX_MALFORMED');
  });

  it('a chain that pins registry keys takes only releases signed by one of them', () => {
    const registry = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const stranger = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const keyid = 'SHA256:test-registry-key';
    const w = new World();
    w.params = { ...DEV_PARAMS, npmKeys: [{ keyid, key: registry.publicKey.export({ format: 'der', type: 'spki' }).toString('base64') }] };
    const { carol } = people();
    const body = release('2.0.0');
    const signedBy = (key: KeyObject, text = `zod@2.0.0:${body.integrity as string}`): string => nodeSign('sha256', Buffer.from(text), { key, dsaEncoding: 'der' }).toString('base64');
    expect(w.no(imp(carol, body))).toBe('TX_IMPORT_UNSIGNED');
    expect(w.no(imp(carol, { ...body, signature: { keyid, sig: signedBy(stranger.privateKey) } }))).toBe('TX_IMPORT_BAD_SIGNATURE');
    expect(w.no(imp(carol, { ...body, signature: { keyid, sig: signedBy(registry.privateKey, 'zod@2.0.1:x') } }))).toBe('TX_IMPORT_BAD_SIGNATURE');
    expect(w.no(imp(carol, { ...body, signature: { keyid: 'SHA256:other', sig: signedBy(registry.privateKey) } }))).toBe('TX_IMPORT_BAD_SIGNATURE');
    w.ok(carol.tx('import', { ...body, signature: { keyid, sig: signedBy(registry.privateKey) } } as never));
    expect(w.get<{ signedBy: string }>(stateKeys.npmRelease('zod', '2.0.0'))?.signedBy).toBe(keyid);
  });
});

describe('blocks on a chain: valid blocks change the state', () => {
  it('claim, create and publish in one block: connected, state visible, txs located, miner paid', async () => {
    const { chain, pkg } = await acmeChain();
    expect(chain.height).toBe(1);
    const r = memoryState(await chain.readState()).session();
    expect((r.get(stateKeys.namespace('@acme')) as NamespaceState).owner).toBe(hex(ALICE));
    expect(r.get(stateKeys.name('@acme/lib'))).toBe(toHex(pkg));
    expect(r.get(stateKeys.bareName('lib', '@acme'))).toBe(toHex(pkg));
    const v = r.get(stateKeys.version(toHex(pkg), '1.0.0')) as VersionState;
    expect(v.block).toBe(chain.head.id);
    // The header is stored on its own, so serving headers reads no block.
    const header = (await chain.store.getRaw(`h:${chain.head.id}`))!;
    expect(toHex(blockId(header))).toBe(chain.head.id);
    expect(await chain.getHeaderBytes(chain.head.id)).toEqual(header);
    expect(v.height).toBe(1);
    expect((r.get(stateKeys.account(hex(MINER))) as AccountState).balance).toBe(DEV_PARAMS.minerReward);
    expect((r.get(stateKeys.account(hex(ALICE))) as AccountState).nonce).toBe(3);
    const block = (await chain.getBlock(chain.head.id))!;
    expect(await chain.txLocation(toHex(block.txIds[3]!))).toEqual({ block: chain.head.id, height: 1, index: 3 });
  });

  it('an empty block (reward only) is valid; importing it again is a duplicate', async () => {
    const { chain } = await openChain();
    const block = mineBlock(chain, []);
    expect((await chain.importBlock(block.bytes)).status).toBe('connected');
    expect((await chain.importBlock(block.bytes)).status).toBe('duplicate');
    expect(chain.height).toBe(1);
  });

  it('a branch with no more work than the main chain is stored as side and changes nothing', async () => {
    const { chain } = await openChain();
    const main = await mineChain(chain, 2, { txsAt: (i) => (i === 0 ? [signed(ALICE, 'claim', { ns: '@main' }, 0, chain.chainId)] : []) });
    const state = stateDump(await chain.readState());
    const side = mineBlock(chain, [signed(BOB, 'claim', { ns: '@side' }, 0, chain.chainId)], { parent: toHex(main[0]!.id) });
    expect((await chain.importBlock(side.bytes)).status).toBe('side');
    expect(chain.head.id).toBe(toHex(main[1]!.id));
    expect(stateDump(await chain.readState())).toEqual(state);
    expect(chain.entry(toHex(side.id))?.status).toBe('valid');
    expect(chain.isOnMain(toHex(side.id))).toBe(false);
  });

  it('a replayed tx in a later block is TX_BAD_NONCE; the block is then known invalid', async () => {
    const { chain } = await openChain();
    const claim = signed(ALICE, 'claim', { ns: '@acme' }, 0, chain.chainId);
    await extend(chain, [claim]);
    const replay = mineBlock(chain, [claim]);
    await expectRejected(chain, replay.bytes, 'TX_BAD_NONCE');
    await expectRejected(chain, replay.bytes, 'BLOCK_KNOWN_INVALID');
  });

  it('a state rule broken inside a block rejects the whole block (TX_NAME_TAKEN), earlier txs of it included', async () => {
    const { chain } = await acmeChain();
    const block = mineBlock(chain, [signed(CAROL, 'claim', { ns: '@carol' }, 0, chain.chainId), signed(BOB, 'claim', { ns: '@acme' }, 0, chain.chainId)]);
    const err = await expectRejected(chain, block.bytes, 'TX_NAME_TAKEN');
    expect(err.message).toMatch(/^tx 2 /);
    expect(await chain.state.get(stateKeys.namespace('@carol'))).toBeUndefined();
    expect((await chain.store.getValue<{ status: string }>(`i:${toHex(block.id)}`))?.status).toBe('invalid');
  });

  it('TX_BAD_SIGNATURE and TX_BAD_STAMP inside a block reject it before any state is touched', async () => {
    const { chain } = await openChain();
    const forged = signed({ ...BOB, publicKey: ALICE.publicKey }, 'claim', { ns: '@acme' }, 0, chain.chainId);
    await expectRejected(chain, mineBlock(chain, [forged]).bytes, 'TX_BAD_SIGNATURE');
    let stamp = 0;
    const unsigned = (st: number): Omit<SignedTx, 'sig'> => ({ v: 1, type: 'claim', from: ALICE.publicKey, nonce: 0, stamp: st, body: { ns: '@acme' } }) as Omit<SignedTx, 'sig'>;
    while (leadingZeroBits(sha256(signingMessage(unsigned(stamp) as SignedTx, CHAIN_ID))) >= DEV_PARAMS.txWorkBits) stamp++;
    await expectRejected(chain, mineBlock(chain, [signWithStamp(unsigned(stamp), ALICE)]).bytes, 'TX_BAD_STAMP');
  });

  it('TX_MALFORMED inside a block is reported with its tx code', async () => {
    const { chain } = await openChain();
    const good = mineBlock(chain, [signed(ALICE, 'claim', { ns: '@acme' }, 0, chain.chainId)]);
    const bad = structuredClone(good.txs[1]!) as unknown as Record<string, Canonical>;
    bad.extra = 1;
    const bytes = encode([[1, 1, good.header.parent, good.header.txRoot, good.header.time, good.header.seal.target, good.header.seal.nonce], [good.txs[0] as unknown as Canonical, bad]]);
    await expectRejected(chain, bytes, 'TX_MALFORMED');
  });

  it('TX_TOO_LARGE inside a block: the tx size limit is consensus, not only mempool policy', async () => {
    const { chain, alice, pkg } = await acmeChain();
    const huge = 'x'.repeat(MAX_TX_BYTES);
    const big = alice.peek('publish', publishBody(pkg, '1.0.1', { manifest: huge, apiHash: manifestHash(huge) }));
    expect(encodeTx(big).length).toBeGreaterThan(MAX_TX_BYTES);
    await expectRejected(chain, mineBlock(chain, [big]).bytes, 'TX_TOO_LARGE');
    const large = 'x'.repeat(MAX_TX_BYTES - 1024);
    const fits = alice.peek('publish', publishBody(pkg, '1.0.1', { manifest: large, apiHash: manifestHash(large) }));
    await chain.importBlock(mineBlock(chain, [fits]).bytes);
    expect(chain.height).toBe(2);
  });

  it('a rotation through blocks moves namespace ownership and continues the nonce', async () => {
    const { chain, alice, pkg } = await acmeChain();
    const next = keyPair('alice-next');
    const proof = sign(rotationMessage(chain.chainId, ALICE.publicKey, next.publicKey, alice.nonce), next.secretKey);
    await extend(chain, [alice.tx('rotate', { to: next.publicKey, proof })]);
    const ns = await chain.state.get(stateKeys.namespace('@acme')) as NamespaceState;
    expect(ns.owner).toBe(hex(next));
    expect((await chain.state.get(stateKeys.account(hex(next))) as AccountState).nonce).toBe(4);
    await expectRejected(chain, mineBlock(chain, [alice.tx('publish', publishBody(pkg, '1.0.1'))]), 'TX_KEY_ROTATED');
    await extend(chain, [signed(next, 'publish', publishBody(pkg, '1.0.1'), 4, chain.chainId)]);
    expect((await chain.state.get(stateKeys.pkg(toHex(pkg))) as PackageState).versions).toEqual(['1.0.0', '1.0.1']);
  });
});

describe('block reward: BLOCK_BAD_REWARD', () => {
  it('pays the miner; agreeing testers are paid by the attest rule; balances follow', async () => {
    const { chain, carol, dave, pkg } = await acmeChain();
    const body = {
      pkg, version: '1.0.0', contentHash: publishBody(pkg, '1.0.0').contentHash, lockHash: EMPTY_LOCK_HASH, passed: 1, failed: 0, skipped: 0, resultHash: hashOf('r'), runtimeMs: 5,
    };
    const block = mineBlock(chain, [carol.tx('attest', body), dave.tx('attest', body)], { miner: BOB.publicKey });
    expect((block.txs[0] as RewardTx).outputs.map((o) => [toHex(o.to), o.amount])).toEqual([[hex(BOB), DEV_PARAMS.minerReward]]);
    await chain.importBlock(block.bytes);
    expect((await chain.state.get(stateKeys.account(hex(CAROL))) as AccountState).balance).toBe(DEV_PARAMS.testerReward);
    expect((await chain.state.get(stateKeys.account(hex(DAVE))) as AccountState).balance).toBe(DEV_PARAMS.testerReward);
    expect((await chain.state.get(stateKeys.account(hex(BOB))) as AccountState).balance).toBe(DEV_PARAMS.minerReward);
    const v = await chain.state.get(stateKeys.version(toHex(pkg), '1.0.0')) as VersionState;
    expect(v.attestations[0]?.block).toBe(toHex(block.id));
    expect(v.attestations.map((a) => [a.rewardStatus, a.paidAt])).toEqual([['paid', block.header.height], ['paid', block.header.height]]);
  });

  const variants: Array<[string, (chain: Chain, txs: Tx[]) => DecodedBlock]> = [
    ['missing reward', (chain, txs) => mineBlock(chain, txs, { reward: null })],
    ['no txs at all', (chain) => mineBlock(chain, [], { allTxs: [] })],
    ['wrong amount', (chain, txs) => mineBlock(chain, txs, { reward: { v: 1, type: 'reward', height: chain.height + 1, outputs: [{ to: MINER.publicKey, amount: DEV_PARAMS.minerReward + 1 }] } })],
    ['a second reward', (chain, txs) => {
      const r = buildRewardTx(chain.height + 1, MINER.publicKey, txs, DEV_PARAMS);
      return mineBlock(chain, [], { allTxs: [r, ...txs, { ...r, outputs: [{ to: BOB.publicKey, amount: 1 }] }] });
    }],
    ['the reward not first', (chain, txs) => mineBlock(chain, [], { allTxs: [...txs, buildRewardTx(chain.height + 1, MINER.publicKey, txs, DEV_PARAMS)] })],
    ['wrong height', (chain, txs) => mineBlock(chain, txs, { reward: buildRewardTx(chain.height + 2, MINER.publicKey, txs, DEV_PARAMS) })],
    ['an extra output', (chain, txs) => mineBlock(chain, txs, { reward: { v: 1, type: 'reward', height: chain.height + 1, outputs: [{ to: MINER.publicKey, amount: 50 }, { to: BOB.publicKey, amount: 0 }] } })],
  ];
  for (const [name, make] of variants) {
    it(`BLOCK_BAD_REWARD: ${name}`, async () => {
      const { chain } = await openChain();
      const block = make(chain, [signed(ALICE, 'claim', { ns: '@acme' }, 0, chain.chainId)]);
      await expectRejected(chain, block.bytes, 'BLOCK_BAD_REWARD');
    });
  }

  it('BLOCK_BAD_REWARD: a tester output (testers are paid by the attest rule, not by the reward)', async () => {
    const { chain, carol, pkg } = await acmeChain();
    const attest = carol.tx('attest', {
      pkg, version: '1.0.0', contentHash: publishBody(pkg, '1.0.0').contentHash, lockHash: EMPTY_LOCK_HASH, passed: 1, failed: 0, skipped: 0, resultHash: hashOf('r'), runtimeMs: 5,
    });
    const h = chain.height + 1;
    const withTester: RewardTx = { v: 1, type: 'reward', height: h, outputs: [{ to: MINER.publicKey, amount: DEV_PARAMS.minerReward }, { to: CAROL.publicKey, amount: DEV_PARAMS.testerReward }] };
    await expectRejected(chain, mineBlock(chain, [attest], { reward: withTester }).bytes, 'BLOCK_BAD_REWARD');
    await chain.importBlock(mineBlock(chain, [attest]).bytes);
    expect(chain.height).toBe(2);
  });
});

describe('block header checks', () => {
  it('BLOCK_BAD_POW: an id above the target; the block is not stored', async () => {
    const { chain } = await openChain();
    const block = mineBlock(chain, [], { badPow: true });
    await expectRejected(chain, block.bytes, 'BLOCK_BAD_POW');
    expect(chain.entry(toHex(block.id))).toBeUndefined();
    expect(await chain.getBlockBytes(toHex(block.id))).toBeUndefined();
  });

  it('BLOCK_PARENT_UNKNOWN', async () => {
    const { chain } = await openChain();
    await expectRejected(chain, mineBlock(chain, [], { header: { parent: hashOf('nowhere') } }).bytes, 'BLOCK_PARENT_UNKNOWN');
  });

  it('BLOCK_BAD_HEIGHT: skipping a height, or repeating the parent\'s', async () => {
    const { chain } = await openChain();
    await extend(chain);
    for (const height of [3, 1, 0]) {
      const txs = [buildRewardTx(height, MINER.publicKey, [], DEV_PARAMS)];
      await expectRejected(chain, mineBlock(chain, [], { allTxs: txs, header: { height } }).bytes, 'BLOCK_BAD_HEIGHT');
    }
  });

  it('BLOCK_BAD_TARGET: a harder or an easier target than retargeting gives', async () => {
    const { chain } = await openChain();
    const expected = bytesToBigInt(targetAfter(chain, chain.head.id));
    await expectRejected(chain, mineBlock(chain, [], { header: { target: bigIntToBytes32(expected / 2n) } }).bytes, 'BLOCK_BAD_TARGET');
    await expectRejected(chain, mineBlock(chain, [], { header: { target: bigIntToBytes32(expected * 2n) } }).bytes, 'BLOCK_BAD_TARGET');
  });

  it('BLOCK_TIME_TOO_OLD: at or before the median of the last 11 blocks; after it (even before the parent) is fine', async () => {
    const { chain } = await openChain();
    await expectRejected(chain, mineBlock(chain, [], { time: G }).bytes, 'BLOCK_TIME_TOO_OLD');
    await expectRejected(chain, mineBlock(chain, [], { time: G - 1 }).bytes, 'BLOCK_TIME_TOO_OLD');
    for (let i = 1; i <= 3; i++) await extend(chain, [], { time: G + i * 1000 });
    // Times are G, G+1000, G+2000, G+3000: the median is G+2000.
    expect(chain.medianTimeAfter(chain.head.id)).toBe(G + 2000);
    await expectRejected(chain, mineBlock(chain, [], { time: G + 2000 }).bytes, 'BLOCK_TIME_TOO_OLD');
    await chain.importBlock(mineBlock(chain, [], { time: G + 2001 }).bytes);
    expect(chain.head.time).toBe(G + 2001);
  });

  it('BLOCK_TIME_TOO_NEW: more than 2 hours ahead of the node\'s clock (exactly 2 hours is fine)', async () => {
    const now = G + 60_000;
    const { chain } = await openChain(undefined, { now: () => now });
    await expectRejected(chain, mineBlock(chain, [], { time: now + MAX_FUTURE_BLOCK_MS + 1 }).bytes, 'BLOCK_TIME_TOO_NEW');
    await chain.importBlock(mineBlock(chain, [], { time: now + MAX_FUTURE_BLOCK_MS }).bytes);
    expect(chain.height).toBe(1);
  });

  it('BLOCK_BAD_TX_ROOT: a root over other txs, or over the txs in another order', async () => {
    const { chain } = await openChain();
    const txs = [signed(ALICE, 'claim', { ns: '@a' }, 0, chain.chainId), signed(BOB, 'claim', { ns: '@b' }, 0, chain.chainId)];
    await expectRejected(chain, mineBlock(chain, txs, { header: { txRoot: new Uint8Array(32) } }).bytes, 'BLOCK_BAD_TX_ROOT');
    const good = mineBlock(chain, txs);
    const swapped = mineBlock(chain, [], { allTxs: [good.txs[0]!, txs[1]!, txs[0]!], header: { txRoot: good.header.txRoot } });
    await expectRejected(chain, swapped.bytes, 'BLOCK_BAD_TX_ROOT');
    await chain.importBlock(good.bytes);
  });

  it('BLOCK_DUPLICATE_TX: the same tx twice in one block', async () => {
    const { chain } = await openChain();
    const claim = signed(ALICE, 'claim', { ns: '@a' }, 0, chain.chainId);
    await expectRejected(chain, mineBlock(chain, [claim, claim]).bytes, 'BLOCK_DUPLICATE_TX');
  });

  it('BLOCK_MALFORMED: wrong shapes of block and header', async () => {
    const { chain } = await openChain();
    const good = mineBlock(chain, []);
    const h = good.header;
    const reward = good.txs[0] as unknown as Canonical;
    const header = [1, h.height, h.parent, h.txRoot, h.time, h.seal.target, h.seal.nonce] as Canonical[];
    const shapes: Array<[string, Canonical]> = [
      ['a block that is a map', { header, txs: [reward] }],
      ['a block of three parts', [header, [reward], 1]],
      ['a header of six fields', [header.slice(0, 6), [reward]]],
      ['header version 2', [[2, ...header.slice(1)], [reward]]],
      ['a 7-byte nonce', [[...header.slice(0, 6), new Uint8Array(7)], [reward]]],
      ['a 31-byte parent', [[1, h.height, new Uint8Array(31), ...header.slice(3)], [reward]]],
      ['a negative height', [[1, -1, ...header.slice(2)], [reward]]],
      ['a text time', [[...header.slice(0, 4), 'now', ...header.slice(5)], [reward]]],
      ['txs that are not a list', [header, { 0: reward }]],
    ];
    for (const [name, value] of shapes) {
      expect(codeOf(() => decodeBlock(encode(value))), name).toBe('BLOCK_MALFORMED');
    }
    await expectRejected(chain, encode(shapes[2]![1]), 'BLOCK_MALFORMED');
    await chain.importBlock(good.bytes);
  });

  it('DECODE_ERROR: block bytes that are not canonical CBOR', async () => {
    const { chain } = await openChain();
    const good = mineBlock(chain, []);
    await expectRejected(chain, new Uint8Array([...good.bytes, 0]), 'DECODE_ERROR');
    await expectRejected(chain, good.bytes.subarray(0, good.bytes.length - 1), 'DECODE_ERROR');
  });

  it('DECODE_ERROR: a valid block re-sent with a tx map in non-canonical key order (same ids, other bytes)', async () => {
    const { chain } = await openChain();
    const good = mineBlock(chain, []);
    const reward = good.txs[0] as RewardTx;
    const text = (s: string): number[] => [0x60 + s.length, ...new TextEncoder().encode(s)];
    // {type, v, height, outputs}: canonical order puts "v" (6176) before "type" (6474797065).
    const unsortedReward = [0xa4, ...text('type'), ...text('reward'), ...text('v'), 0x01, ...text('height'), 0x01, ...text('outputs'), ...encode(reward.outputs as unknown as Canonical)];
    const header = encodeHeader(good.header);
    const bytes = new Uint8Array([0x82, ...header, 0x81, ...unsortedReward]);
    expect(bytes.length).toBe(good.bytes.length);
    expect(toHex(bytes)).not.toBe(toHex(good.bytes));
    await expectRejected(chain, bytes, 'DECODE_ERROR');
    await chain.importBlock(good.bytes);
    expect(chain.height).toBe(1);
  });

  it(`BLOCK_TOO_LARGE: over ${MAX_BLOCK_BYTES} bytes, or over ${MAX_BLOCK_TXS} txs`, async () => {
    const { chain } = await openChain();
    await expectRejected(chain, new Uint8Array(MAX_BLOCK_BYTES + 1), 'BLOCK_TOO_LARGE');
    const good = mineBlock(chain, []);
    const h = good.header;
    const many = encode([[1, h.height, h.parent, h.txRoot, h.time, h.seal.target, h.seal.nonce], Array.from({ length: MAX_BLOCK_TXS + 1 }, () => 0)]);
    await expectRejected(chain, many, 'BLOCK_TOO_LARGE');
  });

  it('BLOCK_KNOWN_INVALID and BLOCK_PARENT_INVALID: a block that broke a state rule, and its children', async () => {
    const t = await openChain();
    const chain = t.chain;
    const bad = mineBlock(chain, [signed(ALICE, 'claim', { ns: '@a' }, 5, chain.chainId)]);
    await expectRejected(chain, bad.bytes, 'TX_BAD_NONCE');
    expect(chain.entry(toHex(bad.id))?.status).toBe('invalid');
    // Only the verdict is stored, not the invalid block's bytes.
    expect(await chain.getBlockBytes(toHex(bad.id))).toBeUndefined();
    await expectRejected(chain, bad.bytes, 'BLOCK_KNOWN_INVALID');
    const child = mineBlock(chain, [], { parent: toHex(bad.id) });
    await expectRejected(chain, child.bytes, 'BLOCK_PARENT_INVALID');
    // The invalid mark survives a restart.
    await t.close();
    const again = await openChain(t.dir);
    expect(again.chain.entry(toHex(bad.id))?.status).toBe('invalid');
    await expectRejected(again.chain, bad.bytes, 'BLOCK_KNOWN_INVALID');
    // A good sibling still goes on.
    await again.chain.importBlock(mineBlock(again.chain, []).bytes);
    expect(again.chain.height).toBe(1);
  });
});

// ------------------------------------------------------------------ mempool

function pending(tx: SignedTx): PendingTx {
  const bytes = encodeTx(tx);
  return { id: toHex(txId(bytes)), tx, bytes, sender: toHex(tx.from) };
}

function pool(state: StateSource = memoryState(), nextHeight = (): number => 1): Mempool {
  return new Mempool({ params: DEV_PARAMS, chainId: CHAIN_ID, state, nextHeight });
}

function poolCode(m: Mempool, tx: SignedTx): Promise<string> {
  return m.add(pending(tx)).then(() => 'accepted', (err: unknown) => (err as GopkgrError).code ?? String(err));
}

describe('mempool', () => {
  it('accepts a tx and orders a sender\'s txs by nonce', async () => {
    const m = pool();
    const { alice } = people();
    const a = alice.tx('claim', { ns: '@a' });
    const b = alice.tx('claim', { ns: '@b' });
    await m.add(pending(a));
    await m.add(pending(b));
    expect(m.ordered().map((p) => p.id)).toEqual([idOf(a), idOf(b)]);
    expect(await m.nextNonce(hex(ALICE))).toBe(2);
    expect(m.has(idOf(a))).toBe(true);
  });

  it('TX_ALREADY_PENDING: the same tx twice', async () => {
    const m = pool();
    const tx = signed(ALICE, 'claim', { ns: '@a' }, 0, CHAIN_ID);
    await m.add(pending(tx));
    expect(await poolCode(m, tx)).toBe('TX_ALREADY_PENDING');
    expect(m.size).toBe(1);
  });

  it('a future-nonce tx waits, then is promoted when the gap fills', async () => {
    const m = pool();
    const { alice } = people();
    const t0 = alice.tx('claim', { ns: '@a' });
    const t1 = alice.tx('claim', { ns: '@b' });
    const t2 = alice.tx('claim', { ns: '@c' });
    await m.add(pending(t2));
    await m.add(pending(t1));
    expect(m.size).toBe(2);
    expect(m.ordered()).toEqual([]);
    expect(await m.nextNonce(hex(ALICE))).toBe(0);
    await m.add(pending(t0));
    expect(m.ordered().map((p) => p.tx.nonce)).toEqual([0, 1, 2]);
    expect(await m.nextNonce(hex(ALICE))).toBe(3);
  });

  it('a waiting tx that no longer applies when its turn comes is dropped', async () => {
    const m = pool();
    const { alice, bob } = people();
    await m.add(pending(bob.tx('claim', { ns: '@taken' })));
    await m.add(pending(alice.at(1, 'claim', { ns: '@taken' })));
    await m.add(pending(alice.at(0, 'claim', { ns: '@free' })));
    expect(m.ordered().map((p) => p.sender)).toEqual([hex(BOB), hex(ALICE)]);
    expect(m.size).toBe(2);
  });

  it('a tx depending on another pending tx is accepted; one conflicting with it is not', async () => {
    const m = pool();
    const { alice, bob, carol } = people();
    await m.add(pending(alice.tx('claim', { ns: '@acme' })));
    await m.add(pending(alice.tx('maintainer', { ns: '@acme', op: 'add', who: BOB.publicKey })));
    const create = bob.tx('create', { ns: '@acme', name: 'lib' });
    await m.add(pending(create));
    await m.add(pending(bob.tx('publish', publishBody(idBytes(create), '1.0.0'))));
    expect(m.size).toBe(4);
    expect(await poolCode(m, carol.tx('claim', { ns: '@acme' }))).toBe('TX_NAME_TAKEN');
    expect(await poolCode(m, carol.at(0, 'create', { ns: '@acme', name: 'x' }))).toBe('TX_NOT_MAINTAINER');
    expect(await poolCode(m, bob.tx('publish', publishBody(idBytes(create), '1.0.0')))).toBe('TX_VERSION_EXISTS');
    expect(m.size).toBe(4);
  });

  it('TX_BAD_NONCE: a used nonce, or one beyond the waiting window', async () => {
    const m = pool();
    const { alice } = people();
    await m.add(pending(alice.tx('claim', { ns: '@a' })));
    expect(await poolCode(m, alice.at(0, 'claim', { ns: '@b' }))).toBe('TX_BAD_NONCE');
    expect(await poolCode(m, alice.at(1 + MEMPOOL_MAX_PER_SENDER, 'claim', { ns: '@b' }))).toBe('TX_BAD_NONCE');
  });

  it(`MEMPOOL_SENDER_LIMIT: a sender's ${MEMPOOL_MAX_PER_SENDER + 1}th pending tx, waiting ones included`, async () => {
    const m = pool();
    const { alice, bob } = people();
    for (let i = 0; i < MEMPOOL_MAX_PER_SENDER - 1; i++) await m.add(pending(alice.tx('claim', { ns: `@n${i}` })));
    await m.add(pending(alice.at(alice.nonce + 1, 'claim', { ns: '@waiting' })));
    expect(m.size).toBe(MEMPOOL_MAX_PER_SENDER);
    expect(await poolCode(m, alice.tx('claim', { ns: '@one-more' }))).toBe('MEMPOOL_SENDER_LIMIT');
    // Other senders are not affected.
    await m.add(pending(bob.tx('claim', { ns: '@bob' })));
    expect(m.size).toBe(MEMPOOL_MAX_PER_SENDER + 1);
  });

  it('follows the chain: after a block, included txs leave and the rest still apply', async () => {
    const { chain } = await openChain();
    const m = pool(chain.state, () => chain.height + 1);
    const { alice } = people();
    const t0 = alice.tx('claim', { ns: '@a' });
    const t1 = alice.tx('claim', { ns: '@b' });
    await m.add(pending(t0));
    await m.add(pending(t1));
    const block = await extend(chain, [t0]);
    await m.reset([], new Set(block.txIds.map(toHex)));
    expect(m.ordered().map((p) => p.id)).toEqual([idOf(t1)]);
    expect(await m.nextNonce(hex(ALICE))).toBe(2);
  });
});

// ------------------------------------------------------------------ difficulty

describe('difficulty: nextTarget and medianTimePast', () => {
  const params: ChainParams = { ...DEV_PARAMS, powLimit: 'f'.repeat(64), initialTarget: '0000ffff' + '0'.repeat(56), retargetWindow: 10, blockTimeMs: 1000 };
  const T0 = bytesToBigInt(fromHex(params.initialTarget));
  /** `n` ancestors with target t, `gap` ms apart. */
  const ancestors = (n: number, gap: number, t = T0): Array<{ time: number; target: Uint8Array }> =>
    Array.from({ length: n }, (_, i) => ({ time: G + i * gap, target: bigIntToBytes32(t) }));
  const next = (a: Array<{ time: number; target: Uint8Array }>, p = params): bigint => bytesToBigInt(nextTarget(a, p));

  it('genesis and the first block use the initial target', () => {
    expect(next([])).toBe(T0);
    expect(next(ancestors(1, 1000))).toBe(T0);
  });

  it('blocks on time keep the target', () => {
    expect(next(ancestors(11, 1000))).toBe(T0);
    expect(next(ancestors(3, 1000))).toBe(T0);
  });

  it('fast blocks lower the target (difficulty rises) in proportion', () => {
    expect(next(ancestors(11, 500))).toBe(T0 / 2n);
    expect(next(ancestors(11, 800))).toBe((T0 * 8000n) / 10000n);
  });

  it('slow blocks raise the target (difficulty falls) in proportion', () => {
    expect(next(ancestors(11, 2000))).toBe(T0 * 2n);
    expect(next(ancestors(11, 3000))).toBe(T0 * 3n);
  });

  it('clamps at 4x either way', () => {
    expect(next(ancestors(11, 0))).toBe(T0 / 4n);
    expect(next(ancestors(11, 1))).toBe(T0 / 4n);
    expect(next(ancestors(11, 100_000))).toBe(T0 * 4n);
  });

  it('never goes easier than powLimit', () => {
    const capped = { ...params, powLimit: '0000ffff' + 'f'.repeat(56) };
    const limit = bytesToBigInt(fromHex(capped.powLimit));
    expect(next(ancestors(11, 3000), capped)).toBe(limit);
    // At DEV_PARAMS the initial target is the limit: slow blocks stay there.
    expect(next(ancestors(21, 10_000, bytesToBigInt(fromHex(DEV_PARAMS.powLimit))), DEV_PARAMS)).toBe(bytesToBigInt(fromHex(DEV_PARAMS.powLimit)));
  });

  it('only the last retargetWindow spans count, and the mean target of the window is the base', () => {
    const old = ancestors(5, 100_000);
    const recent = ancestors(11, 1000).map((a) => ({ ...a, time: a.time + 10_000_000 }));
    expect(next([...old, ...recent])).toBe(T0);
    const mixed = ancestors(11, 1000).map((a, i) => ({ ...a, target: bigIntToBytes32(i % 2 === 0 ? T0 : T0 * 3n) }));
    // targets of the 10 blocks after the first: five T0 and five 3*T0, mean 2*T0
    expect(next(mixed)).toBe(2n * T0);
  });

  it('medianTimePast is the median of the last 11 times', () => {
    expect(medianTimePast([])).toBe(0);
    expect(medianTimePast([{ time: 5, target: new Uint8Array(32) }])).toBe(5);
    const at = (ts: number[]): Array<{ time: number; target: Uint8Array }> => ts.map((time) => ({ time, target: new Uint8Array(32) }));
    // unsorted input: 9,1,8,… sorted is 0..9,100 → the 6th is 5
    expect(medianTimePast(at([9, 1, 8, 2, 7, 3, 6, 4, 5, 100, 0]))).toBe(5);
    // only the last 11 count: with 1000 first, the median of 1..11 is 6 (of all 12 it would be 7)
    expect(medianTimePast(at([1000, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]))).toBe(6);
    // an even count takes the upper middle
    expect(medianTimePast(at([10, 20, 30, 40]))).toBe(30);
  });

  it('through a chain: fast blocks make the next block carry a lower target, and the old target is refused', async () => {
    const { chain } = await openChain();
    const limit = bytesToBigInt(fromHex(DEV_PARAMS.powLimit));
    // Three blocks at half the block time: targets L, L/2, 3L/8; the next is about 0.31 L.
    for (let i = 1; i <= 3; i++) await extend(chain, [], { time: G + i * 500 });
    const target = bytesToBigInt(targetAfter(chain, chain.head.id));
    expect(target < limit).toBe(true);
    expect(target >= limit / 4n).toBe(true);
    await expectRejected(chain, mineBlock(chain, [], { header: { target: fromHex(DEV_PARAMS.powLimit) } }).bytes, 'BLOCK_BAD_TARGET');
    await extend(chain);
    expect(chain.height).toBe(4);
    expect(chain.head.target).toBe(toHex(bigIntToBytes32(target)));
  });
});

// Keep the header encoder honest about where the nonce sits (the miner relies on it).
describe('sealHeader helper', () => {
  it('finds a nonce that meets the dev target within a few dozen tries', () => {
    const h = sealHeader({ v: 1, height: 1, parent: CHAIN_ID, txRoot: new Uint8Array(32), time: G + 1000, target: fromHex(DEV_PARAMS.powLimit) });
    const bytes = encodeHeader(h);
    expect(toHex(bytes.subarray(bytes.length - 8))).toBe(toHex(h.seal.nonce));
  });
});
