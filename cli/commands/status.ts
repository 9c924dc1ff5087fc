import { parse } from '../args.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';

const usage = 'gopkgr status';

export const status: Command = {
  name: 'status',
  summary: "show the node's chain, head and peers",
  usage,
  async run(args, ctx) {
    parse(args, {}, usage);
    const s = await new NodeClient(ctx.nodeUrl).status();
    report(ctx, s, [
      `chain    ${s.network} ${s.chainId}`,
      `head     ${s.height} ${s.head}`,
      `mempool  ${s.mempool} tx(s)`,
      `peers    ${s.peers}${s.peerId ? ` (this node: ${s.peerId})` : ''}`,
    ]);
    return 0;
  },
};
