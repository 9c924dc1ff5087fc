import { GopkgrError, isNamespace, parseIdentity } from '../../ledger/index.ts';
import { parse, usageError } from '../args.ts';
import { loadIdentity } from '../context.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';
import { submitAndWait, SUBMIT_OPTIONS, waitOptions, where } from '../submit.ts';

const usage = 'gopkgr maintainer add|remove @ns id:<hex> [--fee N] [--no-wait] [--timeout SECONDS]';

export const maintainer: Command = {
  name: 'maintainer',
  summary: "add or remove a namespace's maintainer",
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args, SUBMIT_OPTIONS, usage);
    const [op, ns, who, ...rest] = positionals;
    if ((op !== 'add' && op !== 'remove') || ns === undefined || who === undefined || rest.length > 0) throw usageError('expected `maintainer add|remove @ns id:<hex>`', usage);
    if (!isNamespace(ns)) throw new GopkgrError('BAD_NAME', `"${ns}" is not a namespace`);
    const whoKey = parseIdentity(who);
    const key = await loadIdentity(ctx.dataDir);
    const receipt = await submitAndWait(ctx, new NodeClient(ctx.nodeUrl, ctx.token), key, 'maintainer', { ns, op, who: whoKey }, waitOptions(values));
    report(ctx, { namespace: ns, op, maintainer: who, tx: receipt.id, status: receipt.status, height: receipt.height ?? null }, [
      `${op === 'add' ? 'added' : 'removed'} ${who} ${op === 'add' ? 'to' : 'from'} ${ns} ${where(receipt)}`,
    ]);
    return 0;
  },
};
