/**
 * Pinned vectors of the ledger's exact bytes. Any change to the canonical
 * encoding, the tx or header layout, the signing domain, the merkle tree or the
 * dev chain's parameters changes one of these hex strings and fails this file:
 * that is its purpose (a change of consensus bytes must be deliberate, and
 * comes with new vectors and a new chain id).
 *
 * How they were derived (once, with the code as of this commit, then pasted):
 *   secret key   = 0x11 repeated 32 times        (keyPairFromSecret)
 *   chain id     = chainIdOf(DEV_PARAMS)          (the genesis block id)
 *   claim tx     = signTx({type:'claim', from, nonce:0, body:{ns:'@acme'}}, secret, chainId, 4)
 *   publish tx   = signTx({type:'publish', from, nonce:2, body:{pkg: sha256("pkg"), version:'1.0.0',
 *                  contentHash: sha256("tarball"), size:1234, deps:{'@acme/b':'^1.0.0','@acme/a':'~2.1.0'},
 *                  lock:{}, repo:'https://example.com/r.git', commit:'ab'×20}}, secret, chainId, 4)
 *   attest tx    = signTx({type:'attest', from, nonce:3, body:{pkg: sha256("pkg"), version:'1.1.0',
 *                  contentHash: sha256("tarball"), lockHash: sha256("lock"), passed:3, failed:0, skipped:1,
 *                  resultHash: sha256("results"), runtimeMs:250}}, secret, chainId, 4); the verdict
 *                  vector adds infver:'major', infverHash: sha256("changes")
 *   transfer tx  = signTx({type:'transfer', from, nonce:4, body:{to: pub of secret 0x22×32, amount:250}}, secret, chainId, 4);
 *                  the fee vector adds fee: 7 (a top-level key: "fee" sorts between "v" and "sig")
 *   reward tx    = buildRewardTx(1, pub, [], DEV_PARAMS); with fees, buildRewardTx(1, pub, [fee tx], DEV_PARAMS)
 *   header       = {v:1, height:1, parent:chainId, txRoot:merkleRoot([rewardId, claimId]),
 *                  time:genesisTime+1000, target:powLimit, nonce:0x0000000000000007}
 *   merkle leaves= sha256([i]) for i = 0..4
 * @noble/secp256k1 signs deterministically (RFC 6979), so the signatures, and
 * with them the stamps and tx ids, are the same on every run. Where the bytes
 * can be rebuilt independently (hash layouts, merkle shape) the test rebuilds
 * them with noble's sha256 too, so the vectors are explained, not only pinned.
 */
import { describe, expect, it } from 'vitest';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import {
  blockId, buildRewardTx, checkTxSignature, decodeTx, DEV_PARAMS, encode, encodeTx, fromHex,
  keyPairFromSecret, merkleRoot, rotationMessage, signingMessage, signTx, toHex, txId, type Canonical, type SignedTx,
} from '../../ledger/index.ts';
import { chainIdOf } from '../../consensus/index.ts';
import { decodeBlock, encodeHeader, genesisBlock, type PowHeader as BlockHeader } from '../../consensus/pow/index.ts';
import { TX_SIGN_DOMAIN } from '../../ledger/constants.ts';

const SECRET = fromHex('11'.repeat(32));
const KEY = keyPairFromSecret(SECRET);
const PUB_HEX = '034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa';

// Since InfVer 2.0 added `breakQuorum` to ChainParams (DEV_PARAMS: 2), the dev
// params encode with one more key (a9 → aa, "breakQuorum": 2). Since InfVer
// verdicts added `infverTypescript` (DEV_PARAMS: "5.9.3", the TypeScript the
// testers' checkers must run), they encode with one more again (aa → ab,
// "infverTypescript": "5.9.3" last, its key the longest), so the genesis txRoot,
// the dev chain id (was c7276806…, before that 4394481a…), and every signature,
// stamp and id over it changed; the vectors below were re-derived as described above.
const DEV_CHAIN_ID = 'b963b1deb3c35e33ab9fe52c25aedc06b90cd326765f91040e5613ba8f444e73';
const DEV_PARAMS_ENCODING =
  'ab646e616d656a676f706b67722d64657668706f774c696d69747840' + '30' + '66'.repeat(63) +
  '6a7478576f726b42697473046b626c6f636b54696d654d731903e8' + '6b627265616b51756f72756d02' + '6b67656e6573697354696d651b0000019b76daa800' +
  '6b6d696e657252657761726418326c74657374657252657761726418646d696e697469616c5461726765747840' + '30' + '66'.repeat(63) +
  '6e726574617267657457696e646f7714' + '70696e667665725479706573637269707465352e392e33';
const GENESIS_BYTES =
  '828701005820' + '00'.repeat(32) + '5820f2059ba6d124aff301e97ecd930636ebd573a88b9f48f17c473b77576410eb1f' +
  '1b0000019b76daa800' + '58200fff' + 'ff'.repeat(30) + '48' + '00'.repeat(8) + '80';

const CLAIM_ENCODING =
  'a76176016373696758403d6e5d40b46cf5d65d68e4aefbc7c113e11553e2c6bae4f0b8e6359c66fd764f188a05fdd29c82b506080e368ba4' +
  'c799a26f70170c3681d92031a7932b93c54f64626f6479a1626e73654061636d656466726f6d5821' + PUB_HEX +
  '647479706565636c61696d656e6f6e636500657374616d7016';
const CLAIM_ID = '8f3b7cea46c861442fe3901a42c9f8dc9e257c887de949adae4e697dd2db4e8f';
const CLAIM_DIGEST = '0768a4d1942ae0117733e535fee67702c39d9b176d03125d08d32614ec8a557c';

const PUBLISH_ENCODING =
  'a7617601637369675840883c60f203adb2cfd8e74bd2cc6729b76a80437f40be49c991363e60103ad3401fb0c06d8f20ed81542251d95ef4' +
  'e8b17af618c4cf9a42ba90d6b153ba3667f964626f6479a863706b675820e0ce1a7f3f76d7bfda0ffdae6e0226aa63b3009c4c4a770c3218' +
  '76aecad0a6c16464657073a2674061636d652f61667e322e312e30674061636d652f62665e312e302e30646c6f636ba0647265706f781968' +
  '747470733a2f2f6578616d706c652e636f6d2f722e6769746473697a651904d266636f6d6d69747828616261626162616261626162616261' +
  '626162616261626162616261626162616261626162616261626776657273696f6e65312e302e306b636f6e74656e74486173685820db4b4d' +
  '0d1cb480bf9aeea253771c00febe627f236765fa37d6a5614f079a3aa06466726f6d5821' + PUB_HEX +
  '6474797065677075626c697368656e6f6e636502657374616d7002';
const PUBLISH_ID = '970e9981b61ff3e14da221e67393edcb343ca5dec5f87a2ab848431bd2a0a11a';

// An attestation as every tester wrote them before InfVer verdicts (9 body keys), and the same with a
// verdict (11: "infver" sorts after "failed", "infverHash" after "runtimeMs", by encoded length then bytes).
const ATTEST_ENCODING =
  'a761760163736967584091f48e3a691fa79f66ecfcfdaa31fc520ccc02df5af0b9884b7f6ac128d189705819eb429a606f2af4661e6a99a2' +
  'cd739bd266e7f278dacd83ada2faa8dec5ee64626f6479a963706b675820e0ce1a7f3f76d7bfda0ffdae6e0226aa63b3009c4c4a770c3218' +
  '76aecad0a6c1666661696c656400667061737365640367736b6970706564016776657273696f6e65312e312e30686c6f636b486173685820' +
  '0c030586945fe504b604ecc2e875c38ede400cd5cd73da9730302162e6b02c6f6972756e74696d654d7318fa6a726573756c744861736858' +
  '20c099142bc3186ded72786ba27e9ea6d2da240fb9fd3fe79b479ecf8e734b28506b636f6e74656e74486173685820db4b4d0d1cb480bf9a' +
  'eea253771c00febe627f236765fa37d6a5614f079a3aa06466726f6d5821' + PUB_HEX +
  '647479706566617474657374656e6f6e636503657374616d7009';
const ATTEST_ID = 'bad17fd7598f8e8d5a4e2b448196bc6e3de68dff48fc615616513573db431b33';
const VERDICT_ENCODING =
  'a761760163736967584023caf418931d56c54980a74dc8585722651a3b387849bcea01544bb3fac1b0d6350b15937492588c48a312874f11' +
  '49fe84ae784433cf84cfbea739680c29c60864626f6479ab63706b675820e0ce1a7f3f76d7bfda0ffdae6e0226aa63b3009c4c4a770c3218' +
  '76aecad0a6c1666661696c65640066696e66766572656d616a6f72667061737365640367736b6970706564016776657273696f6e65312e31' +
  '2e30686c6f636b4861736858200c030586945fe504b604ecc2e875c38ede400cd5cd73da9730302162e6b02c6f6972756e74696d654d7318' +
  'fa6a696e66766572486173685820d0b4ba2311b3e84977dc4bb320fe72cd85426f5cf14b487a4c5352ae3ad8cb376a726573756c74486173' +
  '685820c099142bc3186ded72786ba27e9ea6d2da240fb9fd3fe79b479ecf8e734b28506b636f6e74656e74486173685820db4b4d0d1cb480' +
  'bf9aeea253771c00febe627f236765fa37d6a5614f079a3aa06466726f6d5821' + PUB_HEX +
  '647479706566617474657374656e6f6e636503657374616d7004';
const VERDICT_ID = '6991e961867501fe77446bd9601c04fbc029618185adec13f2912cdafb8c89a7';

// An attestation with a rebuild verdict (10 body keys: "rebuild": "reproduced" sorts after "passed", by
// encoded length then bytes), signed as the plain one above otherwise.
const REBUILD_ENCODING =
  'a76176016373696758406eee389a908ca3561db737322f65a57f2b1735ef2c5d4d61a7c7dc6752d8c5553d5d607d90d5b8ae83337147ae5d' +
  'b75bf51b35b92c2c7bedba6678f1a3762c7864626f6479aa63706b675820e0ce1a7f3f76d7bfda0ffdae6e0226aa63b3009c4c4a770c3218' +
  '76aecad0a6c1666661696c65640066706173736564036772656275696c646a726570726f647563656467736b697070656401677665727369' +
  '6f6e65312e312e30686c6f636b4861736858200c030586945fe504b604ecc2e875c38ede400cd5cd73da9730302162e6b02c6f6972756e74' +
  '696d654d7318fa6a726573756c74486173685820c099142bc3186ded72786ba27e9ea6d2da240fb9fd3fe79b479ecf8e734b28506b636f6e' +
  '74656e74486173685820db4b4d0d1cb480bf9aeea253771c00febe627f236765fa37d6a5614f079a3aa06466726f6d5821' + PUB_HEX +
  '647479706566617474657374656e6f6e636503657374616d700e';
const REBUILD_ID = '7be55e35138067b150c0eaa8250d8775f888faf1bae27662140ef8dd78651f5f';

// A transfer (body {to, amount}); the same with a fee of 7: the map grows one entry (a7 → a8), "fee": 7
// right after "v", the signature, stamp and id change; a tx without a fee keeps the bytes it always had.
const NEXT_PUB_HEX = '02466d7fcae563e5cb09a0d1870bb580344804617879a14949cf22285f1bae3f27';
const TRANSFER_ENCODING =
  'a7617601637369675840f4eccfdde0c5d16128abb83f29d9055e9d094a9e2e4892f5ff67aac94e733d0a5e917e5a6c1bf10b9d5c0288f71f' +
  '00f3e23e4abac48481eadc16558b33e7d03064626f6479a262746f5821' + NEXT_PUB_HEX + '66616d6f756e7418fa6466726f6d5821' + PUB_HEX +
  '6474797065687472616e73666572656e6f6e636504657374616d7001';
const TRANSFER_ID = '29b09e9e5c613633eacc6dfb5b383da7aa3074610ca2ef80b22f523db9d8a8dc';
const FEE_ENCODING =
  'a86176016366656507637369675840eeb97f764702dabf7d3d813675395d40befab74d8a32cff8f38e0556467cfa091dfbc2dc2024bdef66' +
  '8ef2582abefdc9b1d4b0a4617b0583bbfec726126ed6f264626f6479a262746f5821' + NEXT_PUB_HEX + '66616d6f756e7418fa6466726f6d5821' + PUB_HEX +
  '6474797065687472616e73666572656e6f6e636504657374616d7000';
const FEE_ID = 'c8f07a207a9964afb02b67a63b1af9203cfc5d65edab0a98ad11609827acde24';
const FEE_DIGEST = '0b66e0deeb3636f9e47863c8bd392dfd8cbedd4543b491c586ade6fac46742a2';
// The reward of a block holding the fee tx: one output, minerReward + 7 = 57 (0x39).
const FEE_REWARD_ENCODING = 'a46176016474797065667265776172646668656967687401676f75747075747381a262746f5821' + PUB_HEX + '66616d6f756e741839';

const REWARD_ENCODING = 'a46176016474797065667265776172646668656967687401676f75747075747381a262746f5821' + PUB_HEX + '66616d6f756e741832';
const REWARD_ID = 'be7fcbee844cc237483198d58c919d130b4939a3e394eb241d06b81d39fd4b63';

const TX_ROOT = 'd1f5a29e7774143049a7f5815332002b820858b6af6e227dbdee22f32edb7b7f';
const HEADER_ENCODING = '8701015820' + DEV_CHAIN_ID + '5820' + TX_ROOT + '1b0000019b76daabe8' + '58200fff' + 'ff'.repeat(30) + '480000000000000007';
const BLOCK_ID = '62be445c891372cce1c27c547874f2b1aa03608c666ebbec5d71ed609553ad9f';

const MERKLE: Record<number, string> = {
  0: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  1: 'd9de27625445003d8a9739a851e3ff8d41c0683630b4d63a88327a6aaa37c409',
  2: '604d540f09268b91672ab011394d5266ccd7d4484d0d109411a55848126a1b2c',
  3: 'd1f13800048f5909d4043fc0c152f6643280cba608b672715e56ce159a20629f',
  4: '0dcc2b645c00dfa2338e1c7ac2c4b570beda5a476d58836e55e28bde55e6bee1',
  5: '6b313b611b40676b9e1dfd70c4503f2379f88f0f1c2740fb7e1cacc32c113465',
};

const ROTATION_MESSAGE =
  toHex(new TextEncoder().encode('gopkgr/rotate/v1')) + DEV_CHAIN_ID + PUB_HEX +
  '02466d7fcae563e5cb09a0d1870bb580344804617879a14949cf22285f1bae3f27' + '0000000000000003';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(parts.flatMap((p) => [...p]));
const nsha = (b: Uint8Array): Uint8Array => nobleSha256(b);

function claimTx(chainId: Uint8Array): SignedTx {
  return signTx({ type: 'claim', from: KEY.publicKey, nonce: 0, body: { ns: '@acme' } }, SECRET, chainId, DEV_PARAMS.txWorkBits);
}

function publishTx(chainId: Uint8Array): SignedTx {
  return signTx({
    type: 'publish', from: KEY.publicKey, nonce: 2,
    body: {
      pkg: nsha(enc('pkg')), version: '1.0.0', contentHash: nsha(enc('tarball')), size: 1234,
      deps: { '@acme/b': '^1.0.0', '@acme/a': '~2.1.0' }, lock: {}, repo: 'https://example.com/r.git', commit: 'ab'.repeat(20),
    },
  }, SECRET, chainId, DEV_PARAMS.txWorkBits);
}

/** An attestation of @acme's 1.1.0 (nonce 3), with `extra` body fields (an InfVer verdict). */
function attestTx(extra: Record<string, unknown>): SignedTx {
  return signTx({
    type: 'attest', from: KEY.publicKey, nonce: 3,
    body: {
      pkg: nsha(enc('pkg')), version: '1.1.0', contentHash: nsha(enc('tarball')), lockHash: nsha(enc('lock')),
      passed: 3, failed: 0, skipped: 1, resultHash: nsha(enc('results')), runtimeMs: 250, ...extra,
    },
  } as never, SECRET, chainId(), DEV_PARAMS.txWorkBits);
}

function chainId(): Uint8Array {
  return fromHex(DEV_CHAIN_ID);
}

describe('vectors: the dev chain', () => {
  it('DEV_PARAMS encode to pinned bytes and the genesis txRoot is their sha256', () => {
    expect(toHex(encode(DEV_PARAMS as unknown as Canonical))).toBe(DEV_PARAMS_ENCODING);
    expect(toHex(genesisBlock(DEV_PARAMS).header.txRoot)).toBe(toHex(nsha(fromHex(DEV_PARAMS_ENCODING))));
  });

  it('the dev chain id is the pinned genesis block id, the double sha256 of its header', () => {
    const g = genesisBlock(DEV_PARAMS);
    expect(chainIdOf(DEV_PARAMS)).toBe(DEV_CHAIN_ID);
    expect(toHex(g.bytes)).toBe(GENESIS_BYTES);
    expect(toHex(nsha(nsha(encodeHeader(g.header))))).toBe(DEV_CHAIN_ID);
    expect(toHex(decodeBlock(fromHex(GENESIS_BYTES)).id)).toBe(DEV_CHAIN_ID);
  });

  it('any change of a parameter changes the chain id', () => {
    expect(chainIdOf({ ...DEV_PARAMS, minerReward: 51 })).not.toBe(DEV_CHAIN_ID);
    expect(chainIdOf({ ...DEV_PARAMS, name: 'gopkgr-other' })).not.toBe(DEV_CHAIN_ID);
    expect(chainIdOf({ ...DEV_PARAMS, infverTypescript: '5.9.4' })).not.toBe(DEV_CHAIN_ID);
  });
});

describe('vectors: transactions', () => {
  const chainId = fromHex(DEV_CHAIN_ID);

  it('the fixed secret key gives the pinned public key', () => {
    expect(toHex(KEY.publicKey)).toBe(PUB_HEX);
  });

  it('a claim tx has the pinned encoding, stamp, signing digest and id', () => {
    const tx = claimTx(chainId);
    expect(tx.stamp).toBe(22);
    expect(toHex(encodeTx(tx))).toBe(CLAIM_ENCODING);
    expect(toHex(txId(encodeTx(tx)))).toBe(CLAIM_ID);
    // tx id = sha256(encoding, signature included)
    expect(toHex(nsha(fromHex(CLAIM_ENCODING)))).toBe(CLAIM_ID);
    // signing digest = sha256("gopkgr/tx/v1" || chainId || encoding without sig), with >= 4 leading zero bits
    const { sig: _sig, ...unsigned } = tx;
    const digest = nsha(cat(enc(TX_SIGN_DOMAIN), chainId, encode(unsigned as unknown as Canonical)));
    expect(toHex(nsha(signingMessage(tx, chainId)))).toBe(CLAIM_DIGEST);
    expect(toHex(digest)).toBe(CLAIM_DIGEST);
    expect(digest[0]! >> 4).toBe(0);
    // and it decodes back to the same tx, with a valid signature and stamp
    const decoded = decodeTx(fromHex(CLAIM_ENCODING)) as SignedTx;
    expect(decoded).toEqual(tx);
    // a decoded tx's signing message is cut from its bytes (the sig entry taken out), the same bytes
    expect(toHex(nsha(signingMessage(decoded, chainId)))).toBe(CLAIM_DIGEST);
    expect(() => checkTxSignature(decoded, chainId, DEV_PARAMS.txWorkBits)).not.toThrow();
  });

  it('a publish tx (deps, repo, commit) has the pinned encoding and id', () => {
    const tx = publishTx(chainId);
    expect(tx.stamp).toBe(2);
    expect(toHex(encodeTx(tx))).toBe(PUBLISH_ENCODING);
    expect(toHex(txId(encodeTx(tx)))).toBe(PUBLISH_ID);
    expect(decodeTx(fromHex(PUBLISH_ENCODING))).toEqual(tx);
    const fresh = structuredClone(tx);
    expect(toHex(signingMessage(decodeTx(fromHex(PUBLISH_ENCODING)) as SignedTx, chainId))).toBe(toHex(signingMessage(fresh, chainId)));
  });

  it('an attest tx has the pinned encoding and id, without a verdict (as before verdicts) and with one', () => {
    const plain = attestTx({});
    expect(plain.stamp).toBe(9);
    expect(toHex(encodeTx(plain))).toBe(ATTEST_ENCODING);
    expect(toHex(txId(encodeTx(plain)))).toBe(ATTEST_ID);
    expect(decodeTx(fromHex(ATTEST_ENCODING))).toEqual(plain);
    const judged = attestTx({ infver: 'major', infverHash: nsha(enc('changes')) });
    expect(judged.stamp).toBe(4);
    expect(toHex(encodeTx(judged))).toBe(VERDICT_ENCODING);
    expect(toHex(txId(encodeTx(judged)))).toBe(VERDICT_ID);
    expect(decodeTx(fromHex(VERDICT_ENCODING))).toEqual(judged);
    // The verdict's exact bytes: "infver": "major" and "infverHash": 32 bytes, inside the body map (a9 → ab).
    expect(VERDICT_ENCODING).toContain('66696e66766572' + '656d616a6f72');
    expect(VERDICT_ENCODING).toContain('6a696e66766572486173685820' + toHex(nsha(enc('changes'))));
    expect(ATTEST_ENCODING).toContain('64626f6479a9');
    expect(VERDICT_ENCODING).toContain('64626f6479ab');
  });

  it('an attest tx with a rebuild verdict has the pinned encoding and id', () => {
    const rebuilt = attestTx({ rebuild: 'reproduced' });
    expect(rebuilt.stamp).toBe(14);
    expect(toHex(encodeTx(rebuilt))).toBe(REBUILD_ENCODING);
    expect(toHex(txId(encodeTx(rebuilt)))).toBe(REBUILD_ID);
    expect(decodeTx(fromHex(REBUILD_ENCODING))).toEqual(rebuilt);
    // "rebuild": "reproduced" as a text key and text value inside the body map (a9 → aa).
    expect(REBUILD_ENCODING).toContain('677265627569' + '6c64' + '6a726570726f6475636564');
    expect(REBUILD_ENCODING).toContain('64626f6479aa');
  });

  it('a transfer tx has the pinned encoding and id, without a fee (as every tx before fees) and with one', () => {
    const body = { to: keyPairFromSecret(fromHex('22'.repeat(32))).publicKey, amount: 250 };
    const plain = signTx({ type: 'transfer', from: KEY.publicKey, nonce: 4, body }, SECRET, chainId, DEV_PARAMS.txWorkBits);
    expect(toHex(encodeTx(plain))).toBe(TRANSFER_ENCODING);
    expect(toHex(txId(encodeTx(plain)))).toBe(TRANSFER_ID);
    expect(decodeTx(fromHex(TRANSFER_ENCODING))).toEqual(plain);
    // A zero fee is the absent key: the same bytes.
    expect(toHex(encodeTx(signTx({ type: 'transfer', from: KEY.publicKey, nonce: 4, body, fee: 0 }, SECRET, chainId, DEV_PARAMS.txWorkBits)))).toBe(TRANSFER_ENCODING);
    const paying = signTx({ type: 'transfer', from: KEY.publicKey, nonce: 4, body, fee: 7 }, SECRET, chainId, DEV_PARAMS.txWorkBits);
    expect(toHex(encodeTx(paying))).toBe(FEE_ENCODING);
    expect(toHex(txId(encodeTx(paying)))).toBe(FEE_ID);
    expect(FEE_ENCODING.startsWith('a8' + '617601' + '63666565' + '07' + '63736967')).toBe(true);
    expect(toHex(nsha(signingMessage(paying, chainId)))).toBe(FEE_DIGEST);
    const decoded = decodeTx(fromHex(FEE_ENCODING)) as SignedTx;
    expect(decoded).toEqual(paying);
    // the signing message cut from a decoded fee tx's bytes is the one encoded afresh
    expect(toHex(nsha(signingMessage(decoded, chainId)))).toBe(FEE_DIGEST);
    expect(() => checkTxSignature(decoded, chainId, DEV_PARAMS.txWorkBits)).not.toThrow();
    // the block's reward carries the fee to its producer
    expect(toHex(encodeTx(buildRewardTx(1, KEY.publicKey, [paying], DEV_PARAMS)))).toBe(FEE_REWARD_ENCODING);
  });

  it('the same tx signed for another chain is different (replay protection)', () => {
    const other = fromHex(chainIdOf({ ...DEV_PARAMS, name: 'gopkgr-other' }));
    const tx = claimTx(other);
    expect(toHex(encodeTx(tx))).not.toBe(CLAIM_ENCODING);
    expect(() => checkTxSignature(claimTx(chainId), other, 0)).toThrow();
  });

  it('a reward tx has the pinned encoding and id', () => {
    const reward = buildRewardTx(1, KEY.publicKey, [], DEV_PARAMS);
    expect(toHex(encodeTx(reward))).toBe(REWARD_ENCODING);
    expect(toHex(txId(encodeTx(reward)))).toBe(REWARD_ID);
  });

  it('a rotation proof message has the pinned layout: domain || chainId || old || new || u64 nonce', () => {
    const next = keyPairFromSecret(fromHex('22'.repeat(32)));
    expect(toHex(rotationMessage(chainId, KEY.publicKey, next.publicKey, 3))).toBe(ROTATION_MESSAGE);
  });
});

describe('vectors: headers and blocks', () => {
  const chainId = fromHex(DEV_CHAIN_ID);
  const header = (): BlockHeader => ({
    v: 1, height: 1, parent: chainId, txRoot: fromHex(TX_ROOT), time: DEV_PARAMS.genesisTime + 1000,
    seal: { kind: 'pow', target: fromHex(DEV_PARAMS.powLimit), nonce: fromHex('0000000000000007') },
  });

  it('the tx root of [reward, claim] is pinned', () => {
    expect(toHex(merkleRoot([fromHex(REWARD_ID), fromHex(CLAIM_ID)]))).toBe(TX_ROOT);
    const leaf = (id: string): Uint8Array => nsha(cat(new Uint8Array([0]), fromHex(id)));
    expect(toHex(nsha(cat(new Uint8Array([1]), leaf(REWARD_ID), leaf(CLAIM_ID))))).toBe(TX_ROOT);
  });

  it('a header has the pinned encoding, with the nonce as its last 8 bytes, and the pinned block id', () => {
    const bytes = encodeHeader(header());
    expect(toHex(bytes)).toBe(HEADER_ENCODING);
    expect(toHex(bytes.subarray(bytes.length - 8))).toBe('0000000000000007');
    expect(toHex(blockId(bytes))).toBe(BLOCK_ID);
    expect(toHex(nsha(nsha(bytes)))).toBe(BLOCK_ID);
  });

  it('a whole block decodes to the pinned ids', () => {
    const bytes = encode([
      [1, 1, chainId, fromHex(TX_ROOT), DEV_PARAMS.genesisTime + 1000, fromHex(DEV_PARAMS.powLimit), fromHex('0000000000000007')],
      [decodeTx(fromHex(REWARD_ENCODING)) as unknown as Canonical, decodeTx(fromHex(CLAIM_ENCODING)) as unknown as Canonical],
    ]);
    const block = decodeBlock(bytes);
    expect(toHex(block.id)).toBe(BLOCK_ID);
    expect(block.txIds.map(toHex)).toEqual([REWARD_ID, CLAIM_ID]);
  });
});

describe('vectors: merkle roots (RFC 6962 shape)', () => {
  const leaves = [0, 1, 2, 3, 4].map((i) => nsha(new Uint8Array([i])));
  const L = (i: number): Uint8Array => nsha(cat(new Uint8Array([0]), leaves[i]!));
  const N = (a: Uint8Array, b: Uint8Array): Uint8Array => nsha(cat(new Uint8Array([1]), a, b));

  for (const n of [0, 1, 2, 3, 4, 5]) {
    it(`${n} leaves: pinned root`, () => {
      expect(toHex(merkleRoot(leaves.slice(0, n)))).toBe(MERKLE[n]);
    });
  }

  it('the pinned roots have the RFC 6962 shape: split at the largest power of two below n', () => {
    expect(MERKLE[0]).toBe(toHex(nsha(new Uint8Array(0))));
    expect(MERKLE[1]).toBe(toHex(L(0)));
    expect(MERKLE[2]).toBe(toHex(N(L(0), L(1))));
    expect(MERKLE[3]).toBe(toHex(N(N(L(0), L(1)), L(2))));
    expect(MERKLE[4]).toBe(toHex(N(N(L(0), L(1)), N(L(2), L(3)))));
    expect(MERKLE[5]).toBe(toHex(N(N(N(L(0), L(1)), N(L(2), L(3))), L(4))));
  });

  it('a leaf is not confused with an inner node (domain separation) and order matters', () => {
    expect(toHex(merkleRoot([leaves[0]!]))).not.toBe(toHex(leaves[0]!));
    expect(toHex(merkleRoot([leaves[1]!, leaves[0]!]))).not.toBe(MERKLE[2]);
  });
});
