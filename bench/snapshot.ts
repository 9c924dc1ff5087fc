/**
 * bench/snapshot: how fast a node joins from a state snapshot, and what a
 * 10^6-version chain's join would take.
 *
 * Fills a LevelDB with N synthetic state records shaped like a registry's
 * (per package: a `pkg:` and a `name:` record; per version a `ver:` record of
 * ~450 bytes of CBOR, 1% of them carrying a 60 KB manifest-sized field), then
 * in the same run, --rounds times:
 *  - baseline: the same records written straight into a fresh LevelDB in
 *    4 MiB batches (the least a join can cost: the bytes have to be stored);
 *  - write: the serving node's snapshot (one LevelDB view scanned, hashed,
 *    streamed to a file, signed: node/snapshot/files.ts);
 *  - join: a second in-process libp2p host on loopback fetches the records
 *    (/snapshot/1, 4 MiB ranges of 1 MiB chunks) and imports them into a
 *    fresh LevelDB while recomputing the root (node/snapshot/import.ts).
 * Prints medians, the join's records per second and its projection to the
 * records of 10^6 versions, and as the last line the ratio join / baseline.
 *
 *   npx tsx bench/snapshot.ts [--versions 100000] [--rounds 3]
 */
import '../node/polyfill.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { DEV_PARAMS, encode, sha256, keyPairFromSecret, toHex } from '../ledger/index.ts';
import { ChainStore, FullNode, SnapshotFiles } from '../node/index.ts';
import { putRaw, type BatchOp } from '../node/store.ts';
import { createHost } from '../node/network/host.ts';
import { serve } from '../node/network/reqresp.ts';
import { protocols as protocolIds, topics as topicNames } from '../node/network/constants.ts';
import { fetchRecords, snapshotResponder } from '../node/network/snapshotExchange.ts';
import { importRecords } from '../node/snapshot/import.ts';
import { buildCandidate, mineOnThisThread } from '../miner/index.ts';

const { values } = parseArgs({ options: { versions: { type: 'string' }, rounds: { type: 'string' } } });
const VERSIONS = Number(values.versions ?? 100_000);
const ROUNDS = Number(values.rounds ?? 3);
const VERSIONS_PER_PACKAGE = 10;
const SIGNER = keyPairFromSecret(sha256(new TextEncoder().encode('bench-snapshot')));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The synthetic records, in batches (key order does not matter to LevelDB). */
function* records(): Generator<Array<[string, Uint8Array]>> {
  let batch: Array<[string, Uint8Array]> = [];
  const hash = (i: number, what: string): Uint8Array => sha256(new TextEncoder().encode(`${what}/${i}`));
  for (let v = 0; v < VERSIONS; v++) {
    const p = Math.floor(v / VERSIONS_PER_PACKAGE);
    const pkgId = toHex(hash(p, 'pkg'));
    if (v % VERSIONS_PER_PACKAGE === 0) {
      batch.push([`s:pkg:${pkgId}`, encode({ ns: `@ns${p % 5000}`, name: `pkg${p}`, created: p, versions: VERSIONS_PER_PACKAGE })]);
      batch.push([`s:name:@ns${p % 5000}/pkg${p}`, encode(hash(p, 'pkg'))]);
    }
    const big = v % 100 === 0 ? new Uint8Array(60_000).fill(v % 251) : new Uint8Array(0);
    batch.push([`s:ver:${pkgId}:1.${v % VERSIONS_PER_PACKAGE}.0`, encode({
      contentHash: hash(v, 'content'), apiHash: hash(v, 'api'), lock: hash(v, 'lock'), publisher: new Uint8Array(33).fill(2),
      height: v, deps: [{ name: '@ns1/pkg1', range: '^1.0.0' }, { name: '@ns2/pkg2', range: '~2.1.0' }],
      attestations: [{ tester: new Uint8Array(33).fill(3), passed: 120, failed: 0, resultHash: hash(v, 'result') }],
      breaking: false, deprecated: null, manifest: big,
    })]);
    if (batch.length >= 2_000) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

async function fill(store: ChainStore): Promise<void> {
  for (const batch of records()) await store.write(batch.map(([k, v]): BatchOp => putRaw(k, v)));
}

const root = await mkdtemp(join(tmpdir(), 'gopkgr-bench-snapshot-'));
try {
  let t = performance.now();
  const seed = await FullNode.open({ dataDir: join(root, 'seed'), params: DEV_PARAMS });
  await fill(seed.chain.store);
  // One block, so the state is a block's (a snapshot of genesis is none).
  const work = (await seed.work());
  await seed.submitBlock(mineOnThisThread(buildCandidate(work, SIGNER.publicKey, Math.max(work.parentTime + work.params.blockTimeMs, work.minTime + 1))).bytes);
  console.log(`filled ${VERSIONS} versions in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  // The server answers from whichever round's snapshot files are current.
  let files = new SnapshotFiles(join(root, 'snapshots-0'), seed.chain.chainId, 1);

  const server = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], maxConnections: 8, topics: topicNames(seed.chainId), isBanned: () => false, appScore: () => 0 });
  const client = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: [], maxConnections: 8, topics: topicNames(seed.chainId), isBanned: () => false, appScore: () => 0 });
  const protocol = protocolIds(seed.chainId).snapshot;
  await server.handle(protocol, serve((req) => snapshotResponder(files)(req)));
  await client.dial(server.getMultiaddrs()[0]!);

  const baseline: number[] = [];
  const writes: number[] = [];
  const joins: number[] = [];
  let header;
  let rss = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const raw = new ChainStore(join(root, `raw-${round}`));
    await raw.open();
    t = performance.now();
    let ops: BatchOp[] = [];
    let bytes = 0;
    for await (const [k, v] of seed.chain.store.db.iterator({ gte: 's:', lt: 's;' })) {
      ops.push(putRaw(k, v));
      bytes += k.length + v.length;
      if (bytes >= 4 * 1024 * 1024) {
        await raw.write(ops);
        ops = [];
        bytes = 0;
      }
    }
    await raw.write(ops);
    baseline.push(performance.now() - t);
    await raw.close();

    // A fresh snapshot dir each round, so the snapshot is written again.
    files = new SnapshotFiles(join(root, `snapshots-${round}`), seed.chain.chainId, 1);
    await files.open();
    t = performance.now();
    header = (await files.write(seed.chain.store, seed.chain.store.db.snapshot(), SIGNER))!;
    writes.push(performance.now() - t);

    const target = await FullNode.open({ dataDir: join(root, `join-${round}`), params: DEV_PARAMS });
    t = performance.now();
    await importRecords(target.chain.store, header, fetchRecords(client, server.peerId, protocol, header));
    joins.push(performance.now() - t);
    rss = Math.max(rss, process.memoryUsage().rss);
    await target.close();
    await rm(join(root, `join-${round}`), { recursive: true, force: true });
    await rm(join(root, `raw-${round}`), { recursive: true, force: true });
  }
  await client.stop();
  await server.stop();
  await seed.close();

  const h = header!;
  const join1 = median(joins);
  const perRecord = join1 / h.records;
  const recordsAt1e6 = (h.records / VERSIONS) * 1_000_000;
  console.log(`snapshot: ${h.records} records, ${(h.bytes / 1e6).toFixed(1)} MB (${VERSIONS} versions)`);
  console.log(`baseline (LevelDB batch write of the records): median ${(median(baseline) / 1000).toFixed(2)} s`);
  console.log(`write snapshot (scan, hash, file, sign):      median ${(median(writes) / 1000).toFixed(2)} s`);
  console.log(`join (libp2p fetch, parse, hash, write):      median ${(join1 / 1000).toFixed(2)} s, ${(h.records / (join1 / 1000)).toFixed(0)} records/s, ${(h.bytes / 1e6 / (join1 / 1000)).toFixed(1)} MB/s, peak RSS ${(rss / 1e6).toFixed(0)} MB`);
  console.log(`projected join of 10^6 versions (${recordsAt1e6.toFixed(0)} records): ${((perRecord * recordsAt1e6) / 1000).toFixed(0)} s (goal < 600 s)`);
  console.log(`join/baseline ${(join1 / median(baseline)).toFixed(2)}`);
} finally {
  await rm(root, { recursive: true, force: true });
}
