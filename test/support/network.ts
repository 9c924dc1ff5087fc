/**
 * Helpers for the network tests: nodes as real `gopkgr node --dev` processes on
 * loopback (`spawnNetNode`, through processes.ts), a small in-process miner that
 * builds blocks against a node's /v1/work and posts them (a dev-chain block costs
 * ~16 hashes, and the header times step by the block time so the target stays
 * at the easiest), chains pre-built into a data dir, and signed txs.
 */
import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { encodeTx, fromHex, manifestHash, DEV_PARAMS, type BodyByType, type Canonical, type KeyPair, type SignedTxType } from '../../ledger/index.ts';
import { hashExport } from '../../infver/hashApi.ts';
import type { Decl } from '../../infver/manifest.ts';
import { FullNode, type Work } from '../../node/index.ts';
import { networkProtocols } from '../../node/network/index.ts';
import { serve } from '../../node/network/reqresp.ts';
import { encodeStatus } from '../../node/network/messages.ts';
import { buildCandidate, mineOnThisThread, httpSource } from '../../miner/index.ts';
import { saveIdentity } from '../../cli/context.ts';
import { idBytes, keyPair, ONE_EXPORT_MANIFEST, publishBody, signed } from './chain.ts';
import { tempDir } from './cleanup.ts';
import { getJson } from './http.ts';
import { freePort } from './ports.ts';
import { spawnNode, type RunningNode } from './processes.ts';
import { WAIT_TIMEOUT_MS } from './timeouts.ts';
import { waitFor } from './waitFor.ts';

export interface NetNode extends RunningNode {
  name: string;
  data: string;
  peerId: string;
  addr: string;
  p2pPort: number;
  apiPort: number;
}

/** Start `gopkgr node --dev` on a data dir (a temp dir when omitted), listening on loopback; waits for the ready line. Stopped by `closeAll`. */
export async function spawnNetNode(name: string, opts: { data?: string; peers?: string[]; p2pPort?: number; apiPort?: number; extra?: string[]; env?: Record<string, string> } = {}): Promise<NetNode> {
  const data = opts.data ?? (await tempDir(`gopkgr-net-${name}-`));
  const apiPort = opts.apiPort ?? (await freePort());
  const p2pPort = opts.p2pPort ?? (await freePort());
  const args = ['--dev', '--api', `127.0.0.1:${apiPort}`, '--listen', `/ip4/127.0.0.1/tcp/${p2pPort}`, ...(opts.peers ?? []).flatMap((p) => ['--peer', p]), ...(opts.extra ?? [])];
  const node = await spawnNode(args, { env: { ...opts.env, GOPKGR_HOME: data } });
  const addresses = node.ready.addresses as string[];
  return { ...node, name, data, peerId: node.ready.peerId as string, addr: addresses[0]!, p2pPort, apiPort };
}

export interface Status {
  chainId: string;
  height: number;
  head: string;
  peers: number;
  peerId: string;
  peerList: Array<{ peerId: string; height: number | null; score: number }>;
  banned: number;
  blobsMissing: number;
  mempool: number;
  sync: { syncing: boolean; targetHeight: number; peer: string | null; last: { blocks: number; byPeer: Record<string, number> } | null };
}

export async function status(node: { api: string }): Promise<Status> {
  return (await getJson<Status>(`${node.api}/v1/status`)).body;
}

export async function digest(node: { api: string }): Promise<{ head: string; height: number; digest: string; keys: number }> {
  return (await getJson<{ head: string; height: number; digest: string; keys: number }>(`${node.api}/v1/state/digest`)).body;
}

/** Wait until every node reports the same head (and at least `minHeight`); returns that head's digest view. */
export async function converged(nodes: Array<{ api: string; stderr?: () => string }>, minHeight: number, timeoutMs = WAIT_TIMEOUT_MS): Promise<{ head: string; height: number; digest: string }> {
  try {
    return await waitFor(async () => {
      const views = await Promise.all(nodes.map(digest));
      const first = views[0]!;
      if (first.height < minHeight) return undefined;
      return views.every((v) => v.head === first.head && v.digest === first.digest) ? first : undefined;
    }, timeoutMs, `${nodes.length} nodes to converge at height ≥ ${minHeight}`);
  } catch (err) {
    // Say where each node stands, and what the laggards logged last.
    const views = await Promise.all(nodes.map((n) => status(n).catch(() => undefined)));
    const lines = views.map((v, i) => `node ${i}: height ${v?.height} head ${v?.head.slice(0, 12)} peers ${v?.peers} sync ${JSON.stringify(v?.sync)}\n${nodes[i]!.stderr?.().split('\n').slice(-8).join('\n') ?? ''}`);
    throw new Error(`${(err as Error).message}\n${lines.join('\n')}`, { cause: err });
  }
}

/** Ask `node` to connect to `addr` now. */
export async function connect(node: { api: string }, addr: string): Promise<void> {
  const res = await fetch(`${node.api}/v1/peers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ addr }) });
  if (!res.ok) throw new Error(`connect failed: ${res.status} ${await res.text()}`);
}

/** Wait until `node` has at least `n` peers. */
export async function waitPeers(node: { api: string }, n: number, timeoutMs = WAIT_TIMEOUT_MS): Promise<void> {
  await waitFor(async () => ((await status(node)).peers >= n ? true : undefined), timeoutMs, `${n} peer(s)`);
}

// ---------------------------------------------------------------- mining in the test process

/** Find a nonce for a candidate built on `work` (header time steps by the block time). */
export function mineOn(work: Work, minerKey: Uint8Array): Uint8Array {
  const time = Math.max(work.parentTime + work.params.blockTimeMs, work.minTime + 1);
  const candidate = buildCandidate(work, minerKey, time);
  return mineOnThisThread(candidate).bytes;
}

/** Mine `n` blocks on the node at `api` (its /v1/work), posting each one; returns their ids. */
export async function mineVia(node: { api: string }, n: number, minerKey: Uint8Array = keyPair('miner').publicKey): Promise<string[]> {
  const source = httpSource(node.api);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const work = await source.getWork();
    const r = await source.submit(mineOn(work, minerKey));
    ids.push(r.id);
  }
  return ids;
}

/** Pre-build a chain of `n` blocks (empty but for the reward) into `dataDir`, in process. */
export async function buildChain(dataDir: string, n: number, minerKey: Uint8Array = keyPair('builder').publicKey): Promise<{ head: string; height: number }> {
  const node = await FullNode.open({ dataDir, params: DEV_PARAMS });
  try {
    for (let i = 0; i < n; i++) await node.submitBlock(mineOn((await node.work()), minerKey));
    return { head: node.chain.head.id, height: node.chain.height };
  } finally {
    await node.close();
  }
}

/** A package API manifest of `exports` string constants (what InfVer extracts from `export declare const a0000: string;` ...). */
export function wideManifest(name: string, exports: number): Canonical {
  return { format: 'infver/1', name, internal: [], exports: wideExports(exports) };
}

const wideExportLists = new Map<number, Canonical[]>();

/** The export list of wideManifest (hashed once per size: the names, not the package, decide each hash). */
function wideExports(n: number): Canonical[] {
  let list = wideExportLists.get(n);
  if (list === undefined) {
    const decls = ONE_EXPORT_MANIFEST.exports[0]!.decls as Decl[];
    list = Array.from({ length: n }, (_, i) => {
      const exportName = `a${String(i).padStart(5, '0')}`;
      return { name: exportName, kind: 'variable', hash: hashExport(exportName, decls), decls: decls as unknown as Canonical };
    });
    wideExportLists.set(n, list);
  }
  return list;
}

/**
 * Pre-build a chain of `n` full blocks into `dataDir`, in process. Each block
 * creates `packages` packages in namespace @heavy (claimed in the first block)
 * and publishes their 1.0.0 with an API manifest of `exports` exports: real
 * signed txs whose manifests a node validates when it applies the block, as
 * it does for every publish. Returns the head and how long each block took to
 * import here (FullNode.submitBlock: the same work a syncing node does per block).
 */
export async function buildHeavyChain(dataDir: string, n: number, opts: { packages: number; exports: number }): Promise<{ head: string; height: number; importMs: number[]; blockBytes: number[] }> {
  const node = await FullNode.open({ dataDir, params: DEV_PARAMS });
  const minerKey = keyPair('heavy-builder').publicKey;
  const author = keyPair('heavy-author');
  const chainId = fromHex(node.chainId);
  let nonce = 0;
  const importMs: number[] = [];
  const blockBytes: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const txs: Uint8Array[] = i === 0 ? [encodeTx(signed(author, 'claim', { ns: '@heavy' }, nonce++, chainId))] : [];
      for (let k = 0; k < opts.packages; k++) {
        const name = `p${i}x${k}`;
        const create = signed(author, 'create', { ns: '@heavy', name }, nonce++, chainId);
        const manifest = wideManifest(`@heavy/${name}`, opts.exports);
        const publish = signed(author, 'publish', publishBody(idBytes(create), '1.0.0', { manifest, apiHash: manifestHash(manifest) }), nonce++, chainId);
        txs.push(encodeTx(create), encodeTx(publish));
      }
      // The txs go straight into the block: the mempool would check each one a second time. Their costs are
      // left to the node's import (BLOCK_TOO_COSTLY if `packages` is too many for one block).
      const bytes = mineOn({ ...(await node.work(0)), txs, costs: txs.map(() => 0) }, minerKey);
      // Timed from the bytes, as a syncing node gets them (its decoding holds the thread too).
      const t = performance.now();
      await node.submitBlock(bytes);
      importMs.push(performance.now() - t);
      blockBytes.push(bytes.length);
    }
    return { head: node.chain.head.id, height: node.chain.height, importMs, blockBytes };
  } finally {
    await node.close();
  }
}

/** Give a data dir a gopkgr identity (what `gopkgr init` writes), for `--mine`. */
export async function withIdentity(dataDir: string, seed: string): Promise<KeyPair> {
  const key = keyPair(seed);
  await saveIdentity(dataDir, key);
  return key;
}

// ---------------------------------------------------------------- txs

/** A signed tx's bytes for the dev chain. */
export function txBytes<K extends SignedTxType>(key: KeyPair, type: K, body: BodyByType[K], nonce: number, chainId: string): Uint8Array {
  return encodeTx(signed(key, type, body, nonce, fromHex(chainId)));
}

/** POST a tx to a node; returns its id. */
export async function submitTx(node: { api: string }, bytes: Uint8Array): Promise<string> {
  const res = await fetch(`${node.api}/v1/txs`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
  const body = (await res.json()) as { id?: string; error?: { code: string; message: string } };
  if (!res.ok || body.id === undefined) throw new Error(`tx rejected: ${JSON.stringify(body)}`);
  return body.id;
}

/** A bare libp2p host (dials only) that answers status like a node of `chainId` at height 0, so a node keeps it connected after identify. */
export async function chainClient(chainId: string): Promise<Libp2p> {
  const client = await createLibp2p({
    addresses: { listen: [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false },
    services: { identify: identify() },
  });
  await client.handle(networkProtocols(chainId).status, serve(() => [encodeStatus({ head: fromHex(chainId), height: 0, work: '1' })]));
  return client;
}
