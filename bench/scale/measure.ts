/**
 * The figures of one chain size, each against real `gopkgr node` processes.
 * A figure that cannot be had (the node died, a deadline passed) is recorded
 * as a failure with the reason, and the bench goes on with the next one.
 */
import { cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { decode, DEV_PARAMS, keyPairFromSecret, sha256, toHex } from '../../ledger/index.ts';
import { FullNode, SnapshotFiles, chainDirOf, silentLogger } from '../../node/index.ts';
import { readBlocks, type ChainMeta } from './chainFiles.ts';
import { rssOf, startNode, statusOf, stopNode, type NodeProcess } from './nodeProcess.ts';
import { cpuMsOf } from './lookups.ts';

/** A measured value, or why there is none. */
export type Figure = { value: number; unit: 'ms' | 'bytes' | 'count'; note?: string } | { failed: string };

export interface Limits {
  startTimeoutMs: number;
  syncTimeoutMs: number;
  lookups: number;
  /** leave out the late joiner (a data dir no chain of blocks produced) */
  skipSync?: boolean;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const failed = (err: unknown): Figure => ({ failed: (err as Error).message });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? await dirBytes(p) : (await stat(p)).size;
  }
  return total;
}

/** Where a node keeps its LevelDB in a data dir (node/fullNode.ts). */
export const dbPathOf = (dataDir: string): string => join(dataDir, 'chains', DEV_PARAMS.name, 'db');

/** Packages a resolve request names: with their deps, a tree of at least this many. */
const RESOLVE_ROOTS = 50;

/**
 * POST /v1/resolve of a tree of at least 50 packages: the package with the
 * chain's largest tree, then other sampled packages until 50 names (every
 * range `^1.0.0`). Median ms of 5, and how many packages came back.
 */
export async function resolveTree(node: NodeProcess, tree: { name: string; size: number }, sample: string[]): Promise<Figure> {
  const names = new Set([tree.name]);
  for (const ref of sample) {
    if (names.size >= RESOLVE_ROOTS) break;
    names.add(ref.slice(0, ref.lastIndexOf('@')));
  }
  const requirements = Object.fromEntries([...names].map((n) => [n, '^1.0.0']));
  try {
    const times: number[] = [];
    let resolved = 0;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const res = await fetch(`${node.api}/v1/resolve`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requirements }), signal: AbortSignal.timeout(120_000),
      });
      const body = (await res.json()) as { resolved?: Record<string, unknown> };
      times.push(performance.now() - t);
      if (!res.ok) throw new Error(`POST /v1/resolve answered ${res.status}: ${JSON.stringify(body)}`);
      resolved = Object.keys(body.resolved ?? {}).length;
    }
    return { value: median(times), unit: 'ms', note: `${names.size} roots, ${resolved} packages resolved; largest single tree ${tree.size}` };
  } catch (err) {
    return failed(err);
  }
}

/** The served node's figures: three starts (the last stays up), RSS, resolve, then a late joiner's sync (lookups: lookups.ts). */
export async function servedFigures(dataDir: string, meta: ChainMeta, root: string, limits: Limits, log: (l: string) => void): Promise<Record<string, Figure>> {
  const f: Record<string, Figure> = {};
  const starts: number[] = [];
  const readies: number[] = [];
  let node: NodeProcess | undefined;
  try {
    for (let i = 0; i < 3; i++) {
      if (node !== undefined) await stopNode(node);
      node = await startNode(dataDir, { timeoutMs: limits.startTimeoutMs });
      starts.push(node.startMs);
      readies.push(node.readyMs);
      log(`  start ${i + 1}: ${(node.startMs / 1000).toFixed(2)} s (network up at ${(node.readyMs / 1000).toFixed(2)} s)`);
    }
    f.start = { value: median(starts), unit: 'ms', note: `median of ${starts.map((s) => (s / 1000).toFixed(2)).join(', ')} s` };
    f.ready = { value: median(readies), unit: 'ms', note: 'until the network layer is up too' };
    f.rssStart = { value: await rssOf(node!.pid), unit: 'bytes' };
  } catch (err) {
    f.start = failed(err);
    if (node !== undefined) await stopNode(node);
    return f;
  }
  const served = node!;
  f.resolve = await resolveTree(served, meta.tree, meta.sample);
  if (limits.skipSync !== true) f.sync = await lateJoin(served, meta, root, limits, log);
  f.rssAfterSync = await rssOf(served.pid).then((value): Figure => ({ value, unit: 'bytes' }), failed);
  await stopNode(served);
  return f;
}

/** A fresh node with --peer of the served one, until its height is the head's. */
async function lateJoin(served: NodeProcess, meta: ChainMeta, root: string, limits: Limits, log: (l: string) => void): Promise<Figure> {
  const dir = await mkdtemp(join(root, 'joiner-'));
  let joiner: NodeProcess | undefined;
  const started = performance.now();
  let height = 0;
  try {
    joiner = await startNode(dir, { timeoutMs: limits.startTimeoutMs, peers: served.addresses.slice(0, 1) });
    let lastLog = performance.now();
    let exited: string | undefined;
    void joiner.exit.then((why) => (exited = why));
    while (performance.now() - started < limits.syncTimeoutMs) {
      if (exited !== undefined) return { failed: `joiner ${exited} at height ${height} of ${meta.height}: ${joiner.stderrTail()}` };
      height = await statusOf(joiner).then((s) => s.height, () => height);
      if (height >= meta.height) return { value: performance.now() - started, unit: 'ms', note: `${meta.height} blocks` };
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        log(`  sync: height ${height} of ${meta.height} after ${((lastLog - started) / 1000).toFixed(0)} s`);
      }
      await sleep(200);
    }
    return { failed: `did not finish: height ${height} of ${meta.height} after ${((performance.now() - started) / 1000).toFixed(0)}s` };
  } catch (err) {
    return failed(err);
  } finally {
    if (joiner !== undefined) await stopNode(joiner);
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * POST /v1/blocks of the full block on top of the head, on 3 fresh copies of
 * the data dir: median wall ms, and median CPU ms of the node process over the
 * same request (on a shared machine the wall time is the CPU time stretched by
 * whatever else runs; the CPU time is the node's own).
 */
export async function blockImport(dataDir: string, extraFile: string, meta: ChainMeta, root: string, limits: Limits, log: (l: string) => void): Promise<{ wall: Figure; cpu: Figure }> {
  let block: Uint8Array | undefined;
  for await (const b of readBlocks(extraFile)) block = b;
  const times: number[] = [];
  const cpus: number[] = [];
  for (let round = 0; round < 3; round++) {
    const copy = await mkdtemp(join(root, 'import-'));
    let node: NodeProcess | undefined;
    try {
      await cp(dataDir, copy, { recursive: true });
      node = await startNode(copy, { timeoutMs: limits.startTimeoutMs });
      // Let the start's own work (the network layer coming up) settle, so the CPU counted is the block's.
      await sleep(2000);
      const cpu = await cpuMsOf(node.pid);
      const t = performance.now();
      const res = await fetch(`${node.api}/v1/blocks`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: block!, signal: AbortSignal.timeout(limits.syncTimeoutMs) });
      const answer = (await res.json()) as { height?: number; status?: string; error?: unknown };
      const ms = performance.now() - t;
      const cpuMs = (await cpuMsOf(node.pid)) - cpu;
      if (!res.ok || answer.height !== meta.height + 1) throw new Error(`POST /v1/blocks answered ${res.status} ${JSON.stringify(answer)}`);
      times.push(ms);
      cpus.push(cpuMs);
      log(`  full block import ${round + 1}: ${(ms / 1000).toFixed(2)} s wall, ${cpuMs.toFixed(0)} ms CPU`);
    } catch (err) {
      return { wall: failed(err), cpu: failed(err) };
    } finally {
      if (node !== undefined) await stopNode(node);
      await rm(copy, { recursive: true, force: true });
    }
  }
  return {
    wall: { value: median(times), unit: 'ms', note: `${meta.extraPublishes} publishes, ${(meta.extraBytes / 1e6).toFixed(1)} MB; median of ${times.map((t) => (t / 1000).toFixed(2)).join(', ')} s` },
    cpu: { value: median(cpus), unit: 'ms', note: `the node process's CPU time, all threads, over the same POST; median of ${cpus.map((c) => c.toFixed(0)).join(', ')} ms` },
  };
}

/**
 * The baseline: what a lookup costs LevelDB alone, on the same data dir with
 * the node stopped: the name's key, then the version's key, for the same
 * sampled versions the lookups asked for. Median ms per lookup.
 */
export async function rawLevelLookups(dataDir: string, sample: string[], count: number): Promise<number> {
  const db = new Level<string, Uint8Array>(dbPathOf(dataDir), { keyEncoding: 'utf8', valueEncoding: 'view' });
  await db.open();
  try {
    let s = 12345;
    const pick = (): string => sample[(s = (Math.imul(s, 1103515245) + 12345) >>> 0) % sample.length]!;
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const ref = pick();
      const at = ref.lastIndexOf('@');
      const t = performance.now();
      const id = await db.get(`s:name:${ref.slice(0, at)}`);
      const version = id === undefined ? undefined : await db.get(`s:ver:${decode(id) as string}:${ref.slice(at + 1)}`);
      times.push(performance.now() - t);
      if (version === undefined) throw new Error(`raw LevelDB has no state for ${ref} (the state keys changed?)`);
    }
    return median(times);
  } finally {
    await db.close();
  }
}

/** The key the bench signs its snapshots with; the joiner trusts it with --snapshot-signer. */
const SNAPSHOT_KEY = keyPairFromSecret(sha256(new TextEncoder().encode('bench-scale-snapshot')));

/**
 * A late joiner of a chain whose versions were not produced by blocks (an
 * inflated data dir): the served node's state is snapshotted at its head and
 * signed (what --snapshot-every does as blocks come), then a fresh node with
 * --snapshot-signer and --peer of it joins: header chain, records streamed and
 * checked against the signed state root, then blocks from there. Timed from
 * the joiner's spawn until its height is the head's; the snapshot's writing
 * is a figure of its own.
 */
export async function snapshotJoin(dataDir: string, meta: ChainMeta, root: string, limits: Limits, log: (l: string) => void): Promise<{ write: Figure; join: Figure }> {
  let write: Figure;
  try {
    const node = await FullNode.open({ dataDir, params: DEV_PARAMS, log: silentLogger });
    try {
      const files = new SnapshotFiles(join(chainDirOf(dataDir, DEV_PARAMS), 'snapshots'), node.chain.chainId);
      await files.open();
      const t = performance.now();
      const header = await files.write(node.chain.store, node.chain.store.db.snapshot(), SNAPSHOT_KEY);
      const existing = header ?? files.list()[0];
      write = { value: performance.now() - t, unit: 'ms', note: existing === undefined ? 'none written' : `${existing.records} records, ${(existing.bytes / 1e6).toFixed(0)} MB${header === undefined ? ', already there' : ''}` };
    } finally {
      await node.close();
    }
  } catch (err) {
    return { write: failed(err), join: { failed: 'no snapshot to join from' } };
  }
  log(`  snapshot written: ${(write as { value: number }).value.toFixed(0)} ms`);
  const served = await startNode(dataDir, { timeoutMs: limits.startTimeoutMs }).catch((err: unknown) => err as Error);
  if (served instanceof Error) return { write, join: failed(served) };
  const dir = await mkdtemp(join(root, 'joiner-'));
  const started = performance.now();
  let joiner: NodeProcess | undefined;
  try {
    // The joiner's API answers once the snapshot is in: its start is the join.
    joiner = await startNode(dir, { timeoutMs: limits.syncTimeoutMs, peers: served.addresses.slice(0, 1), extra: ['--snapshot-signer', `id:${toHex(SNAPSHOT_KEY.publicKey)}`] });
    for (;;) {
      const height = await statusOf(joiner).then((s) => s.height, () => 0);
      if (height >= meta.height) break;
      if (performance.now() - started > limits.syncTimeoutMs) throw new Error(`did not finish: height ${height} of ${meta.height}`);
      await sleep(200);
    }
    return { write, join: { value: performance.now() - started, unit: 'ms', note: `from a signed snapshot at height ${meta.height}, then blocks` } };
  } catch (err) {
    return { write, join: failed(err) };
  } finally {
    if (joiner !== undefined) await stopNode(joiner);
    await stopNode(served);
    await rm(dir, { recursive: true, force: true });
  }
}
