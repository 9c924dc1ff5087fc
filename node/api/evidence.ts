/**
 * Evidence against a block producer (authority chains: two headers one
 * authority signed for one slot). GET lists the offenders this node holds
 * evidence against, with the two headers (hex) each; POST {"a","b"} (hex
 * headers) submits evidence found elsewhere: checked, kept, and the offender's
 * later blocks refused here.
 */
import type { ApiContext } from './types.ts';
import { route, type Route } from './router.ts';
import { checkContentType } from './guard.ts';
import { parseJson, readBody } from './body.ts';
import { send } from './respond.ts';
import { GopkgrError } from '../../ledger/errors.ts';
import { fromHex, toHex } from '../../ledger/encoding.ts';

/** Two headers, hex, and JSON framing: far below this. */
const MAX_EVIDENCE_BYTES = 8 * 1024;

export function evidenceRoutes({ node }: ApiContext): Route[] {
  const chain = node.chain;
  return [
    route('GET', /^\/v1\/evidence$/, async ({ res }) => {
      const offenders = await Promise.all(chain.equivocators().map(async (k) => ({ offender: `id:${k}`, headers: ((await chain.evidence(k)) ?? []).map(toHex) })));
      send(res, 200, { offenders });
    }),
    route('POST', /^\/v1\/evidence$/, async ({ req, res }) => {
      checkContentType(req, ['application/json']);
      const body = parseJson(await readBody(req, MAX_EVIDENCE_BYTES)) as { a?: unknown; b?: unknown } | null;
      if (typeof body?.a !== 'string' || typeof body.b !== 'string') throw new GopkgrError('EVIDENCE_INVALID', 'evidence is {"a": <header hex>, "b": <header hex>}');
      const offender = await chain.addEvidence(fromHex(body.a, 'header a'), fromHex(body.b, 'header b'));
      send(res, 200, { offender: `id:${offender}` });
    }),
  ];
}
