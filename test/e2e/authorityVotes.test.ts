/**
 * Authority-set votes through real processes (docs/PRIVATE.md "Changing the
 * authority set"): three authorities of a private chain (short slots, short
 * epochs) run `gopkgr authority propose add id:<fourth>`; the votes are tallied
 * in the epoch they land in, the fourth identity joins the set at the epoch
 * boundary on every node, and, started with --sign, it then signs blocks in
 * its turn (authorities[slot mod 4]).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { closeAll } from '../support/cleanup.ts';
import { gopkgr, stopNode } from '../support/processes.ts';
import { waitFor } from '../support/waitFor.ts';
import { WAIT_TIMEOUT_MS } from '../support/timeouts.ts';
import { authGet, forkChain, spawnPrivateNode, type PrivateChain, type PrivateNode } from '../support/privateChain.ts';

interface StatusView {
  height: number;
  head: string;
  authorities: string[];
  epochBlocks: number;
}
interface BlockView {
  height: number;
  slot: number;
  signer: string;
}

const EPOCH_BLOCKS = 4;

describe('authority-set votes', () => {
  let chain: PrivateChain;
  let fourth: { data: string; identity: string };
  const nodes: PrivateNode[] = [];
  const status = async (node: PrivateNode): Promise<StatusView> => (await authGet<StatusView>(node, chain.token, '/v1/status')).body;
  const blockAt = async (node: PrivateNode, height: number): Promise<BlockView> => (await authGet<BlockView>(node, chain.token, `/v1/blocks/${height}`)).body;

  beforeAll(async () => {
    chain = await forkChain(3, { slotMs: 1000, epochBlocks: EPOCH_BLOCKS, name: 'votes' });
    const data = path.join(path.dirname(chain.dir), 'fourth');
    const init = await gopkgr(['init', '--json'], { env: { GOPKGR_HOME: data } });
    expect(init.code, init.stderr).toBe(0);
    fourth = { data, identity: init.json.identity as string };
    nodes.push(await spawnPrivateNode(chain, chain.authorities[0]!.data));
    for (const i of [1, 2]) nodes.push(await spawnPrivateNode(chain, chain.authorities[i]!.data, { peers: [nodes[0]!.addr] }));
    // Not an authority yet: it follows the chain without signing.
    nodes.push(await spawnPrivateNode(chain, fourth.data, { sign: false, peers: [nodes[0]!.addr, nodes[1]!.addr] }));
  });

  afterAll(closeAll);

  it('three authorities vote a fourth in; it joins at the epoch boundary and then signs in its turn', async () => {
    await waitFor(async () => ((await status(nodes[3]!)).height >= 2 ? true : undefined), WAIT_TIMEOUT_MS, 'the chain to run and the fourth node to follow it');
    // A stranger's vote is refused with its code.
    const stranger = await gopkgr(['authority', 'propose', 'add', fourth.identity, '--json'], { env: { GOPKGR_HOME: fourth.data, GOPKGR_NODE: nodes[3]!.api, GOPKGR_TOKEN: chain.token } });
    expect(stranger.code).toBe(1);
    expect(stranger.json).toMatchObject({ error: { code: 'TX_NOT_AUTHORITY' } });

    // The three vote at once, each through its own node: however the boundary falls, two land in one epoch.
    const votes = await Promise.all(chain.authorities.map((a, i) => gopkgr(['authority', 'propose', 'add', fourth.identity, '--json'], {
      env: { GOPKGR_HOME: a.data, GOPKGR_NODE: nodes[i]!.api, GOPKGR_TOKEN: chain.token },
    })));
    // A vote still pending when the boundary let the fourth in is refused (it is a member by then), or,
    // pooled before, dropped from the pool once the rules refuse it on the new head (the wait ends NOT_FOUND).
    const confirmed = votes.filter((v) => v.code === 0);
    for (const v of votes.filter((x) => x.code !== 0)) expect(['TX_AUTHORITY_ALREADY_MEMBER', 'NOT_FOUND']).toContain((v.json.error as { code: string }).code);
    expect(confirmed.length).toBeGreaterThanOrEqual(2);
    for (const v of confirmed) expect(v.json).toMatchObject({ action: 'add', identity: fourth.identity, status: 'confirmed' });

    const all = [...chain.authorities.map((a) => a.identity), fourth.identity];
    const joined = await waitFor(async () => {
      const views = await Promise.all(nodes.map(status));
      return views.every((v) => v.authorities.length === 4) ? views[0] : undefined;
    }, WAIT_TIMEOUT_MS, 'every node to count four authorities');
    expect(joined.authorities).toEqual(all);
    expect(joined.epochBlocks).toBe(EPOCH_BLOCKS);
    const list = await gopkgr(['authority', 'list', '--json'], { env: { GOPKGR_NODE: nodes[0]!.api, GOPKGR_TOKEN: chain.token } });
    expect(list.code, list.stderr).toBe(0);
    expect(list.json).toMatchObject({ majority: 3, epochBlocks: EPOCH_BLOCKS });

    // The fourth, restarted with --sign, takes its turn: slot mod 4 = 3.
    const follower = nodes[3]!;
    await stopNode(follower);
    nodes[3] = await spawnPrivateNode(chain, fourth.data, { apiPort: follower.apiPort, p2pPort: follower.p2pPort, peers: [nodes[0]!.addr, nodes[1]!.addr] });
    const signed = await waitFor(async () => {
      const head = await status(nodes[0]!);
      const recent = await Promise.all(Array.from({ length: Math.min(6, head.height) }, (_, i) => blockAt(nodes[0]!, head.height - i)));
      return recent.find((b) => b.signer === fourth.identity);
    }, WAIT_TIMEOUT_MS, 'a block signed by the fourth authority');
    expect(signed.slot % 4).toBe(3);
    // Every node took it: they agree on a head above it.
    await waitFor(async () => {
      const views = await Promise.all(nodes.map(status));
      return views.every((v) => v.head === views[0]!.head && v.height > signed.height) ? true : undefined;
    }, WAIT_TIMEOUT_MS, 'the four nodes to agree on a head above the fourth\'s block');
  });
});
