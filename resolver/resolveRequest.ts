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
import { satisfies, stateIndex, type VersionIndex } from './versionIndex.ts';

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

/**
 * Read every package a solve of `requirements` can reach before solving: the
 * versions that meet a range asked of them, and their dependencies, level by
 * level. A node reads its state on demand, and a run over keys not loaded yet
 * goes on as if they were absent, then loads them all and runs again
 * (node/state/stateStore.ts). The solver stops at the first package it finds
 * missing, so a cold tree of 500 packages cost it about one run per package
 * (~4 s); this walk misses a whole level at once, and the solver then reads
 * what is loaded. Over a state held whole the walk costs ~2 ms for those 500.
 */
function readReachable(index: VersionIndex, requirements: readonly Requirement[]): void {
  const asked = new Map<string, Set<string>>();
  let level: Array<[string, string]> = requirements.map((r) => [r.name, r.range]);
  while (level.length > 0) {
    const next: Array<[string, string]> = [];
    for (const [name, range] of level) {
      let ranges = asked.get(name);
      if (ranges === undefined) asked.set(name, (ranges = new Set()));
      if (ranges.has(range)) continue;
      ranges.add(range);
      for (const v of index.versions(name) ?? []) {
        if (satisfies(v.version, range)) for (const dep of Object.entries(v.deps)) next.push(dep);
      }
    }
    level = next;
  }
}

export function resolveRequest(state: StateReader, body: unknown): ResolveResponse {
  const requirements = parseRequirements(body);
  const index = stateIndex(state);
  readReachable(index, requirements);
  const solution = solve(index, requirements, { rootName: 'the request' });
  const resolved: ResolveResponse['resolved'] = {};
  const lock: Record<string, string> = {};
  for (const [name, v] of solution.selected) {
    resolved[name] = { version: v.version, contentHash: v.contentHash, deps: v.deps };
    lock[`${name}@${v.version}`] = v.contentHash;
  }
  return { resolved, lock };
}
