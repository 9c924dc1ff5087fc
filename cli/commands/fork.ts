import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GopkgrError } from '../../ledger/index.ts';
import type { ParentChain } from '../../ledger/params.ts';
import { chainIdOf } from '../../consensus/index.ts';
import { newSwarmKey } from '../../node/swarmKey.ts';
import { intOption, parse, usageError } from '../args.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';
import { writeSecretFile, type Context } from '../context.ts';
import { buildGenesis } from '../fork/buildGenesis.ts';

const usage = 'gopkgr fork --name NAME --namespace @ns... --authority id:HEX... [--slot-ms MS] [--epoch-blocks N] [--anchor-depth N] [--node URL] --out DIR';

/** The public chain's id and where it stands, when a public node was named (--node or GOPKGR_NODE). */
async function publicParent(ctx: Context, named: boolean): Promise<ParentChain | undefined> {
  if (!named) return undefined;
  const client = new NodeClient(ctx.nodeUrl, ctx.token);
  const status = await client.request<{ chainId: string }>('GET', '/v1/status');
  const digest = await client.request<{ height: number; head: string; digest: string }>('GET', '/v1/state/digest');
  return { chainId: status.chainId, checkpoint: { height: digest.height, blockId: digest.head, stateRoot: digest.digest } };
}

/** Write a secret file the owner alone may read; never over an existing one (another chain's keys). */
async function writeSecret(file: string, text: string): Promise<void> {
  try {
    await writeSecretFile(file, text);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new GopkgrError('FORK_FILES_EXIST', `${file} already exists`, { hint: 'pass an empty --out DIR: a chain\'s keys are never overwritten' });
    }
    throw err;
  }
}

export const fork: Command = {
  name: 'fork',
  summary: 'create a private chain: genesis, swarm key and API token',
  usage,
  async run(args, ctx) {
    const { values } = parse(args, {
      name: { type: 'string' }, namespace: { type: 'string', multiple: true }, authority: { type: 'string', multiple: true },
      'slot-ms': { type: 'string' }, 'epoch-blocks': { type: 'string' }, 'anchor-depth': { type: 'string' }, out: { type: 'string' },
    }, usage);
    if (typeof values.name !== 'string') throw usageError('--name NAME is required', usage);
    if (typeof values.out !== 'string') throw usageError('--out DIR is required', usage);
    const parent = await publicParent(ctx, values.node !== undefined || process.env.GOPKGR_NODE !== undefined);
    const genesis = buildGenesis({
      name: values.name,
      namespaces: (values.namespace as string[] | undefined) ?? [],
      authorities: (values.authority as string[] | undefined) ?? [],
      slotMs: intOption(values['slot-ms'], 'slot-ms', 100, 3_600_000),
      epochBlocks: intOption(values['epoch-blocks'], 'epoch-blocks', 1, 1_000_000_000),
      anchorDepth: intOption(values['anchor-depth'], 'anchor-depth', 0, 10_000),
      now: Date.now(),
      parent,
    });
    const chainId = chainIdOf(genesis);
    const out = values.out;
    await mkdir(out, { recursive: true, mode: 0o700 });
    const files = { genesis: join(out, 'genesis.json'), swarmKey: join(out, 'swarm.key'), apiToken: join(out, 'api.token') };
    await writeSecret(files.genesis, JSON.stringify(genesis, null, 2) + '\n');
    await writeSecret(files.swarmKey, newSwarmKey());
    await writeSecret(files.apiToken, randomBytes(32).toString('hex') + '\n');
    report(ctx, { chainId, ...files, namespaces: genesis.namespaces, authorities: genesis.consensus!.authorities, parent: genesis.parent ?? null }, [
      `private chain ${genesis.name} ${chainId}`,
      `  genesis   ${files.genesis}`,
      `  swarm key ${files.swarmKey} (give it to each node of this chain, and nobody else)`,
      `  API token ${files.apiToken} (clients: --token-file or GOPKGR_TOKEN)`,
      parent === undefined ? '  no public chain recorded (pass --node URL of a public node to record one)' : `  forked beside public chain ${parent.chainId.slice(0, 16)}… at height ${parent.checkpoint!.height}`,
    ]);
    return 0;
  },
};
