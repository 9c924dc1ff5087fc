/**
 * A node serves its chain before its network layer is up (cli/commands/node.ts
 * loads libp2p after the API listens): the network's paths answer 503
 * NODE_STARTING meanwhile, and the routes, status fields and blob fetcher the
 * network puts into the same extras object later are used from then on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startingExtras } from '../../node/api/index.ts';
import { startNode } from '../support/apiNode.ts';
import { closeAll } from '../support/cleanup.ts';

afterEach(closeAll);

async function answer(url: string, init?: RequestInit): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, init);
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('an API whose network layer is starting', () => {
  it('answers the chain at once, NODE_STARTING on network paths, then what the network adds', async () => {
    const extras = startingExtras();
    const { url } = await startNode({ extras });

    const status = await answer(`${url}/v1/status`);
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ height: 0, peers: 0, peerId: null });
    for (const [method, path] of [['GET', '/v1/peers'], ['GET', '/v1/state/digest'], ['POST', '/v1/peers']] as const) {
      const starting = await answer(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
      expect(starting.status).toBe(503);
      expect(starting.json).toMatchObject({ error: { code: 'NODE_STARTING' } });
    }
    expect((await answer(`${url}/v1/nothing`)).status).toBe(404);

    // The network is up: it fills the same object.
    Object.assign(extras, {
      status: () => ({ peerId: 'p', peers: 2 }),
      routes: [{ method: 'GET', pattern: /^\/v1\/peers$/, handle: async () => [{ peerId: 'q' }] }],
    });
    expect((await answer(`${url}/v1/status`)).json).toMatchObject({ height: 0, peers: 2, peerId: 'p' });
    const peers = await fetch(`${url}/v1/peers`);
    expect(peers.status).toBe(200);
    expect(await peers.json()).toEqual([{ peerId: 'q' }]);
    expect((await answer(`${url}/v1/state/digest`)).status).toBe(404);
  });
});
