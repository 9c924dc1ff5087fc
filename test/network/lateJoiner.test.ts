/**
 * A late joiner syncs 2,000 blocks from two peers: the chain is pre-built in
 * process into one data dir (a dev block costs ~16 hashes), copied to a second
 * one, both served by real nodes; a third, empty node started with both as
 * `--peer` must reach the same head, its blocks downloaded from both.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { buildChain, converged, spawnNetNode, status, waitPeers } from '../support/network.ts';
import { WAIT_TIMEOUT_MS } from '../support/timeouts.ts';

const BLOCKS = 2_000;

describe('late joiner', () => {
  afterAll(closeAll);

  it(`syncs ${BLOCKS} blocks from two peers`, async () => {
    const dirA = await tempDir('gopkgr-net-seedA-');
    const dirB = await tempDir('gopkgr-net-seedB-');
    const built = await buildChain(dirA, BLOCKS);
    await cp(join(dirA, 'chains'), join(dirB, 'chains'), { recursive: true });

    const [a, b] = await Promise.all([spawnNetNode('seedA', { data: dirA }), spawnNetNode('seedB', { data: dirB })]);
    expect(a.ready.height).toBe(BLOCKS);
    expect(b.ready.head).toBe(built.head);

    const started = Date.now();
    const late = await spawnNetNode('late', { peers: [a.addr, b.addr] });
    await waitPeers(late, 2);
    const end = await converged([a, b, late], BLOCKS, 3 * WAIT_TIMEOUT_MS);
    const took = Date.now() - started;
    expect(end.head).toBe(built.head);

    const s = await status(late);
    expect(s.height).toBe(BLOCKS);
    const byPeer = s.sync.last?.byPeer ?? {};
    // Both seeds served a fair share of the blocks.
    expect(Object.keys(byPeer).sort()).toEqual([a.peerId, b.peerId].sort());
    for (const n of Object.values(byPeer)) expect(n).toBeGreaterThan(BLOCKS / 10);
    console.log(`late joiner: ${BLOCKS} blocks in ${took} ms (from process start), served ${JSON.stringify(Object.values(byPeer))}`);
  });
});
