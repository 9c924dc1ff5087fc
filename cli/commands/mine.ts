import { DEV_PARAMS, GopkgrError } from '../../ledger/index.ts';
import { Miner, httpSource } from '../../miner/index.ts';
import { intOption, parse } from '../args.ts';
import { loadIdentity } from '../context.ts';
import type { Command } from '../command.ts';
import { untilStopped } from '../signals.ts';

const usage = 'gopkgr mine [--threads N] [--blocks N]';

export const mine: Command = {
  name: 'mine',
  summary: 'mine blocks for a node (over its HTTP API)',
  usage,
  async run(args, ctx) {
    const { values } = parse(args, { threads: { type: 'string' }, blocks: { type: 'string' } }, usage);
    const threads = intOption(values.threads, 'threads', 1, 256);
    const limit = intOption(values.blocks, 'blocks', 1, 1_000_000);
    const key = await loadIdentity(ctx.dataDir);
    const source = httpSource(ctx.nodeUrl, 250, ctx.token);
    const first = await source.getWork(); // fail early, with a clear error, if the node is not there
    const log = { info: (m: string) => ctx.err(m), warn: (m: string) => ctx.err(m) };
    // On a dev chain blocks cost nothing: pace empty ones to the block time, as `node --dev --mine` does.
    const pace = first.params.name === DEV_PARAMS.name;
    const miner = new Miner(source, { minerKey: key.publicKey, threads, pace, log });
    const mined: Array<{ id: string; height: number; txs: number }> = [];
    await untilStopped((stop) => {
      miner.start((b) => {
        mined.push({ id: b.id, height: b.height, txs: b.txs });
        if (!ctx.json) ctx.err(`mined block ${b.height} ${b.id.slice(0, 16)} (${b.txs} txs, ${(miner.hashRate() / 1e3).toFixed(0)} kH/s)`);
        if (limit !== undefined && mined.length >= limit) stop();
      });
    });
    await miner.stop();
    if (ctx.json) ctx.out(JSON.stringify({ mined }));
    if (mined.length === 0 && limit !== undefined) throw new GopkgrError('MINE_NOTHING', 'stopped before a block was mined');
    return 0;
  },
};
