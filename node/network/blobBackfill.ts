/**
 * Keeps a copy of every tarball the chain references. A publish that came by
 * gossip brought its tarball with it (validation fetches it first), but blocks
 * that arrive by sync, or carry publishes this node never saw as txs, name
 * tarballs it lacks. Those are fetched from peers in the background, a few at a
 * time, and verified by the blob store; hashes no peer could serve wait for the
 * next peer to connect. Every node holding every tarball is what keeps a
 * package installable when its publisher's node is gone.
 *
 * What is wanted is kept on disk (`bm:<hash>`), so a start reads only the
 * missing tarballs, not the whole chain: the walk over every version runs once
 * per data dir (`meta:blobScan`; a snapshot join clears it), in the background.
 */
import type { DecodedBlock } from '../../ledger/block.ts';
import { toHex } from '../../ledger/encoding.ts';
import { tarballOf } from '../../ledger/tx.ts';
import type { FullNode, Logger } from '../fullNode.ts';
import type { NpmReleaseState, VersionState } from '../../ledger/state.ts';
import { BLOB_SCAN_KEY, del, putRaw, type BatchOp } from '../store.ts';

const WANTED_PREFIX = 'bm:';
/** Versions checked per batch of records written during the one walk. */
const SCAN_BATCH = 1000;
const EMPTY = new Uint8Array(0);

/** Tarballs fetched at once: enough to use a link, few enough to leave room for sync and gossip. */
const CONCURRENT_FETCHES = 2;

export interface BlobBackfillOptions {
  node: FullNode;
  log: Logger;
  /** fetch a tarball from peers into the blob store; true once it is stored */
  fetch(hash: string): Promise<boolean>;
}

export class BlobBackfill {
  /** wanted hashes, fetched in insertion order */
  private readonly wanted = new Set<string>();
  /** hashes no peer could serve yet */
  private readonly unavailable = new Set<string>();
  private running = 0;
  private started = false;

  constructor(private readonly opts: BlobBackfillOptions) {}

  /** Follow new blocks, and queue what the current state references but the store lacks. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.opts.node.chain.on('block', this.onBlock);
    // A walk over every version on disk: in the background, so a large chain does not hold up the node's start.
    this.queueMissing().catch((err: unknown) => {
      if (this.started) this.opts.log.warn(`blobs: could not list the tarballs the chain names: ${(err as Error).message}`);
    });
  }

  private async queueMissing(): Promise<void> {
    const store = this.opts.node.chain.store;
    if ((await store.getRaw(BLOB_SCAN_KEY)) === undefined) await this.scanState();
    let missing = 0;
    for await (const key of store.keys(WANTED_PREFIX)) {
      if (!this.started) return;
      await this.opts.node.chain.idle();
      missing++;
      this.want(key.slice(WANTED_PREFIX.length));
    }
    if (missing > 0) this.opts.log.info(`blobs: ${missing} tarball(s) referenced on chain are missing here; fetching them from peers`);
  }

  /** The walk over every version and npm release, recording what the blob store lacks; resumable only from the start (it is idempotent). */
  private async scanState(): Promise<void> {
    const { chain, blobs } = this.opts.node;
    let ops: BatchOp[] = [];
    let checked = 0;
    // Versions and npm releases both name a tarball by its contentHash.
    for (const prefix of ['ver:', 'npmv:']) {
      for await (const [, value] of chain.state.entries(prefix)) {
        if (!this.started) return;
        await chain.idle();
        const hash = (value as VersionState | NpmReleaseState).contentHash;
        if (!(await blobs.has(hash))) ops.push(putRaw(WANTED_PREFIX + hash, EMPTY));
        if (++checked % SCAN_BATCH === 0) {
          await chain.store.write(ops);
          ops = [];
        }
      }
    }
    ops.push(putRaw(BLOB_SCAN_KEY, EMPTY));
    await chain.store.write(ops);
  }

  stop(): void {
    this.started = false;
    this.opts.node.chain.off('block', this.onBlock);
  }

  /** A peer connected: it may have what nobody had before. */
  retry(): void {
    for (const hash of this.unavailable) this.wanted.add(hash);
    this.unavailable.clear();
    this.pump();
  }

  /** Tarballs waiting to be fetched (including those no peer had). */
  missing(): number {
    return this.wanted.size + this.unavailable.size + this.running;
  }

  private readonly onBlock = (block: DecodedBlock): void => {
    const hashes = block.txs.flatMap((tx) => {
      const tarball = tarballOf(tx);
      return tarball === undefined ? [] : [toHex(tarball)];
    });
    if (hashes.length === 0) return;
    // recorded before fetching, so a restart resumes them; fetchOne forgets those already here
    this.opts.node.chain.store.write(hashes.map((h) => putRaw(WANTED_PREFIX + h, EMPTY))).then(
      () => hashes.forEach((h) => this.want(h)),
      (err: unknown) => this.opts.log.warn(`blobs: cannot record the tarballs block ${block.header.height} names: ${(err as Error).message}`),
    );
  };

  private want(hash: string): void {
    if (this.unavailable.has(hash)) return;
    this.wanted.add(hash);
    this.pump();
  }

  private pump(): void {
    while (this.started && this.running < CONCURRENT_FETCHES && this.wanted.size > 0) {
      const hash = this.wanted.values().next().value as string;
      this.wanted.delete(hash);
      this.running++;
      void this.fetchOne(hash).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async fetchOne(hash: string): Promise<void> {
    try {
      // Background work: a block being imported goes first (thousands of missing tarballs are thousands of
      // file checks and peer requests on the thread that applies it).
      await this.opts.node.chain.idle();
      if ((await this.opts.node.blobs.has(hash)) || (await this.opts.fetch(hash))) await this.opts.node.chain.store.write([del(WANTED_PREFIX + hash)]);
      else this.unavailable.add(hash);
    } catch (err) {
      this.unavailable.add(hash);
      this.opts.log.warn(`blobs: cannot fetch ${hash.slice(0, 16)}…: ${(err as Error).message}`);
    }
  }
}
