/**
 * Getting every tarball a resolution needs: from the local cache when it is
 * there, else from the node that served the package's index, in parallel. Each
 * download's sha256 is compared with the content hash on chain before anything
 * is written; a mismatch (a tampered or damaged blob) aborts the install.
 */
import { GopkgrError, isGopkgrError } from '../../ledger/index.ts';
import { NodeClient } from '../client.ts';
import { mapLimit } from './fetchIndex.ts';
import { ProgressBar } from './progressBar.ts';
import { sha256Of, type TarballCache } from './tarballCache.ts';

export interface TarballRequest {
  name: string;
  version: string;
  contentHash: string;
  /** node URL to ask first */
  source?: string;
  /** the client to ask (a project file's registry, with its token); wins over `source` */
  client?: NodeClient;
}

export interface FetchedTarballs {
  /** verified bytes by content hash */
  bytes: Map<string, Uint8Array>;
  /** hashes that came from a node, not the cache (cached once the install succeeds) */
  downloaded: Set<string>;
}

/** Parallel downloads: a few keep the link busy; more only queue on the node. */
const DOWNLOADS_IN_PARALLEL = 8;

export async function fetchTarballs(
  wanted: readonly TarballRequest[],
  opts: { cache: TarballCache; client?: NodeClient; progress: boolean },
): Promise<FetchedTarballs> {
  const bar = new ProgressBar(wanted.length, 'fetching', opts.progress);
  const out: FetchedTarballs = { bytes: new Map(), downloaded: new Set() };
  try {
    await mapLimit(wanted, DOWNLOADS_IN_PARALLEL, async (w) => {
      const ref = `${w.name}@${w.version}`;
      let bytes = await opts.cache.get(w.contentHash);
      if (bytes === undefined) {
        if (opts.client === undefined && w.client === undefined) {
          throw new GopkgrError('OFFLINE_NOT_CACHED', `${ref} (sha256 ${w.contentHash.slice(0, 12)}…) is not in the local cache ${opts.cache.dir}`, {
            hint: 'run `gopkgr get` once without --offline to fill the cache',
          });
        }
        const client = w.client ?? (w.source !== undefined && w.source !== opts.client!.url ? new NodeClient(w.source) : opts.client!);
        try {
          bytes = await client.getBlob(w.contentHash);
        } catch (err) {
          if (isGopkgrError(err, 'NOT_FOUND')) {
            throw new GopkgrError('BLOB_MISSING', `the node at ${client.url} has no tarball for ${ref} (sha256 ${w.contentHash.slice(0, 12)}…)`, { hint: 'the publisher may not have uploaded it yet; try another node with --node' });
          }
          throw err;
        }
        const actual = sha256Of(bytes);
        if (actual !== w.contentHash) {
          throw new GopkgrError('BLOB_TAMPERED', `the tarball of ${ref} from ${client.url} hashes to ${actual.slice(0, 12)}…, but the chain records ${w.contentHash.slice(0, 12)}…; nothing was installed`, {
            hint: 'that node serves a damaged or tampered blob; try another node with --node',
          });
        }
        out.downloaded.add(w.contentHash);
      }
      out.bytes.set(w.contentHash, bytes);
      bar.tick(bytes.length);
    });
  } finally {
    bar.finish();
  }
  return out;
}
