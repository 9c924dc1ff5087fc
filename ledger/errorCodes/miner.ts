/** Codes of the proof-of-work miner. */
import type { ErrorCodeInfo } from './types.ts';

export const MINER_CODES = {
  POW_BAD_JOB: { status: 400, blame: 'sender', summary: 'a search job without a header and nonce offset that fit' },
  POW_BAD_OPTIONS: { status: 400, blame: 'sender', summary: 'a thread count out of range' },
  POW_CLOSED: { status: 400, blame: 'none', summary: 'the search was closed' },
  POW_WORKER_FAILED: { status: 500, blame: 'none', summary: 'a proof-of-work thread failed' },
} as const satisfies Record<string, ErrorCodeInfo>;
