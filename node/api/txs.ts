/** Txs: submit a signed one to the pool, and ask where one is (pending, or confirmed in which block). */
import type { ApiContext } from './types.ts';
import { route, type Route } from './router.ts';
import { bytesFrom, readBody } from './body.ts';
import { notFound, send } from './respond.ts';
import { MAX_TX_BYTES } from '../../ledger/constants.ts';

export function txRoutes({ node }: ApiContext): Route[] {
  const chain = node.chain;
  return [
    route('POST', /^\/v1\/txs$/, async ({ req, res }) => {
      const bytes = bytesFrom(req, await readBody(req, MAX_TX_BYTES * 2 + 64), 'tx');
      send(res, 200, await node.submitTx(bytes));
    }),
    route('GET', /^\/v1\/txs\/([0-9a-f]{64})$/, async ({ res, match }) => {
      const id = match[1]!;
      // The pool first: a tx leaves it only after its block is written, so this order never misses one in between.
      if (node.mempool.has(id)) {
        send(res, 200, { id, status: 'pending' });
        return;
      }
      const where = await chain.txLocation(id);
      if (where === undefined) throw notFound(`tx ${id}`);
      send(res, 200, { id, status: 'confirmed', block: where.block, height: where.height, index: where.index, confirmations: chain.height - where.height + 1 });
    }),
  ];
}
