/** Limits of the ledger, each with the reason for its size. */

/** A tx carries at most a manifest and a lock tree; 256 KiB holds a large package's API. */
export const MAX_TX_BYTES = 256 * 1024;
/** A block is bounded so that a peer can validate it in about a second on one core. */
export const MAX_BLOCK_BYTES = 4 * 1024 * 1024;
/** Enough for many txs per block while keeping a single block's validation short. */
export const MAX_BLOCK_TXS = 5_000;
/**
 * Validation cost a block's txs may add up to (ledger/blockCost.ts: units of about a
 * microsecond). Chosen with bench/blockCost.ts so that a block at the limit applies
 * in about a second on a loaded 2-core machine, whatever kind of txs it holds.
 */
export const MAX_BLOCK_COST = 1_000_000;
/** Median of this many ancestors' timestamps bounds a new block's time from below (as Bitcoin). */
export const MEDIAN_TIME_SPAN = 11;
/** How far ahead of the local clock a block's time may be. */
export const MAX_FUTURE_BLOCK_MS = 2 * 60 * 60 * 1000;
/** Deps and lock entries per version: generous for real packages, bounded for validation cost. */
export const MAX_DEPS = 512;
export const MAX_LOCK_ENTRIES = 4_096;
/** Domain separation for the bytes that get signed. */
export const TX_SIGN_DOMAIN = 'gopkgr/tx/v1';
export const ROTATE_SIGN_DOMAIN = 'gopkgr/rotate/v1';
/** An advisory's text, in characters: a paragraph and a link, not a report (the report lives where the link points). */
export const MAX_ADVISORY_TEXT = 1024;
/** Advisories one package may carry: each advisory tx copies the package's list, so the list is bounded. */
export const MAX_ADVISORIES_PER_PACKAGE = 256;
/**
 * Search tokens (exported names) indexed per package, and their length: the
 * newest version's API manifest writes one `word:` record per token, so a
 * publish adds at most this many records; a package exporting more (a large
 * barrel file) is found by its first 256 names in sorted order, and by its name.
 */
export const MAX_SEARCH_TOKENS = 256;
export const MAX_SEARCH_TOKEN_LENGTH = 64;
/** A package description, in characters (npm's are a line; this leaves room for a long one, not a README). */
export const MAX_DESCRIPTION_LENGTH = 512;
/** Description words indexed per package (`desc:` records, ledger/searchTokens.ts): the first distinct ones. */
export const MAX_DESCRIPTION_TOKENS = 64;
