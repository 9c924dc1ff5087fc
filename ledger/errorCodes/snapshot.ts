/** Codes of state snapshots: joining a chain from a checkpoint instead of replaying it. */
import type { ErrorCodeInfo } from './types.ts';

export const SNAPSHOT_CODES = {
  CHECKPOINT_INVALID: { status: 400, blame: 'none', summary: 'a --checkpoint that is not HEIGHT:BLOCKID:STATEROOT' },
  CHECKPOINT_MISMATCH: { status: 500, blame: 'none', summary: 'the chain the peers serve does not pass through the trusted checkpoint' },
  SNAPSHOT_BAD_HEADER: { status: 400, blame: 'sender', summary: 'a snapshot header that does not decode, is for another chain or is not signed by its signer' },
  SNAPSHOT_BAD_RECORDS: { status: 400, blame: 'sender', summary: 'a snapshot record stream that breaks its framing, order or announced size' },
  SNAPSHOT_ROOT_MISMATCH: { status: 400, blame: 'sender', summary: 'snapshot records that do not hash to the state root they were announced with' },
  SNAPSHOT_UNAVAILABLE: { status: 503, blame: 'none', summary: 'no reachable peer serves a snapshot this node trusts' },
} as const satisfies Record<string, ErrorCodeInfo>;
