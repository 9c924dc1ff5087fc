/**
 * Limits of the node itself, not of the ledger: what a node stores and queues.
 * Peers may choose differently without disagreeing on the chain.
 */

/** Tarballs larger than this are not packages but data dumps. */
export const MAX_BLOB_BYTES = 32 * 1024 * 1024;
/** Mempool: per-sender chain of pending txs, and the whole pool. */
export const MEMPOOL_MAX_PER_SENDER = 64;
export const MEMPOOL_MAX_TXS = 20_000;
/**
 * One `POST /v1/chain/import` body (a chain file, streamed to disk): the CLI sends a file in parts of
 * a few MiB, so this only has to hold one block with the tarballs it names.
 */
export const MAX_CHAIN_IMPORT_BYTES = 1024 * 1024 * 1024;
/**
 * One `POST /v1/blobs` batch: at most this many hashes (a 500-package install
 * asks in a few batches; the body stays under 64 KiB), and blobs up to this
 * many bytes in one answer (the rest are left out, for the client to ask again:
 * the node reads one blob at a time, so this bounds the answer, not memory).
 */
export const MAX_BLOB_BATCH_HASHES = 512;
export const MAX_BLOB_BATCH_BYTES = 2 * MAX_BLOB_BYTES;
