/**
 * bench/sync: a late joiner syncs a long chain.
 *
 * Builds a dev chain of 10,000 blocks into a data dir (in process), then, in
 * the same run:
 *  - baseline: imports the same blocks from that data dir into a fresh node
 *    (read each main-chain block from disk, FullNode.submitBlock), the fastest
 *    a node can take these blocks in;
 *  - network: serves the data dir with a real `gopkgr node` process on loopback
 *    and lets a fresh in-process node with its own libp2p host sync from it
 *    (headers-first, batches, imports through the same submitBlock).
 * Prints both rates and their ratio (sync / disk) as the last line; goal ≥ 0.8.
 * Repeats the pair --rounds times (default 3) and reports medians.
 *
 *   npx tsx bench/sync.ts [--blocks 10000] [--rounds 3]
 */
import '../node/polyfill.ts';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { DEV_PARAMS, sha256, keyPairFromSecret } from '../ledger/index.ts';
import { FullNode, type Work } from '../node/index.ts';
import { Network } from '../node/network/index.ts';
import { buildCandidate, mineOnThisThread } from '../miner/index.ts';

const { values } = parseArgs({ options: { blocks: { type: 'string' }, rounds: { type: 'string' } } });
const BLOCKS = Number(values.blocks ?? 10_000);
const ROUNDS = Number(values.rounds ?? 3);
const MINER = keyPairFromSecret(sha256(new TextEncoder().encode('bench-sync'))).publicKey;
const BIN = fileURLToPath(new URL('../bin/gopkgr.js', import.meta.url));

/** A block on `work` whose time steps by the block time, so the target stays at the easiest. */
function mine(work: Work): Uint8Array {
  const candidate = buildCandidate(work, MINER, Math.max(work.parentTime + work.params.blockTimeMs, work.minTime + 1));
  return mineOnThisThread(candidate).bytes;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const root = await mkdtemp(join(tmpdir(), 'gopkgr-bench-sync-'));
let server: ReturnType<typeof spawn> | undefined;
try {
  const seedDir = join(root, 'seed');
  const seed = await FullNode.open({ dataDir: seedDir, params: DEV_PARAMS });
  let t = performance.now();
  for (let i = 0; i < BLOCKS; i++) await seed.submitBlock(mine((await seed.work())));
  const head = seed.chain.head.id;
  console.log(`built ${BLOCKS} blocks in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  await seed.close();
  const seedCopy = join(root, 'seed-copy');
  await cp(seedDir, seedCopy, { recursive: true });

  // The serving node: a real gopkgr process on the seed data dir.
  server = spawn(process.execPath, [BIN, 'node', '--dev', '--json', '--api', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0'], {
    env: { ...process.env, GOPKGR_HOME: seedDir },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const ready = await new Promise<{ addresses: string[] }>((resolve, reject) => {
    let out = '';
    server!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as { addresses: string[] });
    });
    server!.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });

  const diskRates: number[] = [];
  const syncRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Baseline: the same blocks from disk (a copy of the seed: the server holds its lock) into a fresh node.
    const reader = await FullNode.open({ dataDir: join(root, `disk-${round}`), params: DEV_PARAMS });
    const seedReader = await FullNode.open({ dataDir: seedCopy, params: DEV_PARAMS });
    t = performance.now();
    for (let h = 1; h <= BLOCKS; h++) await reader.submitBlock((await seedReader.chain.getBlockBytes(seedReader.chain.mainIdAt(h)!))!);
    const diskMs = performance.now() - t;
    await seedReader.close();
    if (reader.chain.head.id !== head) throw new Error('disk import ended on another head');
    await reader.close();
    diskRates.push(BLOCKS / (diskMs / 1000));

    // Network: a fresh node syncs from the serving process.
    const joiner = await FullNode.open({ dataDir: join(root, `net-${round}`), params: DEV_PARAMS });
    const net = await Network.create({ node: joiner, dataDir: join(root, `net-${round}`), privateKey: await generateKeyPair('Ed25519'), persistPeers: false, peers: ready.addresses });
    t = performance.now();
    await net.start();
    while (joiner.chain.head.id !== head) await new Promise((r) => setTimeout(r, 5));
    const syncMs = performance.now() - t;
    await net.stop();
    await joiner.close();
    syncRates.push(BLOCKS / (syncMs / 1000));
    console.log(`round ${round + 1}: disk ${(diskMs / 1000).toFixed(2)} s (${diskRates.at(-1)!.toFixed(0)} blocks/s), sync ${(syncMs / 1000).toFixed(2)} s (${syncRates.at(-1)!.toFixed(0)} blocks/s)`);
  }
  const disk = median(diskRates);
  const sync = median(syncRates);
  console.log(`median over ${ROUNDS}: import from disk ${disk.toFixed(0)} blocks/s, sync over the network ${sync.toFixed(0)} blocks/s`);
  console.log(`sync/disk ratio ${(sync / disk).toFixed(2)} (goal ≥ 0.8)`);
} finally {
  server?.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await rm(root, { recursive: true, force: true });
}

