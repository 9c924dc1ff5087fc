/**
 * `POST /v1/resolve`: resolve a group of requirements against the node's state in
 * one request ("centralized dependency trees").
 *   request  {"requirements": {"@ns/name": "range" | {"range": "...", "hash": "<sha256 hex>"}}}
 *   response {"resolved": {"@ns/name": {"version","contentHash","deps"}}, "lock": {"@ns/name@version": "<sha256 hex>"}}
 * With `"index": true` in the request, the node's route adds `"packages"`: for each
 * resolved name, what `GET /v1/packages/@ns/name` answers (node/api/packages.ts).
 * A failure is RESOLVE_CONFLICT (409) with the explanation as its message.
 */
import { GopkgrError } from '../ledger/errors.ts';
import { MAX_DEPS } from '../ledger/constants.ts';
import { isRange, parseFullName } from '../ledger/names.ts';
import type { StateReader } from '../ledger/state.ts';
import type { Requirement } from './incompatibility.ts';
import { solve } from './solve.ts';
import { stateIndex } from './versionIndex.ts';

export interface ResolveResponse {
  resolved: Record<string, { version: string; contentHash: string; deps: Record<string, string> }>;
  lock: Record<string, string>;
}

function bad(message: string): never {
  throw new GopkgrError('BAD_REQUEST', message);
}

export function parseRequirements(body: unknown): Requirement[] {
  const reqs = (body as { requirements?: unknown } | null)?.requirements;
  if (reqs === null || typeof reqs !== 'object' || Array.isArray(reqs)) bad('request body needs "requirements": {"@ns/name": "range"}');
  const entries = Object.entries(reqs as Record<string, unknown>);
  if (entries.length > MAX_DEPS) bad(`at most ${MAX_DEPS} requirements per request, got ${entries.length}`);
  return entries.map(([name, spec]) => {
    const { ns, name: short } = parseFullName(name);
    const full = `${ns}/${short}`;
    const range = typeof spec === 'string' ? spec : (spec as { range?: unknown } | null)?.range ?? '*';
    const hash = typeof spec === 'object' && spec !== null ? (spec as { hash?: unknown }).hash : undefined;
    if (!isRange(range)) bad(`requirements["${full}"] range is not a semver range`);
    if (hash !== undefined && (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash))) bad(`requirements["${full}"].hash must be a sha256 (64 lowercase hex digits)`);
    return hash === undefined ? { name: full, range } : { name: full, range, hash };
  });
}

export function resolveRequest(state: StateReader, body: unknown): ResolveResponse {
  const solution = solve(stateIndex(state), parseRequirements(body), { rootName: 'the request' });
  const resolved: ResolveResponse['resolved'] = {};
  const lock: Record<string, string> = {};
  for (const [name, v] of solution.selected) {
    resolved[name] = { version: v.version, contentHash: v.contentHash, deps: v.deps };
    lock[`${name}@${v.version}`] = v.contentHash;
  }
  return { resolved, lock };
}
