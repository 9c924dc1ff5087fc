/**
 * The advisory tx (ledger/advisory.ts) and chain trustees (genesis `trustees`):
 * the valid cases accepted, each invalid one rejected with its code, and the
 * canonical bytes of an advisory tx pinned.
 */
import { describe, expect, it } from 'vitest';
import {
  applySignedTx, advisoryAffects, decodeTx, DEV_PARAMS, encodeTx, fromHex, keyPairFromSecret, signTx, StateOverlay, stateKeys, toHex, txId, validateParams,
  MAX_ADVISORY_TEXT, type AdvisoryState, type ChainParams, type SignedTx, type VersionState,
} from '../../ledger/index.ts';
import { chainIdOf } from '../../consensus/index.ts';
import { actor, hashOf, idBytes, idOf, keyPair, overlay, publishBody, txContext, type Actor } from '../support/chain.ts';
import { codeOf } from '../support/codeOf.ts';

const CHAIN_ID = fromHex(chainIdOf(DEV_PARAMS));
const ALICE = keyPair('alice');
const BOB = keyPair('bob');
const TRUSTEE = keyPair('trustee');
const PARAMS: ChainParams = { ...DEV_PARAMS, trustees: [`id:${toHex(TRUSTEE.publicKey)}`] };

/** @acme owned by alice, @acme/lib 1.0.0 (which depends on @acme/dep ^1.0.0) and 1.0.1 published. */
function world(): { s: StateOverlay; alice: Actor; bob: Actor; trustee: Actor; pkg: Uint8Array; ok: (tx: SignedTx) => void; no: (tx: SignedTx) => string | undefined } {
  const s = overlay();
  const ok = (tx: SignedTx): void => applySignedTx(s, tx, txContext(CHAIN_ID, tx, 1, PARAMS));
  const no = (tx: SignedTx): string | undefined => codeOf(() => applySignedTx(new StateOverlay(s), tx, txContext(CHAIN_ID, tx, 1, PARAMS)));
  const alice = actor(ALICE, CHAIN_ID);
  ok(alice.tx('claim', { ns: '@acme' }));
  const create = alice.tx('create', { ns: '@acme', name: 'lib' });
  ok(create);
  const pkg = idBytes(create);
  ok(alice.tx('publish', publishBody(pkg, '1.0.0', { deps: { '@acme/dep': '^1.0.0' } })));
  return { s, alice, bob: actor(BOB, CHAIN_ID), trustee: actor(TRUSTEE, CHAIN_ID), pkg, ok, no };
}

const advisories = (s: StateOverlay, pkg: Uint8Array): AdvisoryState[] | undefined => s.get(stateKeys.advisories(toHex(pkg))) as AdvisoryState[] | undefined;

describe('advisory: TX_UNKNOWN_PACKAGE, TX_NOT_MAINTAINER, TX_ADVISORY_BAD_RANGE, TX_ADVISORY_BAD_SEVERITY, TX_ADVISORY_TEXT_LENGTH', () => {
  it('a maintainer records one; its id is the tx id; it affects the versions of its range', () => {
    const { s, alice, pkg, ok } = world();
    const tx = alice.tx('advisory', { pkg, range: '<1.0.1', severity: 'critical', text: 'CVE-2026-1: remote code execution; upgrade to 1.0.1' });
    ok(tx);
    const [adv] = advisories(s, pkg)!;
    expect(adv).toEqual({ id: idOf(tx), range: '<1.0.1', severity: 'critical', text: 'CVE-2026-1: remote code execution; upgrade to 1.0.1', by: toHex(ALICE.publicKey), trustee: false, height: 1 });
    expect(advisoryAffects(adv!, '1.0.0')).toBe(true);
    expect(advisoryAffects(adv!, '1.0.1')).toBe(false);
    expect(advisoryAffects(adv!, '1.0.1-rc.1')).toBe(true);
  });

  it('a chain trustee records one on a package it does not maintain; a second advisory is appended', () => {
    const { s, alice, trustee, pkg, ok } = world();
    ok(alice.tx('advisory', { pkg, range: '*', severity: 'low', text: 'first' }));
    ok(trustee.tx('advisory', { pkg, range: '1.x', severity: 'high', text: 'second' }));
    expect(advisories(s, pkg)!.map((a) => [a.text, a.trustee])).toEqual([['first', false], ['second', true]]);
  });

  it('TX_NOT_MAINTAINER: neither a maintainer nor a trustee (the message names the fix)', () => {
    const { s, bob, pkg, no } = world();
    expect(no(bob.peek('advisory', { pkg, range: '*', severity: 'low', text: 'x' }))).toBe('TX_NOT_MAINTAINER');
    expect(advisories(s, pkg)).toBeUndefined();
  });

  it('TX_NOT_MAINTAINER: on a chain without trustees, the same key is nobody', () => {
    const { s, trustee, pkg } = world();
    const tx = trustee.peek('advisory', { pkg, range: '*', severity: 'low', text: 'x' });
    expect(codeOf(() => applySignedTx(new StateOverlay(s), tx, txContext(CHAIN_ID, tx, 1, DEV_PARAMS)))).toBe('TX_NOT_MAINTAINER');
  });

  it('TX_UNKNOWN_PACKAGE', () => {
    const { alice, no } = world();
    expect(no(alice.peek('advisory', { pkg: hashOf('nothing'), range: '*', severity: 'low', text: 'x' }))).toBe('TX_UNKNOWN_PACKAGE');
  });

  it('TX_ADVISORY_BAD_RANGE', () => {
    const { alice, pkg, no } = world();
    for (const range of ['', 'not a range', '>=1 <<2']) expect(no(alice.peek('advisory', { pkg, range, severity: 'low', text: 'x' }))).toBe('TX_ADVISORY_BAD_RANGE');
  });

  it('TX_ADVISORY_BAD_SEVERITY', () => {
    const { alice, pkg, no } = world();
    for (const severity of ['', 'Critical', 'severe', 'medium']) expect(no(alice.peek('advisory', { pkg, range: '*', severity, text: 'x' }))).toBe('TX_ADVISORY_BAD_SEVERITY');
  });

  it(`TX_ADVISORY_TEXT_LENGTH: empty, and over ${MAX_ADVISORY_TEXT} characters (exactly ${MAX_ADVISORY_TEXT} is fine)`, () => {
    const { alice, pkg, no } = world();
    expect(no(alice.peek('advisory', { pkg, range: '*', severity: 'low', text: '' }))).toBe('TX_ADVISORY_TEXT_LENGTH');
    expect(no(alice.peek('advisory', { pkg, range: '*', severity: 'low', text: 'x'.repeat(MAX_ADVISORY_TEXT + 1) }))).toBe('TX_ADVISORY_TEXT_LENGTH');
    expect(no(alice.peek('advisory', { pkg, range: '*', severity: 'low', text: 'é'.repeat(MAX_ADVISORY_TEXT) }))).toBeUndefined();
  });

  it('TX_MALFORMED: a body with an unknown field or a non-string severity', () => {
    const { alice, pkg } = world();
    const extra = alice.peek('advisory', { pkg, range: '*', severity: 'low', text: 'x', url: 'u' } as never);
    expect(codeOf(() => decodeTx(encodeTx(extra)))).toBe('TX_MALFORMED');
    const numeric = alice.peek('advisory', { pkg, range: '*', severity: 3, text: 'x' } as never);
    expect(codeOf(() => decodeTx(encodeTx(numeric)))).toBe('TX_MALFORMED');
  });
});

describe('trustees: bounds of any package; GENESIS_INVALID', () => {
  it('a trustee amends the bounds of a package it does not maintain; an outsider still may not', () => {
    const { s, bob, trustee, pkg, ok, no } = world();
    expect(no(bob.peek('bounds', { pkg, version: '1.0.0', deps: { '@acme/dep': '^1.2.0' } }))).toBe('TX_NOT_MAINTAINER');
    ok(trustee.tx('bounds', { pkg, version: '1.0.0', deps: { '@acme/dep': '^1.2.0' } }));
    expect((s.get(stateKeys.version(toHex(pkg), '1.0.0')) as VersionState).deps).toEqual({ '@acme/dep': '^1.2.0' });
  });

  it('trustees are distinct identities; the parameter changes the chain id', () => {
    const id = `id:${toHex(TRUSTEE.publicKey)}`;
    expect(validateParams({ ...DEV_PARAMS, trustees: [id] }).trustees).toEqual([id]);
    for (const trustees of [[], [id, id], ['alice'], 'id:x', [`id:04${'a'.repeat(64)}`]]) expect(codeOf(() => validateParams({ ...DEV_PARAMS, trustees }))).toBe('GENESIS_INVALID');
    expect(chainIdOf(PARAMS)).not.toBe(chainIdOf(DEV_PARAMS));
    expect('trustees' in validateParams(DEV_PARAMS)).toBe(false);
  });
});

describe('vectors: an advisory tx', () => {
  it('has the pinned canonical encoding and id, and decodes to itself', () => {
    const key = keyPairFromSecret(fromHex('11'.repeat(32)));
    const tx = signTx({ type: 'advisory', from: key.publicKey, nonce: 5, body: { pkg: fromHex('ab'.repeat(32)), range: '<1.0.1', severity: 'critical', text: 'upgrade to 1.0.1' } }, fromHex('11'.repeat(32)), CHAIN_ID, DEV_PARAMS.txWorkBits);
    const bytes = encodeTx(tx);
    expect(toHex(bytes)).toBe(ADVISORY_ENCODING);
    expect(toHex(txId(bytes))).toBe(ADVISORY_ID);
    expect(decodeTx(bytes)).toEqual(tx);
    // body keys sort by their encoded bytes: pkg, text, range, severity (shorter keys first)
    expect(ADVISORY_ENCODING).toContain('a463706b675820' + 'ab'.repeat(32) + '6474657874');
  });
});

// Derived once with this code and checked by hand against RFC 8949 §4.2.1 (map keys by encoded bytes); the id with node:crypto's sha256.
const ADVISORY_ENCODING =
  'a7617601637369675840ca725786ad3fca11d0710caf3467a06256fccaa0644c09bfc3fbdbb290052e6f28f0de59ed3a54ac69f0563483f346b8d97f0681002ead8471d2'
  + '6444b2e6573a64626f6479a463706b675820' + 'ab'.repeat(32) + '6474657874707570677261646520746f20312e302e316572616e6765663c312e302e31'
  + '68736576657269747968637269746963616c6466726f6d5821034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa64747970656861647669736f7279'
  + '656e6f6e636505657374616d70182d';
const ADVISORY_ID = '692bc1c77fd256322a52c9f04a0bfbfbfb10e9b9b79fc65b31a7825094fa876e';
