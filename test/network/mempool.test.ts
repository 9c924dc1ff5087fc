/**
 * Txs submitted before a node joined still reach it: on connecting, a node
 * asks its peer for its pending txs, validates each as if gossiped (a publish
 * brings its tarball along), and can then mine them itself.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { fromHex, toHex, txId } from '../../ledger/index.ts';
import { publishBody } from '../support/chain.ts';
import { keyPair } from '../support/chain.ts';
import { closeAll } from '../support/cleanup.ts';
import { getJson } from '../support/http.ts';
import { converged, mineVia, spawnNetNode, status, submitTx, txBytes } from '../support/network.ts';
import { waitFor } from '../support/waitFor.ts';
import { WAIT_TIMEOUT_MS } from '../support/timeouts.ts';

describe('pending txs', () => {
  afterAll(closeAll);

  it('reach a node that connects after they were submitted, tarball included', async () => {
    const a = await spawnNetNode('early');
    const chainId = a.ready.chainId as string;
    await mineVia(a, 2);
    const alice = keyPair('alice');
    const claim = txBytes(alice, 'claim', { ns: '@late' }, 0, chainId);
    const create = txBytes(alice, 'create', { ns: '@late', name: 'pad' }, 1, chainId);
    const tarball = new TextEncoder().encode('a pending tarball');
    const hash = createHash('sha256').update(tarball).digest('hex');
    expect((await fetch(`${a.api}/v1/blobs/${hash}`, { method: 'PUT', body: tarball })).status).toBe(201);
    const publish = txBytes(alice, 'publish', publishBody(fromHex(toHex(txId(create))), '1.0.0', { contentHash: fromHex(hash), size: tarball.length }), 2, chainId);
    const ids = [];
    for (const tx of [claim, create, publish]) ids.push(await submitTx(a, tx));
    expect((await status(a)).mempool).toBe(3);

    const b = await spawnNetNode('late', { peers: [a.addr] });
    await converged([a, b], 2);
    await waitFor(async () => ((await status(b)).mempool === 3 ? true : undefined), WAIT_TIMEOUT_MS, 'b to pull the three pending txs');
    for (const id of ids) expect((await getJson<{ status: string }>(`${b.api}/v1/txs/${id}`)).body.status).toBe('pending');
    expect((await fetch(`${b.api}/v1/blobs/${hash}`, { method: 'HEAD' })).status).toBe(200);

    // b mines them; a follows, and both show the package.
    await mineVia(b, 1);
    await converged([a, b], 3);
    for (const node of [a, b]) {
      const pkg = await getJson<{ versions: Array<{ version: string; contentHash: string }> }>(`${node.api}/v1/packages/@late/pad`);
      expect(pkg.body.versions).toEqual([expect.objectContaining({ version: '1.0.0', contentHash: hash })]);
      expect((await status(node)).mempool).toBe(0);
    }
  });
});
