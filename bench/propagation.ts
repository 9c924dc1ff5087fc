/**
 * bench/propagation: how fast a mined block reaches a whole network.
 *
 * 16 full nodes, each a FullNode on its own data dir with its own libp2p host
 * (TCP on loopback, noise, yamux, gossipsub), all in this one process: 16
 * processes (~150 MB and a tsx start each) are too heavy for a 2-core machine,
 * and one process gives one clock for the timings. The cost is that every
 * node's validation runs on one thread, so the figure is pessimistic for a
 * real network where each node has its own CPU. Each node dials 3 random
 * others (plus a ring, so the graph is connected).
 * Node 0 mines 100 blocks, one at a time; the delay of a block is from the
 * moment its nonce is found to the moment the last of the 16 nodes has imported
 * it ('head' event). Prints p50 and p99 of those delays; goal p99 < 100 ms.
 *
 * Baseline, in the same run: 16 bare libp2p hosts with the same transports and
 * gossipsub settings but no validation and no node behind them, on the same
 * graph, relay the same 100 blocks as opaque messages. The last line is the
 * ratio of the two p99s: what validating and importing at every hop costs over
 * gossip alone.
 *
 *   npx tsx bench/propagation.ts [--nodes 16] [--blocks 100]
 */
import '../node/polyfill.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Multiaddr } from '@multiformats/multiaddr';
import { DEV_PARAMS, sha256, keyPairFromSecret, toHex } from '../ledger/index.ts';
import { decodeBlock } from '../consensus/pow/index.ts';
import { FullNode, type Work } from '../node/index.ts';
import { Network } from '../node/network/index.ts';
import { bareGossipHost, type BareGossipHost } from './bareGossip.ts';
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

/** A ring plus 3 random chords per node: degree ~6-8, a connected graph. */
function randomGraph(n: number): Array<[number, number]> {
  const edges = new Set<string>();
  for (let i = 0; i < n; i++) {
    const targets = new Set<number>([(i + 1) % n]);
    while (targets.size < Math.min(4, n - 1)) {
      const j = Math.floor(Math.random() * n);
      if (j !== i) targets.add(j);
    }
    for (const j of targets) edges.add(i < j ? `${i}-${j}` : `${j}-${i}`);
  }
  return [...edges].map((e) => e.split('-').map(Number) as [number, number]);
}

interface Dialer {
  dial(addr: Multiaddr): Promise<unknown>;
  getMultiaddrs(): Multiaddr[];
}

/**
 * Dial every edge. A dial can fail on a loaded machine (a reset before the
 * connect completes surfaces as `connect ECONNRESET`): retry with a backoff
 * that outlasts a rate-limit window, and report edges that never came up
 * instead of ending the process (the graph has a ring plus chords; a few
 * missing chords only lower the degree, which is printed).
 */
async function connect(hosts: Dialer[], edges: Array<[number, number]>): Promise<number> {
  let failed = 0;
  await Promise.all(edges.map(async ([i, j]) => {
    for (let attempt = 0; attempt < 6; attempt++) {
      try {
        await hosts[i]!.dial(hosts[j]!.getMultiaddrs()[0]!);
        return;
      } catch (err) {
        if (attempt === 5) {
          failed++;
          console.error(`edge ${i}-${j} not connected: ${(err as Error).message}`);
          return;
        }
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      }
    }
  }));
  return failed;
}

/** The baseline: bare gossipsub hosts on `edges` relay `messages` from host 0; delays to reach all of them. */
async function bareGossip(edges: Array<[number, number]>, messages: Uint8Array[]): Promise<number[]> {
  const topic = 'bench/bare/1';
  const hosts: BareGossipHost[] = [];
  try {
    for (let i = 0; i < NODES; i++) {
      hosts.push(await bareGossipHost());
    }
    for (const h of hosts) h.services.pubsub.subscribe(topic);
    const bareFailed = await connect(hosts, edges);
    if (bareFailed > 0) console.log(`baseline: ${bareFailed} of ${edges.length} edges could not be dialed`);
    await new Promise((r) => setTimeout(r, 3_000));
    let arrivals: number[] = [];
    hosts.slice(1).forEach((h) => h.services.pubsub.addEventListener('message', () => arrivals.push(performance.now())));
    const delays: number[] = [];
    for (const data of messages) {
      arrivals = [];
      const sent = performance.now();
      await hosts[0]!.services.pubsub.publish(topic, data);
      const deadline = sent + 5_000;
      while (arrivals.length < NODES - 1 && performance.now() < deadline) await new Promise((res) => setTimeout(res, 1));
      if (arrivals.length === NODES - 1) delays.push(Math.max(...arrivals) - sent);
      await new Promise((res) => setTimeout(res, 20));
    }
    return delays;
  } finally {
    await Promise.all(hosts.map(async (h) => h.stop()));
  }
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
  const edges = randomGraph(NODES);
  const failedEdges = await connect(nets.map((n) => n.host), edges);
  // Let identify, subscriptions and the first heartbeats build the meshes.
  await new Promise((r) => setTimeout(r, 3_000));
  const degrees = nets.map((n) => n.host.getPeers().length);

  const accepted = new Map<string, number[]>();
  nodes.forEach((node) => node.on('head', (head: { id: string }) => {
    const list = accepted.get(head.id);
    if (list !== undefined) list.push(performance.now());
  }));

  const delays: number[] = [];
  const relayed: Uint8Array[] = [];
  let lost = 0;
  for (let b = 0; b < BLOCKS; b++) {
    const bytes = await mine((await nodes[0]!.work()));
    const mined = performance.now();
    relayed.push(bytes);
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
  console.log(`nodes ${NODES}, peers per node ${Math.min(...degrees)}-${Math.max(...degrees)}${failedEdges > 0 ? ` (${failedEdges} of ${edges.length} edges not dialed)` : ''}, blocks ${BLOCKS}, not everywhere within 5 s: ${lost}`);
  await pow.close();
  await Promise.all(nets.splice(0).map(async (n) => n.stop()));
  const bare = await bareGossip(edges, relayed);
  const p99 = percentile(delays, 99);
  const bareP99 = percentile(bare, 99);
  console.log(`baseline, bare gossipsub on the same graph (no validation, no import): p50 ${percentile(bare, 50).toFixed(1)} ms, p99 ${bareP99.toFixed(1)} ms`);
  console.log(`propagation to all ${NODES} nodes: p50 ${percentile(delays, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (goal p99 < 100 ms)`);
  console.log(`ratio p99 gopkgr/bare gossipsub: ${(p99 / bareP99).toFixed(2)}`);
} finally {
  await pow.close();
  await Promise.all(nets.map(async (n) => n.stop()));
  await Promise.all(nodes.map(async (n) => n.close()));
  await rm(root, { recursive: true, force: true });
}
