/**
 * A node restarted with its data dir reconnects to its peers and resumes: it
 * keeps its peer id (the key in <data>/p2p-key), finds its peer again from
 * <data>/peers.json without any --peer, catches up on the blocks it missed
 * while down, and follows new ones by gossip.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closeAll } from '../support/cleanup.ts';
import { converged, mineVia, spawnNetNode, status, waitPeers } from '../support/network.ts';
import { stopNode } from '../support/processes.ts';

describe('restart', () => {
  afterAll(closeAll);

  it('reconnects to its peers from the data dir and resumes', async () => {
    const a = await spawnNetNode('a');
    const b = await spawnNetNode('b', { peers: [a.addr] });
    await waitPeers(b, 1);
    await mineVia(a, 5);
    await converged([a, b], 5);

    await stopNode(b);
    const book = JSON.parse(await readFile(join(b.data, 'peers.json'), 'utf8')) as { peers: Array<{ peerId: string; addrs: string[] }> };
    expect(book.peers.map((p) => p.peerId)).toContain(a.peerId);

    // While b is down, a moves on.
    await mineVia(a, 7);
    // b comes back on the same data dir and API/p2p ports, with no --peer.
    const b2 = await spawnNetNode('b', { data: b.data, p2pPort: b.p2pPort, apiPort: b.apiPort });
    expect(b2.peerId).toBe(b.peerId);
    expect(b2.ready.height).toBe(5);
    await waitPeers(b2, 1);
    await converged([a, b2], 12);

    // And follows new blocks by gossip.
    await mineVia(a, 3);
    const end = await converged([a, b2], 15);
    expect(end.height).toBe(15);
    expect((await status(a)).peerList.map((p) => p.peerId)).toContain(b.peerId);
  });
});
