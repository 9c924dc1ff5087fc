/**
 * Cheap gossip spam costs its sender: a victim node (a real `gopkgr node`
 * process following an honest miner) scores down, disconnects and bans peers
 * that gossip
 *  - orphans claiming the easiest target on a chain whose blocks cost far more
 *    (ignored and not chased, but each costs PENALTY.cheapOrphan),
 *  - blocks from hours beyond any honest clock (REJECTed: gossipsub's P4),
 *  - messages of several MiB, over the gossip size limit (gossipsub drops the
 *    frame; the node charges PENALTY.oversized);
 * and a banned peer that returns under a new peer id from its old address is
 * refused. The honest miner, on the same loopback address, is never hit.
 *
 * The chain is pre-built with blocks closer together than the block time, so
 * its difficulty rises far above the dev chain's easiest target.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { gossipsub, type GossipSub } from '@libp2p/gossipsub';
import { multiaddr } from '@multiformats/multiaddr';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { DEV_PARAMS, sha256, toHex } from '../../ledger/index.ts';
import { decodeBlock } from '../../consensus/pow/index.ts';
import { FullNode } from '../../node/index.ts';
import { networkProtocols, gossipTopics } from '../../node/network/index.ts';
import { serve } from '../../node/network/reqresp.ts';
import { encodeStatus } from '../../node/network/messages.ts';
import { buildCandidate, mineOnThisThread } from '../../miner/index.ts';
import { keyPair } from '../support/chain.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { converged, mineVia, spawnNetNode, status, waitPeers, type NetNode } from '../support/network.ts';
import { freePort } from '../support/ports.ts';
import { waitFor } from '../support/waitFor.ts';
import { WAIT_TIMEOUT_MS } from '../support/timeouts.ts';

type Attacker = Libp2p<{ identify: ReturnType<ReturnType<typeof identify>>; pubsub: GossipSub }>;
const attackers: Attacker[] = [];

/** A bare host that looks like a node of this chain (a status handler) and gossips whatever it is given. */
async function attacker(chainId: string, port: number): Promise<Attacker> {
  const host: Attacker = await createLibp2p({
    addresses: { listen: [`/ip4/127.0.0.1/tcp/${port}`] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false },
    services: { identify: identify(), pubsub: gossipsub({ globalSignaturePolicy: 'StrictNoSign', allowPublishToZeroTopicPeers: true }) },
  });
  attackers.push(host);
  await host.handle(networkProtocols(chainId).status, serve(() => [encodeStatus({ head: sha256(new TextEncoder().encode('nothing')), height: 0, work: '1' })]));
  host.services.pubsub.subscribe(gossipTopics(chainId).blocks);
  return host;
}

/** Connect `a` to `v` and wait until each sees the other on the blocks topic. */
async function join(a: Attacker, v: NetNode, chainId: string): Promise<void> {
  await a.dial(multiaddr(v.addr));
  const topic = gossipTopics(chainId).blocks;
  await waitFor(async () => (a.services.pubsub.getSubscribers(topic).some((p) => p.toString() === v.peerId) ? true : undefined), WAIT_TIMEOUT_MS, 'the victim to subscribe');
}

/** An unsigned LEB128 varint, as length prefixes are written. */
function uvarint(n: number): number[] {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n % 0x80) | 0x80);
  out.push(n);
  return out;
}

/** A block at `height` on `parent`, at `time`, claiming the easiest target, with its (trivial) work done. */
function cheapBlock(parent: string, height: number, time: number, seed: string): Uint8Array {
  const candidate = buildCandidate({
    parent, height, target: DEV_PARAMS.powLimit, minTime: 0, parentTime: time - 1, txs: [], params: DEV_PARAMS,
  }, keyPair(seed).publicKey, time);
  return mineOnThisThread(candidate).bytes;
}

/**
 * A chain of `n` blocks 1 ms apart: the retarget makes blocks as much harder as it
 * may, 4x per window (20 blocks on the dev chain), so 64 blocks end over 32x harder.
 */
const HARD_CHAIN_BLOCKS = 64;

async function buildHardChain(dir: string, n: number): Promise<bigint> {
  const node = await FullNode.open({ dataDir: dir, params: DEV_PARAMS });
  try {
    for (let i = 0; i < n; i++) {
      const work = (await node.work());
      await node.submitBlock(mineOnThisThread(buildCandidate(work, keyPair('hard').publicKey, work.minTime + 1)).bytes);
    }
    return BigInt('0x' + (await node.work()).target);
  } finally {
    await node.close();
  }
}

async function gone(a: Attacker, v: NetNode): Promise<void> {
  await waitFor(async () => {
    const listed = (await status(v)).peerList.some((p) => p.peerId === a.peerId.toString());
    return !listed && a.getConnections().length === 0 ? true : undefined;
  }, WAIT_TIMEOUT_MS, `the victim to cut off ${a.peerId.toString().slice(-8)}`);
}

describe('hostile gossip scoring', () => {
  let h: NetNode;
  let v: NetNode;
  let chainId: string;

  beforeAll(async () => {
    const dir = await tempDir('gopkgr-net-hard-');
    const target = await buildHardChain(dir, HARD_CHAIN_BLOCKS);
    // The chain's blocks now cost far more than a block at the easiest target.
    expect(target * 32n).toBeLessThan(BigInt('0x' + DEV_PARAMS.powLimit));
    h = await spawnNetNode('honest', { data: dir });
    v = await spawnNetNode('victim', { peers: [h.addr] });
    chainId = h.ready.chainId as string;
    await waitPeers(v, 1);
    await converged([h, v], HARD_CHAIN_BLOCKS);
  });

  afterAll(async () => {
    await Promise.all(attackers.map(async (a) => a.stop()));
    await closeAll();
  });

  it('orphans claiming the easiest target cost their sender until it is banned', async () => {
    const a = await attacker(chainId, 0);
    await join(a, v, chainId);
    const banned = (await status(v)).banned;
    const head = await status(v);
    const send = async (from: number, to: number): Promise<void> => {
      for (let i = from; i < to && a.getConnections().length > 0; i++) {
        const parent = toHex(sha256(new TextEncoder().encode(`no such parent ${i}`)));
        await a.services.pubsub.publish(gossipTopics(chainId).blocks, cheapBlock(parent, head.height + 1, Date.now(), `cheap${i}`)).catch(() => undefined);
      }
    };
    // A few lower its score, still connected...
    await send(0, 5);
    const id = a.peerId.toString();
    const lowered = await waitFor(async () => {
      const view = (await status(v)).peerList.find((p) => p.peerId === id);
      return view !== undefined && view.score <= -20 ? view.score : undefined;
    }, WAIT_TIMEOUT_MS, 'the attacker\'s score to fall');
    expect(lowered).toBeGreaterThan(-100);
    // ...and a flood gets it banned.
    await send(5, 40);
    await gone(a, v);
    expect((await status(v)).banned).toBe(banned + 1);
    expect(v.stderr()).toMatch(new RegExp(`${a.peerId.toString().slice(-8)} penalised \\(cheapOrphan\\)`));
    // Nothing was chased or stored.
    expect(v.stderr()).not.toMatch(new RegExp(`sync: from ${a.peerId.toString().slice(-8)}`));
  });

  it('blocks from hours in the future are rejected and get their sender banned', async () => {
    const a = await attacker(chainId, 0);
    await join(a, v, chainId);
    const banned = (await status(v)).banned;
    const head = await status(v);
    const blocks = [0, 1, 2, 3].map((i) => cheapBlock(head.head, head.height + 1, Date.now() + 3 * 3_600_000 + i, `future${i}`));
    for (const b of blocks) {
      await a.services.pubsub.publish(gossipTopics(chainId).blocks, b).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
    await gone(a, v);
    expect((await status(v)).banned).toBe(banned + 1);
    expect(v.stderr()).toMatch(/rejected a message from \w+: BLOCK_TIME_FAR_FUTURE/);
    const res = await fetch(`${v.api}/v1/blocks/${toHex(decodeBlock(blocks[0]!).id)}`);
    expect(res.status).toBe(404);
  });

  it('an oversized message gets its sender banned, and it cannot return under a new peer id from its address', async () => {
    const port = await freePort();
    const a = await attacker(chainId, port);
    await join(a, v, chainId);
    const banned = (await status(v)).banned;
    const junk = new Uint8Array(6 * 1024 * 1024).fill(7);
    // gossipsub will not encode a frame over 4 MiB, so the frame is written by hand on its protocol.
    const stream = await a.dialProtocol(multiaddr(v.addr), '/meshsub/1.1.0');
    const prefix = uvarint(junk.length);
    const frame = new Uint8Array(prefix.length + junk.length);
    frame.set(prefix);
    frame.set(junk, prefix.length);
    stream.send(frame);
    await gone(a, v);
    expect((await status(v)).banned).toBe(banned + 1);
    expect(v.stderr()).toMatch(new RegExp(`${a.peerId.toString().slice(-8)} sent a message over the size limit`));
    expect(v.stderr()).toMatch(new RegExp(`banned ${a.peerId.toString().slice(-8)} and 127\\.0\\.0\\.1#${port}`));

    // The same attacker, with a new key, on the same address.
    await a.stop();
    const back = await attacker(chainId, port);
    expect(back.peerId.toString()).not.toBe(a.peerId.toString());
    await back.dial(multiaddr(v.addr)).catch(() => undefined);
    await gone(back, v);
    expect(v.stderr()).toMatch(new RegExp(`banned ${back.peerId.toString().slice(-8)}.*comes from 127\\.0\\.0\\.1#${port}, which is banned`));
    expect((await status(v)).banned).toBe(banned + 2);
    // The victim will not dial that address either, whoever answers there (a fresh peer id): the gater stops it before any handshake.
    const res = await fetch(`${v.api}/v1/peers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ addr: `/ip4/127.0.0.1/tcp/${port}/p2p/${peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()}` }) });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/connection gater denied all addresses/);

    // The honest miner on the same IP is untouched and still followed.
    const s = await status(v);
    expect(s.peerList.map((p) => p.peerId)).toContain(h.peerId);
    const height = (await status(h)).height;
    await mineVia(h, 2);
    await converged([h, v], height + 2);
    expect(v.child.exitCode).toBeNull();
  });
});
