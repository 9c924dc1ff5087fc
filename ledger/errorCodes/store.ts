/** Codes of the node's stores: the LevelDB database and the content-addressed blobs (tarballs, manifests). */
import type { ErrorCodeInfo } from './types.ts';

export const STORE_CODES = {
  STORE_LOCKED: { status: 500, blame: 'none', summary: 'the database cannot be opened (another process holds it)' },
  CHAIN_MISMATCH: { status: 500, blame: 'none', summary: 'the data dir holds another chain' },
  BLOB_BAD_HASH: { status: 400, blame: 'sender', summary: 'not a sha256 (64 lowercase hex digits)' },
  BLOB_HASH_MISMATCH: { status: 400, blame: 'sender', summary: 'blob bytes do not hash to the name they were sent under' },
  BLOB_TOO_LARGE: { status: 413, blame: 'sender', summary: 'a blob larger than MAX_BLOB_BYTES' },
  BLOB_QUOTA_EXCEEDED: { status: 429, blame: 'none', summary: 'the uploader\'s room for tarballs no tx names yet is used up' },
} as const satisfies Record<string, ErrorCodeInfo>;
