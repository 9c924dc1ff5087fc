/**
 * An authority chain's parameters, read from the genesis's `consensus` object
 * (ledger/params.ts keeps it as written):
 *   {"kind": "authority", "authorities": ["id:<hex>", ...], "slotMs": 2000, "epochBlocks": 100, "anchorDepth": 6}
 * `authorities` is the turn order: slot s belongs to authorities[s mod n].
 * `anchorDepth` (absent: DEFAULT_ANCHOR_DEPTH; `gopkgr fork` writes it) is how far
 * below its public replica's head a producer anchors its block (anchor.ts).
 */
import { GopkgrError } from '../../ledger/errors.ts';
import { parseIdentity } from '../../ledger/crypto.ts';
import { toHex } from '../../ledger/encoding.ts';
import type { ChainParams } from '../../ledger/params.ts';
import type { AuthorityParams } from '../types.ts';

/** The default slot: long enough for a block to cross a small private network, short enough to feel instant. */
export const DEFAULT_SLOT_MS = 2_000;
export const DEFAULT_EPOCH_BLOCKS = 100;
/** Slots shorter than this leave no time to build, sign and gossip a block. */
export const MIN_SLOT_MS = 100;
export const MAX_AUTHORITIES = 256;
/** Public blocks this deep are past the reorgs a proof-of-work chain sees in practice (Bitcoin's six confirmations). */
export const DEFAULT_ANCHOR_DEPTH = 6;
export const MAX_ANCHOR_DEPTH = 10_000;

/** The checked parameters with the authorities' keys decoded once. */
export interface AuthoritySet extends AuthorityParams {
  readonly keys: readonly Uint8Array[];
  /** hex of each key, in turn order */
  readonly hexKeys: readonly string[];
  /** distinct signers whose blocks make their ancestors final: a majority */
  readonly majority: number;
}

function invalid(field: string, what: string): never {
  throw new GopkgrError('GENESIS_INVALID', `chain parameter "consensus.${field}" ${what}`);
}

export function readAuthorityParams(params: ChainParams): AuthoritySet {
  const c = params.consensus as Record<string, unknown> | undefined;
  if (c === undefined || c.kind !== 'authority') invalid('kind', 'must be "authority"');
  const list = c.authorities;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_AUTHORITIES) invalid('authorities', `must list 1 to ${MAX_AUTHORITIES} identities`);
  const keys = list.map((a: unknown, i: number) => {
    try {
      return parseIdentity(a as string);
    } catch {
      return invalid(`authorities[${i}]`, 'must be an identity, id:<66 hex digits of a compressed secp256k1 key>');
    }
  });
  const hexKeys = keys.map(toHex);
  if (new Set(hexKeys).size !== hexKeys.length) invalid('authorities', 'must not name an identity twice');
  const slotMs = c.slotMs;
  if (typeof slotMs !== 'number' || !Number.isSafeInteger(slotMs) || slotMs < MIN_SLOT_MS) invalid('slotMs', `must be an integer of at least ${MIN_SLOT_MS}`);
  const epochBlocks = c.epochBlocks;
  if (typeof epochBlocks !== 'number' || !Number.isSafeInteger(epochBlocks) || epochBlocks < 1) invalid('epochBlocks', 'must be a positive integer');
  const anchorDepth = c.anchorDepth ?? DEFAULT_ANCHOR_DEPTH;
  if (typeof anchorDepth !== 'number' || !Number.isSafeInteger(anchorDepth) || anchorDepth < 0 || anchorDepth > MAX_ANCHOR_DEPTH) {
    invalid('anchorDepth', `must be an integer from 0 to ${MAX_ANCHOR_DEPTH}`);
  }
  return {
    kind: 'authority', authorities: list as string[], slotMs, epochBlocks, anchorDepth, keys, hexKeys,
    majority: Math.floor(keys.length / 2) + 1,
  };
}
