/**
 * Who may upload a tarball no tx names yet. `gopkgr publish` uploads the tarball
 * first and then submits the publish tx (a node only takes a publish whose
 * tarball it holds), so an upload cannot be tied to a tx when it arrives.
 * Instead each client (by remote address) may have a little unreferenced data on
 * the node at a time: uploads count against its quota until a pending tx names
 * them, or until the grace period has passed (then garbage collection removes
 * them). Bytes of uploads still in flight count too, so parallel uploads cannot
 * overshoot.
 */
import { GopkgrError } from '../../ledger/errors.ts';
import { MAX_BLOB_BYTES } from '../constants.ts';

export interface BlobQuotaOptions {
  /** unreferenced bytes one client may have stored or in flight */
  perClientBytes: number;
  /** unreferenced bytes all clients together may have stored or in flight */
  totalBytes: number;
  /** how long an unreferenced upload counts (and is kept) */
  graceMs: number;
  now?: () => number;
}

/** Two tarballs of the largest size: one publish in progress plus a retry. */
export const DEFAULT_BLOB_QUOTA: BlobQuotaOptions = {
  perClientBytes: 2 * MAX_BLOB_BYTES,
  totalBytes: 8 * MAX_BLOB_BYTES,
  graceMs: 10 * 60_000,
};

interface Staged {
  client: string;
  size: number;
  at: number;
}

export interface Reservation {
  /** the upload ended: count what was stored, release the rest */
  settle(result: { stored: boolean; size: number; hash: string } | undefined): void;
}

export class BlobQuota {
  private readonly staged = new Map<string, Staged>();
  private readonly inflight = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly opts: BlobQuotaOptions = DEFAULT_BLOB_QUOTA) {
    this.now = opts.now ?? Date.now;
  }

  /** A tx now names this tarball: it no longer counts against its uploader. */
  referenced(hash: string): void {
    this.staged.delete(hash);
  }

  private expire(): void {
    const cutoff = this.now() - this.opts.graceMs;
    for (const [hash, s] of this.staged) if (s.at <= cutoff) this.staged.delete(hash);
  }

  private used(client?: string): number {
    let sum = 0;
    for (const s of this.staged.values()) if (client === undefined || s.client === client) sum += s.size;
    for (const [c, bytes] of this.inflight) if (client === undefined || c === client) sum += bytes;
    return sum;
  }

  /** Reserve room for an upload of at most `bytes`, or refuse it (429). */
  reserve(client: string, bytes: number): Reservation {
    this.expire();
    const mine = this.used(client);
    if (mine + bytes > this.opts.perClientBytes || this.used() + bytes > this.opts.totalBytes) {
      const minutes = Math.ceil(this.opts.graceMs / 60_000);
      throw new GopkgrError('BLOB_QUOTA_EXCEEDED', `this upload (${bytes} bytes) would exceed the room for tarballs no tx names yet (${mine} of ${this.opts.perClientBytes} bytes used by this client)`, {
        hint: `submit the publish txs for your earlier uploads, or retry within ${minutes} min when they expire`,
      });
    }
    this.inflight.set(client, (this.inflight.get(client) ?? 0) + bytes);
    let settled = false;
    return {
      settle: (result) => {
        if (settled) return;
        settled = true;
        const left = (this.inflight.get(client) ?? 0) - bytes;
        if (left > 0) this.inflight.set(client, left);
        else this.inflight.delete(client);
        if (result?.stored === true) this.staged.set(result.hash, { client, size: result.size, at: this.now() });
      },
    };
  }
}
