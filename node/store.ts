/**
 * The node's database on `level`. Every key is a short prefix plus an id:
 *   b:<id>          block bytes (every stored block, main chain or not)
 *   h:<id>          header bytes of a stored block (headers are served without reading whole blocks;
 *                   below a snapshot's checkpoint, the only thing stored of a block)
 *   i:<id>          BlockIndexEntry
 *   m:<height>      main-chain block id at that height (height zero-padded to 10 digits)
 *   u:<id>          undo data of a main-chain block: [[stateKey, previous value | null], ...]
 *   s:<stateKey>    registry state (ledger/state.ts)
 *   t:<txid>        where a main-chain tx is: { block, height, index }
 *   meta:head       id of the main chain's tip
 *   meta:blobScan   present once every tarball the state names was checked (node/network/blobBackfill.ts)
 *   bm:<hash>       a tarball the chain names that the blob store still lacks
 *   x:<offender>    equivocation evidence against a block producer (authority: the signer's key, hex):
 *                   [header bytes, header bytes] of two blocks it signed for one slot
 * Values are canonical CBOR. A block is connected, disconnected or reorganised
 * in one atomic batch, so the state on disk always matches meta:head.
 */
import { Level } from 'level';
import { GopkgrError } from '../ledger/errors.ts';
import { decodeStored, encode, type Canonical } from '../ledger/encoding.ts';
import type { StateValue } from '../ledger/state.ts';
import type { IndexedBlock } from '../consensus/index.ts';

/**
 * Besides these fields, an entry holds the seal's index fields the consensus
 * asks for (Consensus.indexFields; proof of work: `target`, hex), stored flat.
 */
export interface BlockIndexEntry extends IndexedBlock {
  id: string;
  parent: string;
  height: number;
  time: number;
  /** cumulative weight (Consensus.weightOf; pow: work) from genesis to this block, hex; named `work` on disk and in the API */
  work: string;
  status: 'valid' | 'invalid';
  /** why the block was found invalid */
  reason?: string;
}

export interface TxLocation {
  block: string;
  height: number;
  index: number;
}

export type BatchOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };

export const heightKey = (height: number): string => `m:${String(height).padStart(10, '0')}`;
export const headerKey = (id: string): string => `h:${id}`;
/** Evidence against a producer (Consensus.conflictKey): the two headers. */
export const evidenceKey = (offender: string): string => `x:${offender}`;
/** Set once every tarball the state names was checked and the missing ones recorded; a state replaced wholesale clears it. */
export const BLOB_SCAN_KEY = 'meta:blobScan';

/** The end of a LevelDB range over every key starting with `prefix`. */
export function rangeEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export class ChainStore {
  readonly db: Level<string, Uint8Array>;

  constructor(readonly path: string) {
    this.db = new Level<string, Uint8Array>(path, { keyEncoding: 'utf8', valueEncoding: 'view' });
  }

  async open(): Promise<void> {
    try {
      await this.db.open();
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      throw new GopkgrError('STORE_LOCKED', `cannot open the database at ${this.path}: ${cause}`, {
        hint: 'another gopkgr node may be using this data dir; stop it or pass --data DIR',
      });
    }
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  async getRaw(key: string): Promise<Uint8Array | undefined> {
    return this.db.get(key);
  }

  async getValue<T>(key: string): Promise<T | undefined> {
    const raw = await this.db.get(key);
    return raw === undefined ? undefined : (decodeStored(raw) as T);
  }

  async *entries<T>(prefix: string): AsyncGenerator<[string, T]> {
    for await (const [key, value] of this.db.iterator({ gte: prefix, lt: rangeEnd(prefix) })) yield [key, decodeStored(value) as T];
  }

  async *keys(prefix: string): AsyncGenerator<string> {
    for await (const key of this.db.keys({ gte: prefix, lt: rangeEnd(prefix) })) yield key;
  }

  async loadIndex(): Promise<Map<string, BlockIndexEntry>> {
    const index = new Map<string, BlockIndexEntry>();
    for await (const [, entry] of this.entries<BlockIndexEntry>('i:')) index.set(entry.id, entry);
    return index;
  }

  async write(ops: BatchOp[]): Promise<void> {
    await this.db.batch(ops.map((op) => (op.type === 'put' ? { type: 'put' as const, key: op.key, value: op.value } : { type: 'del' as const, key: op.key })));
  }
}

export function put(key: string, value: Canonical | StateValue | BlockIndexEntry | TxLocation): BatchOp {
  return { type: 'put', key, value: encode(value as Canonical) };
}

export function putRaw(key: string, value: Uint8Array): BatchOp {
  return { type: 'put', key, value };
}

export function del(key: string): BatchOp {
  return { type: 'del', key };
}
