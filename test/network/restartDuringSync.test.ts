/**
 * An honest node that is killed and restarted again and again while it syncs
 * is never banned by the peer it syncs from, and follows the chain within
 * seconds of its last restart. Abrupt disconnects (SIGKILL: streams reset
 * mid-request, mid-response and mid-gossip) are not misbehaviour.
 *
 * The miner serves a pre-built chain (long enough that a sync takes longer than
 * the time between kills) and keeps mining while the syncing node is killed
 * and restarted on the same data dir, peer key and ports ten times.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { buildChain, converged, spawnNetNode, status, waitPeers, withIdentity, type NetNode } from '../support/network.ts';
import { WAIT_TIMEOUT_MS } from '../support/timeouts.ts';
import { waitFor } from '../support/waitFor.ts';
import { prng } from '../support/prng.ts';

const BLOCKS = 2_000;
const RESTARTS = 10;

describe('restart during sync', () => {
  afterAll(closeAll);

  it(`a node killed ${RESTARTS} times while syncing is never banned and ends on the miner's head`, async () => {
    const minerDir = await tempDir('gopkgr-net-rsminer-');
    const t0 = Date.now();
    await buildChain(minerDir, BLOCKS);
    console.log(`restart during sync: built ${BLOCKS} blocks in ${Date.now() - t0} ms`);
    await withIdentity(minerDir, 'restart-miner');
    const miner = await spawnNetNode('miner', { data: minerDir, extra: ['--mine', '--threads', '1'] });
    const rand = prng(7);

    let syncer: NetNode = await spawnNetNode('syncer', { peers: [miner.addr] });
    const { data, p2pPort, apiPort, peerId } = syncer;
    const heights: number[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      // Kill it at a random point of its sync: before, during or after the first batches arrive. The clock starts
      // once it is connected to the miner: its API answers before its network is up, and on a loaded machine the
      // network alone can take longer than the longest delay.
      await waitPeers(syncer, 1);
      await new Promise((r) => setTimeout(r, 300 + Math.floor(rand.next() * 1_200)));
      heights.push((await status(syncer).catch(() => ({ height: -1 }))).height);
      syncer.child.kill('SIGKILL');
      await syncer.exited;
      const m = await status(miner);
      expect(m.banned, `miner banned someone after kill ${i + 1}:\n${miner.stderr().split('\n').filter((l) => /banned|penalised/.test(l)).join('\n')}`).toBe(0);
      syncer = await spawnNetNode('syncer', { data, p2pPort, apiPort, peers: [miner.addr] });
      expect(syncer.peerId).toBe(peerId);
    }

    // After its last restart it catches up with the (still mining) miner within seconds.
    const restarted = Date.now();
    const end = await converged([miner, syncer], BLOCKS, 3 * WAIT_TIMEOUT_MS);
    const took = Date.now() - restarted;
    expect(end.height).toBeGreaterThanOrEqual(BLOCKS);
    const m = await status(miner);
    expect(m.banned).toBe(0);
    // Still a peer of the miner's. Awaited, not read once: a node restarted on a chain already at the miner's head
    // "converges" before it has dialled the miner (on a loaded machine that dial can take seconds); a ban would
    // keep it out for good.
    await waitFor(async () => (await status(miner)).peerList.some((p) => p.peerId === peerId), WAIT_TIMEOUT_MS, `the syncer among the miner's peers`);
    // It made progress across restarts (the chain it had synced survived each kill).
    expect(Math.max(...heights)).toBeGreaterThan(0);
    expect(miner.stderr()).not.toMatch(/banned/);
    console.log(`restart during sync: heights at kills ${heights.join(' ')}; caught up ${took} ms after the last restart`);
  });
});
