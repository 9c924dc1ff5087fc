/**
 * Every error code of the project, in one registry (like Node's
 * internal/errors.js). It lives in ledger/, the lowest floor, because every
 * floor throws GopkgrError and ledger/ may import nothing above it; the tables
 * are split by the area that throws them. A code is added here before it is
 * thrown (the type makes a typo fail to compile), and removed when nothing
 * throws it any more (test/ledger/errorCodes.test.ts finds stale ones).
 */
import { API_CODES } from './api.ts';
import { CHAIN_CODES } from './chain.ts';
import { CLI_CODES } from './cli.ts';
import { INFVER_CODES } from './infver.ts';
import { LEDGER_CODES } from './ledger.ts';
import { MINER_CODES } from './miner.ts';
import { NETWORK_CODES } from './network.ts';
import { PROJECT_CODES } from './project.ts';
import { RESOLVER_CODES } from './resolver.ts';
import { SNAPSHOT_CODES } from './snapshot.ts';
import { STORE_CODES } from './store.ts';
import { TESTER_CODES } from './tester.ts';
import type { ErrorCodeInfo } from './types.ts';

export type { Blame, ErrorCodeInfo } from './types.ts';

/** The tables by area; a code belongs to exactly one (the test checks). */
export const ERROR_CODE_AREAS = {
  ledger: LEDGER_CODES,
  chain: CHAIN_CODES,
  store: STORE_CODES,
  snapshot: SNAPSHOT_CODES,
  network: NETWORK_CODES,
  api: API_CODES,
  resolver: RESOLVER_CODES,
  infver: INFVER_CODES,
  tester: TESTER_CODES,
  miner: MINER_CODES,
  cli: CLI_CODES,
  project: PROJECT_CODES,
} as const;

export const ERROR_CODES = {
  ...LEDGER_CODES, ...CHAIN_CODES, ...STORE_CODES, ...SNAPSHOT_CODES, ...NETWORK_CODES, ...API_CODES,
  ...RESOLVER_CODES, ...INFVER_CODES, ...TESTER_CODES, ...MINER_CODES, ...CLI_CODES,
  ...PROJECT_CODES,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Narrow a code read from outside (a decoded peer message, an HTTP body) to a
 * known one. Own properties only: "constructor" or "__proto__" are not codes.
 */
export function isErrorCode(text: unknown): text is ErrorCode {
  return typeof text === 'string' && Object.hasOwn(ERROR_CODES, text);
}

export function errorCodeInfo(code: ErrorCode): ErrorCodeInfo {
  return ERROR_CODES[code];
}
