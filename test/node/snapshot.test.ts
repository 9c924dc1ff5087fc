/**
 * State snapshots on a real LevelDB: the state root's bytes (a pinned vector),
 * a snapshot written from a consistent view and read back, a fresh store joined
 * from it that then follows the chain to the same state, and every tampering
 * refused with its code and nothing stored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createReadStream } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEV_PARAMS, encode, fromHex, sha256Hex, toHex } from '../../ledger/index.ts';
import { FullNode } from '../../node/index.ts';
import { ChainStore, put, putRaw } from '../../node/store.ts';
import { encodeRecord, RecordParser } from '../../node/snapshot/records.ts';
import { stateRootOf, StateRootHasher } from '../../node/snapshot/stateRoot.ts';
import { SnapshotFiles } from '../../node/snapshot/files.ts';
import { decodeSnapshotHeader, encodeSnapshotHeader, type SnapshotHeader } from '../../node/snapshot/header.ts';
import { commitJoin, discardUnfinishedJoin, importRecords, JOINING_KEY, type JoinedHeader } from '../../node/snapshot/import.ts';
import { parseCheckpoint } from '../../node/snapshot/checkpoint.ts';
import { encodeHeader } from '../../ledger/block.ts';
import { actor, extend, keyPair, mineBlock, openChain, rejectsWith, type TestChain } from '../support/chain.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

afterEach(closeAll);

const signer = keyPair('snapshot/signer');

/** Every `s:` record of a store, as hex, in key order. */
async function stateRecords(store: ChainStore): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for await (const [k, v] of store.db.iterator({ gte: 's:', lt: 's;' })) out.push([k, toHex(v)]);
  return out;
}

/** A chain with a few namespaces claimed over `blocks` blocks. */
async function chainWithState(blocks: number): Promise<TestChain> {
  const t = await openChain();
  const alice = actor(keyPair('snapshot/alice'), t.chain.chainId);
  for (let i = 0; i < blocks; i++) await extend(t.chain, [alice.tx('claim', { ns: `@ns${i}` })]);
  return t;
}

/** The records file in chunks of `size` bytes (cut through records), as the network delivers it. */
async function* chunksOf(path: string, size: number): AsyncGenerator<Uint8Array> {
  for await (const chunk of createReadStream(path, { highWaterMark: size })) yield new Uint8Array(chunk as Buffer);
}

async function freshStore(): Promise<ChainStore> {
  const t = await openChain();
  return t.store;
}

describe('state root', () => {
  it('hashes the domain and the framed records in key order (pinned vector)', async () => {
    // Framing: u32be key length, key, u32be value length, value.
    expect(toHex(encodeRecord('s:a', new Uint8Array([1])))).toBe('00000003733a610000000101');
    const empty = new StateRootHasher();
    expect(toHex(empty.digest())).toBe(sha256Hex(new TextEncoder().encode('gopkgr/state-root/v1')));
    const h = new StateRootHasher();
    h.addRecord('s:acct:01', encode({ balance: 5, nonce: 0 }));
    h.addRecord('s:ns:@a', encode({ owner: new Uint8Array(33).fill(2) }));
    const vector = toHex(h.digest());
    expect(vector).toBe('2f11f75a7ad58c95a11972c94da1cb4ae9ca61ae4ab411036bb982105a7e0397');

    // The same records in a real LevelDB, written out of order and beside other keys, give the same root.
    const t = await openChain();
    await t.store.write([put('s:ns:@a', { owner: new Uint8Array(33).fill(2) }), put('s:acct:01', { balance: 5, nonce: 0 }), put('t:ff', 1), put('meta:x', 1)]);
    const root = await stateRootOf(t.store);
    expect(toHex(root.root)).toBe(vector);
    expect(root.records).toBe(2);
    expect(root.head).toBe(t.chain.head.id);
  });
});

describe('snapshot files', () => {
  it('writes a signed snapshot from a consistent view, reads it back, and keeps the newest two', async () => {
    const t = await chainWithState(3);
    const dir = await tempDir();
    const files = new SnapshotFiles(dir, t.chain.chainId);
    await files.open();
    const view = t.store.db.snapshot();
    const expected = await stateRootOf(t.store);
    // A block written after the view was taken changes nothing in the snapshot.
    await extend(t.chain, [actor(keyPair('snapshot/bob'), t.chain.chainId).tx('claim', { ns: '@late' })]);
    const header = (await files.write(t.store, view, signer))!;
    expect(header.height).toBe(3);
    expect(toHex(header.blockId)).toBe(t.chain.mainIdAt(3));
    expect(toHex(header.stateRoot)).toBe(toHex(expected.root));
    expect(header.records).toBe(expected.records);
    expect((await readFile(files.recordsPath(3))).length).toBe(header.bytes);
    expect(toHex(header.signer)).toBe(toHex(signer.publicKey));

    // The header round-trips through its bytes with the signature checked; a reopened store finds it.
    const decoded = decodeSnapshotHeader(encodeSnapshotHeader(header), t.chain.chainId);
    expect(toHex(encodeSnapshotHeader(decoded))).toBe(toHex(encodeSnapshotHeader(header)));
    const again = new SnapshotFiles(dir, t.chain.chainId);
    await again.open();
    expect(again.list().map((h) => h.height)).toEqual([3]);

    // Parsing the file gives back exactly the store's records at height 3 (the view), not the later ones.
    const parser = new RecordParser();
    const parsed: Array<[string, string]> = [];
    for await (const chunk of chunksOf(files.recordsPath(3), 7)) for (const r of parser.push(chunk)) parsed.push([r.key, toHex(r.value)]);
    parser.end();
    expect(parsed.length).toBe(header.records);
    expect(parsed.some(([k]) => k === 's:ns:@late')).toBe(false);
    expect(parsed.some(([k]) => k === 's:ns:@ns2')).toBe(true);

    // Retention: two more snapshots leave the newest two on disk.
    await extend(t.chain);
    await files.write(t.store, t.store.db.snapshot(), signer);
    await extend(t.chain);
    await files.write(t.store, t.store.db.snapshot(), signer);
    expect(files.list().map((h) => h.height)).toEqual([6, 5]);
    expect((await readdir(dir)).sort()).toEqual(['5.header', '5.records', '6.header', '6.records']);
  });

  it('refuses a header with a bad signature, for another chain, or with an unknown field', async () => {
    const t = await chainWithState(1);
    const files = new SnapshotFiles(await tempDir(), t.chain.chainId);
    await files.open();
    const header = (await files.write(t.store, t.store.db.snapshot(), signer))!;
    const forged: SnapshotHeader = { ...header, records: header.records + 1 };
    await rejectsWith(() => decodeSnapshotHeader(encodeSnapshotHeader(forged), t.chain.chainId), 'SNAPSHOT_BAD_HEADER');
    await rejectsWith(() => decodeSnapshotHeader(encodeSnapshotHeader(header), new Uint8Array(32)), 'SNAPSHOT_BAD_HEADER');
    await rejectsWith(() => decodeSnapshotHeader(encode({ v: 1, extra: 1 }), t.chain.chainId), 'SNAPSHOT_BAD_HEADER');
    await rejectsWith(() => decodeSnapshotHeader(new Uint8Array([0xff]), t.chain.chainId), 'SNAPSHOT_BAD_HEADER');
  });
});

describe('joining from a snapshot', () => {
  it('imports the records, commits the header chain, and follows the chain to the same state', async () => {
    const a = await chainWithState(4);
    const files = new SnapshotFiles(await tempDir(), a.chain.chainId);
    await files.open();
    const header = (await files.write(a.store, a.store.db.snapshot(), signer))!;

    const dir = await tempDir();
    let b = await openChain(dir);
    await importRecords(b.store, header, chunksOf(files.recordsPath(header.height), 5));
    expect(await stateRecords(b.store)).toEqual(await stateRecords(a.store));
    const headers: JoinedHeader[] = [];
    for (let h = 1; h <= header.height; h++) {
      const id = a.chain.mainIdAt(h)!;
      headers.push({ entry: a.chain.entry(id)!, bytes: encodeHeader((await a.chain.getBlock(id))!.header, a.chain.consensus.seal) });
    }
    await commitJoin(b.store, headers);
    await b.close();
    b = await openChain(dir);
    expect(b.chain.head.id).toBe(a.chain.head.id);
    expect(b.chain.finalizedHeight()).toBe(4);
    expect(await b.store.getRaw(`b:${a.chain.mainIdAt(2)}`)).toBeUndefined();

    // The next blocks of a apply on b's imported state: the same states after.
    const next = await extend(a.chain, [actor(keyPair('snapshot/carol'), a.chain.chainId).tx('claim', { ns: '@after' })]);
    expect((await b.chain.importBlock(next.bytes)).status).toBe('connected');
    expect((await stateRootOf(b.store)).root).toEqual((await stateRootOf(a.store)).root);
    expect(await b.chain.state.get('ns:@after')).toBeDefined();

    // A heavier branch forking below the checkpoint (block 3 has an index entry, no body) never becomes the head.
    let parent = a.chain.mainIdAt(3)!;
    for (let i = 0; i < 4; i++) {
      const blk = mineBlock(b.chain, [], { parent });
      expect((await b.chain.importBlock(blk.bytes)).status).toBe('side');
      parent = toHex(blk.id);
    }
    expect(BigInt('0x' + b.chain.entry(parent)!.work)).toBeGreaterThan(BigInt('0x' + b.chain.head.work));
    expect(b.chain.head.id).toBe(toHex(next.id));
  });

  it('refuses tampered records with their code and leaves nothing stored', async () => {
    const a = await chainWithState(3);
    const files = new SnapshotFiles(await tempDir(), a.chain.chainId);
    await files.open();
    const header = (await files.write(a.store, a.store.db.snapshot(), signer))!;
    const good = new Uint8Array(await readFile(files.recordsPath(header.height)));
    const dir = await tempDir();
    const write = async (bytes: Uint8Array): Promise<string> => {
      const p = join(dir, `r${Math.random().toString(36).slice(2)}`);
      await writeFile(p, bytes);
      return p;
    };

    // One flipped byte in the last value: the root differs.
    const flipped = good.slice();
    flipped[flipped.length - 1]! ^= 0x01;
    const b = await freshStore();
    await rejectsWith(importRecords(b, header, chunksOf(await write(flipped), 64)), 'SNAPSHOT_ROOT_MISMATCH');
    expect(await stateRecords(b)).toEqual([]);
    expect(await b.getRaw(JOINING_KEY)).toBeUndefined();

    // Truncated inside a record, or with a record repeated, or longer than announced.
    await rejectsWith(importRecords(b, { ...header, bytes: header.bytes - 3 }, chunksOf(await write(good.subarray(0, good.length - 3)), 64)), 'SNAPSHOT_BAD_RECORDS');
    const firstLen = 8 + new DataView(good.buffer).getUint32(0) + new DataView(good.buffer).getUint32(4 + new DataView(good.buffer).getUint32(0));
    const repeated = new Uint8Array([...good.subarray(0, firstLen), ...good]);
    await rejectsWith(importRecords(b, { ...header, bytes: repeated.length }, chunksOf(await write(repeated), 64)), 'SNAPSHOT_BAD_RECORDS');
    await rejectsWith(importRecords(b, { ...header, bytes: header.bytes - 1 }, chunksOf(await write(good), 64)), 'SNAPSHOT_BAD_RECORDS');
    // A record outside the state's keys.
    const foreign = encodeRecord('meta:head', encode('x'));
    await rejectsWith(importRecords(b, { ...header, bytes: foreign.length }, chunksOf(await write(foreign), 64)), 'SNAPSHOT_BAD_RECORDS');
    expect(await stateRecords(b)).toEqual([]);
    expect(await b.getRaw(JOINING_KEY)).toBeUndefined();
  });

  it('removes the records of a join that stopped before its commit, when the node opens', async () => {
    const b = await freshStore();
    await b.write([put(JOINING_KEY, 'x'), putRaw('s:acct:00', encode({ balance: 1 }))]);
    expect(await discardUnfinishedJoin(b)).toBe(true);
    expect(await stateRecords(b)).toEqual([]);
    expect(await discardUnfinishedJoin(b)).toBe(false);

    // As a crash mid-join leaves a data dir: the node opens at genesis with no state, and says why.
    const dataDir = await tempDir();
    let node = await FullNode.open({ dataDir, params: DEV_PARAMS });
    await node.chain.store.write([put(JOINING_KEY, 'x'), putRaw('s:acct:00', encode({ balance: 1 }))]);
    await node.close();
    const warnings: string[] = [];
    node = await FullNode.open({ dataDir, params: DEV_PARAMS, log: { info: () => {}, warn: (m) => warnings.push(m) } });
    try {
      expect((await node.chain.readState()).size).toBe(0);
      expect(node.chain.height).toBe(0);
      expect(warnings).toContain('snapshot: removed the records of an unfinished join');
    } finally {
      await node.close();
    }
  });

  it('reads a checkpoint as HEIGHT:BLOCKID:STATEROOT only', async () => {
    const id = 'ab'.repeat(32);
    expect(parseCheckpoint(`12:${id}:${'cd'.repeat(32)}`)).toEqual({ height: 12, blockId: id, stateRoot: 'cd'.repeat(32) });
    for (const bad of ['', `0:${id}:${id}`, `12:${id}`, `x:${id}:${id}`, `12:${id.toUpperCase()}:${id}`]) await rejectsWith(() => parseCheckpoint(bad), 'CHECKPOINT_INVALID');
    expect(fromHex(id).length).toBe(32);
  });
});
