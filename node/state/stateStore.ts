/**
 * The registry state on disk (`s:<stateKey>` records of the chain's LevelDB),
 * read through a bounded cache. Nothing loads the whole state: a node starts
 * without reading it, and its memory is the cache's bound plus what the work in
 * hand (a block, a request) reads.
 *
 * The ledger's rules are pure and synchronous (ledger/rules.ts): they read a
 * StateReader. A session is such a reader over what it has loaded. Reading a
 * key it has not loaded throws StateMiss; `run` catches it, loads the key (one
 * LevelDB read, off the thread), and runs the work again. Rules are pure, so a
 * rerun computes the same as if the key had been there all along; a caller that
 * applies txs runs each on its own overlay so a rerun starts clean. Values a
 * session read stay pinned in it until it ends, so the cache may evict freely
 * without a rerun ever missing a key it already loaded.
 */
import { decodeStored } from '../../ledger/encoding.ts';
import type { StateReader, StateValue } from '../../ledger/state.ts';
import { rangeEnd, type ChainStore } from '../store.ts';
import { ABSENT, StateCache, type Cached } from './cache.ts';

/** Thrown by a session's reader for a key it has not loaded yet (never a rule's verdict). */
export class StateMiss extends Error {
  constructor(readonly key: string) {
    super(`state key ${key} is not loaded`);
    this.name = 'StateMiss';
  }
}

/** Default bound of the state cache: what the node keeps decoded besides the work in hand. */
export const DEFAULT_STATE_CACHE_BYTES = 64 * 1024 * 1024;

/** A version's key reads its package's other versions with it: views and the resolver read them together. */
const VERSION_PREFIX = /^ver:[0-9a-f]+:/;

const STATE_PREFIX = 's:';

/**
 * A large read is split into this many getMany calls at most: each runs on a
 * thread of libuv's pool (4 by default), so a block's few hundred keys are
 * read on every core instead of one after another on one thread.
 */
const READ_PARTS = 4;
/** Keys per part at least: below that a part's round trip costs more than it saves. */
const MIN_PART = 32;
/** Packages whose versions are read at once (one LevelDB iterator each). */
const RANGES_AT_ONCE = 16;

/** `keys` read from `db`, in up to READ_PARTS getMany calls at once; values in the order of `keys`. */
async function getManySplit(db: ChainStore['db'], keys: string[]): Promise<Array<Uint8Array | undefined>> {
  const parts = Math.min(READ_PARTS, Math.floor(keys.length / MIN_PART));
  if (parts <= 1) return db.getMany(keys);
  const size = Math.ceil(keys.length / parts);
  const read = await Promise.all(Array.from({ length: parts }, (_, i) => db.getMany(keys.slice(i * size, (i + 1) * size))));
  return read.flat();
}

/** API manifests (`api:<hash>`) are never changed once written: their stored bytes serve as their encoding. */
const isManifestKey = (key: string): boolean => key.startsWith('api:');

export class StateStore {
  private readonly cache: StateCache;
  /** Counts commits: a read that saw two generations starts again, so no view mixes two states. */
  private generation = 0;

  constructor(private readonly store: ChainStore, cacheBytes = DEFAULT_STATE_CACHE_BYTES) {
    this.cache = new StateCache(cacheBytes);
  }

  get cacheStats(): { keys: number; bytes: number; maxBytes: number } {
    return { keys: this.cache.size, bytes: this.cache.bytes, maxBytes: this.cache.maxBytes };
  }

  /**
   * `wholePackages`: a version's key brings its package's other versions in the
   * same read (views and the resolver read them together); block application
   * reads single versions and leaves it off.
   */
  session(opts: { wholePackages?: boolean } = {}): StateSession {
    return new StateSession(this, opts.wholePackages ?? true);
  }

  /**
   * Run a pure read of the current state (a view, a resolve), loading what it
   * asks for. `wholePackages: false` for a read of single versions (one
   * version's lookup), which then costs a few keys however many versions its
   * package has.
   */
  async read<T>(fn: (state: StateReader) => T, opts: { wholePackages?: boolean } = {}): Promise<T> {
    for (;;) {
      const start = this.generation;
      const session = new StateSession(this, opts.wholePackages ?? true, true);
      const result = await session.run(() => fn(session));
      if (this.generation === start) return result;
    }
  }

  /** One key's value (a convenience over `read`). */
  async get(key: string): Promise<StateValue | undefined> {
    return this.read((s) => s.get(key));
  }

  /** Every record under `prefix` (default: the whole state), in key order, straight from disk. */
  async *entries(prefix = ''): AsyncGenerator<[string, StateValue]> {
    for await (const [key, value] of this.store.entries<StateValue>(STATE_PREFIX + prefix)) yield [key.slice(STATE_PREFIX.length), value];
  }

  /** The whole state as a map (for checks and tests; never on a node's own paths). */
  async readAll(): Promise<Map<string, StateValue>> {
    const out = new Map<string, StateValue>();
    for await (const [key, value] of this.entries()) out.set(key, value);
    return out;
  }

  /** After a batch reached the disk: the cache takes the written values, and open reads start again. */
  committed(writes: ReadonlyMap<string, { value: StateValue | null; bytes: number }>): void {
    for (const [key, { value, bytes }] of writes) this.cache.set(key, value ?? ABSENT, bytes);
    this.generation++;
  }

  /** @internal the cache, for sessions */
  cached(key: string): Cached | undefined {
    return this.cache.get(key);
  }

  /** @internal read keys from disk into the cache; returns what each holds */
  async fetch(keys: readonly string[]): Promise<Map<string, Cached>> {
    const out = new Map<string, Cached>();
    if (keys.length === 0) return out;
    const start = this.generation;
    const raws = await getManySplit(this.store.db, keys.map((k) => STATE_PREFIX + k));
    keys.forEach((key, i) => {
      const raw = raws[i];
      const value: Cached = raw === undefined ? ABSENT : (decodeStored(raw, { immutable: isManifestKey(key) }) as StateValue);
      // A commit that landed while the disk was read may have cached a newer value: keep it.
      if (this.generation === start) this.cache.set(key, value, raw?.length ?? 0);
      out.set(key, value);
    });
    return out;
  }

  /** @internal read every key under `prefix` from disk into the cache */
  async fetchRange(prefix: string): Promise<Map<string, Cached>> {
    const out = new Map<string, Cached>();
    const start = this.generation;
    const gte = STATE_PREFIX + prefix;
    for await (const [key, raw] of this.store.db.iterator({ gte, lt: rangeEnd(gte) })) {
      const stateKey = key.slice(STATE_PREFIX.length);
      const value = decodeStored(raw, { immutable: isManifestKey(stateKey) }) as StateValue;
      if (this.generation === start) this.cache.set(stateKey, value, raw.length);
      out.set(stateKey, value);
    }
    return out;
  }
}

/** A reader over the keys loaded so far; `run` loads what the work asks for and runs it again. */
export class StateSession implements StateReader {
  private readonly pinned = new Map<string, Cached>();
  /** packages (`ver:<id>:`) whose every version this session read: a version not among them does not exist */
  private readonly wholeRanges = new Set<string>();

  /** the keys the current run read but this session had not loaded; undefined when a miss throws StateMiss */
  private misses: Set<string> | undefined;

  /**
   * `collectMisses`: a missing key reads as absent and is noted, and `run` loads every noted key before
   * running again. Only for work whose answer is all it does (a read): a run with misses saw a state
   * that never was, so its answer, or its error, is discarded.
   */
  constructor(private readonly states: StateStore, private readonly wholePackages: boolean, private readonly collectMisses = false) {}

  get(key: string): StateValue | undefined {
    let value = this.pinned.get(key);
    if (value === undefined) {
      value = this.states.cached(key);
      if (value === undefined) {
        const range = VERSION_PREFIX.exec(key);
        if (range === null || !this.wholeRanges.has(range[0])) {
          if (this.misses === undefined) throw new StateMiss(key);
          this.misses.add(key);
          return undefined;
        }
        value = ABSENT;
      }
      this.pinned.set(key, value);
    }
    return value === ABSENT ? undefined : value;
  }

  /** Run `fn` until it reads nothing this session has not loaded. */
  async run<T>(fn: () => T): Promise<T> {
    for (;;) {
      const misses = this.collectMisses ? new Set<string>() : undefined;
      this.misses = misses;
      let result: T;
      try {
        result = fn();
      } catch (err) {
        if (misses !== undefined && misses.size > 0) {
          await this.load(misses);
          continue;
        }
        if (!(err instanceof StateMiss)) throw err;
        await this.load([err.key]);
        continue;
      } finally {
        this.misses = undefined;
      }
      if (misses === undefined || misses.size === 0) return result;
      await this.load(misses);
    }
  }

  /** Whether this session has loaded `key` (or the cache holds it). */
  has(key: string): boolean {
    return this.pinned.has(key) || this.states.cached(key) !== undefined;
  }

  /** The value of a key this session has loaded (or the cache holds), undefined for any other: never a miss. */
  peek(key: string): StateValue | undefined {
    const value = this.pinned.get(key) ?? this.states.cached(key);
    return value === undefined || value === ABSENT ? undefined : value;
  }

  /** Load these keys (those not loaded yet) in one read; a version's key brings its package's versions. */
  async load(keys: Iterable<string>): Promise<void> {
    const plain: string[] = [];
    const ranges = new Set<string>();
    for (const key of keys) {
      if (this.pinned.has(key)) continue;
      const cached = this.states.cached(key);
      if (cached !== undefined) {
        this.pinned.set(key, cached);
        continue;
      }
      const versions = this.wholePackages ? VERSION_PREFIX.exec(key) : null;
      if (versions !== null) ranges.add(versions[0]);
      plain.push(key);
    }
    // Several packages' versions at once: each range read waits on a thread of libuv's pool.
    const prefixes = [...ranges];
    for (let i = 0; i < prefixes.length; i += RANGES_AT_ONCE) {
      const part = prefixes.slice(i, i + RANGES_AT_ONCE);
      const read = await Promise.all(part.map((prefix) => this.states.fetchRange(prefix)));
      read.forEach((values, j) => {
        for (const [key, value] of values) if (!this.pinned.has(key)) this.pinned.set(key, value);
        this.wholeRanges.add(part[j]!);
      });
    }
    const rest = plain.filter((k) => !this.pinned.has(k));
    // A version the range did not hold does not exist.
    for (const k of rest) {
      const range = VERSION_PREFIX.exec(k);
      if (range !== null && this.wholeRanges.has(range[0])) this.pinned.set(k, ABSENT);
    }
    const fetched = await this.states.fetch(rest.filter((k) => !this.pinned.has(k)));
    for (const [key, value] of fetched) this.pinned.set(key, value);
  }
}
