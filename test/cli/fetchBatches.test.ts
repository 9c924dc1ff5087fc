/**
 * Fetching tarballs into the package store from real nodes (FullNode and its
 * API on loopback, real tarballs, a real PackageStore): in batches (POST
 * /v1/blobs), one by one for what a batch leaves out or from a node without
 * the route, per node when names route to different nodes, and nothing
 * committed when a served blob does not hash to its name.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GopkgrError, sha256Hex } from '../../ledger/index.ts';
import { NodeClient } from '../../cli/client.ts';
import { fetchIntoStore, type TarballRequest } from '../../cli/install/fetchTarballs.ts';
import { PackageStore } from '../../cli/install/packageStore.ts';
import { TarballCache } from '../../cli/install/tarballCache.ts';
import { startNode, type ApiNode, type StartNodeOptions } from '../support/apiNode.ts';
import { tarball } from '../support/tarballs.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

afterEach(closeAll);

interface Recorded extends ApiNode {
  /** "METHOD path" of every request the node got */
  seen: string[];
}

async function recordedNode(opts: StartNodeOptions = {}): Promise<Recorded> {
  const n = await startNode({ prefix: 'gopkgr-fetch-', ...opts });
  const seen: string[] = [];
  n.server.on('request', (req: { method?: string; url?: string }) => seen.push(`${req.method} ${req.url}`));
  return { ...n, seen };
}

async function packages(count: number, tag: string): Promise<Array<{ w: TarballRequest; bytes: Uint8Array }>> {
  return Promise.all(Array.from({ length: count }, async (_, i) => {
    const name = `@acme/${tag}${i}`;
    const bytes = await tarball([{ name: 'package/package.json', body: JSON.stringify({ name, version: '1.0.0' }) }, { name: 'package/index.js', body: `export default ${i};` }]);
    return { w: { name, version: '1.0.0', contentHash: sha256Hex(bytes) }, bytes };
  }));
}

async function hold(n: ApiNode, pkgs: Array<{ bytes: Uint8Array }>): Promise<void> {
  for (const p of pkgs) await n.node.blobs.put(sha256Hex(p.bytes), p.bytes);
}

async function fetchAll(wanted: TarballRequest[], client?: NodeClient): Promise<{ store: PackageStore; downloaded: Map<string, Uint8Array>; data: string }> {
  const data = await tempDir('gopkgr-fetch-data-');
  const store = new PackageStore(data);
  const downloaded = await fetchIntoStore(wanted, { cache: new TarballCache(data), client, progress: false, store, extract: (w) => ({ label: w.name }) });
  return { store, downloaded, data };
}

const blobGets = (seen: string[]): string[] => seen.filter((s) => s.startsWith('GET /v1/blobs/'));
const batchPosts = (seen: string[]): string[] => seen.filter((s) => s === 'POST /v1/blobs');

describe('fetchIntoStore: batches', () => {
  it('brings 100 tarballs in a few POST /v1/blobs and no GET, each verified and unpacked', async () => {
    const n = await recordedNode();
    const pkgs = await packages(100, 'p');
    await hold(n, pkgs);
    const { store, downloaded } = await fetchAll(pkgs.map((p) => p.w), new NodeClient(n.url));
    expect(downloaded.size).toBe(100);
    for (const p of pkgs) {
      expect(store.check(p.w.contentHash)?.packageJson).toContain(p.w.name);
      expect(Buffer.from(downloaded.get(p.w.contentHash)!)).toEqual(Buffer.from(p.bytes));
    }
    expect(blobGets(n.seen)).toEqual([]);
    expect(batchPosts(n.seen).length).toBeGreaterThanOrEqual(1);
    expect(batchPosts(n.seen).length).toBeLessThanOrEqual(4);
  });

  it('asks GET for what a batch left out: a blob the node brings from its peers only when asked for it', async () => {
    const pkgs = await packages(40, 'q');
    const elsewhere = pkgs[7]!;
    const n: Recorded = await recordedNode({
      extras: {
        // A peer that has the blob: the node stores it when GET asks (a batch never waits on peers).
        fetchBlob: async (hash) => {
          if (hash !== elsewhere.w.contentHash) return false;
          await n.node.blobs.put(hash, elsewhere.bytes);
          return true;
        },
      },
    });
    await hold(n, pkgs.filter((p) => p !== elsewhere));
    const { store, downloaded } = await fetchAll(pkgs.map((p) => p.w), new NodeClient(n.url));
    expect(downloaded.size).toBe(40);
    for (const p of pkgs) expect(store.check(p.w.contentHash)).toBeDefined();
    expect(blobGets(n.seen)).toEqual([`GET /v1/blobs/${elsewhere.w.contentHash}`]);
  });

  it('falls back to one GET per tarball against a node without the route', async () => {
    const pkgs = await packages(30, 'r');
    // An older node: POST /v1/blobs is an unknown route there (404 NOT_FOUND).
    const n = await recordedNode({
      extras: { routes: [{ method: 'POST', pattern: /^\/v1\/blobs$/, handle: () => Promise.reject(new GopkgrError('NOT_FOUND', 'POST /v1/blobs not found')) }] },
    });
    await hold(n, pkgs);
    const { store, downloaded } = await fetchAll(pkgs.map((p) => p.w), new NodeClient(n.url));
    expect(downloaded.size).toBe(30);
    for (const p of pkgs) expect(store.check(p.w.contentHash)).toBeDefined();
    expect(blobGets(n.seen).sort()).toEqual(pkgs.map((p) => `GET /v1/blobs/${p.w.contentHash}`).sort());
  });

  it('asks each tarball of its own node only: one batch per node, never another node\'s hashes', async () => {
    const [a, b] = [await recordedNode(), await recordedNode()];
    const [pa, pb] = [await packages(20, 'a'), await packages(20, 'b')];
    await hold(a, pa);
    await hold(b, pb);
    const hashesAsked = (n: ApiNode): Promise<string[]> => new Promise((resolve) => {
      const asked: string[] = [];
      n.server.on('request', (req: import('node:http').IncomingMessage) => {
        if (req.method !== 'POST') return;
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => asked.push(...(JSON.parse(Buffer.concat(chunks).toString()) as { hashes: string[] }).hashes));
      });
      n.server.on('close', () => resolve(asked));
      setTimeout(() => resolve(asked), 5000).unref();
    });
    const askedA = hashesAsked(a);
    const askedB = hashesAsked(b);
    const ca = new NodeClient(a.url);
    const cb = new NodeClient(b.url);
    const wanted = [...pa.map((p) => ({ ...p.w, client: ca })), ...pb.map((p) => ({ ...p.w, client: cb }))];
    const { store } = await fetchAll(wanted);
    for (const p of [...pa, ...pb]) expect(store.check(p.w.contentHash)).toBeDefined();
    await closeAll();
    expect((await askedA).sort()).toEqual(pa.map((p) => p.w.contentHash).sort());
    expect((await askedB).sort()).toEqual(pb.map((p) => p.w.contentHash).sort());
    expect([...blobGets(a.seen), ...blobGets(b.seen)]).toEqual([]);
  });

  it('a blob that does not hash to its name is BLOB_TAMPERED, and nothing is left in the store', async () => {
    const n = await recordedNode();
    const pkgs = await packages(40, 't');
    await hold(n, pkgs);
    // The node's file of one blob damaged on disk: served as it is.
    const victim = pkgs[20]!;
    await writeFile(n.node.blobs.pathOf(victim.w.contentHash), Buffer.concat([Buffer.from(victim.bytes), Buffer.from('x')]));
    const data = await tempDir('gopkgr-fetch-data-');
    const store = new PackageStore(data);
    const err = await fetchIntoStore(pkgs.map((p) => p.w), { cache: new TarballCache(data), client: new NodeClient(n.url), progress: false, store, extract: (w) => ({ label: w.name }) }).catch((e: unknown) => e);
    expect((err as GopkgrError).code).toBe('BLOB_TAMPERED');
    expect((err as GopkgrError).message).toContain(victim.w.name);
    await mkdir(path.join(data, 'store'), { recursive: true });
    expect(await readdir(path.join(data, 'store'))).toEqual([]);
    for (const p of pkgs) expect(store.check(p.w.contentHash)).toBeUndefined();
  });
});
