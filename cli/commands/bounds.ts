import { GopkgrError, isRange, parseFullName, parseVersionRef } from '../../ledger/index.ts';
import { parse, usageError } from '../args.ts';
import { loadIdentity } from '../context.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';
import { requireVersion } from '../packages.ts';
import { submitAndWait, SUBMIT_OPTIONS, waitOptions, where } from '../submit.ts';

const usage = 'gopkgr bounds @ns/name@version @dep/name=RANGE... [--fee N] [--no-wait] [--timeout SECONDS]';

export const bounds: Command = {
  name: 'bounds',
  summary: "amend a published version's dependency ranges (content never changes)",
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args, SUBMIT_OPTIONS, usage);
    const [target, ...edits] = positionals;
    if (target === undefined || edits.length === 0) throw usageError('expected a version and at least one dep=range', usage);
    const ref = parseVersionRef(target);
    const deps: Record<string, string> = {};
    for (const edit of edits) {
      const eq = edit.indexOf('=');
      if (eq <= 0) throw usageError(`"${edit}" is not dep=range`, usage);
      const dep = parseFullName(edit.slice(0, eq));
      const range = edit.slice(eq + 1);
      if (!isRange(range)) throw new GopkgrError('BAD_RANGE', `"${range}" is not a semver range`, { hint: 'for example ^1.2.0, ~2.0.1, >=1 <3' });
      deps[`${dep.ns}/${dep.name}`] = range;
    }
    const name = `${ref.ns}/${ref.name}`;
    const client = new NodeClient(ctx.nodeUrl, ctx.token);
    const { id } = await requireVersion(client, name, ref.version);
    const key = await loadIdentity(ctx.dataDir);
    const receipt = await submitAndWait(ctx, client, key, 'bounds', { pkg: id, version: ref.version, deps }, waitOptions(values));
    report(ctx, { package: name, version: ref.version, deps, tx: receipt.id, status: receipt.status, height: receipt.height ?? null }, [
      `amended bounds of ${name}@${ref.version}: ${Object.entries(deps).map(([d, r]) => `${d} ${r}`).join(', ')} ${where(receipt)}`,
    ]);
    return 0;
  },
};
