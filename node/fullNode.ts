/**
 * A full node: chain, mempool and blob store over one data dir, and the entry
 * points that the HTTP API (and later the network) call. Everything that arrives
 * from outside is validated here before it touches storage.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { GopkgrError } from '../ledger/errors.ts';
import { toHex } from '../ledger/encoding.ts';
import { Chain, type ImportResult, type SignatureVerifier } from './chain.ts';
import { ChainStore } from './store.ts';
import { WorkerVerifier } from './verifyPool.ts';
import { BlobStore } from './blobs.ts';
import { Mempool, senderOf, type PendingTx } from './mempool.ts';
import { checkTxSignature, decodeTx, tarballOf, txId, type SignedTx } from '../ledger/tx.ts';
import { checkNpmTarball } from './npmTarball.ts';
import type { DecodedBlock } from '../ledger/block.ts';
import type { ChainParams } from '../ledger/params.ts';
import type { WorkTermsJson } from '../consensus/index.ts';
import type { RuleHooks } from '../ledger/rules.ts';
import type { ParentLedger } from '../ledger/publicLock.ts';
import { defaultHooks } from './hooks.ts';
import { BLOB_GRACE_MS, collectBlobs } from './blobGc.ts';
import { discardUnfinishedJoin } from './snapshot/import.ts';
import { nextAnchor, parentRefsOf, type ParentSource } from './anchors.ts';
import { HeldBlocks } from './heldBlocks.ts';
import { anchorOfEntry } from '../consensus/index.ts';

/** Where a chain's database and snapshots live in a data dir. */
export function chainDirOf(dataDir: string, params: ChainParams): string {
  return join(dataDir, 'chains', params.name);
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /** a line per block: a running node shows them with --verbose only (absent: they go to info) */
  debug?(message: string): void;
}

export const silentLogger: Logger = { info: () => {}, warn: () => {} };

export interface FullNodeOptions {
  dataDir: string;
  params: ChainParams;
  hooks?: RuleHooks;
  /** default: a WorkerVerifier (a block's signatures on every core, beside its state reads); closed with the node */
  verifier?: SignatureVerifier;
  log?: Logger;
  now?: () => number;
  /** unreferenced tarballs older than this are deleted (at open, then periodically) */
  blobGraceMs?: number;
  /** bound of the decoded-state cache, in encoded bytes (the node's memory beyond the work in hand) */
  stateCacheBytes?: number;
  /** a private chain forked beside a public one: the replica of that chain (node/anchors.ts replicaParent) */
  parent?: ParentSource;
}

/** What a miner needs to build the next block: the consensus's terms (pow: `target`, hex) and these. */
export type Work = WorkTermsJson & {
  parent: string;
  height: number;
  /** the new block's time must be greater than this */
  minTime: number;
  parentTime: number;
  txs: Uint8Array[];
  /** each tx's validation cost (ledger/blockCost.ts) on the state it applies on in this order; may be left out with no txs */
  costs?: number[];
  params: ChainParams;
};

export class FullNode extends EventEmitter {
  readonly log: Logger;
  private closed = false;
  private blobGraceMs = BLOB_GRACE_MS;
  private blobGcTimer: NodeJS.Timeout | undefined;
  private blobGcRunning: Promise<unknown> | undefined;
  /** the verifier this node started (and so closes), if it was not given one */
  private ownVerifier: WorkerVerifier | undefined;
  /** blocks whose anchor the replica has not reached yet, retried as it moves */
  private readonly held = new HeldBlocks((block) => this.submitBlock(block));
  private stopFollowingParent: (() => void) | undefined;

  private constructor(
    readonly dataDir: string,
    readonly chain: Chain,
    readonly mempool: Mempool,
    readonly blobs: BlobStore,
    log: Logger,
  ) {
    super();
    this.log = log;
  }

  static async open(opts: FullNodeOptions): Promise<FullNode> {
    const hooks = opts.hooks ?? defaultHooks;
    const chainDir = chainDirOf(opts.dataDir, opts.params);
    await mkdir(chainDir, { recursive: true });
    const store = new ChainStore(join(chainDir, 'db'));
    await store.open();
    const ownVerifier = opts.verifier === undefined ? new WorkerVerifier() : undefined;
    const chain = new Chain(store, { params: opts.params, hooks, verifier: opts.verifier ?? ownVerifier, now: opts.now, stateCacheBytes: opts.stateCacheBytes, parent: opts.parent });
    try {
      // A join from a snapshot that crashed before it was committed left records that are no state yet.
      if (await discardUnfinishedJoin(store)) opts.log?.warn('snapshot: removed the records of an unfinished join');
      await chain.open();
    } catch (err) {
      await store.close();
      await ownVerifier?.close();
      throw err;
    }
    const blobs = new BlobStore(join(opts.dataDir, 'blobs'));
    await blobs.open();
    const mempool = new Mempool({
      params: opts.params,
      chainId: chain.chainId,
      state: chain.state,
      nextHeight: () => chain.height + 1,
      // The chain's hooks: the node's, and the consensus's evidence check (authority chains).
      hooks: chain.hooks,
      ...(chain.parent === undefined ? {} : { parentLedger: parentLedgerOf(chain, chain.parent) }),
    });
    const node = new FullNode(opts.dataDir, chain, mempool, blobs, opts.log ?? silentLogger);
    node.ownVerifier = ownVerifier;
    chain.on('reorg', (r: { disconnected: DecodedBlock[] }) => node.log.warn(`reorg: ${r.disconnected.length} block(s) replaced`));
    node.blobGraceMs = opts.blobGraceMs ?? BLOB_GRACE_MS;
    node.stopFollowingParent = chain.parent?.onAdvance(() => {
      if (node.held.size > 0) void node.held.retry();
    });
    // The first collection runs in the background: finding what versions name walks the state on disk,
    // which a start must not wait for.
    setImmediate(() => void node.collectBlobs().catch((err: unknown) => node.log.warn(`blob gc: ${(err as Error).message}`)));
    node.blobGcTimer = setInterval(() => void node.collectBlobs().catch((err: unknown) => node.log.warn(`blob gc: ${(err as Error).message}`)), Math.min(node.blobGraceMs, BLOB_GRACE_MS));
    node.blobGcTimer.unref();
    return node;
  }

  /** Start what importing a block uses but a start does not need (the signature workers), once the node is up. */
  warmUp(): void {
    this.ownVerifier?.warm();
  }

  get chainId(): string {
    return this.chain.chainIdHex;
  }

  /** Validate a tx (shape, stamp, signature, state rules against everything pending) and pool it. */
  async submitTx(bytes: Uint8Array): Promise<{ id: string; status: 'pending' | 'known' }> {
    try {
      return await this.acceptTx(bytes);
    } catch (err) {
      if (err instanceof GopkgrError) this.log.warn(`rejected tx ${toHex(txId(bytes)).slice(0, 16)}: ${err.code} ${err.message}`);
      throw err;
    }
  }

  private async acceptTx(bytes: Uint8Array): Promise<{ id: string; status: 'pending' | 'known' }> {
    const tx = decodeTx(bytes);
    if (tx.type === 'reward') throw new GopkgrError('TX_REWARD_NOT_ALLOWED', 'a reward tx only exists inside a block');
    const id = toHex(txId(bytes));
    if (this.mempool.has(id) || (await this.chain.txLocation(id)) !== undefined) return { id, status: 'known' };
    checkTxSignature(tx, this.chain.chainId, this.chain.params.txWorkBits);
    // Policy (not consensus): a node relays a publish or an npm import only once it holds the tarball,
    // and an import only if the tarball is the registry's (integrity) for that name and version.
    const tarball = tarballOf(tx);
    if (tarball !== undefined) {
      const hash = toHex(tarball);
      if (!(await this.blobs.has(hash))) {
        throw new GopkgrError('TX_BLOB_MISSING', `the tarball ${hash.slice(0, 16)}… of this ${tx.type} is not on this node`, { hint: 'PUT it to /v1/blobs/<sha256> first' });
      }
      if (tx.type === 'import') await checkNpmTarball((await this.blobs.get(hash))!, tx.body);
    }
    const pending: PendingTx = { id, tx: tx as SignedTx, bytes, sender: senderOf(tx as SignedTx) };
    await this.mempool.add(pending);
    this.emit('tx', pending);
    return { id, status: 'pending' };
  }

  /** Validate and import a block; on success the mempool follows the new head. */
  async submitBlock(input: Uint8Array | DecodedBlock): Promise<ImportResult> {
    let result: ImportResult;
    try {
      result = await this.chain.importBlock(input);
    } catch (err) {
      // Held, not refused: judged again when the replica of the public chain moves.
      if (err instanceof GopkgrError && err.code === 'BLOCK_ANCHOR_PENDING') this.held.hold(input instanceof Uint8Array ? this.chain.decode(input) : input);
      else if (err instanceof GopkgrError && err.code !== 'BLOCK_PARENT_UNKNOWN') this.log.warn(`rejected block: ${err.code} ${err.message}`);
      throw err;
    }
    if (result.status === 'connected' || result.status === 'reorg') {
      const returning: PendingTx[] = [];
      for (const block of result.disconnected) {
        block.txs.forEach((tx, i) => {
          if (tx.type !== 'reward') returning.push({ id: toHex(block.txIds[i]!), tx, bytes: block.txBytes[i]!, sender: senderOf(tx) });
        });
      }
      const included = new Set<string>();
      for (const block of result.connected) for (const id of block.txIds) included.add(toHex(id));
      await this.mempool.reset(returning, included);
      const head = this.chain.head;
      const line = `block ${head.height} ${head.id.slice(0, 16)} ${result.status} (${Math.max(0, (result.connected.at(-1)?.txs.length ?? 1) - 1)} txs)`;
      if (this.log.debug !== undefined) this.log.debug(line);
      else this.log.info(line);
      this.emit('head', head);
    }
    return result;
  }

  /** See Chain.prepareBlock: verify a block's signatures ahead of submitBlock. */
  prepareBlock(input: Uint8Array | DecodedBlock): DecodedBlock {
    return this.chain.prepareBlock(input);
  }

  /** What a block producer needs: the head, the consensus terms, and the pending txs in block order (highest fee first). */
  async work(maxTxs = 2_000): Promise<Work> {
    const pending = await this.mempool.blockOrder(maxTxs);
    const head = this.chain.head;
    const terms = this.chain.nextTerms(head.id);
    return {
      parent: head.id,
      height: head.height + 1,
      ...this.chain.consensus.termsJson(terms),
      minTime: terms.minTime,
      parentTime: head.time,
      txs: pending.map((c) => c.pending.bytes),
      costs: pending.map((c) => c.cost),
      params: this.chain.params,
    };
  }

  /** Delete tarballs no version or pending publish names that are older than the grace period. */
  async collectBlobs(): Promise<string[]> {
    if (this.closed) return [];
    while (this.blobGcRunning !== undefined) await this.blobGcRunning.catch(() => undefined);
    const run = collectBlobs({ chain: this.chain, mempool: this.mempool, blobs: this.blobs, graceMs: this.blobGraceMs, now: Date.now() });
    this.blobGcRunning = run;
    try {
      const { removed } = await run;
      if (removed.length > 0) this.log.info(`blob gc: removed ${removed.length} tarball(s) no tx names`);
      return removed;
    } finally {
      this.blobGcRunning = undefined;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopFollowingParent?.();
    clearInterval(this.blobGcTimer);
    await this.blobGcRunning?.catch(() => undefined);
    await this.chain.store.close();
    await this.ownVerifier?.close();
  }
}

/** The mempool's view of the public chain: a tx's public lock entries, at the anchor the next block would take. */
function parentLedgerOf(chain: Chain, parent: ParentSource): (tx: SignedTx) => Promise<ParentLedger | undefined> {
  return async (tx) => {
    const refs = parentRefsOf([tx], chain.params);
    if (refs.length === 0) return undefined;
    const anchor = nextAnchor(parent, anchorOfEntry(chain.head));
    return parent.ledger(anchor.height, refs);
  };
}
