import { GopkgrError } from '../../ledger/index.ts';
import { parse, usageError } from '../args.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';

const usage = 'gopkgr authority list';

/** What an authority chain's node adds to /v1/status (node/api/status.ts). */
interface AuthorityStatus {
  chainId: string;
  network: string;
  height: number;
  consensus?: string;
  authorities?: string[];
  slotMs?: number;
  slot?: number;
  finalized?: number;
  equivocators?: string[];
  namespaces?: string[];
}

export const authority: Command = {
  name: 'authority',
  summary: "list a private chain's authorities, in turn order",
  usage,
  async run(args, ctx) {
    const { positionals } = parse(args, {}, usage);
    if (positionals[0] !== 'list' || positionals.length !== 1) {
      throw usageError(positionals[0] === 'propose' ? 'authority-set votes are not built yet: the set is the one the genesis names' : `unknown authority command "${positionals.join(' ')}"`, usage);
    }
    const s = await new NodeClient(ctx.nodeUrl, ctx.token).request<AuthorityStatus>('GET', '/v1/status');
    if (s.consensus !== 'authority' || s.authorities === undefined) {
      throw new GopkgrError('NOT_AUTHORITY_CHAIN', `chain ${s.network} is ${s.consensus ?? 'pow'}: it has no authorities`, { hint: 'point --node at a private chain\'s node' });
    }
    const n = s.authorities.length;
    const headSlot = s.slot ?? 0;
    const equivocators = new Set(s.equivocators ?? []);
    const authorities = s.authorities.map((identity, index) => ({ identity, index, equivocated: equivocators.has(identity) }));
    report(ctx, { chainId: s.chainId, authorities, slotMs: s.slotMs, headSlot, height: s.height, finalized: s.finalized ?? 0, majority: Math.floor(n / 2) + 1 }, [
      `chain ${s.network} ${s.chainId.slice(0, 16)}…: ${n} authorities, slot ${s.slotMs} ms, height ${s.height} (final ${s.finalized ?? 0})`,
      ...authorities.map((a) => `  ${a.index}  ${a.identity}${a.index === headSlot % n ? '  (signed the head)' : ''}${a.equivocated ? '  EQUIVOCATED' : ''}`),
    ]);
    return 0;
  },
};
