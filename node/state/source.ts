/**
 * Where readers of the head's state get it from: the chain's StateStore (state
 * on disk, loaded as asked for), or any other source of sessions (tests give
 * a map held in memory).
 */
import { StateOverlay, type StateReader } from '../../ledger/state.ts';

/** A reader that may not hold a key yet: `run` loads what the work reads and runs it again. */
export interface StateSessionLike extends StateReader {
  run<T>(fn: () => T): Promise<T>;
}

export interface StateSource {
  /** `wholePackages`: whether reading a version may load its package's other versions with it (a hint) */
  session(opts?: { wholePackages?: boolean }): StateSessionLike;
}

/**
 * Apply `change` on `base` through `session`: on an overlay of its own, run
 * again from a clean one whenever it reads a key not loaded yet, then written
 * into `base`. Returns what `change` returned.
 */
export async function applyLoaded<T>(session: StateSessionLike, base: StateOverlay, change: (s: StateOverlay) => T): Promise<T> {
  const { trial, result } = await session.run(() => {
    const t = new StateOverlay(base);
    return { trial: t, result: change(t) };
  });
  for (const [key, value] of trial.writes) {
    if (value === null) base.delete(key);
    else base.set(key, value);
  }
  return result;
}
