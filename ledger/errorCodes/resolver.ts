/** Codes of the PubGrub resolver. */
import type { ErrorCodeInfo } from './types.ts';

export const RESOLVER_CODES = {
  RESOLVE_CONFLICT: { status: 409, blame: 'sender', summary: 'no set of versions satisfies the requirements' },
  RESOLVE_TOO_HARD: { status: 422, blame: 'none', summary: 'the solver gave up after its step budget' },
  RESOLVE_INTERNAL: { status: 500, blame: 'none', summary: 'the solver reached a state it cannot be in' },
} as const satisfies Record<string, ErrorCodeInfo>;
