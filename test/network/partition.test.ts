/**
 * Partition and heal: two groups of two nodes mine separately (different txs,
 * different lengths), then one node of each group connects to the other group.
 * Every node ends on the branch with more work, with identical state: the
 * lighter group's blocks are undone, its txs that the heavier branch lacks go
 * back to the pools.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { keyPair } from '../support/chain.ts';
import { closeAll } from '../support/cleanup.ts';
import { getJson } from '../support/http.ts';
import { connect, converged, digest, mineVia, spawnNetNode, status, submitTx, txBytes, waitPeers } from '../support/network.ts';
import { waitFor } from '../support/waitFor.ts';
import { WAIT_TIMEOUT_MS } from '../support/timeouts.ts';

describe('partition and heal', () => {
  afterAll(closeAll);

  it('ends every node on the heavier branch with identical state', async () => {
    const [a1, b1] = await Promise.all([spawnNetNode('a1'), spawnNetNode('b1')]);
    const [a2, b2] = await Promise.all([spawnNetNode('a2', { peers: [a1.addr] }), spawnNetNode('b2', { peers: [b1.addr] })]);
    await Promise.all([waitPeers(a2, 1), waitPeers(b2, 1)]);
    const chainId = a1.ready.chainId as string;

    // Group A: 12 blocks and a claim; group B: 6 blocks and another claim.
    await submitTx(a2, txBytes(keyPair('alice'), 'claim', { ns: '@alpha' }, 0, chainId));
    await submitTx(b2, txBytes(keyPair('bob'), 'claim', { ns: '@beta' }, 0, chainId));
    await waitFor(async () => ((await status(a1)).height >= 0 && (await getJson<{ mempool: number }>(`${a1.api}/v1/status`)).body.mempool === 1 ? true : undefined), WAIT_TIMEOUT_MS, 'claim at a1');
    await waitFor(async () => ((await getJson<{ mempool: number }>(`${b1.api}/v1/status`)).body.mempool === 1 ? true : undefined), WAIT_TIMEOUT_MS, 'claim at b1');
    await mineVia(a1, 12, keyPair('minerA').publicKey);
    await mineVia(b1, 6, keyPair('minerB').publicKey);
    const groupA = await converged([a1, a2], 12);
    const groupB = await converged([b1, b2], 6);
    expect(groupA.head).not.toBe(groupB.head);
    expect((await getJson(`${b2.api}/v1/namespaces/@beta`)).status).toBe(200);

    // Heal: b1 dials a2. The B side must reorganise onto A's branch.
    await connect(b1, a2.addr);
    const healed = await converged([a1, a2, b1, b2], 12);
    expect(healed.head).toBe(groupA.head);
    expect(healed.digest).toBe(groupA.digest);
    for (const n of [a1, a2, b1, b2]) expect((await digest(n)).digest).toBe(groupA.digest);
    expect((await getJson(`${b2.api}/v1/namespaces/@alpha`)).status).toBe(200);
    // @beta only existed on the lighter branch.
    expect((await getJson(`${b2.api}/v1/namespaces/@beta`)).status).toBe(404);

    // The network keeps working as one: a block mined on the B side reaches A.
    await mineVia(b2, 1, keyPair('minerB').publicKey);
    const after = await converged([a1, a2, b1, b2], 13);
    expect(after.height).toBe(13);
  });
});
