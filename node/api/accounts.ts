/** GET /v1/accounts/id:HEX: an identity's confirmed nonce, the next nonce counting its pending txs, balance and rotation. */
import type { ApiContext } from './types.ts';
import { route, type Route } from './router.ts';
import { send } from './respond.ts';
import { toHex } from '../../ledger/encoding.ts';
import { parseIdentity } from '../../ledger/crypto.ts';
import { getAccount } from '../../ledger/state.ts';

export function accountRoutes({ node }: ApiContext): Route[] {
  const chain = node.chain;
  return [
    route('GET', /^\/v1\/accounts\/(id:[0-9a-f]+)$/, async ({ res, match }) => {
      const hex = toHex(parseIdentity(match[1]!));
      const account = await chain.state.read((s) => getAccount(s, hex));
      send(res, 200, {
        identity: match[1]!, nonce: account.nonce, nextNonce: await node.mempool.nextNonce(hex), balance: account.balance,
        rotatedTo: account.rotatedTo === undefined ? null : `id:${account.rotatedTo}`,
      });
    }),
  ];
}
