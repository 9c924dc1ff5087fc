/**
 * A private node's API over its replica of the public chain (node/api/replica.ts):
 * public names and content the replica alone holds are handed to an API over
 * the replica (with the public chain id in a header); the private chain's own
 * namespaces are never; /v1/parent/<route> reads the replica; writes are never
 * handed over; the token guards all of it. Two real FullNodes, real HTTP.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { DEV_PARAMS, type ChainParams } from '../../ledger/index.ts';
import { createApi, FullNode, listenApi } from '../../node/index.ts';
import { closeAll, onClose, tempDir } from '../support/cleanup.ts';

const TOKEN = 'a-token-of-at-least-sixteen-chars';
const PRIVATE: ChainParams = { ...DEV_PARAMS, name: 'acme', namespaces: ['@acme'] };
const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function open(params: ChainParams): Promise<FullNode> {
  const node = await FullNode.open({ dataDir: await tempDir('gopkgr-replica-'), params });
  onClose(() => node.close());
  return node;
}

describe('a private node\'s API over its public replica', () => {
  afterAll(closeAll);

  it('hands public names, replica-only content and /v1/parent reads to the replica, and nothing of its own namespaces', async () => {
    const own = await open(PRIVATE);
    const replica = await open(DEV_PARAMS);
    const access = { host: '127.0.0.1', token: TOKEN, tokenForReads: true };
    const server = createApi(own, {}, { access, replica: { node: replica, server: createApi(replica, {}, { access }) } });
    const addr = await listenApi(server, '127.0.0.1', 0);
    onClose(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const url = `http://127.0.0.1:${addr.port}`;
    const get = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...init.headers } });

    const publicBytes = new TextEncoder().encode('a public tarball');
    const privateBytes = new TextEncoder().encode('a private tarball');
    await replica.blobs.put(sha(publicBytes), publicBytes);
    await own.blobs.put(sha(privateBytes), privateBytes);

    const status = await get('/v1/parent/status');
    expect(status.status).toBe(200);
    expect(status.headers.get('gopkgr-chain-id')).toBe(replica.chainId);
    expect(((await status.json()) as { chainId: string }).chainId).toBe(replica.chainId);
    expect(((await (await get('/v1/status')).json()) as { chainId: string }).chainId).toBe(own.chainId);

    // A public name: the replica answers (here: it does not know it either).
    const pub = await get('/v1/packages/@pub/lib');
    expect(pub.status).toBe(404);
    expect(pub.headers.get('gopkgr-chain-id')).toBe(replica.chainId);
    // A name of the private chain's namespaces: this chain only, never the replica.
    for (const path of ['/v1/packages/@acme/lib', '/v1/packages/@acme/lib/1.0.0', '/v1/namespaces/@acme']) {
      const r = await get(path);
      expect({ path, status: r.status, header: r.headers.get('gopkgr-chain-id') }).toEqual({ path, status: 404, header: null });
    }

    const fromReplica = await get(`/v1/blobs/${sha(publicBytes)}`);
    expect(fromReplica.status).toBe(200);
    expect(fromReplica.headers.get('gopkgr-chain-id')).toBe(replica.chainId);
    expect(new Uint8Array(await fromReplica.arrayBuffer())).toEqual(publicBytes);
    const fromOwn = await get(`/v1/blobs/${sha(privateBytes)}`);
    expect(fromOwn.status).toBe(200);
    expect(fromOwn.headers.get('gopkgr-chain-id')).toBeNull();
    // The replica never holds a private tarball, and is never asked to look for one.
    expect((await get(`/v1/parent/blobs/${sha(privateBytes)}`)).status).toBe(404);
    expect(await replica.blobs.has(sha(privateBytes))).toBe(false);

    // Writes are never handed over; reads need the token like every route of a private node.
    const post = await get('/v1/parent/txs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(post.status).toBe(404);
    const bare = await fetch(`${url}/v1/parent/status`);
    expect(bare.status).toBe(401);
    const bareName = await fetch(`${url}/v1/packages/@pub/lib`);
    expect(bareName.status).toBe(401);
  });
});
