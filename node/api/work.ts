/** GET /v1/work: what a miner needs to build the next block on this node's head. */
import type { ApiContext } from './types.ts';
import { route, type Route } from './router.ts';
import { send } from './respond.ts';
import { jsonOf } from '../views.ts';
import { toHex } from '../../ledger/encoding.ts';

export function workRoutes({ node }: ApiContext): Route[] {
  return [
    route('GET', /^\/v1\/work$/, async ({ res }) => {
      const work = await node.work();
      send(res, 200, { ...work, txs: work.txs.map(toHex), params: jsonOf(work.params) });
    }),
  ];
}
