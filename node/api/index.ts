/**
 * The node's HTTP API (JSON; errors are {"error":{"code","message"}} with a 4xx
 * status). Bound to 127.0.0.1 unless told otherwise. Every request passes the
 * access checks of guard.ts first; every body is size-capped before it is read
 * (body.ts), tarballs are streamed to disk, and every handler validates before
 * it acts. The routes live one group per file; routes other parts add
 * (ApiExtras.routes) are tried before the built-in ones.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GopkgrError, asGopkgrError } from '../../ledger/errors.ts';
import type { FullNode } from '../fullNode.ts';
import { answerAfterBody } from './body.ts';
import { checkHost, checkOrigin, checkRead, checkWrite, hostNamesFor } from './guard.ts';
import { BlobQuota, DEFAULT_BLOB_QUOTA } from './blobQuota.ts';
import { findRoute, type Route } from './router.ts';
import { notFound, send } from './respond.ts';
import type { ApiContext, ApiExtras, ApiOptions } from './types.ts';
import { extraRoutes } from './extraRoutes.ts';
import { statusRoutes } from './status.ts';
import { blockRoutes } from './blocks.ts';
import { txRoutes } from './txs.ts';
import { packageRoutes } from './packages.ts';
import { accountRoutes } from './accounts.ts';
import { blobRoutes, releaseReferencedUploads } from './blobs.ts';
import { blobBatchRoutes } from './blobBatch.ts';
import { workRoutes } from './work.ts';
import { manifestRoutes } from './manifests.ts';
import { searchRoutes } from './search.ts';
import { evidenceRoutes } from './evidence.ts';
import { replicaRouting } from './replica.ts';
import { chainImportRoutes } from './chainImport.ts';

export { isLoopbackHost, type ApiAccess } from './guard.ts';
export type { BlobQuotaOptions } from './blobQuota.ts';
export type { ApiExtras, ApiOptions } from './types.ts';
export { startingExtras } from './extraRoutes.ts';
export { CHAIN_ID_HEADER, type Replica } from './replica.ts';

/** The request's path, percent-decoded: a malformed %-escape is the client's error (400), not the node's (500). */
function decodedPath(url: URL): string {
  try {
    return decodeURIComponent(url.pathname);
  } catch {
    throw new GopkgrError('BAD_REQUEST', `request path ${url.pathname.slice(0, 100)} is not valid percent-encoding`);
  }
}

export function createApi(node: FullNode, extras: ApiExtras = {}, opts: ApiOptions = {}): Server {
  const access = opts.access ?? { host: '127.0.0.1' };
  const hostNames = hostNamesFor(access.host);
  const ctx: ApiContext = { node, extras, quota: new BlobQuota(opts.blobQuota ?? DEFAULT_BLOB_QUOTA) };
  const stopReleasing = releaseReferencedUploads(node, ctx.quota);
  const replica = opts.replica === undefined ? undefined : replicaRouting(node, opts.replica);
  const builtIn: Route[] = [
    ...statusRoutes(ctx),
    ...blockRoutes(ctx),
    ...txRoutes(ctx),
    ...packageRoutes(ctx),
    ...accountRoutes(ctx),
    ...blobRoutes(ctx),
    ...blobBatchRoutes(ctx),
    ...workRoutes(ctx),
    ...manifestRoutes(ctx),
    ...searchRoutes(ctx),
    ...evidenceRoutes(ctx),
    ...chainImportRoutes(ctx, opts.replica?.node),
  ];

  // Extra routes are read when asked: a node serves its chain before its network layer (which adds routes) is up.
  let extra: { from: ApiExtras['routes']; routes: Route[] } = { from: undefined, routes: [] };
  const extraRoutesNow = (): Route[] => {
    if (extra.from !== extras.routes) extra = { from: extras.routes, routes: extraRoutes(extras) };
    return extra.routes;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const port = req.socket.localPort ?? 0;
    checkHost(req, port, hostNames);
    checkOrigin(req, port, hostNames);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = decodedPath(url);
    const method = req.method ?? 'GET';
    checkRead(req, access);
    checkWrite(req, method, path, access);
    // A private node's public names and public content: answered by its replica of the public chain (replica.ts).
    if (replica !== undefined && (await replica.route(req, res, method, path))) return;
    const found = findRoute(extraRoutesNow(), method, path) ?? findRoute(builtIn, method, path);
    if (found === undefined) throw notFound(`${method} ${path}`);
    await found.route.handle({ req, res, method, path, url, match: found.match });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const e = asGopkgrError(err);
      if (e.code === 'HTTP_CLIENT_ABORTED') {
        res.destroy();
        return;
      }
      if (e.status >= 500) node.log.warn(`api ${req.method} ${String(req.url).slice(0, 200)}: ${e.code} ${e.message}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const answer = (): void => send(res, e.status, { error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } });
      if (req.complete || req.destroyed) answer();
      else answerAfterBody(req, res, answer);
    });
  });
  server.on('close', stopReleasing);
  return server;
}

export async function listenApi(server: Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new GopkgrError('API_LISTEN_FAILED', `cannot listen on ${host}:${port}: ${err.code ?? err.message}`, {
        hint: err.code === 'EADDRINUSE' ? 'another node is using this port; pass --api 127.0.0.1:<other port>' : undefined,
      }));
    });
    server.listen(port, host, () => resolve());
  });
  return server.address() as AddressInfo;
}
