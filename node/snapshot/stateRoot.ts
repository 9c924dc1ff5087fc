/**
 * The state root: one sha256 over the whole registry state, streamed, so two
 * nodes (or a snapshot and the chain it claims to be) compare their states in
 * 32 bytes without either holding the state in memory:
 *
 *   stateRoot = sha256( utf8("gopkgr/state-root/v1") ‖ record ‖ record ‖ … )
 *
 * over every record of the database under SNAPSHOT_PREFIXES (records.ts;
 * today the registry state, `s:`) in LevelDB key order (the UTF-8 bytes
 * compared unsigned), each record framed as records.ts says
 * (u32be keyLength ‖ key ‖ u32be valueLength ‖ value, key with its "s:",
 * value the canonical CBOR as stored). The empty state's root is
 * sha256("gopkgr/state-root/v1"). test/node/snapshot.test.ts pins a vector.
 *
 * A snapshot's records file is exactly the bytes after the domain prefix, so
 * hashing the file as it is written or received gives the root.
 */
import { createHash, type Hash } from 'node:crypto';
import { decode } from '../../ledger/encoding.ts';
import type { ChainStore } from '../store.ts';
import { encodeRecord, SNAPSHOT_PREFIXES } from './records.ts';

export const STATE_ROOT_DOMAIN = 'gopkgr/state-root/v1';

/** Hashes a record stream (framed bytes or records one at a time) into a state root, counting as it goes. */
export class StateRootHasher {
  private readonly hash: Hash = createHash('sha256').update(STATE_ROOT_DOMAIN, 'utf8');
  records = 0;
  bytes = 0;

  /** Bytes of the framed stream, cut anywhere (the caller counts records). */
  updateBytes(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  /** One record; returns its framed bytes (what a records file holds). */
  addRecord(key: string, value: Uint8Array): Uint8Array {
    const framed = encodeRecord(key, value);
    this.updateBytes(framed);
    this.records++;
    return framed;
  }

  digest(): Uint8Array {
    return new Uint8Array(this.hash.digest());
  }
}

/** The key range of each snapshot prefix (`s:` is gte "s:", lt "s;"), in key order. */
export const SNAPSHOT_RANGES = SNAPSHOT_PREFIXES.map((p) => ({ gte: p, lt: p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) + 1) }));

/** A read of the database at one moment (abstract-level's explicit snapshot). */
export type DbView = ReturnType<ChainStore['db']['snapshot']>;

/** Every record a snapshot carries, in key order, as `view` sees the database. */
export async function* snapshotEntries(store: ChainStore, view: DbView): AsyncGenerator<[string, Uint8Array]> {
  for (const range of SNAPSHOT_RANGES) yield* store.db.iterator({ ...range, snapshot: view });
}

/**
 * The head and the state root of the database as it is at one moment: the
 * head and every `s:` record are read from one LevelDB snapshot, so a block
 * written meanwhile changes neither (a block and its state are one batch).
 */
export async function stateRootOf(store: ChainStore): Promise<{ head: string | undefined; root: Uint8Array; records: number; bytes: number }> {
  const view = store.db.snapshot();
  try {
    const rawHead = await store.db.get('meta:head', { snapshot: view });
    const hasher = new StateRootHasher();
    for await (const [key, value] of snapshotEntries(store, view)) hasher.addRecord(key, value);
    const head = rawHead === undefined ? undefined : decode(rawHead) as string;
    return { head, root: hasher.digest(), records: hasher.records, bytes: hasher.bytes };
  } finally {
    await view.close();
  }
}
