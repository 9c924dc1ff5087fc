/** GET /v1/status: the chain's head and this node's view of the network. */
import type { ApiContext } from './types.ts';
import { route, type Route } from './router.ts';
import { send } from './respond.ts';
import type { AuthorityConsensus } from '../../consensus/index.ts';
import type { Chain } from '../chain.ts';
import { authorityStateOf } from '../../ledger/authorityVote.ts';

/**
 * What the chain's consensus adds to the status: its kind, the newest final block, and an authority
 * chain's set in force (turn order), its epoch length, and the running epoch's proposals with their
 * votes and the boundary height after which each would take effect (ledger/authorityVote.ts).
 */
async function consensusStatus(chain: Chain): Promise<Record<string, unknown>> {
  const consensus = chain.consensus;
  if (consensus.kind !== 'authority') return { consensus: consensus.kind, finalized: chain.finalizedHeight() };
  const authority = consensus as AuthorityConsensus;
  const set = authority.setOf(chain.authoritiesAt(chain.head.id));
  const state = await chain.state.read((s) => authorityStateOf(s, chain.params));
  const epochBlocks = authority.set.epochBlocks;
  const proposals = state.proposals.map((p) => ({
    action: p.action, identity: `id:${p.identity}`, votes: p.voters.length, needed: set.majority,
    voters: p.voters.map((v) => `id:${v}`), epoch: p.epoch, boundary: p.epoch * epochBlocks,
  }));
  return {
    consensus: 'authority', finalized: chain.finalizedHeight(), authorities: [...set.authorities], slotMs: set.slotMs,
    epochBlocks, proposals, pendingRemovals: state.offenders.map((k) => `id:${k}`),
    ...(typeof chain.head.slot === 'number' ? { slot: chain.head.slot } : {}),
    equivocators: chain.equivocators().map((k) => `id:${k}`),
    ...(chain.params.namespaces !== undefined ? { namespaces: chain.params.namespaces } : {}),
  };
}

export function statusRoutes({ node, extras }: ApiContext): Route[] {
  const chain = node.chain;
  return [
    route('GET', /^\/v1\/status$/, async ({ res }) => {
      const head = chain.head;
      send(res, 200, {
        chainId: chain.chainIdHex, network: chain.params.name, height: head.height, head: head.id, work: head.work, time: head.time,
        mempool: node.mempool.size, txWorkBits: chain.params.txWorkBits,
        // InfVer: the TypeScript testers' checkers must run to attest verdicts (absent when the chain pins none).
        ...(chain.params.infverTypescript !== undefined ? { infverTypescript: chain.params.infverTypescript } : {}),
        ...(await consensusStatus(chain)),
        peerId: null, addresses: [], peers: 0, ...(extras.status?.() ?? {}),
      });
    }),
  ];
}
