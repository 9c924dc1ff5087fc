/**
 * Getting every tarball a resolution needs: from the local cache when it is
 * there, else from the node that served the package's index, in parallel. Each
 * download's sha256 is compared with the content hash on chain before anything
 * is written; a mismatch (a tampered or damaged blob) aborts the install.
 *
 * fetchIntoStore pipelines this with unpacking into the package store: each
 * tarball is unpacked (gunzip on libuv's thread pool, so on every core) as soon
 * as it arrives, while others are still downloading, and the store commits all
 * the entries at once (PackageStore.commit). On the 500-package tree of
 * bench/install, fetching everything and then unpacking one package at a time
 * took 1.5 s + 3 s.
 */
import { GopkgrError, isGopkgrError } from '../../ledger/index.ts';
import { NodeClient } from '../client.ts';
import { ProgressBar } from './progressBar.ts';
import { fetchBatches, type TarballRequest } from './fetchBatches.ts';
import { sha256Of, type TarballCache } from './tarballCache.ts';
import type { ExtractOptions } from './extractTarball.ts';
import type { PackageStore, PendingEntry } from './packageStore.ts';

export type { TarballRequest } from './fetchBatches.ts';

export interface FetchedTarballs {
  /** verified bytes by content hash */
  bytes: Map<string, Uint8Array>;
  /** hashes that came from a node, not the cache (cached once the install succeeds) */
  downloaded: Set<string>;
}

/**
 * Parallel downloads (and unpacks; batched downloads: unpacks): enough that a node's per-request latency
 * and the thread pool's gunzips overlap; more only queue on the node.
 */
const DOWNLOADS_IN_PARALLEL = 16;

/** Tarballs to unpack from which a worker thread writes the store files: below, its start (~30 ms of CPU) costs more than it saves. */
const OFF_THREAD_FROM = 32;

export interface FetchOptions {
  cache: TarballCache;
  client?: NodeClient;
  progress: boolean;
}

/** The node to ask for `w`: its registry's client, else its source node, else the default one (undefined: offline). */
function clientFor(w: TarballRequest, opts: FetchOptions, made: Map<string, NodeClient>): NodeClient | undefined {
  if (w.client !== undefined) return w.client;
  if (opts.client === undefined) return undefined;
  if (w.source === undefined || w.source === opts.client.url) return opts.client;
  let client = made.get(w.source);
  if (client === undefined) made.set(w.source, (client = new NodeClient(w.source)));
  return client;
}

/** Bytes from `client` that should be `w`'s tarball, checked against the chain's content hash before any use. */
function verified(w: TarballRequest, bytes: Uint8Array, client: NodeClient): Uint8Array {
  const actual = sha256Of(bytes);
  if (actual !== w.contentHash) {
    throw new GopkgrError('BLOB_TAMPERED', `the tarball of ${w.name}@${w.version} from ${client.url} hashes to ${actual.slice(0, 12)}…, but the chain records ${w.contentHash.slice(0, 12)}…; nothing was installed`, {
      hint: 'that node serves a damaged or tampered blob; try another node with --node',
    });
  }
  return bytes;
}

/** One tarball, verified: from the cache, else from the node (then `downloaded`). */
async function fetchOne(w: TarballRequest, opts: FetchOptions, made = new Map<string, NodeClient>()): Promise<{ bytes: Uint8Array; downloaded: boolean }> {
  const ref = `${w.name}@${w.version}`;
  const cached = await opts.cache.get(w.contentHash);
  if (cached !== undefined) return { bytes: cached, downloaded: false };
  const client = clientFor(w, opts, made);
  if (client === undefined) {
    throw new GopkgrError('OFFLINE_NOT_CACHED', `${ref} (sha256 ${w.contentHash.slice(0, 12)}…) is not in the local cache ${opts.cache.dir}`, {
      hint: 'run `gopkgr get` once without --offline to fill the cache',
    });
  }
  let bytes: Uint8Array;
  try {
    bytes = await client.getBlob(w.contentHash);
  } catch (err) {
    if (isGopkgrError(err, 'NOT_FOUND')) {
      throw new GopkgrError('BLOB_MISSING', `the node at ${client.url} has no tarball for ${ref} (sha256 ${w.contentHash.slice(0, 12)}…)`, { hint: 'the publisher may not have uploaded it yet; try another node with --node' });
    }
    throw err;
  }
  return { bytes: verified(w, bytes, client), downloaded: true };
}

/**
 * Run `fn` over `items`, `limit` at a time; after the first failure no new item
 * starts, the ones running are awaited, and the failure is thrown (nothing is
 * left running behind the caller's back).
 */
async function eachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (failure === undefined && next < items.length) {
      try {
        await fn(items[next++]!);
      } catch (err) {
        failure ??= { err };
      }
    }
  }));
  if (failure !== undefined) throw failure.err;
}

export async function fetchTarballs(wanted: readonly TarballRequest[], opts: FetchOptions): Promise<FetchedTarballs> {
  const bar = new ProgressBar(wanted.length, 'fetching', opts.progress);
  const out: FetchedTarballs = { bytes: new Map(), downloaded: new Set() };
  try {
    await eachLimit(wanted, DOWNLOADS_IN_PARALLEL, async (w) => {
      const got = await fetchOne(w, opts);
      if (got.downloaded) out.downloaded.add(w.contentHash);
      out.bytes.set(w.contentHash, got.bytes);
      bar.tick(got.bytes.length);
    });
  } finally {
    bar.finish();
  }
  return out;
}

/**
 * Every wanted tarball fetched, verified and unpacked into `store`, all
 * committed there at once. Nothing of a failed run is left in the store (the
 * entries unpacked so far are discarded). Returns the downloaded tarballs,
 * for the caller to cache once the install has succeeded.
 */
export async function fetchIntoStore(
  wanted: readonly TarballRequest[],
  opts: FetchOptions & {
    store: PackageStore;
    extract: (w: TarballRequest) => ExtractOptions;
    /** let the store write its indexes in the background (PackageStore.commit); the caller awaits store.settled() */
    background?: boolean;
    /** a further check of the verified bytes before they are unpacked (npm's sha512); throws to abort */
    check?: (w: TarballRequest, bytes: Uint8Array) => void;
  },
): Promise<Map<string, Uint8Array>> {
  const bar = new ProgressBar(wanted.length, 'fetching', opts.progress);
  const downloaded = new Map<string, Uint8Array>();
  const pending: PendingEntry[] = [];
  const unique = [...new Map(wanted.map((w) => [w.contentHash, w])).values()];
  // Store files are then created on another core while this thread downloads and parses.
  if (unique.length >= OFF_THREAD_FROM) opts.store.writeOffThread();
  const made = new Map<string, NodeClient>();
  const use = async (w: TarballRequest, bytes: Uint8Array): Promise<void> => {
    bar.tick(bytes.length);
    opts.check?.(w, bytes);
    pending.push(await opts.store.unpack(w.contentHash, bytes, opts.extract(w)));
  };
  try {
    const notCached: TarballRequest[] = [];
    await eachLimit(unique, DOWNLOADS_IN_PARALLEL, async (w) => {
      const cached = await opts.cache.get(w.contentHash);
      if (cached === undefined) notCached.push(w);
      else await use(w, cached);
    });
    // Most come in a few batches per node; what a batch did not bring is asked for one by one.
    const left = await fetchBatches(notCached, {
      clientFor: (w) => clientFor(w, opts, made),
      verify: verified,
      use: async (w, bytes) => {
        downloaded.set(w.contentHash, bytes);
        await use(w, bytes);
      },
      inFlight: DOWNLOADS_IN_PARALLEL,
    });
    await eachLimit(left, DOWNLOADS_IN_PARALLEL, async (w) => {
      const got = await fetchOne(w, opts, made);
      if (got.downloaded) downloaded.set(w.contentHash, got.bytes);
      await use(w, got.bytes);
    });
    await opts.store.commit(pending, opts.background === true);
  } catch (err) {
    await opts.store.discard(pending);
    throw err;
  } finally {
    bar.finish();
  }
  return downloaded;
}
