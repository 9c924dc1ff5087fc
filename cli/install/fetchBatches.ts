/**
 * Tarballs in batches: each node is asked for its share in a few POST
 * /v1/blobs requests (node/api/blobBatch.ts) instead of one GET per tarball.
 * On bench/install's 500 packages the node spent ~680 ms of CPU answering 500
 * GETs, more than the client's whole unpacking.
 *
 * Routing is the caller's: a tarball is asked of the node `clientFor` names
 * (its registry's, for a private name), and batches never mix nodes. Every
 * blob is checked against the chain's content hash (`verify`) before `use`
 * sees it. What a node leaves out (not held, over its byte bound, an answer
 * cut short, or a node without the route) is returned, for the caller to ask
 * one by one.
 */
import type { NodeClient } from '../client.ts';

/** A tarball an install wants, and where to ask for it. */
export interface TarballRequest {
  name: string;
  version: string;
  contentHash: string;
  /** node URL to ask first */
  source?: string;
  /** the client to ask (a project file's registry, with its token); wins over `source` */
  client?: NodeClient;
}

/** Batches per node at once: the node reads blobs of several batches at once while the client unpacks. */
const BATCHES_IN_PARALLEL = 4;
/** Below this a batch is not worth a request of its own. */
const MIN_BATCH = 32;
/** The node's MAX_BLOB_BATCH_HASHES: a larger batch is refused. */
const MAX_BATCH = 512;
/** The node's MAX_BLOB_BYTES: a frame announcing more is a broken answer. */
const MAX_BLOB_BYTES = 32 * 1024 * 1024;

export interface BatchFetch {
  clientFor: (w: TarballRequest) => NodeClient | undefined;
  verify: (w: TarballRequest, bytes: Uint8Array, client: NodeClient) => Uint8Array;
  /** takes a verified tarball (unpacks it); up to `inFlight` run at once */
  use: (w: TarballRequest, bytes: Uint8Array) => Promise<void>;
  inFlight: number;
}

/** At most `limit` uses running; the first failure stops new ones and is thrown by `drain`. */
class Slots {
  private running = new Set<Promise<void>>();
  failure: { err: unknown } | undefined;

  constructor(private readonly limit: number) {}

  async start(fn: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    if (this.failure !== undefined) return;
    const p: Promise<void> = fn().catch((err: unknown) => {
      this.failure ??= { err };
    }).finally(() => this.running.delete(p));
    this.running.add(p);
  }

  async drain(): Promise<void> {
    await Promise.all(this.running);
    if (this.failure !== undefined) throw this.failure.err;
  }
}

function batchesOf<T>(items: readonly T[]): T[][] {
  const size = Math.min(MAX_BATCH, Math.max(MIN_BATCH, Math.ceil(items.length / BATCHES_IN_PARALLEL)));
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

/** Fetch `wanted` (none of them cached) in batches; returns the ones no batch brought. */
export async function fetchBatches(wanted: readonly TarballRequest[], opts: BatchFetch): Promise<TarballRequest[]> {
  const byNode = new Map<string, { client: NodeClient; wanted: TarballRequest[] }>();
  const left: TarballRequest[] = [];
  for (const w of wanted) {
    const client = opts.clientFor(w);
    if (client === undefined) {
      left.push(w);
      continue;
    }
    let group = byNode.get(client.url);
    if (group === undefined) byNode.set(client.url, (group = { client, wanted: [] }));
    group.wanted.push(w);
  }
  const slots = new Slots(opts.inFlight);
  const got = new Set<string>();
  const one = async (client: NodeClient, batch: TarballRequest[]): Promise<void> => {
    const byHash = new Map(batch.map((w) => [w.contentHash, w]));
    const frames = await client.getBlobBatch([...byHash.keys()], MAX_BLOB_BYTES);
    if (frames === undefined) return;
    for await (const frame of frames) {
      if (slots.failure !== undefined) break;
      const w = byHash.get(frame.hash);
      // A frame for a blob not asked for, or asked once already, is ignored.
      if (w === undefined || got.has(frame.hash)) continue;
      const bytes = opts.verify(w, frame.bytes, client);
      got.add(frame.hash);
      await slots.start(() => opts.use(w, bytes));
    }
  };
  const batches = [...byNode.values()].flatMap((g) => (g.wanted.length < 2 ? [] : batchesOf(g.wanted).map((b) => ({ client: g.client, batch: b }))));
  try {
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(BATCHES_IN_PARALLEL, batches.length) }, async () => {
      while (slots.failure === undefined && next < batches.length) {
        const { client, batch } = batches[next++]!;
        try {
          await one(client, batch);
        } catch (err) {
          slots.failure ??= { err };
        }
      }
    }));
  } finally {
    await slots.drain();
  }
  for (const g of byNode.values()) for (const w of g.wanted) if (!got.has(w.contentHash)) left.push(w);
  return left;
}
