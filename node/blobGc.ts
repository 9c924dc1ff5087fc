/**
 * Garbage collection of tarballs nothing refers to. A blob is kept while a
 * version or an npm release in the registry state, or a pending publish or
 * import, names it; any other blob is removed once it is older than the grace
 * period, which leaves an uploader time to submit the tx that names its upload.
 */
import type { Chain } from './chain.ts';
import type { Mempool } from './mempool.ts';
import type { BlobStore } from './blobs.ts';
import type { NpmReleaseState, VersionState } from '../ledger/state.ts';
import { tarballOf } from '../ledger/tx.ts';
import { toHex } from '../ledger/encoding.ts';

/** Ten minutes: far longer than a publish takes between its upload and its tx. */
export const BLOB_GRACE_MS = 10 * 60_000;

export function pendingBlobHashes(mempool: Mempool): Set<string> {
  const out = new Set<string>();
  for (const p of mempool.ordered()) {
    const tarball = tarballOf(p.tx);
    if (tarball !== undefined) out.add(toHex(tarball));
  }
  return out;
}

/** Every tarball a version or an npm release on chain names (streamed from disk: only when there is something old to collect). */
export async function confirmedBlobHashes(chain: Chain): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const [, value] of chain.state.entries('ver:')) out.add((value as VersionState).contentHash);
  for await (const [, value] of chain.state.entries('npmv:')) out.add((value as NpmReleaseState).contentHash);
  return out;
}

export async function collectBlobs(opts: { chain: Chain; mempool: Mempool; blobs: BlobStore; graceMs: number; now: number }): Promise<{ removed: string[]; kept: number }> {
  const listed = await opts.blobs.list();
  const cutoff = opts.now - opts.graceMs;
  const old = listed.filter((b) => b.mtimeMs <= cutoff);
  if (old.length === 0) return { removed: [], kept: listed.length };
  const confirmed = await confirmedBlobHashes(opts.chain);
  // The pool is read last, so a publish accepted while the store was being listed still protects its tarball.
  const pending = pendingBlobHashes(opts.mempool);
  const removed: string[] = [];
  for (const b of old) {
    if (confirmed.has(b.hash) || pending.has(b.hash)) continue;
    await opts.blobs.remove(b.hash);
    removed.push(b.hash);
  }
  return { removed, kept: listed.length - removed.length };
}
