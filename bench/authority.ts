/**
 * bench/authority: how long after a slot begins its block is imported at
 * every node of a private chain.
 *
 * 3, then 5 authorities, each a FullNode on its own data dir with its own
 * libp2p host (TCP on loopback, the chain's swarm key, noise, yamux,
 * gossipsub), all connected to all, all in this one process (one clock for the
 * timings; every node's work on one thread, so the figures are pessimistic
 * next to one machine per authority). Each runs the `--sign` producer
 * (node/signer.ts): at the start of its slot it seals a block of the pool's
 * txs and imports it; the network gossips it. The delay of a block at a node
 * is from the start of the block's slot to the node's import of it ('head'),
 * the signer's own import included; p50 and p99 over every (block, node), and
 * each node's p99. Goal: p99 < 100 ms. The slot the producers start in is not
 * timed (its producer signs at once, however late in the slot it is).
 *
 * Baseline, in the same run: bare libp2p hosts with the same transports, the
 * same swarm key and gossipsub settings, connected the same way, relaying the
 * same block bytes from the same rotating publisher, with no node behind
 * them: publish to arrival at each other host. The last line is the ratio of
 * the two p99s (5 authorities): what timing, signing, validating and
 * importing add over gossip alone.
 *
 * First, the follower ratio (bench/follower.ts): a public block's arrival at a
 * private node's replica of the public chain against a plain public follower,
 * in the same run (goal ≤ 1.1); its lines come before the authority runs, so
 * the last line stays the slot-to-import ratio.
 *
 *   npx tsx bench/authority.ts [--blocks 40] [--slot-ms 500]
 */
import '../node/polyfill.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { DEV_PARAMS, identityOf, keyPairFromSecret, sha256, type ChainParams } from '../ledger/index.ts';
import { slotStart, type AuthorityConsensus } from '../consensus/index.ts';
import { AuthoritySigner, FullNode, newSwarmKey, parseSwarmKey, silentLogger, type BlockIndexEntry } from '../node/index.ts';
import { Network } from '../node/network/index.ts';
import { bareGossipHost, type BareGossipHost } from './bareGossip.ts';
import { followerRatio } from './follower.ts';

const { values } = parseArgs({ options: { blocks: { type: 'string' }, 'slot-ms': { type: 'string' } } });
const BLOCKS = Number(values.blocks ?? 40);
const SLOT_MS = Number(values['slot-ms'] ?? 500);
const SWARM_KEY = parseSwarmKey(newSwarmKey(), 'bench');

/** Wall-clock ms with sub-ms resolution: slots are wall-clock times. */
const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

interface Dialer {
  dial(addr: import('@multiformats/multiaddr').Multiaddr): Promise<unknown>;
  getMultiaddrs(): Array<import('@multiformats/multiaddr').Multiaddr>;
}

/** Connect every pair, retrying a dial that a loaded machine resets. */
async function fullMesh(hosts: Dialer[]): Promise<void> {
  for (let i = 0; i < hosts.length; i++) {
    for (let j = i + 1; j < hosts.length; j++) {
      for (let attempt = 0; ; attempt++) {
        try {
          await hosts[i]!.dial(hosts[j]!.getMultiaddrs()[0]!);
          break;
        } catch (err) {
          if (attempt === 5) throw err;
          await sleep(250 * 2 ** attempt);
        }
      }
    }
  }
}

interface Run {
  delays: number[];
  perNodeP99: number[];
  blocks: Uint8Array[];
  signers: number[];
}

async function authorities(n: number): Promise<Run> {
  const keys = Array.from({ length: n }, (_, i) => keyPairFromSecret(sha256(new TextEncoder().encode(`bench-authority-${i}`))));
  const params: ChainParams = {
    ...DEV_PARAMS, name: 'bench-authority', blockTimeMs: SLOT_MS, genesisTime: Math.floor(Date.now() / 1000) * 1000,
    consensus: { kind: 'authority', authorities: keys.map((k) => identityOf(k.publicKey)), slotMs: SLOT_MS, epochBlocks: 100 },
    namespaces: ['@bench'],
  };
  const root = await mkdtemp(join(tmpdir(), 'gopkgr-bench-authority-'));
  const nodes: FullNode[] = [];
  const nets: Network[] = [];
  const signers: AuthoritySigner[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const node = await FullNode.open({ dataDir: join(root, `n${i}`), params });
      const net = await Network.create({ node, dataDir: join(root, `n${i}`), privateKey: await generateKeyPair('Ed25519'), persistPeers: false, swarmKey: SWARM_KEY });
      await net.start();
      nodes.push(node);
      nets.push(net);
    }
    await fullMesh(nets.map((x) => x.host));
    await sleep(3_000); // identify, subscriptions, the first heartbeats
    const set = (nodes[0]!.chain.consensus as AuthorityConsensus).set;
    const delays: number[] = [];
    const perNode: number[][] = nodes.map(() => []);
    const blocks: Uint8Array[] = [];
    const blockSigners: number[] = [];
    // Slots that began before the producers started are filled late by design (a producer that starts
    // mid-slot signs at once): only slots from the first full one on are timed.
    let firstTimed = Infinity;
    nodes.forEach((node, i) => node.on('head', (head: BlockIndexEntry) => {
      const at = now();
      if (typeof head.slot !== 'number' || head.slot < firstTimed) return;
      const delay = at - slotStart(head.slot, params, set);
      delays.push(delay);
      perNode[i]!.push(delay);
    }));
    nodes[0]!.chain.on('block', (b: { bytes: Uint8Array; header: { seal: unknown } }) => {
      blocks.push(b.bytes);
      blockSigners.push(((b.header.seal as { slot: number }).slot) % n);
    });
    firstTimed = Math.floor((Date.now() - params.genesisTime) / SLOT_MS) + 1;
    for (let i = 0; i < n; i++) {
      const signer = new AuthoritySigner(nodes[i]!, keys[i]!, silentLogger);
      signer.start();
      signers.push(signer);
    }
    const deadline = Date.now() + (BLOCKS + 20) * SLOT_MS + 30_000;
    while (nodes.some((x) => x.chain.height < BLOCKS) && Date.now() < deadline) await sleep(50);
    await Promise.all(signers.map(async (s) => s.stop()));
    await sleep(500);
    const heights = nodes.map((x) => x.chain.height);
    const heads = new Set(nodes.map((x) => x.chain.head.id));
    console.log(`${n} authorities, slot ${SLOT_MS} ms: heights ${heights.join('/')}, ${heads.size === 1 ? 'one head' : `${heads.size} heads`}, ${delays.length} imports timed, finalized ${nodes[0]!.chain.finalizedHeight()}`);
    return { delays, perNodeP99: perNode.map((d) => percentile(d, 99)), blocks, signers: blockSigners };
  } finally {
    await Promise.all(signers.map(async (s) => s.stop()));
    await Promise.all(nets.map(async (x) => x.stop()));
    await Promise.all(nodes.map(async (x) => x.close()));
    await rm(root, { recursive: true, force: true });
  }
}

/** The baseline: n bare hosts (same swarm key and gossip settings) relay `messages`, each from its signer's host. */
async function bareGossip(n: number, messages: Uint8Array[], publishers: number[]): Promise<number[]> {
  const topic = 'bench/bare-authority/1';
  const hosts: BareGossipHost[] = [];
  try {
    for (let i = 0; i < n; i++) {
      hosts.push(await bareGossipHost({ psk: SWARM_KEY }));
    }
    for (const h of hosts) h.services.pubsub.subscribe(topic);
    await fullMesh(hosts);
    await sleep(3_000);
    let arrivals: number[] = [];
    hosts.forEach((h) => h.services.pubsub.addEventListener('message', () => arrivals.push(performance.now())));
    const delays: number[] = [];
    for (const [k, data] of messages.entries()) {
      arrivals = [];
      const sent = performance.now();
      await hosts[publishers[k]!]!.services.pubsub.publish(topic, data);
      const deadline = sent + 5_000;
      while (arrivals.length < n - 1 && performance.now() < deadline) await sleep(1);
      delays.push(...arrivals.map((a) => a - sent));
      await sleep(20);
    }
    return delays;
  } finally {
    await Promise.all(hosts.map(async (h) => h.stop()));
  }
}

const follower = await followerRatio(BLOCKS);
for (const line of follower.lines) console.log(line);
console.log(`  ${follower.ratio}`);

let lastRatio = '';
for (const n of [3, 5]) {
  const run = await authorities(n);
  const bare = await bareGossip(n, run.blocks, run.signers);
  const p99 = percentile(run.delays, 99);
  const bareP99 = percentile(bare, 99);
  console.log(`  baseline, bare pnet gossipsub (${n} hosts, no node): p50 ${percentile(bare, 50).toFixed(1)} ms, p99 ${bareP99.toFixed(1)} ms`);
  console.log(`  slot start to import, every node: p50 ${percentile(run.delays, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (goal p99 < 100 ms); p99 by node ${run.perNodeP99.map((x) => x.toFixed(1)).join(' / ')}`);
  lastRatio = `ratio p99 slot-to-import/bare gossip (${n} authorities): ${(p99 / bareP99).toFixed(2)}`;
  console.log(`  ${lastRatio}`);
}
console.log(lastRatio);
