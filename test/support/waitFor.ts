import { POLL_MS, WAIT_TIMEOUT_MS } from './timeouts.ts';

/**
 * Poll until `check` returns a value (not undefined or false) or `timeoutMs` runs out.
 * A check that throws counts as "not yet" (a node still starting refuses connections).
 */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs = WAIT_TIMEOUT_MS, what = 'a condition'): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
