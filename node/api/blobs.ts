/**
 * Tarballs by sha256: GET streams one from disk (fetched from peers first when
 * missing here), HEAD says whether this node holds one, PUT streams an upload to
 * disk under the uploader's quota until a tx names it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { ApiContext } from './types.ts';
import { route, type Route } from './router.ts';
import { answerAfterBody, bodyChunks, checkDeclaredLength, tooLarge } from './body.ts';
import { notFound, send } from './respond.ts';
import type { BlobQuota } from './blobQuota.ts';
import { checkBlobHash } from '../blobs.ts';
import { MAX_BLOB_BYTES } from '../constants.ts';
import type { FullNode } from '../fullNode.ts';
import type { PendingTx } from '../mempool.ts';
import type { DecodedBlock } from '../../ledger/block.ts';
import { toHex } from '../../ledger/encoding.ts';

/** Once a tx names an upload, it is the ledger's, not its uploader's. Returns the unsubscribe. */
export function releaseReferencedUploads(node: FullNode, quota: BlobQuota): () => void {
  const onTx = (p: PendingTx): void => {
    if (p.tx.type === 'publish') quota.referenced(toHex(p.tx.body.contentHash));
  };
  const onBlock = (b: DecodedBlock): void => {
    for (const tx of b.txs) if (tx.type === 'publish') quota.referenced(toHex(tx.body.contentHash));
  };
  node.on('tx', onTx);
  node.chain.on('block', onBlock);
  return () => {
    node.off('tx', onTx);
    node.chain.off('block', onBlock);
  };
}

async function putBlob({ node, quota }: ApiContext, req: IncomingMessage, res: ServerResponse, hash: string): Promise<void> {
  checkDeclaredLength(req, MAX_BLOB_BYTES);
  const existing = await node.blobs.sizeOf(hash);
  if (existing !== undefined) {
    // Already here: nothing is stored, so nothing counts; the body is not needed.
    await node.blobs.touch(hash);
    answerAfterBody(req, res, () => send(res, 200, { sha256: hash, size: existing, stored: false }));
    return;
  }
  const declared = req.headers['content-length'] === undefined ? MAX_BLOB_BYTES : Number(req.headers['content-length']);
  const reservation = quota.reserve(req.socket.remoteAddress ?? 'unknown', declared);
  let result: { stored: boolean; size: number } | undefined;
  try {
    result = await node.blobs.putStream(hash, bodyChunks(req, declared), () => tooLarge(MAX_BLOB_BYTES));
  } finally {
    reservation.settle(result === undefined ? undefined : { ...result, hash });
  }
  send(res, result.stored ? 201 : 200, { sha256: hash, size: result.size, stored: result.stored });
}

export function blobRoutes(ctx: ApiContext): Route[] {
  const { node, extras } = ctx;
  return [
    route(['GET', 'PUT', 'HEAD'], /^\/v1\/blobs\/([^/]+)$/, async ({ req, res, method, match }) => {
      const hash = match[1]!;
      checkBlobHash(hash);
      if (method === 'PUT') {
        await putBlob(ctx, req, res, hash);
        return;
      }
      let size = await node.blobs.sizeOf(hash);
      // HEAD looks at this node's store alone: it is how a caller asks whether a tarball is here.
      if (size === undefined && method === 'GET' && extras.fetchBlob !== undefined && (await extras.fetchBlob(hash))) size = await node.blobs.sizeOf(hash);
      if (size === undefined) throw notFound(`blob ${hash}`);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
      if (method === 'HEAD') res.end();
      // Streamed from disk: many parallel downloads must not hold tarballs in memory either.
      else await pipeline(createReadStream(node.blobs.pathOf(hash)), res).catch(() => res.destroy());
    }),
  ];
}
