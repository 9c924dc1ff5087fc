/**
 * The authority set of a private chain as state (DESIGN.md "Consensus"): votes
 * to add or remove an authority, equivocation evidence, and the epoch boundary
 * at which both take effect. Pure, like every rule: the set in force, the
 * proposals of the running epoch and the offenders awaiting removal live in one
 * state record (`authority`); the genesis's list is the set until a boundary
 * changes it.
 *
 * Epochs: a block at height h (h ≥ 1) is in epoch ceil(h / epochBlocks); the
 * last block of an epoch (a height that is a multiple of epochBlocks) is its
 * boundary. After the boundary block's txs, every proposal voted for by a
 * majority of the set in force is applied (in the order it was first proposed),
 * then every offender is removed; the proposals and offenders are cleared. The
 * result is the set in force from the next block on. A change that would empty
 * the set, or grow it past MAX_AUTHORITIES, is skipped there (and refused at
 * vote time).
 *
 * Evidence is checked by a hook (the consensus knows headers and seals; the
 * ledger does not look inside them): RuleHooks.checkEquivocation.
 */
import { GopkgrError, type ErrorCode } from './errors.ts';
import { toHex } from './encoding.ts';
import { parseIdentity } from './crypto.ts';
import type { ChainParams } from './params.ts';
import { keys, type AuthorityState, type EvidenceRecord, type StateOverlay, type StateReader } from './state.ts';

export type { AuthorityProposal, AuthorityState, EvidenceRecord } from './state.ts';
import type { AuthorityVoteBody, EvidenceBody } from './tx.ts';

/** Most authorities a set may hold (as consensus/authority/params.ts bounds the genesis's). */
export const MAX_AUTHORITY_SET = 256;

/** What the evidence rule asks of the consensus: the offender's key (hex) if `a` and `b` prove an equivocation by a member of `set`, EVIDENCE_INVALID otherwise. */
export type EquivocationCheck = (a: Uint8Array, b: Uint8Array, set: readonly string[]) => string;

function reject(code: ErrorCode, message: string, hint?: string): never {
  throw new GopkgrError(code, message, hint === undefined ? undefined : { hint });
}

/** The epoch a block at `height` belongs to (genesis: 0). */
export function epochOf(height: number, epochBlocks: number): number {
  return Math.ceil(height / epochBlocks);
}

/** Whether a block at `height` closes its epoch (after its txs, the votes are tallied). */
export function isEpochBoundary(height: number, epochBlocks: number): boolean {
  return height > 0 && height % epochBlocks === 0;
}

/** The chain's epoch length, or undefined when the chain is not sealed by authorities. */
export function epochBlocksOf(params: ChainParams): number | undefined {
  const c = params.consensus;
  if (c?.kind !== 'authority' || typeof c.epochBlocks !== 'number') return undefined;
  return c.epochBlocks;
}

/** The genesis's authorities as hex keys (turn order). */
export function genesisAuthorities(params: ChainParams): string[] {
  const list = params.consensus?.authorities;
  if (!Array.isArray(list)) return [];
  return list.map((a) => toHex(parseIdentity(a as string)));
}

/** A majority of a set of `n`. */
export function majorityOf(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** The authority record: the genesis's set and nothing pending until a vote or a boundary writes one. */
export function authorityStateOf(s: StateReader, params: ChainParams): AuthorityState {
  return (s.get(keys.authority) as AuthorityState | undefined) ?? { set: genesisAuthorities(params), proposals: [], offenders: [] };
}

function requireAuthorityChain(params: ChainParams, what: string): number {
  const epochBlocks = epochBlocksOf(params);
  if (epochBlocks === undefined) reject('TX_NOT_AUTHORITY_CHAIN', `this chain is sealed by ${params.consensus?.kind ?? 'pow'}, which has no authorities: ${what} has no meaning here`);
  return epochBlocks;
}

export function applyAuthorityVote(s: StateOverlay, from: string, body: AuthorityVoteBody, params: ChainParams, height: number): void {
  // Rule: votes exist only on a chain sealed by authorities.
  const epochBlocks = requireAuthorityChain(params, 'an authority vote');
  const state = authorityStateOf(s, params);
  const identity = toHex(body.identity);
  // Rule: only a member of the set in force votes.
  if (!state.set.includes(from)) reject('TX_NOT_AUTHORITY', `id:${from} is not an authority of this chain and cannot vote`, 'sign the vote with an authority\'s identity (`gopkgr authority list` shows them)');
  const member = state.set.includes(identity);
  // Rule: an addition names a newcomer, a removal a member.
  if (body.action === 'add' && member) reject('TX_AUTHORITY_ALREADY_MEMBER', `id:${identity} is already an authority`);
  if (body.action === 'remove' && !member) reject('TX_AUTHORITY_NOT_MEMBER', `id:${identity} is not an authority, so it cannot be removed`);
  // Rule: the set never becomes empty, nor larger than MAX_AUTHORITY_SET.
  if (body.action === 'remove' && state.set.length === 1) reject('TX_AUTHORITY_SET_EMPTY', `id:${identity} is the only authority: removing it would leave the chain without a signer`, 'vote to add another authority first');
  if (body.action === 'add' && state.set.length >= MAX_AUTHORITY_SET) reject('TX_AUTHORITY_SET_FULL', `the set already holds ${MAX_AUTHORITY_SET} authorities`);
  const epoch = epochOf(height, epochBlocks);
  const at = state.proposals.findIndex((p) => p.action === body.action && p.identity === identity && p.epoch === epoch);
  const proposal = at < 0 ? { action: body.action, identity, epoch, voters: [] } : state.proposals[at]!;
  // Rule: one vote per authority, proposal and epoch.
  if (proposal.voters.includes(from)) reject('TX_DUPLICATE_VOTE', `id:${from.slice(0, 16)}… already voted to ${body.action} id:${identity.slice(0, 16)}… in epoch ${epoch}`);
  const next = { ...proposal, voters: [...proposal.voters, from] };
  const proposals = at < 0 ? [...state.proposals, next] : state.proposals.map((p, i) => (i === at ? next : p));
  s.set(keys.authority, { ...state, proposals });
}

export function applyEvidence(s: StateOverlay, from: string, body: EvidenceBody, params: ChainParams, height: number, txId: string, check: EquivocationCheck | undefined): void {
  // Rule: evidence exists only on a chain sealed by authorities.
  requireAuthorityChain(params, 'equivocation evidence');
  if (check === undefined) reject('TX_NOT_AUTHORITY_CHAIN', 'this node has no check for equivocation evidence on this chain');
  const state = authorityStateOf(s, params);
  // Rule: the two headers prove an equivocation by a member of the set in force (EVIDENCE_INVALID otherwise).
  const offender = check(body.a, body.b, state.set);
  // Rule: evidence against one offender is recorded once.
  if (s.get(keys.evidence(offender)) !== undefined) reject('TX_EVIDENCE_RECORDED', `the chain already holds evidence against id:${offender}`);
  const record: EvidenceRecord = { offender, from, height, txId };
  s.set(keys.evidence(offender), record);
  s.set(keys.authority, { ...state, offenders: [...state.offenders, offender] });
}

/**
 * The epoch boundary (a block at a multiple of epochBlocks, after its txs):
 * passed proposals take effect, offenders leave. Reads the record always, so a
 * caller that loads state as the rules ask for it holds it afterwards.
 */
export function applyEpochBoundary(s: StateOverlay, params: ChainParams): void {
  const state = authorityStateOf(s, params);
  let set = [...state.set];
  const majority = majorityOf(state.set.length);
  for (const p of state.proposals) {
    if (p.voters.length < majority) continue;
    if (p.action === 'add' && !set.includes(p.identity) && set.length < MAX_AUTHORITY_SET) set = [...set, p.identity];
    if (p.action === 'remove' && set.includes(p.identity) && set.length > 1) set = set.filter((k) => k !== p.identity);
  }
  for (const offender of state.offenders) {
    if (set.includes(offender) && set.length > 1) set = set.filter((k) => k !== offender);
  }
  s.set(keys.authority, { set, proposals: [], offenders: [] });
}
