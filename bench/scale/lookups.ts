/**
 * Lookup latency of bench/scale, measured so that its growth between chain
 * sizes reflects the node's code rather than the machine: one node per size
 * is up at once, each is warmed up first (its code compiled, its cache
 * filled as a serving node's is), and then the sizes take turns in short
 * batches, the order rotating each round, so a burst of load from elsewhere
 * on a shared machine falls on every size alike. Each size gets thousands of
 * samples; p50 and p99 are taken over all of them.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChainStore, BLOB_SCAN_KEY, del, putRaw, type BatchOp } from '../../node/store.ts';
import { chainDirOf } from '../../node/fullNode.ts';
import { DEV_PARAMS } from '../../ledger/index.ts';
import { rssOf, startNode, stopNode, type NodeProcess } from './nodeProcess.ts';

export type LookupFigure = { value: number; unit: 'ms' | 'bytes'; note?: string } | { failed: string };

export interface LookupTarget {
  size: number;
  dataDir: string;
  /** `@ns/name@version` refs to look up */
  sample: string[];
}

export interface LookupPlan {
  /** lookups per node before any is timed */
  warmup: number;
  /** rounds of one batch per node */
  rounds: number;
  batch: number;
  startTimeoutMs: number;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** `@ns/name@version` → the lookup's URL path. */
const lookupPath = (ref: string): string => {
  const at = ref.lastIndexOf('@');
  return `/v1/packages/${ref.slice(0, at)}/${ref.slice(at + 1)}`;
};

/** A deterministic stream of refs from `sample` (the same sequence for a size on every run). */
function picker(sample: string[], seed: number): () => string {
  let s = seed >>> 0;
  return () => sample[(s = (Math.imul(s, 1103515245) + 12345) >>> 0) % sample.length]!;
}

async function timedLookups(node: NodeProcess, next: () => string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const ref = next();
    const t = performance.now();
    const res = await fetch(node.api + lookupPath(ref), { signal: AbortSignal.timeout(60_000) });
    await res.arrayBuffer();
    times.push(performance.now() - t);
    if (!res.ok) throw new Error(`GET ${lookupPath(ref)} answered ${res.status}`);
  }
  return times;
}

/** Lookup p50, p99 and RSS after them, per size; a size whose node fails gets failures and the others go on. */
export async function interleavedLookups(targets: LookupTarget[], plan: LookupPlan, log: (l: string) => void): Promise<Map<number, Record<string, LookupFigure>>> {
  const out = new Map<number, Record<string, LookupFigure>>();
  const live: Array<{ target: LookupTarget; node: NodeProcess; next: () => string; times: number[] }> = [];
  try {
    for (const target of targets) {
      try {
        const node = await startNode(target.dataDir, { timeoutMs: plan.startTimeoutMs });
        live.push({ target, node, next: picker(target.sample, 12345), times: [] });
      } catch (err) {
        out.set(target.size, { lookupP50: { failed: (err as Error).message } });
      }
    }
    for (const l of live) await timedLookups(l.node, l.next, plan.warmup);
    log(`  lookups: ${live.length} nodes warmed up (${plan.warmup} each); ${plan.rounds} rounds of ${plan.batch} per node`);
    for (let round = 0; round < plan.rounds; round++) {
      for (let k = 0; k < live.length; k++) {
        const l = live[(round + k) % live.length]!;
        if (out.has(l.target.size)) continue;
        try {
          l.times.push(...(await timedLookups(l.node, l.next, plan.batch)));
        } catch (err) {
          out.set(l.target.size, { lookupP50: { failed: (err as Error).message } });
        }
      }
    }
    for (const l of live) {
      if (out.has(l.target.size)) continue;
      out.set(l.target.size, {
        lookupP50: { value: percentile(l.times, 50), unit: 'ms', note: `${l.times.length} requests, interleaved with the other sizes after ${plan.warmup} to warm up` },
        lookupP99: { value: percentile(l.times, 99), unit: 'ms' },
        rssLoaded: await rssOf(l.node.pid).then((value): LookupFigure => ({ value, unit: 'bytes' }), (err: Error) => ({ failed: err.message })),
      });
    }
    return out;
  } finally {
    for (const l of live) await stopNode(l.node);
  }
}

/**
 * CPU time a process has used so far, all its threads (the sum of
 * /proc/PID/task/TID/schedstat), in ms. Threads that ended are not counted,
 * so take it around work the node does on threads that outlive it.
 */
export async function cpuMsOf(pid: number): Promise<number> {
  let ns = 0;
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const text = await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => '0');
    ns += Number(text.split(' ')[0]);
  }
  return ns / 1e6;
}

/**
 * Record in a data dir that the node holds every tarball its state names, as
 * a serving node does: the bench's records name tarballs it never makes, and
 * a node lacking them walks all its versions once (node/network/blobBackfill.ts)
 * and then keeps asking peers for each, beside the figures taken on it.
 */
export async function markTarballsHeld(dataDir: string): Promise<void> {
  const store = new ChainStore(join(chainDirOf(dataDir, DEV_PARAMS), 'db'));
  await store.open();
  try {
    let ops: BatchOp[] = [];
    for await (const key of store.keys('bm:')) {
      ops.push(del(key));
      if (ops.length >= 10_000) {
        await store.write(ops);
        ops = [];
      }
    }
    ops.push(putRaw(BLOB_SCAN_KEY, new Uint8Array(0)));
    await store.write(ops);
  } finally {
    await store.close();
  }
}
