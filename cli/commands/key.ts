/**
 * `gopkgr key rotate`: move this identity's namespaces, packages, nonce and
 * balance to a new key; the old key can no longer act on this chain.
 *
 * The new key signs the rotation (the chain's proof that someone holds it) and
 * is on disk before the tx leaves (cli/keyRotation.ts). An interrupted rotation
 * is finished by running the command again: it finds the pending key and
 * either completes the swap (the chain has it) or sends the rotation again.
 */
import { fromHex, GopkgrError, rotationMessage, sign, signTx, toHex, type KeyPair } from '../../ledger/index.ts';
import { parse, usageError } from '../args.ts';
import { NodeClient, type TxReceipt } from '../client.ts';
import { report, type Command } from '../command.ts';
import { loadIdentity, type Context } from '../context.ts';
import { finishRotation, pendingNextKey } from '../keyRotation.ts';
import { SUBMIT_OPTIONS, waitMined, waitOptions, where } from '../submit.ts';

const usage = 'gopkgr key rotate [--fee N] [--no-wait] [--timeout SECONDS]';

interface Account {
  nextNonce: number;
  rotatedTo: string | null;
}

const idOf = (key: KeyPair): string => `id:${toHex(key.publicKey)}`;

async function finish(ctx: Context, old: KeyPair, next: KeyPair, receipt: TxReceipt | undefined): Promise<number> {
  const aside = await finishRotation(ctx.dataDir, old);
  report(ctx, {
    from: idOf(old), to: idOf(next), rotated: true, oldKeyFile: aside,
    tx: receipt?.id ?? null, status: receipt?.status ?? 'confirmed', height: receipt?.height ?? null,
  }, [
    `rotated ${idOf(old)} to ${idOf(next)}${receipt === undefined ? '' : ` ${where(receipt)}`}`,
    `the new key is now this data dir's identity; the old one is kept in ${aside} (it can no longer act on this chain)`,
  ]);
  return 0;
}

export const key: Command = {
  name: 'key',
  summary: "rotate this identity's key: namespaces and packages move to a new key",
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args, SUBMIT_OPTIONS, usage);
    if (positionals[0] !== 'rotate' || positionals.length !== 1) {
      throw usageError(positionals.length === 0 ? 'key needs a subcommand' : `unknown key subcommand '${positionals.join(' ')}'`, usage);
    }
    const old = await loadIdentity(ctx.dataDir);
    const client = new NodeClient(ctx.nodeUrl, ctx.token);
    const account = await client.get<Account>(`/v1/accounts/${idOf(old)}`);
    const pending = await pendingNextKey(ctx.dataDir);
    if (account.rotatedTo !== null) {
      // The chain already has a rotation: finish ours if it is the one, otherwise the key we would need is not here.
      if (account.rotatedTo === idOf(pending.key)) return finish(ctx, old, pending.key, undefined);
      throw new GopkgrError('KEY_ROTATED_AWAY', `${idOf(old)} was already rotated to ${account.rotatedTo}, a key this data dir does not hold`, {
        hint: 'use the data dir (or key file) of the new key',
      });
    }
    const wait = waitOptions(values);
    const status = await client.status();
    const chainId = fromHex(status.chainId);
    const next = pending.key;
    const nonce = account.nextNonce;
    const proof = sign(rotationMessage(chainId, old.publicKey, next.publicKey, nonce), next.secretKey);
    const tx = signTx({ type: 'rotate', from: old.publicKey, nonce, body: { to: next.publicKey, proof }, fee: wait.fee }, old.secretKey, chainId, status.txWorkBits);
    const sent = await client.postTx(tx);
    if (!wait.wait) {
      report(ctx, { from: idOf(old), to: idOf(next), rotated: false, tx: sent.id, status: sent.status, height: null }, [
        `sent the rotation of ${idOf(old)} to ${idOf(next)} ${where(sent)}`,
        'run `gopkgr key rotate` again once it is mined: until then this data dir keeps acting as the old key',
      ]);
      return 0;
    }
    const done = await waitMined(ctx, client, sent, 'rotate', wait.timeoutMs);
    return finish(ctx, old, next, done);
  },
};
