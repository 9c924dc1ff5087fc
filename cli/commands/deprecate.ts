import { parseVersionRef } from '../../ledger/index.ts';
import { parse, usageError } from '../args.ts';
import { loadIdentity } from '../context.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';
import { requireVersion } from '../packages.ts';
import { submitAndWait, SUBMIT_OPTIONS, waitOptions, where } from '../submit.ts';

const usage = 'gopkgr deprecate @ns/name@version [--reason TEXT] [--fee N] [--no-wait] [--timeout SECONDS]';

export const deprecate: Command = {
  name: 'deprecate',
  summary: 'mark a version deprecated (permanent)',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args, { ...SUBMIT_OPTIONS, reason: { type: 'string' } }, usage);
    if (positionals.length !== 1) throw usageError('expected one @ns/name@version', usage);
    const ref = parseVersionRef(positionals[0]!);
    const name = `${ref.ns}/${ref.name}`;
    const client = new NodeClient(ctx.nodeUrl, ctx.token);
    const { id } = await requireVersion(client, name, ref.version);
    const key = await loadIdentity(ctx.dataDir);
    const body = { pkg: id, version: ref.version, deprecated: true, ...(values.reason !== undefined ? { reason: values.reason as string } : {}) };
    const receipt = await submitAndWait(ctx, client, key, 'deprecate', body, waitOptions(values));
    report(ctx, { package: name, version: ref.version, deprecated: true, tx: receipt.id, status: receipt.status, height: receipt.height ?? null }, [
      `deprecated ${name}@${ref.version} ${where(receipt)}`,
    ]);
    return 0;
  },
};
