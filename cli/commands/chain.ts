import { parse, usageError, intOption } from '../args.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';
import { exportChain } from '../../node/chainFile/export.ts';
import { httpSource } from '../chain/httpSource.ts';
import { sendChainFile } from '../chain/sendFile.ts';
import type { Context } from '../context.ts';

const usage = 'gopkgr chain export --from HEIGHT [--to HEIGHT] [--parent] --out FILE | gopkgr chain import FILE';

/** On a terminal, one redrawn line; elsewhere nothing (the result says it all). */
function progress(ctx: Context, verb: string): ((done: number, total: number) => void) | undefined {
  if (!ctx.tty) return undefined;
  return (done, total) => {
    const width = 30;
    const filled = Math.round((done / Math.max(1, total)) * width);
    process.stderr.write(`\r${verb} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} blocks${done >= total ? '\n' : ''}`);
  };
}

export const chain: Command = {
  name: 'chain',
  summary: 'export a range of blocks and their tarballs to a file, or import one into a node without network',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args, { from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' }, parent: { type: 'boolean' } }, usage);
    const client = new NodeClient(ctx.nodeUrl, ctx.token);
    if (positionals[0] === 'export' && positionals.length === 1) {
      const from = intOption(values.from, 'from', 0, Number.MAX_SAFE_INTEGER);
      if (from === undefined || typeof values.out !== 'string') throw usageError('chain export needs --from HEIGHT and --out FILE', usage);
      const { source, status } = await httpSource(client, values.parent === true);
      const to = intOption(values.to, 'to', from, Number.MAX_SAFE_INTEGER) ?? status.height;
      const r = await exportChain(source, { from, to }, values.out, progress(ctx, 'export'));
      for (const hash of r.missingBlobs) ctx.err(`warning: the node does not hold tarball ${hash} yet; it is not in the file`);
      report(ctx, r, [`exported ${r.blocks} block(s) ${r.from}..${r.to} of ${r.network} (${r.chainId.slice(0, 16)}…) and ${r.blobs} tarball(s) to ${r.file} (${r.bytes} bytes, sha256 ${r.sha256})`]);
      return 0;
    }
    if (positionals[0] === 'import' && positionals.length === 2) {
      const r = await sendChainFile(client, positionals[1]!, progress(ctx, 'import'));
      report(ctx, r, [
        `imported ${r.blocks} block(s) ${r.from}..${r.to} of ${r.network} into ${r.into === 'parent' ? 'the public replica' : 'the chain'}: ${r.connected} new, ${r.known} already here${r.side > 0 ? `, ${r.side} on a side branch` : ''}; ${r.stored} of ${r.blobs} tarball(s) stored`,
        `head ${r.height} ${r.head}`,
      ]);
      return 0;
    }
    throw usageError(`unknown chain command "${positionals.join(' ')}"`, usage);
  },
};
