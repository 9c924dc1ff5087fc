import { GopkgrError, parseIdentity } from '../../ledger/index.ts';
import { parse, usageError } from '../args.ts';
import { loadIdentity, type Context } from '../context.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';
import { submitAndWait, SUBMIT_OPTIONS, waitOptions, where } from '../submit.ts';

const usage = 'gopkgr authority list | gopkgr authority propose add|remove id:HEX [--fee N] [--no-wait] [--timeout SECONDS]';

/** A proposal of the running epoch, as /v1/status shows it. */
interface ProposalView {
  action: 'add' | 'remove';
  identity: string;
  votes: number;
  needed: number;
  voters: string[];
  epoch: number;
  /** the epoch's last height: the change is in force from the block after it */
  boundary: number;
}

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
  epochBlocks?: number;
  proposals?: ProposalView[];
  pendingRemovals?: string[];
}

async function authorityStatus(client: NodeClient): Promise<AuthorityStatus & { authorities: string[] }> {
  const s = await client.request<AuthorityStatus>('GET', '/v1/status');
  if (s.consensus !== 'authority' || s.authorities === undefined) {
    throw new GopkgrError('NOT_AUTHORITY_CHAIN', `chain ${s.network} is ${s.consensus ?? 'pow'}: it has no authorities`, { hint: 'point --node at a private chain\'s node' });
  }
  return s as AuthorityStatus & { authorities: string[] };
}

/** `propose add|remove id:HEX`: this identity's vote, signed and submitted (the rules say whether it may vote). */
async function propose(positionals: string[], values: Record<string, unknown>, ctx: Context): Promise<number> {
  const [, action, who] = positionals;
  if ((action !== 'add' && action !== 'remove') || who === undefined || positionals.length !== 3) throw usageError('expected `propose add id:HEX` or `propose remove id:HEX`', usage);
  const identity = parseIdentity(who);
  const client = new NodeClient(ctx.nodeUrl, ctx.token);
  const before = await authorityStatus(client);
  const key = await loadIdentity(ctx.dataDir);
  const receipt = await submitAndWait(ctx, client, key, 'authority-vote', { action, identity }, waitOptions(values));
  const after = receipt.status === 'confirmed' ? await authorityStatus(client) : before;
  const proposal = after.proposals?.find((p) => p.action === action && p.identity === who);
  const tally = proposal === undefined ? '' : `: ${proposal.votes} of ${proposal.needed} votes needed, in force after block ${proposal.boundary} if they are reached`;
  report(ctx, { action, identity: who, tx: receipt.id, status: receipt.status, height: receipt.height ?? null, proposal: proposal ?? null }, [
    `voted to ${action} ${who} ${where(receipt)}${tally}`,
  ]);
  return 0;
}

export const authority: Command = {
  name: 'authority',
  summary: "list a private chain's authorities and votes, or vote to change them",
  usage,
  async run(args, ctx) {
    // One parse for both: the submit options are propose's (list has nothing to wait for).
    const { values, positionals } = parse(args, { ...SUBMIT_OPTIONS }, usage);
    if (positionals[0] === 'propose') return propose(positionals, values, ctx);
    if (positionals[0] !== 'list' || positionals.length !== 1) throw usageError(`unknown authority command "${positionals.join(' ')}"`, usage);
    const s = await authorityStatus(new NodeClient(ctx.nodeUrl, ctx.token));
    const n = s.authorities.length;
    const headSlot = s.slot ?? 0;
    const equivocators = new Set(s.equivocators ?? []);
    const authorities = s.authorities.map((identity, index) => ({ identity, index, equivocated: equivocators.has(identity) }));
    const proposals = s.proposals ?? [];
    report(ctx, {
      chainId: s.chainId, authorities, slotMs: s.slotMs, headSlot, height: s.height, finalized: s.finalized ?? 0, majority: Math.floor(n / 2) + 1,
      epochBlocks: s.epochBlocks ?? null, proposals, pendingRemovals: s.pendingRemovals ?? [],
    }, [
      `chain ${s.network} ${s.chainId.slice(0, 16)}…: ${n} authorities, slot ${s.slotMs} ms, height ${s.height} (final ${s.finalized ?? 0})`,
      ...authorities.map((a) => `  ${a.index}  ${a.identity}${a.index === headSlot % n ? '  (signed the head)' : ''}${a.equivocated ? '  EQUIVOCATED' : ''}`),
      ...(proposals.length === 0 ? [] : ['proposals this epoch:']),
      ...proposals.map((p) => `  ${p.action} ${p.identity}: ${p.votes} of ${p.needed} votes, in force after block ${p.boundary} if reached`),
      ...(s.pendingRemovals ?? []).map((k) => `  remove ${k}: equivocation evidence on chain, leaves after block ${Math.ceil((s.height + 1) / (s.epochBlocks ?? 1)) * (s.epochBlocks ?? 1)}`),
    ]);
    return 0;
  },
};
