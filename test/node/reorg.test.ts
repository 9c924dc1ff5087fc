/**
 * Fork choice and reorganisations on a real level store: the branch with the
 * most cumulative work wins; after every reorg the state equals a replay of the
 * main chain from genesis and the state a fresh chain reaches from that branch's
 * blocks alone; invalid branches are marked and never become the head; a
 * reopened store gives back the same head and state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GopkgrError, manifestHash, toHex, type DecodedBlock, type NamespaceState, type PackageState, type VersionState } from '../../ledger/index.ts';
import { defaultHooks } from '../../node/index.ts';
import type { AccountState } from '../../ledger/state.ts';
import { heightKey, put, putRaw, type BlockIndexEntry } from '../../node/store.ts';
import { bytesToBigInt } from '../../ledger/block.ts';
import { powSealOf, workOf } from '../../consensus/pow/index.ts';
import { hashOf, idBytes, idOf, keyPair, MINER, mineBlock, ONE_EXPORT_MANIFEST, openChain, publishBody, rejectsWith, signed, stateDump, type TestChain } from '../support/chain.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { expectConsistent, mainBlocks, rotateTx, stateFromScratch } from '../support/chainChecks.ts';

afterEach(closeAll);

const hooks = defaultHooks;
const alice = keyPair('reorg/alice');
const bob = keyPair('reorg/bob');
const carol = keyPair('reorg/carol');
const dave = keyPair('reorg/dave');
const erin = keyPair('reorg/erin');
const hex = (k: { publicKey: Uint8Array }): string => toHex(k.publicKey);

const idHex = (b: DecodedBlock): string => toHex(b.id);

/** Mine `txs` on `parent`, import it, return it (the import's status is checked by the caller). */
async function add(t: TestChain, parent: DecodedBlock | string, txs: ReturnType<typeof signed>[] = []): Promise<{ block: DecodedBlock; status: string; disconnected: number; connected: number }> {
  const block = mineBlock(t.chain, txs, { parent: typeof parent === 'string' ? parent : idHex(parent) });
  const r = await t.chain.importBlock(block.bytes);
  return { block, status: r.status, disconnected: r.disconnected.length, connected: r.connected.length };
}

/** State, replay, store and a fresh chain fed `blocks` all agree. */
async function expectStateOf(t: TestChain, blocks: DecodedBlock[]): Promise<void> {
  expect(t.chain.head.id).toBe(idHex(blocks[blocks.length - 1]!));
  expect((await mainBlocks(t.chain)).map(idHex)).toEqual(blocks.map(idHex));
  await expectConsistent(t.chain, t.store);
  const scratch = await stateFromScratch(blocks);
  expect(scratch.head).toBe(t.chain.head.id);
  expect(stateDump(await t.chain.readState())).toEqual(scratch.state);
}

async function get<T>(t: TestChain, key: string): Promise<T | undefined> {
  return (await t.chain.state.get(key)) as T | undefined;
}

describe('reorg between two branches with conflicting txs', () => {
  it('follows the heavier branch, back and forth, restores state exactly, rejects an invalid branch and survives a reopen', async () => {
    const dir = await tempDir();
    let t = await openChain(dir, { hooks });
    const id = t.chain.chainId;
    const genesis = t.chain.head.id;

    // Common prefix: alice owns @base with @base/lib 1.0.0; bob owns @bob.
    const create = signed(alice, 'create', { ns: '@base', name: 'lib' }, 1, id);
    const lib = idBytes(create);
    const libId = idOf(create);
    const p1 = await add(t, genesis, [signed(alice, 'claim', { ns: '@base' }, 0, id), signed(bob, 'claim', { ns: '@bob' }, 0, id)]);
    const p2 = await add(t, p1.block, [create, signed(alice, 'publish', publishBody(lib, '1.0.0'), 2, id)]);
    expect([p1.status, p2.status]).toEqual(['connected', 'connected']);
    const prefix = [p1.block, p2.block];

    // Branch A: alice claims @contested, bob adds carol, alice publishes 1.0.1 and
    // deprecates 1.0.0, then alice rotates her key to dave.
    const a1 = await add(t, p2.block, [signed(alice, 'claim', { ns: '@contested' }, 3, id), signed(bob, 'maintainer', { ns: '@bob', op: 'add', who: carol.publicKey }, 1, id)]);
    const a2 = await add(t, a1.block, [signed(alice, 'publish', publishBody(lib, '1.0.1'), 4, id), signed(alice, 'deprecate', { pkg: lib, version: '1.0.0', deprecated: true, reason: 'old' }, 5, id)]);
    const a3 = await add(t, a2.block, [rotateTx(alice, dave, 6, id)]);
    expect([a1.status, a2.status, a3.status]).toEqual(['connected', 'connected', 'connected']);
    const branchA = [...prefix, a1.block, a2.block, a3.block];
    await expectStateOf(t, branchA);
    expect((await get<AccountState>(t, `acct:${hex(alice)}`))?.rotatedTo).toBe(hex(dave));
    expect((await get<NamespaceState>(t, 'ns:@contested'))?.owner).toBe(hex(dave));
    const stateA3 = stateDump(await t.chain.readState());

    // Branch B from the same fork point: bob claims @contested (conflicts with A),
    // alice publishes 1.1.0 instead, bob creates and publishes @contested/app with a
    // lock on @base/lib@1.0.0, adds erin, narrows a bound; alice deprecates 1.0.0
    // with another reason; erin publishes app 1.0.1.
    const createApp = signed(bob, 'create', { ns: '@contested', name: 'app' }, 2, id);
    const app = idBytes(createApp);
    const b1 = await add(t, p2.block, [signed(bob, 'claim', { ns: '@contested' }, 1, id)]);
    const b2 = await add(t, b1.block, [signed(alice, 'publish', publishBody(lib, '1.1.0', { manifest: ONE_EXPORT_MANIFEST, apiHash: manifestHash(ONE_EXPORT_MANIFEST) }), 3, id), createApp]);
    const b3 = await add(t, b2.block, [
      signed(bob, 'publish', publishBody(app, '1.0.0', { deps: { '@base/lib': '^1.0.0' }, lock: { '@base/lib@1.0.0': hashOf(`${libId}@1.0.0`) } }), 3, id),
      signed(bob, 'maintainer', { ns: '@contested', op: 'add', who: erin.publicKey }, 4, id),
    ]);
    // Shorter, then equal work: the first branch seen stays the head.
    expect([b1.status, b2.status, b3.status]).toEqual(['side', 'side', 'side']);
    expect(t.chain.head.id).toBe(idHex(a3.block));
    expect(stateDump(await t.chain.readState())).toEqual(stateA3);

    const b4 = await add(t, b3.block, [
      signed(alice, 'deprecate', { pkg: lib, version: '1.0.0', deprecated: true, reason: 'use 1.1' }, 4, id),
      signed(erin, 'publish', publishBody(app, '1.0.1'), 0, id),
      signed(bob, 'bounds', { pkg: app, version: '1.0.0', deps: { '@base/lib': '~1.1.0' } }, 5, id),
    ]);
    // B is now heavier: a 3-block reorg onto 4 blocks.
    expect(b4).toMatchObject({ status: 'reorg', disconnected: 3, connected: 4 });
    const branchB = [...prefix, b1.block, b2.block, b3.block, b4.block];
    await expectStateOf(t, branchB);
    expect((await get<NamespaceState>(t, 'ns:@contested'))).toMatchObject({ owner: hex(bob), maintainers: [hex(erin)] });
    expect((await get<NamespaceState>(t, 'ns:@bob'))?.maintainers).toEqual([]);
    expect((await get<AccountState>(t, `acct:${hex(alice)}`))).toEqual({ nonce: 5, balance: 0 });
    expect(await get(t, `acct:${hex(dave)}`)).toBeUndefined();
    expect((await get<PackageState>(t, `pkg:${libId}`))?.versions).toEqual(['1.0.0', '1.1.0']);
    expect(await get(t, `ver:${libId}:1.0.1`)).toBeUndefined();
    expect((await get<VersionState>(t, `ver:${libId}:1.0.0`))).toMatchObject({ deprecated: true, deprecationReason: 'use 1.1' });
    expect((await get<PackageState>(t, `pkg:${toHex(app)}`))?.versions).toEqual(['1.0.0', '1.0.1']);
    expect((await get<VersionState>(t, `ver:${toHex(app)}:1.0.0`))?.deps).toEqual({ '@base/lib': '~1.1.0' });
    expect((await get<string[]>(t, `owned:${hex(erin)}`))).toEqual(['@contested']);
    // The rotation on A deleted alice's owned list; undoing it brings the list back.
    expect((await get<string[]>(t, `owned:${hex(alice)}`))).toEqual(['@base']);
    // Txs of the replaced branch are no longer located on the main chain.
    expect(await t.chain.txLocation(idHex(a3.block))).toBeUndefined();
    expect(await t.chain.txLocation(toHex(a3.block.txIds[1]!))).toBeUndefined();
    expect((await t.chain.txLocation(toHex(b4.block.txIds[2]!)))?.block).toBe(idHex(b4.block));
    const stateB4 = stateDump(await t.chain.readState());

    // Back to A: dave continues alice's nonces (7, 8) and owns her names.
    const a4 = await add(t, a3.block, [signed(dave, 'publish', publishBody(lib, '1.0.2'), 7, id)]);
    expect(a4.status).toBe('side');
    expect(t.chain.head.id).toBe(idHex(b4.block));
    const a5 = await add(t, a4.block, [signed(dave, 'claim', { ns: '@dave' }, 8, id), signed(carol, 'claim', { ns: '@carol' }, 0, id)]);
    expect(a5).toMatchObject({ status: 'reorg', disconnected: 4, connected: 5 });
    const branchA5 = [...branchA, a4.block, a5.block];
    await expectStateOf(t, branchA5);
    expect((await get<NamespaceState>(t, 'ns:@contested'))).toMatchObject({ owner: hex(dave), maintainers: [] });
    expect((await get<NamespaceState>(t, 'ns:@base'))?.owner).toBe(hex(dave));
    expect((await get<NamespaceState>(t, 'ns:@bob'))?.maintainers).toEqual([hex(carol)]);
    expect((await get<PackageState>(t, `pkg:${libId}`))?.versions).toEqual(['1.0.0', '1.0.1', '1.0.2']);
    expect((await get<VersionState>(t, `ver:${libId}:1.0.0`))).toMatchObject({ deprecated: true, deprecationReason: 'old' });
    expect(await get(t, 'name:@contested/app')).toBeUndefined();
    expect(await get(t, `pkg:${toHex(app)}`)).toBeUndefined();
    expect(await get(t, `acct:${hex(erin)}`)).toBeUndefined();
    expect(await get(t, `owned:${hex(erin)}`)).toBeUndefined();
    expect((await get<AccountState>(t, `acct:${hex(dave)}`))?.nonce).toBe(9);
    expect(await get(t, `owned:${hex(alice)}`)).toBeUndefined();
    expect((await get<string[]>(t, `owned:${hex(dave)}`))).toEqual(['@base', '@contested', '@dave']);
    // Every key of A3's state that A4/A5 did not touch is back exactly.
    const now = new Map(stateDump(await t.chain.readState()));
    const touched = new Set([`acct:${hex(dave)}`, `acct:${hex(carol)}`, `pkg:${libId}`, `ver:${libId}:1.0.2`, 'ns:@dave', 'ns:@carol', `owned:${hex(dave)}`, `owned:${hex(carol)}`, `acct:${hex(MINER)}`]);
    for (const [key, value] of stateA3) if (!touched.has(key)) expect(now.get(key), key).toEqual(value);

    // A tx signed by alice's rotated-away key, on top of the head: rejected, nothing changes.
    const stateA5 = stateDump(await t.chain.readState());
    const stale = mineBlock(t.chain, [signed(alice, 'claim', { ns: '@late' }, 7, id)]);
    await rejectsWith(t.chain.importBlock(stale.bytes), 'TX_KEY_ROTATED');
    expect(t.chain.entry(idHex(stale))?.status).toBe('invalid');
    expect(t.chain.head.id).toBe(idHex(a5.block));
    expect(stateDump(await t.chain.readState())).toEqual(stateA5);

    // B grows with an invalid block: carol claims @contested, which bob holds on B.
    // b5 ties with A (stored unchecked), b6 makes B heavier, the switch fails at b5:
    // b5 and b6 are marked invalid, head and state stay A's.
    const b5 = await add(t, b4.block, [signed(carol, 'claim', { ns: '@contested' }, 0, id)]);
    expect(b5.status).toBe('side');
    const b6 = mineBlock(t.chain, [signed(erin, 'claim', { ns: '@erin' }, 1, id)], { parent: idHex(b5.block) });
    const err = await t.chain.importBlock(b6.bytes).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(GopkgrError);
    expect(t.chain.entry(idHex(b5.block))).toMatchObject({ status: 'invalid' });
    expect(t.chain.entry(idHex(b5.block))?.reason).toMatch(/^TX_NAME_TAKEN: /);
    expect(t.chain.entry(idHex(b6))?.status).toBe('invalid');
    expect(t.chain.entry(idHex(b4.block))?.status).toBe('valid');
    expect(t.chain.head.id).toBe(idHex(a5.block));
    expect(stateDump(await t.chain.readState())).toEqual(stateA5);
    await expectConsistent(t.chain, t.store);
    // Known-invalid blocks and their children are refused at once.
    await rejectsWith(t.chain.importBlock(b5.block.bytes), 'BLOCK_KNOWN_INVALID');
    await rejectsWith(t.chain.importBlock(b6.bytes), 'BLOCK_KNOWN_INVALID');
    const b7 = mineBlock(t.chain, [], { parent: idHex(b6) });
    await rejectsWith(t.chain.importBlock(b7.bytes), 'BLOCK_PARENT_INVALID');

    // A valid B continuation (b5' on b4, then b6') still wins once it is heavier.
    const b5v = await add(t, b4.block, [signed(erin, 'claim', { ns: '@erin' }, 1, id)]);
    expect(b5v.status).toBe('side');
    const b6v = await add(t, b5v.block);
    expect(b6v).toMatchObject({ status: 'reorg', disconnected: 5, connected: 6 });
    const branchB6 = [...branchB, b5v.block, b6v.block];
    await expectStateOf(t, branchB6);
    const stateB6 = stateDump(await t.chain.readState());
    expect(new Map(stateB6).get('ns:@contested')).toEqual(new Map(stateB4).get('ns:@contested'));

    // Reopen: same head, same state, same invalid marks; nothing else switches.
    await t.close();
    t = await openChain(dir, { hooks });
    expect(t.chain.head.id).toBe(idHex(b6v.block));
    expect(t.chain.height).toBe(8);
    expect(stateDump(await t.chain.readState())).toEqual(stateB6);
    await expectStateOf(t, branchB6);
    expect(t.chain.entry(idHex(b5.block))?.status).toBe('invalid');
    expect(t.chain.entry(idHex(b6))?.status).toBe('invalid');
    expect(t.chain.entry(idHex(a5.block))?.status).toBe('valid');
    await rejectsWith(t.chain.importBlock(b5.block.bytes), 'BLOCK_KNOWN_INVALID');
    // And A can still take over after the reopen.
    const a6 = await add(t, a5.block);
    expect(a6.status).toBe('side');
    const a7 = await add(t, a6.block);
    expect(a7).toMatchObject({ status: 'reorg', disconnected: 6, connected: 7 });
    await expectStateOf(t, [...branchA5, a6.block, a7.block]);
    await t.close();
    t = await openChain(dir, { hooks });
    expect(t.chain.head.id).toBe(idHex(a7.block));
    await expectStateOf(t, [...branchA5, a6.block, a7.block]);
  });

  it('keeps the first-seen block on equal work, whichever arrives first', async () => {
    const t1 = await openChain(undefined, { hooks });
    const t2 = await openChain(undefined, { hooks });
    const id = t1.chain.chainId;
    // Same parent, same target, different txs: equal work.
    const x = mineBlock(t1.chain, [signed(alice, 'claim', { ns: '@same' }, 0, id)]);
    const y = mineBlock(t1.chain, [signed(bob, 'claim', { ns: '@same' }, 0, id)]);
    expect(x.header.seal.target).toEqual(y.header.seal.target);
    expect((await t1.chain.importBlock(x.bytes)).status).toBe('connected');
    expect((await t1.chain.importBlock(y.bytes)).status).toBe('side');
    expect((await t2.chain.importBlock(y.bytes)).status).toBe('connected');
    expect((await t2.chain.importBlock(x.bytes)).status).toBe('side');
    expect(t1.chain.head.id).toBe(idHex(x));
    expect(t2.chain.head.id).toBe(idHex(y));
    expect((await get<NamespaceState>(t1, 'ns:@same'))?.owner).toBe(hex(alice));
    expect((await get<NamespaceState>(t2, 'ns:@same'))?.owner).toBe(hex(bob));
    // A duplicate import changes nothing.
    expect((await t1.chain.importBlock(y.bytes)).status).toBe('duplicate');
    expect(t1.chain.head.id).toBe(idHex(x));
    // Reopen keeps the first-seen head too.
    await t1.close();
    const again = await openChain(t1.dir, { hooks });
    expect(again.chain.head.id).toBe(idHex(x));
    await expectConsistent(again.chain, again.store);
  });
});

describe('deep reorgs', () => {
  it('switches across more than 20 blocks and back, with a tx present on both branches', async () => {
    const dir = await tempDir();
    let t = await openChain(dir, { hooks });
    const id = t.chain.chainId;
    const prefix: DecodedBlock[] = [];
    for (let i = 0; i < 3; i++) prefix.push((await add(t, t.chain.head.id, [signed(carol, 'claim', { ns: `@pre${i}` }, i, id)])).block);
    const fork = t.chain.head.id;
    // The same signed tx (alice's claim of @both, nonce 0) sits in both branches.
    const shared = signed(alice, 'claim', { ns: '@both' }, 0, id);

    // A: 25 blocks, alice claims @a1..@a24 after @both.
    const branchA: DecodedBlock[] = [];
    let parent = fork;
    for (let i = 0; i < 25; i++) {
      const r = await add(t, parent, [i === 0 ? shared : signed(alice, 'claim', { ns: `@a${i}` }, i, id)]);
      expect(r.status).toBe('connected');
      branchA.push(r.block);
      parent = idHex(r.block);
    }
    const stateA = stateDump(await t.chain.readState());
    // B: 26 blocks; bob claims @a1..@a24 (conflicts), alice's shared tx sits in block 5.
    const branchB: DecodedBlock[] = [];
    parent = fork;
    let bobNonce = 0;
    for (let i = 0; i < 26; i++) {
      const txs = i === 5 ? [shared] : i < 25 ? [signed(bob, 'claim', { ns: `@a${bobNonce + 1}` }, bobNonce++, id)] : [];
      const r = await add(t, parent, txs);
      branchB.push(r.block);
      parent = idHex(r.block);
      if (i < 25) {
        expect(r.status).toBe('side');
        expect(t.chain.head.id).toBe(idHex(branchA[24]!));
      } else expect(r).toMatchObject({ status: 'reorg', disconnected: 25, connected: 26 });
    }
    await expectStateOf(t, [...prefix, ...branchB]);
    expect((await get<NamespaceState>(t, 'ns:@a1'))?.owner).toBe(hex(bob));
    expect((await get<NamespaceState>(t, 'ns:@both'))?.owner).toBe(hex(alice));
    expect((await t.chain.txLocation(idOf(shared)))).toEqual({ block: idHex(branchB[5]!), height: 3 + 6, index: 1 });
    expect(t.chain.height).toBe(29);

    // A grows by 2 (27 > 26): a 26-deep reorg back.
    const a26 = await add(t, branchA[24]!);
    expect(a26.status).toBe('side');
    const a27 = await add(t, a26.block);
    expect(a27).toMatchObject({ status: 'reorg', disconnected: 26, connected: 27 });
    const fullA = [...prefix, ...branchA, a26.block, a27.block];
    await expectStateOf(t, fullA);
    expect((await t.chain.txLocation(idOf(shared)))).toEqual({ block: idHex(branchA[0]!), height: 4, index: 1 });
    const back = new Map(stateDump(await t.chain.readState()));
    for (const [key, value] of stateA) if (key !== `acct:${hex(MINER)}`) expect(back.get(key), key).toEqual(value);

    await t.close();
    t = await openChain(dir, { hooks });
    expect(t.chain.head.id).toBe(idHex(a27.block));
    await expectStateOf(t, fullA);
  });

  it('prefers a shorter branch with more work, and drops the heights above it', async () => {
    const dir = await tempDir();
    let t = await openChain(dir, { hooks });
    const id = t.chain.chainId;
    const prefix: DecodedBlock[] = [];
    for (let i = 0; i < 2; i++) prefix.push((await add(t, t.chain.head.id)).block);
    const fork = prefix[1]!;
    // A: 30 blocks at the block time (target stays at the limit).
    const branchA: DecodedBlock[] = [];
    let parent = idHex(fork);
    for (let i = 0; i < 30; i++) {
      const r = await add(t, parent, i < 5 ? [signed(dave, 'claim', { ns: `@d${i}` }, i, id)] : []);
      branchA.push(r.block);
      parent = idHex(r.block);
    }
    const heightA = t.chain.height;
    // B: blocks 1 ms apart; retargeting makes each one harder, so B overtakes A with fewer blocks.
    const branchB: DecodedBlock[] = [];
    parent = idHex(fork);
    let time = fork.header.time;
    for (let i = 0; t.chain.head.id === idHex(branchA[29]!); i++) {
      time += 1;
      const txs = i < 5 ? [signed(erin, 'claim', { ns: `@d${i}` }, i, id)] : [];
      const block = mineBlock(t.chain, txs, { parent, time });
      const r = await t.chain.importBlock(block.bytes);
      branchB.push(block);
      parent = idHex(block);
      if (r.status === 'reorg') expect(r.disconnected.length).toBe(30);
      expect(i).toBeLessThan(40);
    }
    const heightB = t.chain.height;
    expect(heightB).toBeLessThan(heightA);
    expect(BigInt('0x' + t.chain.head.work)).toBeGreaterThan(BigInt('0x' + t.chain.entry(idHex(branchA[29]!))!.work));
    await expectStateOf(t, [...prefix, ...branchB]);
    expect((await get<NamespaceState>(t, 'ns:@d0'))?.owner).toBe(hex(erin));
    for (let h = heightB + 1; h <= heightA; h++) {
      expect(t.chain.mainIdAt(h)).toBeUndefined();
      expect(await t.store.getRaw(heightKey(h))).toBeUndefined();
    }
    await t.close();
    t = await openChain(dir, { hooks });
    expect(t.chain.height).toBe(heightB);
    await expectStateOf(t, [...prefix, ...branchB]);
  });
});

describe('recovery on open', () => {
  /** Store a block's bytes and index entry the way an import does, without switching to it (a crash right after). */
  async function storeOnly(t: TestChain, block: DecodedBlock): Promise<void> {
    const parent = t.chain.entry(toHex(block.header.parent))!;
    const entry: BlockIndexEntry = {
      id: idHex(block), parent: parent.id, height: block.header.height, time: block.header.time, target: toHex(powSealOf(block.header.seal).target),
      work: (BigInt('0x' + parent.work) + workOf(bytesToBigInt(powSealOf(block.header.seal).target))).toString(16), status: 'valid',
    };
    await t.store.write([putRaw(`b:${entry.id}`, block.bytes), put(`i:${entry.id}`, entry)]);
  }

  it('switches to a heavier stored branch it had not switched to, and skips one that turns out invalid', async () => {
    const dir = await tempDir();
    let t = await openChain(dir, { hooks });
    const id = t.chain.chainId;
    const p1 = await add(t, t.chain.head.id, [signed(alice, 'claim', { ns: '@one' }, 0, id)]);
    const a1 = await add(t, p1.block, [signed(alice, 'claim', { ns: '@two' }, 1, id)]);
    const a2 = await add(t, a1.block);
    const b1 = await add(t, p1.block, [signed(bob, 'claim', { ns: '@two' }, 0, id)]);
    const b2 = await add(t, b1.block, [signed(bob, 'claim', { ns: '@three' }, 1, id)]);
    expect([a2.status, b1.status, b2.status]).toEqual(['connected', 'side', 'side']);
    const stateA = stateDump(await t.chain.readState());
    // An invalid heavier tip (alice claims @two again on B: bob holds it there) and, on A, a valid heavier one.
    const bad = mineBlock(t.chain, [signed(alice, 'claim', { ns: '@two' }, 1, id), signed(carol, 'claim', { ns: '@x' }, 0, id)], { parent: idHex(b2.block) });
    await storeOnly(t, bad);
    await t.close();

    t = await openChain(dir, { hooks });
    // The invalid tip was tried, marked and skipped: A stays.
    expect(t.chain.head.id).toBe(idHex(a2.block));
    expect(t.chain.entry(idHex(bad))).toMatchObject({ status: 'invalid' });
    expect(t.chain.entry(idHex(bad))?.reason).toMatch(/^TX_NAME_TAKEN: /);
    expect(stateDump(await t.chain.readState())).toEqual(stateA);
    await expectConsistent(t.chain, t.store);

    // A valid heavier B tip stored without the switch: the reopened chain switches to it.
    const b3 = mineBlock(t.chain, [signed(carol, 'claim', { ns: '@x' }, 0, id)], { parent: idHex(b2.block) });
    await storeOnly(t, b3);
    expect(t.chain.head.id).toBe(idHex(a2.block));
    await t.close();
    t = await openChain(dir, { hooks });
    await expectStateOf(t, [p1.block, b1.block, b2.block, b3]);
    expect((await get<NamespaceState>(t, 'ns:@two'))?.owner).toBe(hex(bob));
    expect(t.chain.entry(idHex(bad))?.status).toBe('invalid');
    // And it stays there on the next open.
    await t.close();
    t = await openChain(dir, { hooks });
    expect(t.chain.head.id).toBe(idHex(b3));
  });
});
