/**
 * bench/propagation: how fast a mined block reaches a whole network.
 *
 * 16 full nodes, each a FullNode on its own data dir with its own libp2p host
 * (TCP on loopback, noise, yamux, gossipsub), all in this one process: 16
 * processes (~150 MB and a tsx start each) are too heavy for a 2-core machine,
 * and one process gives one clock for the timings. The cost is that every
 * node's validation runs on one thread, so the figure is pessimistic for a
 * real network where each node has its own CPU. Each node dials 3 random
 * others (plus a ring, so the graph is connected): degree ~6-8, the mesh size.
 * Node 0 mines 100 blocks, one at a time; the delay of a block is from the
 * moment its nonce is found to the moment the last of the 16 nodes has imported
 * it ('head' event). Prints p50 and p99 of those delays; goal p99 < 100 ms.
 *
 *   npx tsx bench/propagation.ts [--nodes 16] [--blocks 100]
 */
import '../node/polyfill.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { DEV_PARAMS, FullNode, decodeBlock, sha256, keyPairFromSecret, toHex, type Work } from '../node/index.ts';
import { Network } from '../node/network/index.ts';
import { PowSearch, buildCandidate, sealCandidate } from '../miner/index.ts';

const { values } = parseArgs({ options: { nodes: { type: 'string' }, blocks: { type: 'string' } } });
const NODES = Number(values.nodes ?? 16);
const BLOCKS = Number(values.blocks ?? 100);
const MINER = keyPairFromSecret(sha256(new TextEncoder().encode('bench-propagation'))).publicKey;

// Nonces are searched on a worker thread, as `gopkgr node --mine` does: the
// hashing (and its garbage) stays off the thread where the 16 nodes run.
const pow = new PowSearch({ threads: 1 });
async function mine(work: Work): Promise<Uint8Array> {
  const candidate = buildCandidate(work, MINER, Math.max(Date.now(), work.minTime + 1));
  const found = await pow.search({ header: candidate.headerBytes, nonceOffset: candidate.nonceOffset, target: BigInt(`0x${work.target}`) });
  if (found === null) throw new Error('proof-of-work search ended without a nonce');
  return sealCandidate(candidate, found.nonce).bytes;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

const root = await mkdtemp(join(tmpdir(), 'gopkgr-bench-prop-'));
const nodes: FullNode[] = [];
const nets: Network[] = [];
try {
  for (let i = 0; i < NODES; i++) {
    const node = await FullNode.open({ dataDir: join(root, `n${i}`), params: DEV_PARAMS });
    const net = await Network.create({ node, dataDir: join(root, `n${i}`), privateKey: await generateKeyPair('Ed25519'), persistPeers: false });
    await net.start();
    nodes.push(node);
    nets.push(net);
  }
  // A ring plus 3 random chords per node.
  const edges = new Set<string>();
  for (let i = 0; i < NODES; i++) {
    const targets = new Set<number>([(i + 1) % NODES]);
    while (targets.size < Math.min(4, NODES - 1)) {
      const j = Math.floor(Math.random() * NODES);
      if (j !== i) targets.add(j);
    }
    for (const j of targets) edges.add(i < j ? `${i}-${j}` : `${j}-${i}`);
  }
  await Promise.all([...edges].map(async (e) => {
    const [i, j] = e.split('-').map(Number) as [number, number];
    for (let attempt = 0; ; attempt++) {
      try {
        await nets[i]!.host.dial(nets[j]!.host.getMultiaddrs()[0]!);
        return;
      } catch (err) {
        if (attempt >= 3) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }));
  // Let identify, subscriptions and the first heartbeats build the meshes.
  await new Promise((r) => setTimeout(r, 3_000));
  const degrees = nets.map((n) => n.host.getPeers().length);

  const accepted = new Map<string, number[]>();
  nodes.forEach((node) => node.on('head', (head: { id: string }) => {
    const list = accepted.get(head.id);
    if (list !== undefined) list.push(performance.now());
  }));

  const delays: number[] = [];
  let lost = 0;
  for (let b = 0; b < BLOCKS; b++) {
    const bytes = await mine(nodes[0]!.work());
    const mined = performance.now();
    const times: number[] = [];
    accepted.set(toHex(decodeBlock(bytes).id), times);
    await nodes[0]!.submitBlock(bytes);
    const deadline = performance.now() + 5_000;
    while (times.length < NODES && performance.now() < deadline) await new Promise((res) => setTimeout(res, 1));
    if (times.length < NODES) lost++;
    else delays.push(Math.max(...times) - mined);
    // A short pause between blocks, as between real blocks.
    await new Promise((res) => setTimeout(res, 20));
  }
  console.log(`nodes ${NODES}, peers per node ${Math.min(...degrees)}-${Math.max(...degrees)}, blocks ${BLOCKS}, not everywhere within 5 s: ${lost}`);
  console.log(`propagation to all ${NODES} nodes: p50 ${percentile(delays, 50).toFixed(1)} ms, p99 ${percentile(delays, 99).toFixed(1)} ms (goal p99 < 100 ms)`);
} finally {
  await pow.close();
  await Promise.all(nets.map((n) => n.stop().catch(() => undefined)));
  await Promise.all(nodes.map((n) => n.close().catch(() => undefined)));
  await rm(root, { recursive: true, force: true });
}
