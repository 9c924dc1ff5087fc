/**
 * bench/follower: a public block's arrival at a private node's replica of the
 * public chain (node/network/publicFollower.ts) against its arrival at a plain
 * public follower, in the same run (the follower ratio; goal ≤ 1.1).
 *
 * One public source node mines BLOCKS blocks, one at a time (nonces on a worker
 * thread). Two nodes dial it: a plain public FullNode with its own host, and a
 * PublicFollower opened exactly as `gopkgr node --genesis … --public-peer` opens
 * it, beside a one-authority private node that signs its own blocks in the same
 * process (a private node's own work is part of what its replica competes
 * with). The delay of a block at each is from its import at the source to its
 * import there ('head'). All in this one process: one clock, one thread for
 * every node's validation. The last line is the ratio of the two p99s.
 *
 *   npx tsx bench/follower.ts [--blocks 40]
 * bench/authority runs it too (followerRatio()).
 */
import '../node/polyfill.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { DEV_PARAMS, identityOf, keyPairFromSecret, sha256, type ChainParams } from '../ledger/index.ts';
import { AuthoritySigner, FullNode, silentLogger, type BlockIndexEntry, type Work } from '../node/index.ts';
import { Network, PublicFollower } from '../node/network/index.ts';
import { PowSearch, buildCandidate, sealCandidate } from '../miner/index.ts';

const MINER = keyPairFromSecret(sha256(new TextEncoder().encode('bench-follower'))).publicKey;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

export interface FollowerResult {
  lines: string[];
  /** `ratio p99 replica/plain follower: X` */
  ratio: string;
}

export async function followerRatio(blocks: number): Promise<FollowerResult> {
  const root = await mkdtemp(join(tmpdir(), 'gopkgr-bench-follower-'));
  const pow = new PowSearch({ threads: 1 });
  const closers: Array<() => Promise<unknown>> = [];
  try {
    const source = await FullNode.open({ dataDir: join(root, 'source'), params: DEV_PARAMS });
    closers.push(() => source.close());
    const sourceNet = await Network.create({ node: source, dataDir: join(root, 'source'), privateKey: await generateKeyPair('Ed25519'), persistPeers: false });
    await sourceNet.start();
    closers.unshift(() => sourceNet.stop());
    const peers = [sourceNet.addresses()[0]!];

    const plain = await FullNode.open({ dataDir: join(root, 'plain'), params: DEV_PARAMS });
    closers.push(() => plain.close());
    const plainNet = await Network.create({ node: plain, dataDir: join(root, 'plain'), privateKey: await generateKeyPair('Ed25519'), persistPeers: false, peers });
    await plainNet.start();
    closers.unshift(() => plainNet.stop());

    // The private node: its own chain (one authority, signing) and, beside it, its replica of the public chain.
    const key = keyPairFromSecret(sha256(new TextEncoder().encode('bench-follower-authority')));
    const privateParams: ChainParams = {
      ...DEV_PARAMS, name: 'bench-follower-private', blockTimeMs: 500, genesisTime: Math.floor(Date.now() / 1000) * 1000,
      consensus: { kind: 'authority', authorities: [identityOf(key.publicKey)], slotMs: 500, epochBlocks: 100 },
      namespaces: ['@bench'],
    };
    const own = await FullNode.open({ dataDir: join(root, 'private'), params: privateParams });
    closers.push(() => own.close());
    const signer = new AuthoritySigner(own, key, silentLogger);
    signer.start();
    closers.unshift(async () => signer.stop());
    const replica = await PublicFollower.open({ dataDir: join(root, 'private'), params: DEV_PARAMS, expectChainId: source.chainId, peers });
    closers.unshift(() => replica.close());

    await sleep(3_000); // connections, identify, subscriptions, the first heartbeats
    const importedAt = new Map<string, number>();
    const plainDelays: number[] = [];
    const replicaDelays: number[] = [];
    const arrived = { plain: new Set<string>(), replica: new Set<string>() };
    source.on('head', (h: BlockIndexEntry) => importedAt.set(h.id, performance.now()));
    const track = (delays: number[], seen: Set<string>) => (h: BlockIndexEntry): void => {
      const at = performance.now();
      const t0 = importedAt.get(h.id);
      seen.add(h.id);
      if (t0 !== undefined) delays.push(at - t0);
    };
    plain.on('head', track(plainDelays, arrived.plain));
    replica.node.on('head', track(replicaDelays, arrived.replica));

    for (let i = 0; i < blocks; i++) {
      const work: Work = await source.work();
      const candidate = buildCandidate(work, MINER, Math.max(Date.now(), work.minTime + 1));
      const found = await pow.search({ header: candidate.headerBytes, nonceOffset: candidate.nonceOffset, target: BigInt(`0x${work.target}`) });
      if (found === null) throw new Error('proof-of-work search ended without a nonce');
      const result = await source.submitBlock(sealCandidate(candidate, found.nonce).bytes);
      const deadline = performance.now() + 10_000;
      while ((!arrived.plain.has(result.id) || !arrived.replica.has(result.id)) && performance.now() < deadline) await sleep(2);
      await sleep(100);
    }
    const plainP99 = percentile(plainDelays, 99);
    const replicaP99 = percentile(replicaDelays, 99);
    const lines = [
      `public follower, ${blocks} public blocks: private node's replica at height ${replica.node.chain.height} (its own chain at ${own.chain.height}), plain follower at ${plain.chain.height}, source at ${source.chain.height}`,
      `  plain public follower: p50 ${percentile(plainDelays, 50).toFixed(1)} ms, p99 ${plainP99.toFixed(1)} ms (${plainDelays.length} blocks)`,
      `  private node's replica: p50 ${percentile(replicaDelays, 50).toFixed(1)} ms, p99 ${replicaP99.toFixed(1)} ms (${replicaDelays.length} blocks)`,
    ];
    return { lines, ratio: `ratio p99 replica/plain follower: ${(replicaP99 / plainP99).toFixed(2)} (goal <= 1.1)` };
  } finally {
    for (const close of closers) await close().catch(() => undefined);
    await pow.close();
    await rm(root, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { blocks: { type: 'string' } } });
  const r = await followerRatio(Number(values.blocks ?? 40));
  for (const line of r.lines) console.log(line);
  console.log(r.ratio);
}
