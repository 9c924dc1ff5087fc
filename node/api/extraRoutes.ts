/**
 * Routes other parts add (ApiExtras.routes: the network's peers and state
 * digest): answered 200 with what the handler returns. The body is read at
 * most once, capped like a block. A dial request is checked here, before any
 * handler sees it: the API decides what its callers may make the node dial.
 */
import type { ApiExtras } from './types.ts';
import { route, type Route } from './router.ts';
import { parseJson, readBody } from './body.ts';
import { send } from './respond.ts';
import { MAX_BLOCK_BYTES } from '../../ledger/constants.ts';
import { GopkgrError } from '../../ledger/errors.ts';

export function extraRoutes(extras: ApiExtras): Route[] {
  return (extras.routes ?? []).map((r) => route(r.method, r.pattern, async ({ req, res, method, path, match }) => {
    let body: Promise<Buffer> | undefined;
    const readOnce = (): Promise<Buffer> => (body ??= readBody(req, MAX_BLOCK_BYTES));
    if (method === 'POST' && path === '/v1/peers') {
      const addr = (parseJson(await readOnce()) as { addr?: unknown } | null)?.addr;
      // Loaded on the first dial request: its address parsers (libp2p's) would otherwise load before the API first answers.
      if (typeof addr === 'string') (await import('./peers.ts')).checkDialAddress(addr);
    }
    send(res, 200, await r.handle(req, match, readOnce));
  }));
}

/** The paths the network layer adds (node/network/network.ts apiRoutes). */
const NETWORK_PATHS = /^\/v1\/(peers|state\/digest)$/;

/**
 * Extras for a node whose network layer is not up yet: its paths answer 503
 * NODE_STARTING (not 404: they will exist in a moment). The node replaces
 * `routes`, `status` and `fetchBlob` in the same object once it is up.
 */
export function startingExtras(): ApiExtras {
  const starting = async (): Promise<never> => {
    throw new GopkgrError('NODE_STARTING', 'the node\'s network layer is still starting', { hint: 'try again in a moment' });
  };
  return { routes: ['GET', 'POST'].map((method) => ({ method, pattern: NETWORK_PATHS, handle: starting })) };
}
