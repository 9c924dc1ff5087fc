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
