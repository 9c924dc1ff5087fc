/** Sign, submit and (unless --no-wait) wait for a tx to be mined, with a progress line on a terminal. */
import type { BodyByType, KeyPair, SignedTxType } from '../ledger/index.ts';
import { NodeClient, type TxReceipt } from './client.ts';
import type { Context } from './context.ts';
import { intOption } from './args.ts';

export const WAIT_OPTIONS = { 'no-wait': { type: 'boolean' as const }, timeout: { type: 'string' as const } };
/** The options of a command that signs and submits one tx: waiting, and `--fee N` paid to the block's producer. */
export const SUBMIT_OPTIONS = { ...WAIT_OPTIONS, fee: { type: 'string' as const } };

export async function submitAndWait<K extends SignedTxType>(
  ctx: Context,
  client: NodeClient,
  key: KeyPair,
  type: K,
  body: BodyByType[K],
  opts: { wait: boolean; timeoutMs: number; fee?: number },
): Promise<TxReceipt> {
  const receipt = await client.submit(key, type, body, opts.fee ?? 0);
  if (!opts.wait) return receipt;
  return waitMined(ctx, client, receipt, type, opts.timeoutMs);
}

/** Wait for a submitted tx to be mined, with a progress line on a terminal. */
export async function waitMined(ctx: Context, client: NodeClient, receipt: TxReceipt, type: string, timeoutMs: number): Promise<TxReceipt> {
  const frames = ['|', '/', '-', '\\'];
  let frame = 0;
  const done = await client.waitForTx(receipt.id, timeoutMs, (elapsed) => {
    if (ctx.tty) process.stderr.write(`\r${frames[frame++ % 4]} waiting for ${type} tx ${receipt.id.slice(0, 12)} to be mined (${(elapsed / 1000).toFixed(1)} s)`);
  });
  if (ctx.tty) process.stderr.write('\r\x1b[K');
  return done;
}

export function waitOptions(values: Record<string, unknown>): { wait: boolean; timeoutMs: number; fee: number } {
  const seconds = values.timeout === undefined ? 120 : Number(values.timeout);
  return { wait: values['no-wait'] !== true, timeoutMs: (Number.isFinite(seconds) && seconds > 0 ? seconds : 120) * 1000, fee: feeOption(values) };
}

/** `--fee N`: what the tx pays the block's producer (the mempool and miners take higher fees first); 0 when absent. */
export function feeOption(values: Record<string, unknown>): number {
  return intOption(values.fee, 'fee', 0, Number.MAX_SAFE_INTEGER) ?? 0;
}

export function where(r: TxReceipt): string {
  return r.status === 'confirmed' ? `in block ${r.height} (${r.block?.slice(0, 16)}…)` : `(tx ${r.id.slice(0, 16)}… pending)`;
}
