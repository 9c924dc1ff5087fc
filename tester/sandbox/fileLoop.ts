/**
 * The host driving one file's event loop, one macrotask at a time, until the
 * runtime says the file is done, pulling results whenever it has news.
 *
 * - An unhandled rejection in the isolate makes the tick call fail: the host
 *   hands it to the runtime, which blames the owner of the macrotask that just
 *   ran (the test that scheduled it), as `node --test` does.
 * - A promise that never settles: the loop finds no macrotask left while the
 *   file is not done and stalls the waiting tests, as Node's runner does - no
 *   waiting for a clock.
 * - Virtual time used up, a storm of unhandled rejections, or stalls that free
 *   nothing: the file ends and the runtime fails every test it had not
 *   finished (and the file), so nothing unfinished is left unrecorded.
 */
import { DONE, IMPORTS, NEWS, PULL_FIRST, RAN, VIRTUAL_TIME_OUT, type RuntimeChannel } from './channel.ts';
import type { IsolateGuard } from './guard.ts';
import type { ResultRecorder } from './recorder.ts';

/** Stalls in a row with nothing settling before a file is given up. */
const MAX_STALLS = 3;
/** Calls in a row that end in an unhandled rejection before a file is given up. */
const MAX_REJECTIONS = 1_000;
const STALLED_TEXT = 'Promise resolution is still pending but the event loop has already resolved';

/** Pull until the runtime has nothing new: each answer is a bounded batch. */
export async function drain(guard: IsolateGuard, channel: RuntimeChannel, recorder: ResultRecorder): Promise<void> {
  for (;;) {
    const r = await guard.call(() => channel.pull());
    if (!r.ok) return;
    if (!recorder.take(r.value)) return;
  }
}

/** Evaluates the ES module an import() waits for (modules.ts), or says why it cannot. */
export type LazyImports = (key: string) => Promise<string | undefined>;

export async function runFileLoop(guard: IsolateGuard, channel: RuntimeChannel, recorder: ResultRecorder, lazyImports?: LazyImports): Promise<void> {
  let stalls = 0;
  let rejections = 0;
  for (;;) {
    const r = await guard.call(() => channel.tick());
    if (!r.ok) {
      if (++rejections > MAX_REJECTIONS) {
        // Giving up must not hide the tests this file did not finish.
        await guard.call(() => channel.end(`Error: more than ${MAX_REJECTIONS} unhandled rejections in a row`, true));
        break;
      }
      await guard.call(() => channel.uncaught(r.message));
      continue;
    }
    rejections = 0;
    const flags = typeof r.value === 'number' ? r.value : 0;
    if (flags & NEWS) await drain(guard, channel, recorder);
    if (flags & PULL_FIRST) continue;
    if (flags & IMPORTS) {
      // the isolate cannot evaluate a module itself: the host does, between two macrotasks, as Node's import() does after the call
      const keys = await guard.call(() => channel.takeImports());
      for (const key of keys.ok && typeof keys.value === 'string' ? (JSON.parse(keys.value) as string[]) : []) {
        const failure = lazyImports === undefined ? `Cannot find module '${key}'` : await lazyImports(key);
        if (failure !== undefined) await guard.call(() => channel.importFailed(key, failure));
      }
      stalls = 0;
      continue;
    }
    if (flags & DONE) break;
    if (flags & RAN && !(flags & VIRTUAL_TIME_OUT)) {
      stalls = 0;
      continue;
    }
    if (++stalls > MAX_STALLS) {
      await guard.call(() => channel.end('Error: ' + STALLED_TEXT, false));
      break;
    }
    await guard.call(() => channel.stall());
  }
  await drain(guard, channel, recorder);
}
