/**
 * `gopkgr verify @ns/name@version`: rebuild a release from the repository and
 * commit it records (cli/verify/) and say whether the bytes are the same.
 * Exit 0 reproduced, 1 differs, 2 unverifiable (and for any error).
 */
import { parseVersionRef } from '../../ledger/index.ts';
import { parse, usageError } from '../args.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';
import { verifyRelease, type Verdict } from '../verify/index.ts';

const usage = 'gopkgr verify @ns/name@version';
const EXIT: Record<Verdict, number> = { reproduced: 0, differs: 1, unverifiable: 2 };

export const verify: Command = {
  name: 'verify',
  summary: 'rebuild a version from its recorded repository and commit and compare it with the published tarball',
  usage,
  // An error (unknown version, node unreachable) verified nothing: never exit 1, which says the bytes differ.
  errorExit: 2,
  async run(args, ctx) {
    const { positionals } = parse(args, {}, usage);
    if (positionals.length !== 1) throw usageError('expected one @ns/name@version', usage);
    const ref = parseVersionRef(positionals[0]!);
    const fullName = `${ref.ns}/${ref.name}`;
    const client = new NodeClient(ctx.nodeUrl, ctx.token);
    const result = await verifyRelease(client, fullName, ref.version, { dataDir: ctx.dataDir, log: (line) => ctx.err(line) });
    const label = `${fullName}@${ref.version}`;
    const source = result.commit === null ? '' : ` from ${result.repo} at ${result.commit.slice(0, 12)}`;
    const lines: string[] = [];
    if (result.verdict === 'reproduced') lines.push(`reproduced ${label}${source}: sha256 ${result.contentHash}`);
    else if (result.verdict === 'unverifiable') lines.push(`unverifiable ${label}: ${result.reason ?? 'no reason given'}`);
    else {
      const files = result.diff === null ? 'the published tarball is not available to compare' : result.diff.length === 0 ? 'the same files, other tarball bytes' : `${result.diff.length} file${result.diff.length === 1 ? ' differs' : 's differ'}`;
      lines.push(`differs ${label}${source}: published sha256 ${result.contentHash}, rebuilt ${result.rebuiltHash}; ${files}`);
      for (const d of result.diff ?? []) lines.push(`  ${d.change} ${d.path}`);
    }
    report(ctx, result, lines);
    return EXIT[result.verdict];
  },
};
