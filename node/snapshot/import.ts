/**
 * Writing a snapshot into a fresh node's database, in the order that keeps a
 * crash or a lie harmless:
 *
 *  1. `meta:joining` is written: the `s:` records that follow are not yet a state.
 *  2. Records stream in (records.ts parses, stateRoot.ts hashes), written in
 *     batches as they come, never held whole.
 *  3. At the end the count, the size and the root must be the header's; if any
 *     differs (or the stream breaks) every `s:` record is deleted again, with
 *     the marker, and the error thrown: nothing of the snapshot stays.
 *  4. commitJoin writes the header chain's index entries, the checkpoint and
 *     the new head, and removes the marker, in one batch.
 *
 * A node that finds `meta:joining` when it opens (a crash in 2 or 3) deletes
 * the partial state first (discardUnfinishedJoin): its head is still genesis.
 */
import { GopkgrError } from '../../ledger/errors.ts';
import { bytesEqual, decode, toHex } from '../../ledger/encoding.ts';
import { BLOB_SCAN_KEY, del, headerKey, heightKey, put, putRaw, type BatchOp, type BlockIndexEntry, type ChainStore } from '../store.ts';
import { RecordParser } from './records.ts';
import { SNAPSHOT_RANGES, StateRootHasher } from './stateRoot.ts';

export const JOINING_KEY = 'meta:joining';
/** The checkpoint below which this node has headers but no blocks (node/chain.ts reads it). */
export const CHECKPOINT_KEY = 'meta:checkpoint';

/** Records are written in batches of about this many bytes. */
const BATCH_BYTES = 4 * 1024 * 1024;

export interface ExpectedRecords {
  stateRoot: Uint8Array;
  records: number;
  bytes: number;
}

/** Delete the state a join left unfinished (see above); true when there was one. */
export async function discardUnfinishedJoin(store: ChainStore): Promise<boolean> {
  if ((await store.getRaw(JOINING_KEY)) === undefined) return false;
  for (const range of SNAPSHOT_RANGES) await store.db.clear(range);
  await store.write([del(JOINING_KEY)]);
  return true;
}

/**
 * Stream `chunks` (the records file, cut anywhere) into the `s:` records of a
 * node with no state yet, checking them against `expected`. Throws
 * SNAPSHOT_BAD_RECORDS or SNAPSHOT_ROOT_MISMATCH with nothing left behind.
 */
export async function importRecords(store: ChainStore, expected: ExpectedRecords, chunks: AsyncIterable<Uint8Array>): Promise<{ records: number; bytes: number }> {
  await store.write([put(JOINING_KEY, toHex(expected.stateRoot))]);
  const parser = new RecordParser();
  const hasher = new StateRootHasher();
  try {
    let batch: BatchOp[] = [];
    let batchBytes = 0;
    for await (const chunk of chunks) {
      // Rule: never more bytes than the header announced (a peer cannot make us store without end).
      if (hasher.bytes + chunk.length > expected.bytes) throw new GopkgrError('SNAPSHOT_BAD_RECORDS', `the records run past the ${expected.bytes} bytes announced`);
      hasher.updateBytes(chunk);
      for (const r of parser.push(chunk)) {
        batch.push(putRaw(r.key, r.value));
        batchBytes += r.key.length + r.value.length;
      }
      if (batchBytes >= BATCH_BYTES) {
        await store.write(batch);
        batch = [];
        batchBytes = 0;
      }
    }
    parser.end();
    if (batch.length > 0) await store.write(batch);
    // Rules: exactly the announced size and count, and the root.
    if (hasher.bytes !== expected.bytes || parser.records !== expected.records) {
      throw new GopkgrError('SNAPSHOT_BAD_RECORDS', `got ${parser.records} records in ${hasher.bytes} bytes, the header announced ${expected.records} in ${expected.bytes}`);
    }
    const root = hasher.digest();
    if (!bytesEqual(root, expected.stateRoot)) {
      throw new GopkgrError('SNAPSHOT_ROOT_MISMATCH', `the records hash to state root ${toHex(root).slice(0, 16)}…, not the ${toHex(expected.stateRoot).slice(0, 16)}… announced`);
    }
    return { records: parser.records, bytes: hasher.bytes };
  } catch (err) {
    await discardUnfinishedJoin(store);
    throw err;
  }
}

export interface JoinedHeader {
  entry: BlockIndexEntry;
  /** the encoded header, kept so this node can serve headers below its checkpoint */
  bytes: Uint8Array;
}

/**
 * Make the checked header chain (genesis excluded, oldest first, ending at the
 * checkpoint) this node's main chain, with the imported state as its state:
 * one batch, so the node is either still at genesis or joined.
 */
export async function commitJoin(store: ChainStore, headers: readonly JoinedHeader[]): Promise<void> {
  const tip = headers.at(-1);
  if (tip === undefined) throw new GopkgrError('CHECKPOINT_MISMATCH', 'no header chain to join');
  if ((await store.getRaw(JOINING_KEY)) === undefined) throw new GopkgrError('CHECKPOINT_MISMATCH', 'no imported state to join with');
  const ops: BatchOp[] = [];
  for (const { entry, bytes } of headers) {
    ops.push(put(`i:${entry.id}`, entry), put(heightKey(entry.height), entry.id), putRaw(headerKey(entry.id), bytes));
  }
  ops.push(put(CHECKPOINT_KEY, { height: tip.entry.height, id: tip.entry.id }), put('meta:head', tip.entry.id), del(JOINING_KEY), del(BLOB_SCAN_KEY));
  await store.write(ops);
}

/** The checkpoint this node joined at, if it joined from a snapshot. */
export async function readCheckpoint(store: ChainStore): Promise<{ height: number; id: string } | undefined> {
  const raw = await store.getRaw(CHECKPOINT_KEY);
  return raw === undefined ? undefined : (decode(raw) as { height: number; id: string });
}
