/**
 * The node's HTTP API through a real FullNode (level store, blob store, mempool)
 * and a real server on 127.0.0.1 (port 0), driven with fetch. Blocks are mined
 * in-process the way the miner does it: node.work(), buildCandidate, a nonce
 * loop, sealCandidate, then POST /v1/blocks. After every rejected request the
 * test checks that the chain head, the registry state and the mempool are
 * exactly as before.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  blockId, merkleRoot, DEV_PARAMS, encode, encodeTx, sha256Hex, toHex, txId, buildRewardTx, manifestHash, MAX_TX_BYTES,
  type Canonical, type DecodedBlock, type SignedTx,
} from '../../ledger/index.ts';
import { hashExport } from '../../infver/index.ts';
import type { FullNode } from '../../node/index.ts';
import { chainIdOf } from '../../consensus/index.ts';
import { encodeHeader, meetsTarget } from '../../consensus/pow/index.ts';
import { buildCandidate, sealCandidate } from '../../miner/template.ts';
import { actor, EMPTY_MANIFEST, idBytes, keyPair, MINER, mineBlock, publishBody, signed, stateDump, stateThroughCache, type Actor } from '../support/chain.ts';
import { startNode } from '../support/apiNode.ts';
import { closeAll } from '../support/cleanup.ts';

afterEach(closeAll);

const ALICE = keyPair('alice');
const BOB = keyPair('bob');

interface Api {
  node: FullNode;
  url: string;
  alice: Actor;
  bob: Actor;
}

async function startApi(): Promise<Api> {
  const { node, url } = await startNode({ prefix: 'gopkgr-api-' });
  return { node, url, alice: actor(ALICE, node.chain.chainId), bob: actor(BOB, node.chain.chainId) };
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function call(api: Api, method: string, path: string, body?: Uint8Array | string, type = 'application/octet-stream'): Promise<Reply> {
  const res = await fetch(api.url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': type },
    body: body === undefined ? undefined : typeof body === 'string' ? body : Buffer.from(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

function errorCode(r: Reply): unknown {
  return (r.body.error as { code?: unknown } | undefined)?.code;
}

const postTx = (api: Api, tx: SignedTx | Uint8Array): Promise<Reply> => call(api, 'POST', '/v1/txs', tx instanceof Uint8Array ? tx : encodeTx(tx));

/** Everything a rejected request must leave alone. */
async function snapshot(api: Api): Promise<unknown> {
  const c = api.node.chain;
  return {
    head: c.head.id,
    height: c.height,
    state: stateDump(await c.readState()),
    stored: stateDump(await stateThroughCache(c)),
    storedHead: await c.store.getValue<string>('meta:head'),
    mempool: api.node.mempool.ordered().map((p) => p.id),
    pending: api.node.mempool.size,
  };
}

/** Expect a 4xx with `code`, and nothing changed. */
async function expectRefused(api: Api, request: () => Promise<Reply>, status: number, code: string): Promise<Reply> {
  const before = await snapshot(api);
  const r = await request();
  expect({ status: r.status, code: errorCode(r) }).toEqual({ status, code });
  expect(typeof (r.body.error as { message?: unknown }).message).toBe('string');
  expect(await snapshot(api)).toEqual(before);
  return r;
}

/** Mine the node's current work as the miner does (template + nonce loop); returns the sealed block (not submitted). */
async function mineWork(api: Api, miner = MINER.publicKey): Promise<DecodedBlock> {
  const work = (await api.node.work());
  const candidate = buildCandidate(work, miner, work.parentTime + DEV_PARAMS.blockTimeMs);
  const header = candidate.headerBytes.slice();
  const view = new DataView(header.buffer, header.byteOffset + candidate.nonceOffset, 8);
  for (let n = 0n; ; n++) {
    view.setBigUint64(0, n);
    if (meetsTarget(blockId(header), candidate.header.seal.target)) return sealCandidate(candidate, header.slice(candidate.nonceOffset));
  }
}

async function mineAndPost(api: Api): Promise<{ block: DecodedBlock; reply: Reply }> {
  const block = await mineWork(api);
  const reply = await call(api, 'POST', '/v1/blocks', block.bytes);
  return { block, reply };
}

describe('HTTP API', () => {
  let api: Api;
  beforeEach(async () => {
    api = await startApi();
  });

  it('GET /v1/status reports the chain, head and network fields', async () => {
    const r = await call(api, 'GET', '/v1/status');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      chainId: chainIdOf(DEV_PARAMS), network: 'gopkgr-dev', height: 0, head: chainIdOf(DEV_PARAMS), mempool: 0, txWorkBits: DEV_PARAMS.txWorkBits,
      peerId: null, addresses: [], peers: 0, time: DEV_PARAMS.genesisTime, infverTypescript: DEV_PARAMS.infverTypescript,
    });
    expect(r.body.work).toMatch(/^[0-9a-f]+$/);
  });

  it('the quick start: claim, create, upload, publish, mine; the package appears with 1.0.0, its content hash and its block', async () => {
    const { alice } = api;
    const tarball = new TextEncoder().encode('a deterministic tarball');
    const hash = sha256Hex(tarball);
    const claim = alice.tx('claim', { ns: '@acme' });
    const create = alice.tx('create', { ns: '@acme', name: 'left-pad' });
    const publish = alice.tx('publish', publishBody(idBytes(create), '1.0.0', { contentHash: Buffer.from(hash, 'hex'), size: tarball.length }));
    expect(await postTx(api, claim)).toEqual({ status: 200, body: { id: toHex(txId(encodeTx(claim))), status: 'pending' } });
    expect((await postTx(api, create)).body.status).toBe('pending');
    const put = await call(api, 'PUT', `/v1/blobs/${hash}`, tarball);
    expect(put).toEqual({ status: 201, body: { sha256: hash, size: tarball.length, stored: true } });
    expect((await call(api, 'PUT', `/v1/blobs/${hash}`, tarball)).body.stored).toBe(false);
    expect((await postTx(api, publish)).body.status).toBe('pending');
    // The same tx again is known, not an error.
    expect((await postTx(api, publish)).body.status).toBe('known');
    expect((await call(api, 'GET', `/v1/txs/${toHex(txId(encodeTx(publish)))}`)).body).toEqual({ id: toHex(txId(encodeTx(publish))), status: 'pending' });
    expect((await call(api, 'GET', '/v1/status')).body.mempool).toBe(3);

    const { block, reply } = await mineAndPost(api);
    expect(block.txs).toHaveLength(4);
    expect(reply).toEqual({ status: 200, body: { id: toHex(block.id), height: 1, status: 'connected' } });
    expect(api.node.mempool.size).toBe(0);

    const pkg = await call(api, 'GET', '/v1/packages/@acme/left-pad');
    expect(pkg.status).toBe(200);
    expect(pkg.body).toMatchObject({ name: '@acme/left-pad', id: toHex(idBytes(create)), owner: `id:${alice.hex}`, maintainers: [] });
    const versions = pkg.body.versions as Array<Record<string, unknown>>;
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ version: '1.0.0', contentHash: hash, deprecated: false, deps: {}, lock: {}, attestations: [], block: toHex(block.id), height: 1 });
    expect((await call(api, 'GET', `/v1/txs/${toHex(txId(encodeTx(publish)))}`)).body).toMatchObject({ status: 'confirmed', block: toHex(block.id), height: 1, index: 3, confirmations: 1 });
    const blob = await fetch(`${api.url}/v1/blobs/${hash}`);
    expect(Buffer.from(await blob.arrayBuffer()).toString()).toBe('a deterministic tarball');
    expect((await call(api, 'GET', '/v1/namespaces/@acme')).body).toMatchObject({ ns: '@acme', owner: `id:${alice.hex}` });
    expect((await call(api, 'GET', '/v1/status')).body).toMatchObject({ height: 1, head: toHex(block.id), mempool: 0 });
  });

  it('GET /v1/manifests/:apiHash serves a version\'s API manifest, shared by versions with that API; GET /v1/search finds names by prefix', async () => {
    const { alice } = api;
    const claim = alice.tx('claim', { ns: '@acme' });
    const creates = ['left-pad', 'left-trim', 'right-pad'].map((name) => alice.tx('create', { ns: '@acme', name }));
    const publishes = creates.map((c) => alice.tx('publish', publishBody(idBytes(c), '1.0.0')));
    expect((await call(api, 'POST', '/v1/blocks', mineBlock(api.node.chain, [claim, ...creates, ...publishes]).bytes)).status).toBe(200);
    const version = await call(api, 'GET', '/v1/packages/@acme/left-pad/1.0.0');
    expect(version.body.manifest).toEqual(EMPTY_MANIFEST);
    const apiHash = toHex(manifestHash(EMPTY_MANIFEST));
    expect(version.body.apiHash).toBe(apiHash);
    // One record for the three versions: the state holds the manifest once.
    const state = await api.node.chain.readState();
    expect([...state.keys()].filter((k) => k.startsWith('api:'))).toEqual([`api:${apiHash}`]);
    expect((await call(api, 'GET', `/v1/manifests/${apiHash}`)).body).toEqual(EMPTY_MANIFEST);
    const raw = new Uint8Array(await (await fetch(`${api.url}/v1/manifests/${apiHash}?format=raw`)).arrayBuffer());
    expect(sha256Hex(raw)).toBe(apiHash);
    expect(errorCode(await call(api, 'GET', `/v1/manifests/${'0'.repeat(64)}`))).toBe('NOT_FOUND');

    const left = await call(api, 'GET', '/v1/search?q=@acme/left');
    expect(left.body).toEqual({ query: '@acme/left', results: [
      { name: '@acme/left-pad', id: toHex(idBytes(creates[0]!)), latest: '1.0.0', versions: 1 },
      { name: '@acme/left-trim', id: toHex(idBytes(creates[1]!)), latest: '1.0.0', versions: 1 },
    ] });
    expect(((await call(api, 'GET', '/v1/search?q=@acme&limit=1')).body.results as unknown[])).toHaveLength(1);
    expect(((await call(api, 'GET', '/v1/search?q=@nobody')).body.results as unknown[])).toEqual([]);
    // Any other text matches bare names, across namespaces.
    expect(((await call(api, 'GET', '/v1/search?q=left')).body.results as Array<{ name: string }>).map((r) => r.name)).toEqual(['@acme/left-pad', '@acme/left-trim']);
    expect(((await call(api, 'GET', '/v1/search?q=right-pad')).body.results as Array<{ name: string }>).map((r) => r.name)).toEqual(['@acme/right-pad']);
    // Several words: the first word's matches whose name (or description) has every other word.
    expect(((await call(api, 'GET', '/v1/search?q=Left%20Pad')).body.results as Array<{ name: string }>).map((r) => r.name)).toEqual(['@acme/left-pad']);
    expect(errorCode(await call(api, 'GET', '/v1/search?q=left%20p:d'))).toBe('BAD_QUERY');
    expect(errorCode(await call(api, 'GET', `/v1/search?q=${Array(9).fill('pad').join('%20')}`))).toBe('BAD_QUERY');
    expect(errorCode(await call(api, 'GET', '/v1/search?q=%20'))).toBe('BAD_QUERY');
    expect(errorCode(await call(api, 'GET', '/v1/search?q=@acme&limit=0'))).toBe('BAD_QUERY');
  });

  it('GET /v1/search finds packages by the exported names of their newest version; a patch on an older line leaves the index', async () => {
    const { alice } = api;
    const manifest = (names: string[]): Canonical => ({
      format: 'infver/1', name: '@acme/dates', internal: [],
      exports: names.sort().map((name) => {
        const decls = [{ kind: 'variable', t: { k: 'kw', n: 'string' }, const: true }];
        return { name, kind: 'variable', hash: hashExport(name, decls as never), decls };
      }),
    });
    const body = (create: SignedTx, version: string, names: string[]): ReturnType<typeof publishBody> =>
      publishBody(idBytes(create), version, { manifest: manifest(names), apiHash: manifestHash(manifest(names)) });
    const claim = alice.tx('claim', { ns: '@acme' });
    const dates = alice.tx('create', { ns: '@acme', name: 'dates' });
    // A package named like the symbol: found by name first, once.
    const format = alice.tx('create', { ns: '@acme', name: 'formatter' });
    const search = async (q: string): Promise<unknown> => (await call(api, 'GET', `/v1/search?q=${q}`)).body.results;
    expect((await call(api, 'POST', '/v1/blocks', mineBlock(api.node.chain, [
      claim, dates, format, alice.tx('publish', body(dates, '1.0.0', ['parseDate', 'formatDate'])), alice.tx('publish', publishBody(idBytes(format), '1.0.0')),
    ]).bytes)).status).toBe(200);
    const datesId = toHex(idBytes(dates));
    expect(await search('parseD')).toEqual([{ name: '@acme/dates', id: datesId, latest: '1.0.0', versions: 1, symbols: ['parsedate'] }]);
    expect(await search('format')).toEqual([
      { name: '@acme/formatter', id: toHex(idBytes(format)), latest: '1.0.0', versions: 1 },
      { name: '@acme/dates', id: datesId, latest: '1.0.0', versions: 1, symbols: ['formatdate'] },
    ]);
    expect(await search('nothing')).toEqual([]);
    // 2.0.0 drops formatDate: the index follows the newest version's exports.
    expect((await call(api, 'POST', '/v1/blocks', mineBlock(api.node.chain, [alice.tx('publish', body(dates, '2.0.0', ['parseDate', 'addDays']))]).bytes)).status).toBe(200);
    expect(await search('add')).toEqual([{ name: '@acme/dates', id: datesId, latest: '2.0.0', versions: 2, symbols: ['adddays'] }]);
    expect((await search('format')) as unknown[]).toHaveLength(1);
    // A patch on the 1.x line exports formatDate again, but it is not the newest version.
    expect((await call(api, 'POST', '/v1/blocks', mineBlock(api.node.chain, [alice.tx('publish', body(dates, '1.0.1', ['parseDate', 'formatDate']))]).bytes)).status).toBe(200);
    expect((await search('format')) as unknown[]).toHaveLength(1);
    const state = await api.node.chain.readState();
    expect([...state.keys()].filter((k) => k.startsWith('word:')).sort()).toEqual(['word:adddays:@acme/dates', 'word:parsedate:@acme/dates']);
  });

  it('GET /v1/search finds packages by words of their newest version\'s description, alone or with other words', async () => {
    const { alice } = api;
    const claim = alice.tx('claim', { ns: '@acme' });
    const dates = alice.tx('create', { ns: '@acme', name: 'dates' });
    const clock = alice.tx('create', { ns: '@acme', name: 'clock' });
    const search = async (q: string): Promise<Array<{ name: string; description?: string }>> => (await call(api, 'GET', `/v1/search?q=${q}`)).body.results as never;
    expect((await call(api, 'POST', '/v1/blocks', mineBlock(api.node.chain, [
      claim, dates, clock,
      alice.tx('publish', publishBody(idBytes(dates), '1.0.0', { description: 'Parse and format dates in the browser' })),
      alice.tx('publish', publishBody(idBytes(clock), '1.0.0', { description: 'A monotonic clock for timing code' })),
    ]).bytes)).status).toBe(200);
    expect(await search('pars')).toEqual([{ name: '@acme/dates', id: toHex(idBytes(dates)), latest: '1.0.0', versions: 1, description: 'Parse and format dates in the browser' }]);
    expect((await search('timing')).map((r) => r.name)).toEqual(['@acme/clock']);
    // Several words must all match: the name or the description.
    expect((await search('format%20browser')).map((r) => r.name)).toEqual(['@acme/dates']);
    expect((await search('clock%20timing')).map((r) => r.name)).toEqual(['@acme/clock']);
    expect(await search('format%20clock')).toEqual([]);
    // Function words are not indexed.
    expect(await search('the')).toEqual([]);
    // 1.0.1 says something else: the index follows the newest version's description; a version without one drops it.
    expect((await call(api, 'POST', '/v1/blocks', mineBlock(api.node.chain, [
      alice.tx('publish', publishBody(idBytes(dates), '1.0.1', { description: 'Calendar arithmetic' })),
      alice.tx('publish', publishBody(idBytes(clock), '1.0.1')),
    ]).bytes)).status).toBe(200);
    expect(await search('browser')).toEqual([]);
    expect((await search('calendar')).map((r) => r.name)).toEqual(['@acme/dates']);
    expect(await search('timing')).toEqual([]);
    const state = await api.node.chain.readState();
    expect([...state.keys()].filter((k) => k.startsWith('desc:')).sort()).toEqual(['desc:arithmetic:@acme/dates', 'desc:calendar:@acme/dates']);
  });

  it('GET /v1/blocks by height and by id, raw or as JSON; unknown ones are 404', async () => {
    const { block } = await mineAndPost(api);
    const id = toHex(block.id);
    const byHeight = await call(api, 'GET', '/v1/blocks/1');
    const byId = await call(api, 'GET', `/v1/blocks/${id}`);
    expect(byHeight.status).toBe(200);
    expect(byHeight.body).toEqual(byId.body);
    expect(byId.body).toMatchObject({ id, height: 1, parent: chainIdOf(DEV_PARAMS), main: true, status: 'valid', size: block.bytes.length });
    expect((byId.body.txs as Array<Record<string, unknown>>)[0]).toMatchObject({ type: 'reward', height: 1, outputs: [{ to: `id:${toHex(MINER.publicKey)}`, amount: DEV_PARAMS.minerReward }] });
    expect((await call(api, 'GET', '/v1/blocks/0')).body.id).toBe(chainIdOf(DEV_PARAMS));
    const raw = await fetch(`${api.url}/v1/blocks/1?format=raw`);
    expect(raw.headers.get('content-type')).toBe('application/octet-stream');
    expect(toHex(new Uint8Array(await raw.arrayBuffer()))).toBe(toHex(block.bytes));
    await expectRefused(api, () => call(api, 'GET', '/v1/blocks/2'), 404, 'NOT_FOUND');
    await expectRefused(api, () => call(api, 'GET', `/v1/blocks/${'ab'.repeat(32)}`), 404, 'NOT_FOUND');
  });

  it('GET /v1/accounts/:id counts pending txs in nextNonce', async () => {
    const path = `/v1/accounts/id:${api.alice.hex}`;
    expect((await call(api, 'GET', path)).body).toEqual({ identity: `id:${api.alice.hex}`, nonce: 0, nextNonce: 0, balance: 0, rotatedTo: null });
    await postTx(api, api.alice.tx('claim', { ns: '@a' }));
    await postTx(api, api.alice.tx('claim', { ns: '@b' }));
    expect((await call(api, 'GET', path)).body).toMatchObject({ nonce: 0, nextNonce: 2 });
    await mineAndPost(api);
    expect((await call(api, 'GET', path)).body).toMatchObject({ nonce: 2, nextNonce: 2 });
    expect((await call(api, 'GET', `/v1/accounts/id:${toHex(MINER.publicKey)}`)).body).toMatchObject({ balance: DEV_PARAMS.minerReward });
    await expectRefused(api, () => call(api, 'GET', `/v1/accounts/id:${'02' + '00'.repeat(32)}`), 400, 'IDENTITY_INVALID');
  });

  it('fees: GET /v1/work puts the higher fee first, a block shows each tx\'s fee, the miner is paid them, balances follow', async () => {
    // Alice mines a block to have something to spend.
    const funded = await mineWork(api, ALICE.publicKey);
    expect((await call(api, 'POST', '/v1/blocks', funded.bytes)).body.status).toBe('connected');
    const cheap = api.bob.tx('claim', { ns: '@bob' });
    const dear = api.alice.paying(5, 'transfer', { to: BOB.publicKey, amount: 20 });
    expect((await postTx(api, cheap)).status).toBe(200);
    expect((await postTx(api, dear)).status).toBe(200);
    const work = await call(api, 'GET', '/v1/work');
    expect(work.body.txs).toEqual([toHex(encodeTx(dear)), toHex(encodeTx(cheap))]);
    const { block, reply } = await mineAndPost(api);
    expect(reply.body.status).toBe('connected');
    const shown = await call(api, 'GET', `/v1/blocks/${toHex(block.id)}`);
    const txs = shown.body.txs as Array<Record<string, unknown>>;
    expect(txs[0]).toMatchObject({ type: 'reward', outputs: [{ to: `id:${toHex(MINER.publicKey)}`, amount: DEV_PARAMS.minerReward + 5 }] });
    expect(txs[1]).toMatchObject({ type: 'transfer', fee: 5, body: { to: toHex(BOB.publicKey), amount: 20 } });
    expect(txs[2]).not.toHaveProperty('fee');
    expect((await call(api, 'GET', `/v1/accounts/id:${api.alice.hex}`)).body).toMatchObject({ balance: DEV_PARAMS.minerReward - 25 });
    expect((await call(api, 'GET', `/v1/accounts/id:${api.bob.hex}`)).body).toMatchObject({ balance: 20 });
  });

  it('POST /v1/txs with bad bytes is 400 DECODE_ERROR; bad JSON forms have their own codes', async () => {
    await expectRefused(api, () => call(api, 'POST', '/v1/txs', new Uint8Array([0xff, 0x00, 0x01])), 400, 'DECODE_ERROR');
    await expectRefused(api, () => call(api, 'POST', '/v1/txs', new Uint8Array(0)), 400, 'DECODE_ERROR');
    const tx = encodeTx(api.alice.peek('claim', { ns: '@acme' }));
    await expectRefused(api, () => call(api, 'POST', '/v1/txs', '{"tx":', 'application/json'), 400, 'BAD_JSON');
    await expectRefused(api, () => call(api, 'POST', '/v1/txs', '{"transaction":"00"}', 'application/json'), 400, 'BAD_REQUEST');
    await expectRefused(api, () => call(api, 'POST', '/v1/txs', JSON.stringify({ tx: toHex(tx).toUpperCase() }), 'application/json'), 400, 'BAD_HEX');
    // The JSON form with good hex is accepted.
    const ok = await call(api, 'POST', '/v1/txs', JSON.stringify({ tx: toHex(tx) }), 'application/json');
    expect(ok.body.status).toBe('pending');
  });

  it('POST /v1/txs rejects malformed, badly signed, reward and state-breaking txs with their codes', async () => {
    const { alice, bob } = api;
    const claim = alice.peek('claim', { ns: '@acme' });
    const malformed = encode({ ...(structuredClone(claim) as unknown as Record<string, never>), extra: 1 });
    await expectRefused(api, () => postTx(api, malformed), 400, 'TX_MALFORMED');
    const forged = signed({ ...BOB, publicKey: ALICE.publicKey }, 'claim', { ns: '@acme' }, 0, api.node.chain.chainId);
    await expectRefused(api, () => postTx(api, forged), 400, 'TX_BAD_SIGNATURE');
    await expectRefused(api, () => postTx(api, encodeTx(buildRewardTx(1, ALICE.publicKey, [], DEV_PARAMS))), 400, 'TX_REWARD_NOT_ALLOWED');
    // A nonce inside the waiting window (< next + 64) would wait; one beyond it is refused.
    await expectRefused(api, () => postTx(api, alice.at(64, 'claim', { ns: '@x' })), 400, 'TX_BAD_NONCE');
    expect((await postTx(api, alice.tx('claim', { ns: '@acme' }))).status).toBe(200);
    await expectRefused(api, () => postTx(api, bob.peek('claim', { ns: '@acme' })), 400, 'TX_NAME_TAKEN');
    await expectRefused(api, () => postTx(api, bob.peek('create', { ns: '@acme', name: 'mine' })), 400, 'TX_NOT_MAINTAINER');
    await expectRefused(api, () => postTx(api, alice.peek('claim', { ns: 'acme' })), 400, 'TX_BAD_NAME');
    const big = alice.peek('publish', publishBody(new Uint8Array(32), '1.0.0', { manifest: 'x'.repeat(MAX_TX_BYTES) }));
    await expectRefused(api, () => postTx(api, big), 400, 'TX_TOO_LARGE');
  });

  it('POST /v1/txs: a publish whose tarball the node does not hold is TX_BLOB_MISSING', async () => {
    const { alice } = api;
    await postTx(api, alice.tx('claim', { ns: '@acme' }));
    const create = alice.tx('create', { ns: '@acme', name: 'lib' });
    await postTx(api, create);
    expect((await mineAndPost(api)).reply.body.status).toBe('connected');
    const publish = alice.peek('publish', publishBody(idBytes(create), '1.0.0'));
    await expectRefused(api, () => postTx(api, publish), 400, 'TX_BLOB_MISSING');
    expect((await call(api, 'GET', '/v1/packages/@acme/lib')).body.versions).toEqual([]);
  });

  it('PUT /v1/blobs with bytes that do not hash to the name is BLOB_HASH_MISMATCH, and nothing is stored', async () => {
    const bytes = new TextEncoder().encode('real bytes');
    const claimed = sha256Hex(new TextEncoder().encode('other bytes'));
    await expectRefused(api, () => call(api, 'PUT', `/v1/blobs/${claimed}`, bytes), 400, 'BLOB_HASH_MISMATCH');
    expect(await api.node.blobs.has(claimed)).toBe(false);
    expect(await api.node.blobs.has(sha256Hex(bytes))).toBe(false);
    await expectRefused(api, () => call(api, 'GET', `/v1/blobs/${claimed}`), 404, 'NOT_FOUND');
    await expectRefused(api, () => call(api, 'PUT', '/v1/blobs/not-a-hash', bytes), 400, 'BLOB_BAD_HASH');
    await expectRefused(api, () => call(api, 'PUT', `/v1/blobs/${claimed.toUpperCase()}`, bytes), 400, 'BLOB_BAD_HASH');
  });

  it('an oversized body is 413 HTTP_BODY_TOO_LARGE before it is read', async () => {
    const tooBig = new Uint8Array(MAX_TX_BYTES * 2 + 65);
    await expectRefused(api, () => postTx(api, tooBig), 413, 'HTTP_BODY_TOO_LARGE');
    // The server still answers afterwards.
    expect((await call(api, 'GET', '/v1/status')).status).toBe(200);
  });

  it('GET of an unknown package is 404 NOT_FOUND; a bad name is 400 BAD_NAME; unknown routes are 404', async () => {
    await expectRefused(api, () => call(api, 'GET', '/v1/packages/@acme/nothing'), 404, 'NOT_FOUND');
    await expectRefused(api, () => call(api, 'GET', '/v1/packages/@ACME/x'), 400, 'BAD_NAME');
    await expectRefused(api, () => call(api, 'GET', '/v1/namespaces/@nobody'), 404, 'NOT_FOUND');
    await expectRefused(api, () => call(api, 'GET', '/v1/nothing'), 404, 'NOT_FOUND');
    await expectRefused(api, () => call(api, 'DELETE', '/v1/status'), 404, 'NOT_FOUND');
    await expectRefused(api, () => call(api, 'GET', `/v1/txs/${'00'.repeat(32)}`), 404, 'NOT_FOUND');
  });

  it('a path with a malformed %-escape is 400 BAD_REQUEST, not a 500', async () => {
    await expectRefused(api, () => call(api, 'GET', '/v1/packages/%E0%A4%A'), 400, 'BAD_REQUEST');
    await expectRefused(api, () => call(api, 'GET', '/v1/%ZZ'), 400, 'BAD_REQUEST');
    // A well-formed escape is decoded: @acme%2Flib is @acme/lib.
    await expectRefused(api, () => call(api, 'GET', '/v1/packages/@acme%2Flib'), 404, 'NOT_FOUND');
  });

  it('POST /v1/blocks rejects bad blocks with their codes and keeps the chain', async () => {
    await postTx(api, api.alice.tx('claim', { ns: '@acme' }));
    const good = await mineWork(api);
    await expectRefused(api, () => call(api, 'POST', '/v1/blocks', new Uint8Array([0x82, 0x00, 0x80])), 400, 'BLOCK_MALFORMED');
    await expectRefused(api, () => call(api, 'POST', '/v1/blocks', good.bytes.subarray(0, 10)), 400, 'DECODE_ERROR');
    expect((await call(api, 'POST', '/v1/blocks', good.bytes)).body.status).toBe('connected');
    expect((await call(api, 'POST', '/v1/blocks', good.bytes)).body.status).toBe('duplicate');
    // A block paying the miner too much is invalid; the chain stays at height 1.
    const work = (await api.node.work());
    const candidate = buildCandidate(work, MINER.publicKey, work.parentTime + 1000);
    candidate.txs[0] = { ...buildRewardTx(2, MINER.publicKey, [], DEV_PARAMS), outputs: [{ to: MINER.publicKey, amount: 1_000_000 }] };
    const reward = candidate.txs[0];
    const header = { ...candidate.header, txRoot: merkleRoot([txId(encodeTx(reward))]) };
    let sealed: DecodedBlock | undefined;
    for (let n = 0; sealed === undefined; n++) {
      const nonce = new Uint8Array(8);
      new DataView(nonce.buffer).setUint32(4, n);
      if (meetsTarget(blockId(encodeHeader({ ...header, seal: { ...header.seal, nonce } })), header.seal.target)) sealed = sealCandidate({ ...candidate, header }, nonce);
    }
    await expectRefused(api, () => call(api, 'POST', '/v1/blocks', sealed!.bytes), 400, 'BLOCK_BAD_REWARD');
    await expectRefused(api, () => call(api, 'POST', '/v1/blocks', sealed!.bytes), 400, 'BLOCK_KNOWN_INVALID');
    expect(api.node.chain.height).toBe(1);
  });

  it('GET /v1/work describes the next block', async () => {
    await postTx(api, api.alice.tx('claim', { ns: '@acme' }));
    const r = await call(api, 'GET', '/v1/work');
    expect(r.body).toMatchObject({ parent: chainIdOf(DEV_PARAMS), height: 1, target: DEV_PARAMS.powLimit, minTime: DEV_PARAMS.genesisTime });
    expect((r.body.txs as string[]).length).toBe(1);
    // Each tx's validation cost, for the miner's template to stop at MAX_BLOCK_COST.
    expect(r.body.costs).toEqual([expect.any(Number)]);
  });
});
