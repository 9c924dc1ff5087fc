import { GopkgrError, isNamespace } from '../../ledger/index.ts';
import { parse, usageError } from '../args.ts';
import { loadIdentity } from '../context.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';
import { submitAndWait, SUBMIT_OPTIONS, waitOptions, where } from '../submit.ts';

const usage = 'gopkgr namespace claim @ns [--fee N] [--no-wait] [--timeout SECONDS]';

export const namespace: Command = {
  name: 'namespace',
  summary: 'claim a namespace (first come, first served)',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args, SUBMIT_OPTIONS, usage);
    const [verb, ns, ...rest] = positionals;
    if (verb !== 'claim' || ns === undefined || rest.length > 0) throw usageError('expected `namespace claim @ns`', usage);
    if (!isNamespace(ns)) throw new GopkgrError('BAD_NAME', `"${ns}" is not a namespace`, { hint: 'namespaces look like @acme: @ then lowercase letters, digits, dashes' });
    const key = await loadIdentity(ctx.dataDir);
    const receipt = await submitAndWait(ctx, new NodeClient(ctx.nodeUrl, ctx.token), key, 'claim', { ns }, waitOptions(values));
    report(ctx, { namespace: ns, tx: receipt.id, status: receipt.status, block: receipt.block ?? null, height: receipt.height ?? null }, [`claimed ${ns} ${where(receipt)}`]);
    return 0;
  },
};
