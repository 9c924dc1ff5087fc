/**
 * POST /v1/blobs {"hashes": [sha256, ...]}: many tarballs in one answer. A
 * 500-package install made 500 GETs, and serving them cost the node ~680 ms of
 * CPU, mostly per-request HTTP work; one answer per few hundred blobs does not.
 *
 * The answer (application/octet-stream, with its Content-Length) is a run of
 * frames, one per blob this node holds, in the order asked:
 *
 *     32 bytes  the blob's sha256
 *      4 bytes  its length n, unsigned big-endian
 *      n bytes  the blob
 *
 * A hash this node does not hold is left out (a batch never waits on peers: a
 * client asks GET /v1/blobs/<hash> for what is missing, which may fetch it), and
 * so are the blobs past MAX_BLOB_BATCH_BYTES. Nothing is trusted because it came
 * in a frame: the client checks every blob's sha256 before using it.
 */
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { GopkgrError } from '../../ledger/errors.ts';
import { route, type Route } from './router.ts';
import { parseJson, readBody } from './body.ts';
import type { ApiContext } from './types.ts';
import { checkBlobHash } from '../blobs.ts';
import { MAX_BLOB_BATCH_BYTES, MAX_BLOB_BATCH_HASHES } from '../constants.ts';

/** A frame's header: the hash, then the length. */
export const BLOB_FRAME_HEADER_BYTES = 36;
/** The body: `{"hashes":[...]}` of at most MAX_BLOB_BATCH_HASHES quoted hashes, with room for spaces. */
const MAX_BATCH_BODY_BYTES = 80 * MAX_BLOB_BATCH_HASHES + 1024;

function hashesOf(parsed: unknown): string[] {
  const hashes = (parsed as { hashes?: unknown } | null)?.hashes;
  if (!Array.isArray(hashes) || hashes.length === 0 || !hashes.every((h): h is string => typeof h === 'string')) {
    throw new GopkgrError('BAD_REQUEST', 'POST /v1/blobs needs {"hashes": [sha256, ...]} with at least one hash');
  }
  if (hashes.length > MAX_BLOB_BATCH_HASHES) {
    throw new GopkgrError('BAD_REQUEST', `POST /v1/blobs asks for ${hashes.length} blobs, more than ${MAX_BLOB_BATCH_HASHES}`, { hint: `ask in batches of at most ${MAX_BLOB_BATCH_HASHES}` });
  }
  for (const h of hashes) checkBlobHash(h);
  return [...new Set(hashes)];
}

/** Write, and wait while the client is slow to read (a client that hangs up ends the wait with an error). */
async function write(res: ServerResponse, bytes: Uint8Array): Promise<void> {
  if (res.write(bytes)) return;
  await new Promise<void>((resolve, reject) => {
    const closed = (): void => reject(new Error('the client closed the connection'));
    res.once('close', closed);
    res.once('drain', () => {
      res.off('close', closed);
      resolve();
    });
  });
}

export function blobBatchRoutes({ node }: ApiContext): Route[] {
  return [
    // A query that changes nothing: like POST /v1/resolve, guard.ts asks the token of it only where reads need one.
    route('POST', /^\/v1\/blobs$/, async ({ req, res }) => {
      const hashes = hashesOf(parseJson(await readBody(req, MAX_BATCH_BODY_BYTES)));
      const sizes = await Promise.all(hashes.map((h) => node.blobs.sizeOf(h)));
      const served: Array<{ hash: string; size: number }> = [];
      let total = 0;
      for (const [i, hash] of hashes.entries()) {
        const size = sizes[i];
        if (size === undefined || total + BLOB_FRAME_HEADER_BYTES + size > MAX_BLOB_BATCH_BYTES) continue;
        served.push({ hash, size });
        total += BLOB_FRAME_HEADER_BYTES + size;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
      try {
        // One blob in memory at a time; tarballs are small, and one readFile costs less than a stream.
        for (const { hash, size } of served) {
          const bytes = await readFile(node.blobs.pathOf(hash));
          // Removed or replaced since its size was read (garbage collection): the answer cannot keep its length.
          if (bytes.length !== size) throw new Error(`blob ${hash} changed while it was served`);
          const header = Buffer.alloc(BLOB_FRAME_HEADER_BYTES);
          header.write(hash, 0, 'hex');
          header.writeUInt32BE(size, 32);
          await write(res, header);
          await write(res, bytes);
        }
        res.end();
      } catch {
        // Cut short: the client sees an incomplete answer and asks for what it lacks one by one.
        res.destroy();
      }
    }),
  ];
}
