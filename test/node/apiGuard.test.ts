/**
 * The API's defences, through a real FullNode (level store, blob store, mempool)
 * and a real server on 127.0.0.1, driven with raw HTTP requests (node:http, so
 * that Host, Origin and source addresses are what the test says): cross-site
 * writes, DNS rebinding, the write token, 413/415, aborted uploads, the upload
 * quota for tarballs no tx names, and garbage collection of such tarballs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { readdir, utimes } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { meetsTarget } from '../../consensus/pow/index.ts';
import { blockId, DEV_PARAMS, encodeTx, sha256Hex, type DecodedBlock, type SignedTx } from '../../ledger/index.ts';
import { FullNode, MAX_BLOB_BYTES } from '../../node/index.ts';
import { buildCandidate, sealCandidate } from '../../miner/template.ts';
import { actor, idBytes, keyPair, MINER, publishBody, type Actor } from '../support/chain.ts';
import { startNode, type ApiOptions } from '../support/apiNode.ts';
import { closeAll, onClose, tempDir } from '../support/cleanup.ts';
import { bigBody, raw, upload, type RawReply } from '../support/http.ts';
import { waitFor } from '../support/waitFor.ts';

afterEach(closeAll);

const ALICE = keyPair('alice');
const TOKEN = 'a-long-enough-test-token-0123456789';

interface Api {
  node: FullNode;
  port: number;
  alice: Actor;
  dataDir: string;
  warnings: string[];
}

async function startApi(opts: ApiOptions = {}, blobGraceMs?: number): Promise<Api> {
  const { node, port, dataDir, warnings } = await startNode({ prefix: 'gopkgr-guard-', api: opts, blobGraceMs });
  return { node, port, alice: actor(ALICE, node.chain.chainId), dataDir, warnings };
}

const code = (r: RawReply): unknown => (r.body.error as { code?: unknown } | undefined)?.code;

function postTx(api: Api, tx: SignedTx, headers: Record<string, string> = {}): Promise<RawReply> {
  return raw({ port: api.port, method: 'POST', path: '/v1/txs', headers: { 'content-type': 'application/cbor', ...headers }, body: encodeTx(tx) });
}

function putBlob(api: Api, bytes: Uint8Array, opts: { localAddress?: string; headers?: Record<string, string> } = {}): Promise<RawReply> {
  return raw({ port: api.port, method: 'PUT', path: `/v1/blobs/${sha256Hex(bytes)}`, headers: { 'content-type': 'application/octet-stream', ...opts.headers }, body: bytes, localAddress: opts.localAddress });
}

async function tmpFiles(api: Api): Promise<string[]> {
  return (await readdir(`${api.dataDir}/blobs`)).filter((n) => n.startsWith('tmp-'));
}

async function mineWork(node: FullNode): Promise<DecodedBlock> {
  const work = (await node.work());
  const candidate = buildCandidate(work, MINER.publicKey, work.parentTime + DEV_PARAMS.blockTimeMs);
  const header = candidate.headerBytes.slice();
  const view = new DataView(header.buffer, header.byteOffset + candidate.nonceOffset, 8);
  for (let n = 0n; ; n++) {
    view.setBigUint64(0, n);
    if (meetsTarget(blockId(header), candidate.header.seal.target)) return sealCandidate(candidate, header.slice(candidate.nonceOffset));
  }
}

describe('API guard: cross-site writes and DNS rebinding', () => {
  it('refuses a CSRF-style text/plain POST from a foreign Origin, and any write that is not CBOR or JSON', async () => {
    const api = await startApi();
    const claim = api.alice.peek('claim', { ns: '@acme' });
    const body = encodeTx(claim);
    const csrf = await raw({ port: api.port, method: 'POST', path: '/v1/txs', headers: { 'content-type': 'text/plain', origin: 'https://evil.example' }, body });
    expect({ status: csrf.status, code: code(csrf) }).toEqual({ status: 403, code: 'HTTP_ORIGIN_REFUSED' });
    // Without an Origin the type alone refuses it; the simple types a form can send, and none at all, are all 415.
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
      const r = await raw({ port: api.port, method: 'POST', path: '/v1/txs', headers: type === undefined ? {} : { 'content-type': type }, body });
      expect({ type, status: r.status, code: code(r) }).toEqual({ type, status: 415, code: 'HTTP_UNSUPPORTED_MEDIA_TYPE' });
    }
    for (const path of ['/v1/blocks', '/v1/peers']) {
      const r = await raw({ port: api.port, method: 'POST', path, headers: { 'content-type': 'text/plain' }, body: '{}' });
      expect({ path, status: r.status, code: code(r) }).toEqual({ path, status: 415, code: 'HTTP_UNSUPPORTED_MEDIA_TYPE' });
    }
    // A foreign origin is refused whatever the type; so are opaque and look-alike origins.
    for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:${api.port + 1}`, `https://127.0.0.1:${api.port}`, `http://127.0.0.1.evil.example:${api.port}`]) {
      const r = await postTx(api, claim, { origin });
      expect({ origin, status: r.status, code: code(r) }).toEqual({ origin, status: 403, code: 'HTTP_ORIGIN_REFUSED' });
    }
    expect(api.node.mempool.size).toBe(0);
    // The node's own origin may write.
    const own = await postTx(api, api.alice.tx('claim', { ns: '@acme' }), { origin: `http://localhost:${api.port}` });
    expect({ status: own.status, s: own.body.status }).toEqual({ status: 200, s: 'pending' });
    expect(api.node.mempool.size).toBe(1);
  });

  it('refuses a request whose Host is not the address the API is bound to (DNS rebinding)', async () => {
    const api = await startApi();
    for (const host of ['evil.example', `evil.example:${api.port}`, `127.0.0.1:${api.port + 1}`, `127.0.0.1`, `localhost.evil.example:${api.port}`]) {
      const r = await raw({ port: api.port, method: 'GET', path: '/v1/status', headers: { host } });
      expect({ host, status: r.status, code: code(r) }).toEqual({ host, status: 403, code: 'HTTP_HOST_REFUSED' });
    }
    const hostless = await raw({ port: api.port, method: 'GET', path: '/v1/status', setHost: false });
    // Node's HTTP server itself answers an HTTP/1.1 request without Host with 400.
    expect(hostless.status).toBe(400);
    // A rebinding page's write is refused the same way, before the body is looked at.
    const write = await postTx(api, api.alice.peek('claim', { ns: '@acme' }), { host: `attacker.example:${api.port}` });
    expect({ status: write.status, code: code(write) }).toEqual({ status: 403, code: 'HTTP_HOST_REFUSED' });
    expect(api.node.mempool.size).toBe(0);
    for (const host of [`127.0.0.1:${api.port}`, `localhost:${api.port}`, `LOCALHOST:${api.port}`, `[::1]:${api.port}`]) {
      const r = await raw({ port: api.port, method: 'GET', path: '/v1/status', headers: { host } });
      expect({ host, status: r.status }).toEqual({ host, status: 200 });
    }
  });

  it('accepts the configured host name too', async () => {
    const api = await startApi({ access: { host: 'node.internal', token: TOKEN } });
    expect((await raw({ port: api.port, method: 'GET', path: '/v1/status', headers: { host: `node.internal:${api.port}` } })).status).toBe(200);
    expect((await raw({ port: api.port, method: 'GET', path: '/v1/status', headers: { host: `other.internal:${api.port}` } })).status).toBe(403);
  });
});

describe('API guard: the write token', () => {
  it('with a token, every write needs Authorization: Bearer <token>; reads do not', async () => {
    const api = await startApi({ access: { host: '127.0.0.1', token: TOKEN } });
    const claim = api.alice.peek('claim', { ns: '@acme' });
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN, 'Bearer ']) {
      const r = await postTx(api, claim, authorization === undefined ? {} : { authorization });
      expect({ authorization, status: r.status, code: code(r) }).toEqual({ authorization, status: 401, code: 'UNAUTHORIZED' });
    }
    const blob = new TextEncoder().encode('tarball');
    const put = await putBlob(api, blob);
    expect({ status: put.status, code: code(put) }).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    expect(await api.node.blobs.has(sha256Hex(blob))).toBe(false);
    expect(api.node.mempool.size).toBe(0);
    expect((await raw({ port: api.port, method: 'GET', path: '/v1/status' })).status).toBe(200);
    const ok = await postTx(api, api.alice.tx('claim', { ns: '@acme' }), { authorization: `Bearer ${TOKEN}` });
    expect({ status: ok.status, s: ok.body.status }).toEqual({ status: 200, s: 'pending' });
    expect((await putBlob(api, blob, { headers: { authorization: `bearer ${TOKEN}` } })).status).toBe(201);
  });
});

describe('API guard: a private chain\'s node', () => {
  it('with tokenForReads, every request needs the token, reads and unknown paths included', async () => {
    const api = await startApi({ access: { host: '127.0.0.1', token: TOKEN, tokenForReads: true } });
    for (const path of ['/v1/status', '/v1/blocks/0', '/v1/packages/@acme/x', '/v1/nowhere']) {
      for (const authorization of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`]) {
        const r = await raw({ port: api.port, method: 'GET', path, headers: authorization === undefined ? {} : { authorization } });
        expect({ path, authorization, status: r.status, code: code(r) }).toEqual({ path, authorization, status: 401, code: 'UNAUTHORIZED' });
      }
    }
    const ok = await raw({ port: api.port, method: 'GET', path: '/v1/status', headers: { authorization: `Bearer ${TOKEN}` } });
    expect({ status: ok.status, chainId: ok.body.chainId }).toEqual({ status: 200, chainId: api.node.chainId });
    expect((await raw({ port: api.port, method: 'GET', path: '/v1/nowhere', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });
});

describe('API guard: bodies', () => {
  it('a blob over the size cap is 413 HTTP_BODY_TOO_LARGE, declared or streamed, and leaves no temp file', async () => {
    const api = await startApi();
    const block = randomBytes(1024 * 1024);
    const declared = bigBody('declared', block, 32);
    expect(declared.size).toBeGreaterThan(MAX_BLOB_BYTES);
    const a = await upload(api.port, declared);
    expect({ status: a.status, code: (a.body?.error as { code?: string } | undefined)?.code }).toEqual({ status: 413, code: 'HTTP_BODY_TOO_LARGE' });
    // Chunked: no length up front, so the cap is found while streaming.
    const streamed = bigBody('streamed', block, 32);
    const b = await upload(api.port, streamed, { chunked: true });
    expect({ status: b.status, code: (b.body?.error as { code?: string } | undefined)?.code }).toEqual({ status: 413, code: 'HTTP_BODY_TOO_LARGE' });
    expect(await api.node.blobs.has(declared.sha256)).toBe(false);
    expect(await api.node.blobs.has(streamed.sha256)).toBe(false);
    await waitFor(async () => (await tmpFiles(api)).length === 0, 10_000, 'temp files to go');
    expect(api.warnings).toEqual([]);
    expect((await raw({ port: api.port, method: 'GET', path: '/v1/status' })).status).toBe(200);
  });

  it('an upload the client abandons mid-body leaves no temp file, no blob and no internal-error log line', async () => {
    const api = await startApi();
    const bytes = randomBytes(4 * 1024 * 1024);
    const hash = sha256Hex(bytes);
    const req = request({ host: '127.0.0.1', port: api.port, method: 'PUT', path: `/v1/blobs/${hash}`, agent: false, headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) } });
    req.on('error', () => undefined);
    req.write(bytes.subarray(0, 1024 * 1024));
    // The node has started writing the upload to a temp file...
    await waitFor(async () => (await tmpFiles(api)).length === 1, 10_000, 'the upload to reach a temp file');
    // ...when the client hangs up.
    req.destroy();
    await waitFor(async () => (await tmpFiles(api)).length === 0, 10_000, 'the temp file to be removed');
    expect(await api.node.blobs.has(hash)).toBe(false);
    expect(api.warnings).toEqual([]);
    // The quota it held is released: the whole upload goes through afterwards.
    expect((await putBlob(api, bytes)).status).toBe(201);
  });
});

describe('API guard: tarballs no tx names', () => {
  it('each client may hold only a small quota of them; a publish tx naming an upload releases its share', async () => {
    const MiB = 1024 * 1024;
    const api = await startApi({ blobQuota: { perClientBytes: 3 * MiB, totalBytes: 5 * MiB, graceMs: 60_000 } });
    const blob = (): Uint8Array => randomBytes(2 * MiB);
    const first = blob();
    expect((await putBlob(api, first)).status).toBe(201);
    const over = blob();
    const refused = await putBlob(api, over);
    expect({ status: refused.status, code: code(refused) }).toEqual({ status: 429, code: 'BLOB_QUOTA_EXCEEDED' });
    expect(await api.node.blobs.has(sha256Hex(over))).toBe(false);
    // Another client has its own share, up to the node-wide bound.
    expect((await putBlob(api, blob(), { localAddress: '127.0.0.2' })).status).toBe(201);
    const third = await putBlob(api, blob(), { localAddress: '127.0.0.3' });
    expect({ status: third.status, code: code(third) }).toEqual({ status: 429, code: 'BLOB_QUOTA_EXCEEDED' });
    expect(await tmpFiles(api)).toEqual([]);
    // Stored uploads are served back (streamed from disk), HEAD with their size.
    const head = await fetch(`http://127.0.0.1:${api.port}/v1/blobs/${sha256Hex(first)}`, { method: 'HEAD' });
    expect({ status: head.status, length: head.headers.get('content-length') }).toEqual({ status: 200, length: String(first.length) });
    const got = await fetch(`http://127.0.0.1:${api.port}/v1/blobs/${sha256Hex(first)}`);
    expect(sha256Hex(new Uint8Array(await got.arrayBuffer()))).toBe(sha256Hex(first));
    // Re-sending a tarball the node already holds costs nothing.
    expect((await putBlob(api, first)).body).toMatchObject({ stored: false, size: first.length });

    // The publish that names the first upload makes it the ledger's: the uploader may upload again.
    const { alice } = api;
    expect((await postTx(api, alice.tx('claim', { ns: '@acme' }))).status).toBe(200);
    const create = alice.tx('create', { ns: '@acme', name: 'lib' });
    expect((await postTx(api, create)).status).toBe(200);
    const publish = alice.tx('publish', publishBody(idBytes(create), '1.0.0', { contentHash: Buffer.from(sha256Hex(first), 'hex'), size: first.length }));
    expect((await postTx(api, publish)).body.status).toBe('pending');
    expect((await putBlob(api, over)).status).toBe(201);
  });

  it('an unreferenced upload stops counting once its grace period is over', async () => {
    const MiB = 1024 * 1024;
    const api = await startApi({ blobQuota: { perClientBytes: 3 * MiB, totalBytes: 5 * MiB, graceMs: 300 } });
    expect((await putBlob(api, randomBytes(2 * MiB))).status).toBe(201);
    expect((await putBlob(api, randomBytes(2 * MiB))).status).toBe(429);
    await new Promise((r) => setTimeout(r, 400));
    expect((await putBlob(api, randomBytes(2 * MiB))).status).toBe(201);
  });

  it('garbage collection removes unreferenced tarballs past the grace period and keeps those a version or a pending publish names', async () => {
    const api = await startApi({}, 500);
    const { alice, node } = api;
    const tar = (text: string): Uint8Array => new TextEncoder().encode(text);
    const confirmed = tar('confirmed tarball');
    const pending = tar('pending tarball');
    const orphan = tar('orphan tarball');
    for (const b of [confirmed, pending, orphan]) expect((await putBlob(api, b)).status).toBe(201);
    await postTx(api, alice.tx('claim', { ns: '@acme' }));
    const create = alice.tx('create', { ns: '@acme', name: 'lib' });
    await postTx(api, create);
    await postTx(api, alice.tx('publish', publishBody(idBytes(create), '1.0.0', { contentHash: Buffer.from(sha256Hex(confirmed), 'hex'), size: confirmed.length })));
    expect((await node.submitBlock(await mineWork(node))).status).toBe('connected');
    expect((await postTx(api, alice.tx('publish', publishBody(idBytes(create), '1.0.1', { contentHash: Buffer.from(sha256Hex(pending), 'hex'), size: pending.length })))).body.status).toBe('pending');

    // Within the grace period nothing goes.
    expect(await node.collectBlobs()).toEqual([]);
    expect(await node.blobs.has(sha256Hex(orphan))).toBe(true);
    await new Promise((r) => setTimeout(r, 600));
    // The node's own periodic run may have come first; either way the orphan is gone after this.
    await node.collectBlobs();
    expect(await node.blobs.has(sha256Hex(orphan))).toBe(false);
    expect(await node.blobs.has(sha256Hex(confirmed))).toBe(true);
    expect(await node.blobs.has(sha256Hex(pending))).toBe(true);
  });

  it('garbage collection also runs when a node opens (in the background: the open does not wait for it)', async () => {
    const dataDir = await tempDir('gopkgr-guard-reopen-');
    const first = await FullNode.open({ dataDir, params: DEV_PARAMS });
    const stale = new TextEncoder().encode('uploaded long ago, never published');
    const fresh = new TextEncoder().encode('uploaded just now');
    await first.blobs.put(sha256Hex(stale), stale);
    await first.blobs.put(sha256Hex(fresh), fresh);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(first.blobs.pathOf(sha256Hex(stale)), hourAgo, hourAgo);
    await first.close();
    const again = await FullNode.open({ dataDir, params: DEV_PARAMS });
    onClose(() => again.close());
    await waitFor(async () => !(await again.blobs.has(sha256Hex(stale))), undefined, 'the stale tarball collected');
    expect(await again.blobs.has(sha256Hex(fresh))).toBe(true);
  });
});
