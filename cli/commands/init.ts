import { generateKeyPair, identityOf } from '../../ledger/index.ts';
import { parse } from '../args.ts';
import { keyPath, loadIdentity, saveIdentity } from '../context.ts';
import { report, type Command } from '../command.ts';

const usage = 'gopkgr init';

export const init: Command = {
  name: 'init',
  summary: 'create an identity (secp256k1 key) in the data dir',
  usage,
  async run(args, ctx) {
    parse(args, {}, usage);
    let created = true;
    let pair;
    try {
      pair = await loadIdentity(ctx.dataDir);
      created = false;
    } catch {
      pair = generateKeyPair();
      await saveIdentity(ctx.dataDir, pair);
    }
    const identity = identityOf(pair.publicKey);
    report(ctx, { identity, dataDir: ctx.dataDir, keyFile: keyPath(ctx.dataDir), created }, [
      created ? `created identity ${identity}` : `identity already exists: ${identity}`,
      `key file: ${keyPath(ctx.dataDir)} (keep it secret)`,
    ]);
    return 0;
  },
};
