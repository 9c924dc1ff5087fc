/**
 * bench/install's gopkgr side: a real `gopkgr node --dev` process (no --mine),
 * and the packages published to it directly over its HTTP API: blobs PUT, txs
 * signed in this process (one namespace and key per ~20 packages, so no sender
 * hits the mempool's 64-tx cap), blocks mined in this process; each version's
 * lock tree is the closure of its deps at the newest version published so far
 * (closed and in range, which the node checks).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  encodeTx, fromHex, keyPairFromSecret, manifestHash, sha256, signTx, toHex, txId, type BodyByType, type Canonical, type KeyPair, type SignedTxType,
  type UnsignedTx,
} from '../../ledger/index.ts';
import type { Work } from '../../node/index.ts';
import { buildCandidate, httpSource, mineOnThisThread, type WorkSource } from '../../miner/index.ts';
import { MANIFEST_FORMAT } from '../../infver/index.ts';
import { NodeClient } from '../../cli/client.ts';
import { mapLimit } from '../../cli/install/fetchIndex.ts';
import type { Built, Pkg } from './graph.ts';
import { children, log } from './process.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const GOPKGR_BIN = path.join(REPO, 'bin/gopkgr.js');

export interface GopkgrNode {
  child: ChildProcess;
  url: string;
}

/** `extra`: more `gopkgr node` flags (bench/npm-install passes `--mine`: `gopkgr import` waits for its txs to be mined). */
export function startGopkgrNode(home: string, port: number, extra: readonly string[] = []): Promise<GopkgrNode> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GOPKGR_BIN, 'node', '--dev', '--json', '--api', `127.0.0.1:${port}`, '--listen', '/ip4/127.0.0.1/tcp/0', ...extra], {
      cwd: REPO, env: { ...process.env, GOPKGR_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`gopkgr node did not start in 60 s:\n${stderr}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const nl = stdout.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        const ready = JSON.parse(stdout.slice(0, nl)) as { api?: string };
        if (ready.api === undefined) reject(new Error(`gopkgr node did not start: ${stdout.slice(0, nl)}`));
        else resolve({ child, url: ready.api });
      } catch (err) {
        reject(err);
      }
    });
    child.on('close', (code) => {
      children.delete(child);
      clearTimeout(timer);
      reject(new Error(`gopkgr node exited (${code}):\n${stderr}`));
    });
  });
}

const MINER_KEY = keyPairFromSecret(sha256(new TextEncoder().encode('bench-install-miner'))).publicKey;

function mineBlock(work: Work): Uint8Array {
  const candidate = buildCandidate(work, MINER_KEY, Math.max(Date.now(), work.minTime + 1));
  return mineOnThisThread(candidate).bytes;
}

class ChainPublisher {
  private readonly client: NodeClient;
  private readonly source: WorkSource;
  private readonly nonces = new Map<string, number>();
  private readonly pendingBySender = new Map<string, number>();
  private pendingBytes = 0;
  blocks = 0;
  txs = 0;

  constructor(readonly url: string, private readonly chainId: Uint8Array, private readonly workBits: number) {
    this.client = new NodeClient(url);
    this.source = httpSource(url);
  }

  /** Sign and submit; returns the tx id. Mines first when a sender or the block would be full. */
  async submit<K extends SignedTxType>(key: KeyPair, type: K, body: BodyByType[K]): Promise<string> {
    const sender = toHex(key.publicKey);
    if ((this.pendingBySender.get(sender) ?? 0) >= 56 || this.pendingBytes > 2.5 * 1024 * 1024) await this.flush();
    let nonce = this.nonces.get(sender);
    if (nonce === undefined) nonce = (await this.client.get<{ nextNonce: number }>(`/v1/accounts/id:${sender}`)).nextNonce;
    const tx = signTx({ type, from: key.publicKey, nonce, body } as Omit<UnsignedTx, 'stamp' | 'v'>, key.secretKey, this.chainId, this.workBits);
    const bytes = encodeTx(tx);
    await this.client.request('POST', '/v1/txs', bytes, 'application/cbor');
    this.nonces.set(sender, nonce + 1);
    this.pendingBySender.set(sender, (this.pendingBySender.get(sender) ?? 0) + 1);
    this.pendingBytes += bytes.length;
    this.txs++;
    return toHex(txId(bytes));
  }

  /** Mine blocks until the pool is empty. */
  async flush(): Promise<void> {
    for (;;) {
      const work = await this.source.getWork();
      if (work.txs.length === 0) break;
      const result = await this.source.submit(mineBlock(work));
      const after = await this.source.getWork();
      if (after.parent === work.parent) throw new Error(`mined block did not become the head: ${JSON.stringify(result)}`);
      this.blocks++;
    }
    this.pendingBySender.clear();
    this.pendingBytes = 0;
  }
}

/** Publishes versions to the dev chain, remembering what it needs for later ones (ids, newest versions, closures). */
export class BenchChain {
  private readonly client: NodeClient;
  private readonly keys: Map<string, KeyPair>;
  private readonly ids = new Map<number, string>();
  /** package index → newest version published so far and its hash */
  private readonly latest = new Map<number, { version: string; hash: string }>();
  private readonly closure = new Map<number, Set<number>>();
  private claimed = false;

  private constructor(url: string, private readonly pub: ChainPublisher, private readonly pkgs: readonly Pkg[], private readonly namespaces: readonly string[]) {
    this.client = new NodeClient(url);
    this.keys = new Map(namespaces.map((ns) => [ns, keyPairFromSecret(sha256(new TextEncoder().encode(`bench-install-${ns}`)))]));
  }

  static async open(url: string, pkgs: readonly Pkg[], namespaces: readonly string[]): Promise<BenchChain> {
    const status = await new NodeClient(url).status();
    return new BenchChain(url, new ChainPublisher(url, fromHex(status.chainId), status.txWorkBits), pkgs, namespaces);
  }

  private closureOf(i: number): Set<number> {
    let c = this.closure.get(i);
    if (c === undefined) {
      c = new Set<number>();
      for (const d of this.pkgs[i]!.deps) {
        c.add(d);
        for (const x of this.closureOf(d)) c.add(x);
      }
      this.closure.set(i, c);
    }
    return c;
  }

  /** Publish versions in order (a version's deps before it) and mine them into blocks. */
  async publish(built: readonly Built[]): Promise<void> {
    const { pub, pkgs, keys } = this;
    const manifestOf = (name: string): Canonical => ({ format: MANIFEST_FORMAT, name, exports: [], internal: [] }) as unknown as Canonical;
    await mapLimit(built, 8, (b) => this.client.putBlob(b.sha256, b.tarball));
    if (!this.claimed) for (const ns of this.namespaces) await pub.submit(keys.get(ns)!, 'claim', { ns });
    this.claimed = true;
    for (const b of built) {
      const p = b.pkg;
      const key = keys.get(p.ns)!;
      if (!this.ids.has(p.index)) this.ids.set(p.index, await pub.submit(key, 'create', { ns: p.ns, name: p.short }));
      const deps: Record<string, string> = {};
      for (const d of p.deps) deps[pkgs[d]!.name] = '^1.0.0';
      const lock: Record<string, Uint8Array> = {};
      for (const d of this.closureOf(p.index)) {
        const l = this.latest.get(d)!;
        lock[`${pkgs[d]!.name}@${l.version}`] = fromHex(l.hash);
      }
      const manifest = manifestOf(p.name);
      await pub.submit(key, 'publish', {
        pkg: fromHex(this.ids.get(p.index)!), version: b.version, contentHash: fromHex(b.sha256), size: b.tarball.length,
        apiHash: manifestHash(manifest), manifest, deps, lock,
      });
      this.latest.set(p.index, { version: b.version, hash: b.sha256 });
    }
    await pub.flush();
    log(`chain: ${pub.txs} txs in ${pub.blocks} blocks so far`);
  }
}
