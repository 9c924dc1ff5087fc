/** Blocks: read one by id or main-chain height (JSON or raw bytes), and submit a mined one. */
import type { ApiContext } from './types.ts';
import { route, type Route } from './router.ts';
import { bytesFrom, readBody } from './body.ts';
import { notFound, send } from './respond.ts';
import { blockView } from '../views.ts';
import { MAX_BLOCK_BYTES } from '../../ledger/constants.ts';

export function blockRoutes({ node }: ApiContext): Route[] {
  const chain = node.chain;
  return [
    route('GET', /^\/v1\/blocks\/([0-9a-f]{64}|\d{1,10})$/, async ({ res, url, match }) => {
      const id = match[1]!.length === 64 ? match[1]! : chain.mainIdAt(Number(match[1]));
      const block = id === undefined ? undefined : await chain.getBlock(id);
      if (block === undefined || id === undefined) throw notFound(`block ${match[1]}`);
      if (url.searchParams.get('format') === 'raw') send(res, 200, block.bytes);
      else send(res, 200, blockView(block, chain.entry(id), chain.isOnMain(id)));
    }),
    route('POST', /^\/v1\/blocks$/, async ({ req, res }) => {
      // Hex in JSON takes twice the bytes, plus the field name.
      const bytes = bytesFrom(req, await readBody(req, MAX_BLOCK_BYTES * 2 + 64), 'block');
      const result = await node.submitBlock(bytes);
      send(res, 200, { id: result.id, height: result.height, status: result.status });
    }),
  ];
}
