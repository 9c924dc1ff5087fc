/**
 * Every node keeps every tarball: a late joiner that syncs blocks carrying
 * publishes fetches their tarballs from peers in the background, verified,
 * without anyone asking it for them; after a restart it resumes what is
 * still missing; and GET /v1/blobs of a tarball missing here fetches it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEV_PARAMS, fromHex, toHex, txId } from '../../ledger/index.ts';
import { publishBody } from '../support/chain.ts';
import { keyPair } from '../support/chain.ts';
import { closeAll } from '../support/cleanup.ts';
import { BLOB_SCAN_KEY, ChainStore, putRaw } from '../../node/store.ts';
import { converged, mineVia, spawnNetNode, status, submitTx, txBytes, type NetNode } from '../support/network.ts';
import { stopNode } from '../support/processes.ts';
import { waitFor } from '../support/waitFor.ts';
import { WAIT_TIMEOUT_MS } from '../support/timeouts.ts';

async function head(node: NetNode, hash: string): Promise<number> {
  return (await fetch(`${node.api}/v1/blobs/${hash}`, { method: 'HEAD' })).status;
}

describe('tarballs of synced blocks', () => {
  afterAll(closeAll);

  it('are fetched by a late joiner in the background, and after a restart', async () => {
    const a = await spawnNetNode('publisher');
    const chainId = a.ready.chainId as string;
    const alice = keyPair('alice');
    await submitTx(a, txBytes(alice, 'claim', { ns: '@acme' }, 0, chainId));
    const create = txBytes(alice, 'create', { ns: '@acme', name: 'pad' }, 1, chainId);
    await submitTx(a, create);
    const pkg = fromHex(toHex(txId(create)));
    const hashes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const tarball = new TextEncoder().encode(`tarball ${i} `.repeat(1000 + i));
      const hash = createHash('sha256').update(tarball).digest('hex');
      const put = await fetch(`${a.api}/v1/blobs/${hash}`, { method: 'PUT', body: tarball });
      expect(put.status).toBe(201);
      await submitTx(a, txBytes(alice, 'publish', publishBody(pkg, `1.0.${i}`, { contentHash: fromHex(hash), size: tarball.length }), 2 + i, chainId));
      hashes.push(hash);
    }
    await mineVia(a, 6);
    expect((await status(a)).height).toBe(6);

    // b joins late: it syncs the blocks, then fetches the three tarballs without being asked (HEAD looks only at its own store).
    const b = await spawnNetNode('joiner', { peers: [a.addr] });
    await converged([a, b], 6);
    await waitFor(async () => ((await Promise.all(hashes.map((h) => head(b, h)))).every((s) => s === 200) ? true : undefined), WAIT_TIMEOUT_MS, 'b to hold every tarball');
    expect((await status(b)).blobsMissing).toBe(0);
    const copy = await fetch(`${b.api}/v1/blobs/${hashes[1]}`);
    expect(createHash('sha256').update(new Uint8Array(await copy.arrayBuffer())).digest('hex')).toBe(hashes[1]);

    // A node that stopped before it had every tarball fetches the rest when it starts again, from what it
    // recorded as wanted (bm:<hash>): here c stops, loses a tarball, and holds the record a node interrupted
    // mid-fetch would hold. The walk over every version ran once (meta:blobScan) and does not run again.
    const c = await spawnNetNode('restarter', { peers: [b.addr] });
    await converged([b, c], 6);
    await waitFor(async () => ((await Promise.all(hashes.map((h) => head(c, h)))).every((s) => s === 200) ? true : undefined), WAIT_TIMEOUT_MS, 'c to hold every tarball');
    await stopNode(c);
    const db = new ChainStore(join(c.data, 'chains', DEV_PARAMS.name, 'db'));
    await db.open();
    expect(await db.getRaw(BLOB_SCAN_KEY)).toBeDefined();
    const wanted: string[] = [];
    for await (const key of db.keys('bm:')) wanted.push(key);
    expect(wanted).toEqual([]);
    await db.write([putRaw(`bm:${hashes[2]}`, new Uint8Array(0))]);
    await db.close();
    await rm(join(c.data, 'blobs', hashes[2]!.slice(0, 2), hashes[2]!), { force: false });
    const c2 = await spawnNetNode('restarted', { data: c.data, peers: [b.addr] });
    await waitFor(async () => ((await head(c2, hashes[2]!)) === 200 ? true : undefined), WAIT_TIMEOUT_MS, 'c to fetch the missing tarball again after its restart');
    expect(c2.stderr()).toMatch(/1 tarball\(s\) referenced on chain are missing here/);

    // GET /v1/blobs of a tarball missing here (removed while the node runs) fetches it from a peer, then
    // streams it from disk with its length; HEAD looks only here; a hash no peer holds is a 404.
    await rm(join(c2.data, 'blobs', hashes[0]!.slice(0, 2), hashes[0]!), { force: false });
    expect(await head(c2, hashes[0]!)).toBe(404);
    const fetched = await fetch(`${c2.api}/v1/blobs/${hashes[0]}`);
    expect(fetched.status).toBe(200);
    const bytes = new Uint8Array(await fetched.arrayBuffer());
    expect(fetched.headers.get('content-length')).toBe(String(bytes.length));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(hashes[0]);
    expect(await head(c2, hashes[0]!)).toBe(200);
    const unknown = await fetch(`${c2.api}/v1/blobs/${'ab'.repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });
});
