/**
 * GET /v1/manifests/SHA256: an API manifest by its hash (a version's `apiHash`),
 * content-addressed like a tarball: every version with that API shares it.
 * JSON by default; `?format=raw` gives its canonical CBOR, whose sha256 is the
 * hash asked for, so a client can check what it got.
 */
import type { ApiContext } from './types.ts';
import { route, type Route } from './router.ts';
import { notFound, send } from './respond.ts';
import { encode, type Canonical } from '../../ledger/encoding.ts';
import { stateKeys } from '../../ledger/index.ts';
import { jsonOf } from '../views.ts';

export function manifestRoutes({ node }: ApiContext): Route[] {
  return [
    route('GET', /^\/v1\/manifests\/([0-9a-f]{64})$/, async ({ res, match, url }) => {
      const manifest = (await node.chain.state.get(stateKeys.api(match[1]!))) as Canonical | undefined;
      if (manifest === undefined) throw notFound(`API manifest ${match[1]}`);
      send(res, 200, url.searchParams.get('format') === 'raw' ? encode(manifest) : jsonOf(manifest));
    }),
  ];
}
