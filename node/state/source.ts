/**
 * Where readers of the head's state get it from: the chain's StateStore (state
 * on disk, loaded as asked for), or a plain map (a state built in memory, as
 * tests and replays build one).
 */
import type { StateReader, StateValue } from '../../ledger/state.ts';

/** A reader that may not hold a key yet: `run` loads what the work reads and runs it again. */
export interface StateSessionLike extends StateReader {
  run<T>(fn: () => T): Promise<T>;
}

export interface StateSource {
  /** `wholePackages`: whether reading a version may load its package's other versions with it (a hint) */
  session(opts?: { wholePackages?: boolean }): StateSessionLike;
}

/** A state held whole in memory: its sessions never miss. */
export function memoryState(map: ReadonlyMap<string, StateValue> = new Map()): StateSource {
  const session: StateSessionLike = {
    get: (key) => map.get(key),
    run: async (fn) => fn(),
  };
  return { session: () => session };
}
