/**
 * A least-recently-used cache of decoded state values, bounded by the bytes
 * their canonical encodings take (what the node can measure without walking
 * objects). A key known to be absent is cached too: rules ask for missing keys
 * as often as for present ones (a name not yet taken, a new version's key).
 */
import type { StateValue } from '../../ledger/state.ts';

/** The value of a key the store does not hold. */
export const ABSENT = Symbol('absent');
export type Cached = StateValue | typeof ABSENT;

interface Slot {
  value: Cached;
  bytes: number;
}

/** What a cached absence or the key itself is charged, so a cache of absent keys is bounded too. */
const KEY_OVERHEAD = 64;

export class StateCache {
  private readonly slots = new Map<string, Slot>();
  private used = 0;

  constructor(readonly maxBytes: number) {}

  get size(): number {
    return this.slots.size;
  }

  get bytes(): number {
    return this.used;
  }

  /** The cached value (marking it recently used), or undefined when the cache does not know the key. */
  get(key: string): Cached | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    // Map keeps insertion order: re-inserting moves the key to the young end.
    this.slots.delete(key);
    this.slots.set(key, slot);
    return slot.value;
  }

  set(key: string, value: Cached, encodedBytes: number): void {
    const old = this.slots.get(key);
    if (old !== undefined) {
      this.used -= old.bytes;
      this.slots.delete(key);
    }
    const bytes = encodedBytes + key.length + KEY_OVERHEAD;
    // A value larger than the whole cache is not kept: it would evict everything for one read.
    if (bytes > this.maxBytes) return;
    this.slots.set(key, { value, bytes });
    this.used += bytes;
    for (const [oldest, slot] of this.slots) {
      if (this.used <= this.maxBytes) break;
      this.slots.delete(oldest);
      this.used -= slot.bytes;
    }
  }
}
