/**
 * The snapshots a node keeps, as files beside its database:
 *
 *   <dir>/<height>.records   the record stream (records.ts) of the state after that block
 *   <dir>/<height>.header    its signed header (header.ts), written last
 *
 * A snapshot is written from one LevelDB snapshot (a consistent view: the head
 * and the `s:` records of one moment, whatever blocks arrive meanwhile), streamed
 * to a temp file while hashed, renamed into place, and only then given its
 * header, so a crash leaves no header without its complete records. The newest
 * `retain` snapshots are kept; older ones are deleted after a new one is in place.
 */
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decode, fromHex, toHex } from '../../ledger/encoding.ts';
import type { KeyPair } from '../../ledger/crypto.ts';
import type { BlockIndexEntry, ChainStore } from '../store.ts';
import { decodeSnapshotHeader, encodeSnapshotHeader, signSnapshotHeader, type SnapshotHeader } from './header.ts';
import { snapshotEntries, StateRootHasher, type DbView } from './stateRoot.ts';

/** Records are written to disk in blocks of about this size. */
const WRITE_BUFFER_BYTES = 1024 * 1024;

export class SnapshotFiles {
  private headers: SnapshotHeader[] = [];

  constructor(readonly dir: string, readonly chainId: Uint8Array, readonly retain = 2) {}

  /** Read the headers already on disk (a header that does not verify is left out and logged by the caller's absence of it). */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const found: SnapshotHeader[] = [];
    for (const name of await readdir(this.dir)) {
      if (!/^\d+\.header$/.test(name)) continue;
      try {
        found.push(decodeSnapshotHeader(new Uint8Array(await readFile(join(this.dir, name))), this.chainId));
      } catch {
        // A damaged header serves nobody; the next snapshot replaces it.
      }
    }
    this.headers = found.sort((a, b) => b.height - a.height);
  }

  /** The snapshots on disk, newest first. */
  list(): readonly SnapshotHeader[] {
    return this.headers;
  }

  find(height: number, blockId: Uint8Array): SnapshotHeader | undefined {
    return this.headers.find((h) => h.height === height && toHex(h.blockId) === toHex(blockId));
  }

  recordsPath(height: number): string {
    return join(this.dir, `${height}.records`);
  }

  /**
   * Write a snapshot of `view` (taken by the caller at the moment it wants,
   * closed here), signed with `key`. Returns undefined when the view's head
   * already has one.
   */
  async write(store: ChainStore, view: DbView, key: KeyPair): Promise<SnapshotHeader | undefined> {
    try {
      const head = decode((await store.db.get('meta:head', { snapshot: view }))!) as string;
      const entry = decode((await store.db.get(`i:${head}`, { snapshot: view }))!) as unknown as BlockIndexEntry;
      if (entry.height === 0 || this.headers.some((h) => h.height === entry.height && toHex(h.blockId) === head)) return undefined;
      const final = this.recordsPath(entry.height);
      const tmp = `${final}.tmp`;
      const hasher = new StateRootHasher();
      const file = await open(tmp, 'w');
      try {
        let buffer: Uint8Array[] = [];
        let buffered = 0;
        for await (const [k, value] of snapshotEntries(store, view)) {
          const framed = hasher.addRecord(k, value);
          buffer.push(framed);
          buffered += framed.length;
          if (buffered >= WRITE_BUFFER_BYTES) {
            await file.writev(buffer);
            buffer = [];
            buffered = 0;
          }
        }
        if (buffer.length > 0) await file.writev(buffer);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, final);
      const header = signSnapshotHeader({
        chainId: this.chainId, height: entry.height, blockId: fromHex(head), stateRoot: hasher.digest(), records: hasher.records, bytes: hasher.bytes,
      }, key);
      const headerPath = join(this.dir, `${entry.height}.header`);
      await writeFile(`${headerPath}.tmp`, encodeSnapshotHeader(header));
      await rename(`${headerPath}.tmp`, headerPath);
      this.headers = [header, ...this.headers.filter((h) => h.height !== header.height)].sort((a, b) => b.height - a.height);
      await this.prune();
      return header;
    } finally {
      await view.close();
    }
  }

  /** Keep the newest `retain` snapshots. A peer still reading an old one keeps its open file (POSIX). */
  private async prune(): Promise<void> {
    const old = this.headers.slice(this.retain);
    this.headers = this.headers.slice(0, this.retain);
    for (const h of old) {
      await rm(join(this.dir, `${h.height}.header`), { force: true });
      await rm(this.recordsPath(h.height), { force: true });
    }
  }
}
