/** GET /v1/status: the chain's head and this node's view of the network. */
import type { ApiContext } from './types.ts';
import { route, type Route } from './router.ts';
import { send } from './respond.ts';

export function statusRoutes({ node, extras }: ApiContext): Route[] {
  const chain = node.chain;
  return [
    route('GET', /^\/v1\/status$/, async ({ res }) => {
      const head = chain.head;
      send(res, 200, {
        chainId: chain.chainIdHex, network: chain.params.name, height: head.height, head: head.id, work: head.work, time: head.time,
        mempool: node.mempool.size, txWorkBits: chain.params.txWorkBits,
        // InfVer: the TypeScript testers' checkers must run to attest verdicts (absent when the chain pins none).
        ...(chain.params.infverTypescript !== undefined ? { infverTypescript: chain.params.infverTypescript } : {}),
        peerId: null, addresses: [], peers: 0, ...(extras.status?.() ?? {}),
      });
    }),
  ];
}
