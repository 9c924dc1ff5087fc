/**
 * Five `gopkgr node` processes in a line (each knows only the one before it,
 * started all at once so early dials fail and are retried). Txs submitted at
 * one end reach the miner at the other end through four hops; 50 blocks mined
 * on the first node reach the last; all five end on the same head with the same
 * state digest.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { keyPair } from '../support/chain.ts';
import { closeAll } from '../support/cleanup.ts';
import { getJson } from '../support/http.ts';
import { converged, mineVia, spawnNetNode, status, submitTx, txBytes, type NetNode } from '../support/network.ts';
import { freePort } from '../support/ports.ts';
import { waitFor } from '../support/waitFor.ts';
import { WAIT_TIMEOUT_MS } from '../support/timeouts.ts';

describe('five nodes in a line', () => {
  afterAll(closeAll);

  it('converge on the same head and state after 50 mined blocks', async () => {
    const ports = await Promise.all(Array.from({ length: 5 }, () => freePort()));
    const nodes: NetNode[] = await Promise.all(ports.map((port, i) =>
      spawnNetNode(`line${i}`, { p2pPort: port, peers: i === 0 ? [] : [`/ip4/127.0.0.1/tcp/${ports[i - 1]}`] })));
    for (const [i, n] of nodes.entries()) {
      await waitFor(async () => ((await status(n)).peers >= (i === 0 || i === 4 ? 1 : 2) ? true : undefined), WAIT_TIMEOUT_MS, `${n.name}'s peers`);
    }
    const chainId = nodes[0]!.ready.chainId as string;

    // Txs enter at the far end and must cross four hops to the miner.
    const ids: string[] = [];
    for (let k = 0; k < 4; k++) ids.push(await submitTx(nodes[4]!, txBytes(keyPair(`claimer${k}`), 'claim', { ns: `@line${k}` }, 0, chainId)));
    await waitFor(async () => {
      const seen = await Promise.all(ids.map((id) => getJson<{ status: string }>(`${nodes[0]!.api}/v1/txs/${id}`)));
      return seen.every((s) => s.body.status === 'pending') ? true : undefined;
    }, WAIT_TIMEOUT_MS, 'txs to reach the miner');

    await mineVia(nodes[0]!, 50);
    const end = await converged(nodes, 50);
    expect(end.height).toBe(50);
    for (const id of ids) {
      const where = await getJson<{ status: string }>(`${nodes[4]!.api}/v1/txs/${id}`);
      expect(where.body.status).toBe('confirmed');
    }
    const ns = await getJson<{ owner: string }>(`${nodes[4]!.api}/v1/namespaces/@line3`);
    expect(ns.status).toBe(200);
    // Blocks arrived by gossip hop by hop, not by each node syncing from scratch.
    const far = await status(nodes[4]!);
    expect(far.peers).toBe(1);
  });
});
