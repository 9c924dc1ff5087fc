/** `gopkgr transfer id:<hex> AMOUNT`: move part of this identity's balance to another identity. */
import { GopkgrError, parseIdentity, toHex } from '../../ledger/index.ts';
import { intOption, parse, usageError } from '../args.ts';
import { loadIdentity } from '../context.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';
import { submitAndWait, SUBMIT_OPTIONS, waitOptions, where } from '../submit.ts';

const usage = 'gopkgr transfer id:<hex> AMOUNT [--fee N] [--no-wait] [--timeout SECONDS]';

export const transfer: Command = {
  name: 'transfer',
  summary: "move part of this identity's balance to another identity",
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args, SUBMIT_OPTIONS, usage);
    if (positionals.length !== 2) throw usageError('expected `transfer id:<hex> AMOUNT`', usage);
    const to = parseIdentity(positionals[0]!);
    const amount = intOption(positionals[1], 'amount', 1, Number.MAX_SAFE_INTEGER)!;
    const key = await loadIdentity(ctx.dataDir);
    const from = `id:${toHex(key.publicKey)}`;
    if (toHex(to) === toHex(key.publicKey)) throw new GopkgrError('TX_TRANSFER_TO_SELF', `${from} is this data dir's own identity`);
    const client = new NodeClient(ctx.nodeUrl, ctx.token);
    const wait = waitOptions(values);
    const receipt = await submitAndWait(ctx, client, key, 'transfer', { to, amount }, wait);
    const account = await client.get<{ balance: number }>(`/v1/accounts/${from}`);
    report(ctx, {
      from, to: positionals[0]!, amount, fee: wait.fee, balance: account.balance, tx: receipt.id, status: receipt.status, height: receipt.height ?? null,
    }, [
      `transferred ${amount} to ${positionals[0]!}${wait.fee > 0 ? ` (fee ${wait.fee})` : ''} ${where(receipt)}`,
      `balance of ${from}: ${account.balance}${receipt.status === 'confirmed' ? '' : ' (before the transfer is mined)'}`,
    ]);
    return 0;
  },
};
