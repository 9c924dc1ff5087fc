/**
 * The genesis of a private chain (`gopkgr fork`), documented in docs/PRIVATE.md:
 * the dev chain's ledger parameters under a name of its own, authority
 * consensus, the namespaces it may claim, and the public chain it forks beside.
 * The chain id is the genesis block id, which commits to all of it
 * (ledger/params.ts genesisHeader: txRoot = sha256 of the canonical params).
 */
import { DEV_PARAMS, GopkgrError, isNamespace, parseIdentity, validateParams, type ChainParams } from '../../ledger/index.ts';
import type { ParentChain } from '../../ledger/params.ts';
import { DEFAULT_ANCHOR_DEPTH, DEFAULT_EPOCH_BLOCKS, DEFAULT_SLOT_MS, readAuthorityParams } from '../../consensus/authority/index.ts';

export interface ForkOptions {
  name: string;
  namespaces: string[];
  authorities: string[];
  slotMs?: number;
  epochBlocks?: number;
  /** how far below its public replica's head a block anchors (default DEFAULT_ANCHOR_DEPTH; written out, so the chain id commits to it) */
  anchorDepth?: number;
  /** ms since the epoch; rounded down to a whole second so slots start on one */
  now: number;
  parent?: ParentChain;
}

export function buildGenesis(opts: ForkOptions): ChainParams {
  if (opts.namespaces.length === 0) throw new GopkgrError('USAGE', 'a private chain needs at least one --namespace @ns it may claim');
  for (const ns of opts.namespaces) {
    if (!isNamespace(ns)) throw new GopkgrError('BAD_NAME', `"${ns}" is not a namespace (@name)`);
  }
  if (opts.authorities.length === 0) throw new GopkgrError('USAGE', 'a private chain needs at least one --authority id:HEX to sign its blocks');
  for (const a of opts.authorities) parseIdentity(a);
  const slotMs = opts.slotMs ?? DEFAULT_SLOT_MS;
  const params = validateParams({
    ...DEV_PARAMS,
    name: opts.name,
    blockTimeMs: slotMs,
    genesisTime: Math.floor(opts.now / 1000) * 1000,
    consensus: { kind: 'authority', authorities: [...opts.authorities], slotMs, epochBlocks: opts.epochBlocks ?? DEFAULT_EPOCH_BLOCKS,
      anchorDepth: opts.anchorDepth ?? DEFAULT_ANCHOR_DEPTH },
    namespaces: [...new Set(opts.namespaces)].sort(),
    ...(opts.parent !== undefined ? { parent: opts.parent } : {}),
  });
  readAuthorityParams(params); // every authority rule, before any file is written
  return params;
}
