/**
 * The index of a whole dependency tree in one request: `POST /v1/resolve` with
 * `"index": true` answers the node's own resolution of the requirements and,
 * for every package in it, what `GET /v1/packages/@ns/name` would (node/api/
 * packages.ts). On the 500-package tree of bench/install that is one request
 * of ~100 ms where fetchIndex's waves of GET requests took ~0.9 s.
 *
 * The node's resolution is only a hint: the caller solves again over the
 * returned index, the node's picks preferred (so the same tree comes out, at
 * once), and a node that answered a tree its own index does not support would
 * fail that solve. Undefined whenever the one request cannot stand in for the
 * waves (an older node without the route, a conflict, which the caller explains
 * in its own words after the waves, requirements the request cannot carry):
 * the caller then falls back to fetchIndex. An unreachable node is an error.
 */
import { isGopkgrError, MAX_DEPS } from '../../ledger/index.ts';
import type { Requirement } from '../../resolver/index.ts';
import type { NodeClient } from '../client.ts';
import type { PackageJson } from '../packages.ts';
import { fetchIndex, indexVersionsOf, type FetchedIndex, type PackageSource } from './fetchIndex.ts';
import { phase } from '../timing.ts';

export interface FetchedTree extends FetchedIndex {
  /** name → the version the node resolved it to */
  resolved: Record<string, string>;
}

interface TreeAnswer {
  resolved?: Record<string, { version?: unknown }>;
  packages?: Record<string, PackageJson>;
}

/** The request's requirements: one entry per name (ranges of one name joined, which semver reads as "all of them"). */
function requestBody(requirements: readonly Requirement[]): Record<string, string | { range: string; hash: string }> | undefined {
  const out: Record<string, string | { range: string; hash: string }> = {};
  for (const r of requirements) {
    const had = out[r.name];
    if (had === undefined) out[r.name] = r.hash === undefined ? r.range : { range: r.range, hash: r.hash };
    else if (typeof had === 'string' && r.hash === undefined) out[r.name] = `${had} ${r.range}`;
    else return undefined;
  }
  return Object.keys(out).length <= MAX_DEPS ? out : undefined;
}

/** A chain tag naming another node's URL (fetchIndex asks it first): one request to `client` cannot answer for that name. */
export function namesOtherNodes(chains: Readonly<Record<string, string>> | undefined, client: NodeClient): boolean {
  return Object.values(chains ?? {}).some((c) => /^https?:\/\//.test(c) && c.replace(/\/+$/, '') !== client.url);
}

export async function fetchTree(requirements: readonly Requirement[], client: NodeClient): Promise<FetchedTree | undefined> {
  const body = requestBody(requirements);
  if (body === undefined || requirements.length === 0) return undefined;
  let answer: TreeAnswer;
  try {
    answer = await client.request<TreeAnswer>('POST', '/v1/resolve', JSON.stringify({ requirements: body, index: true }), 'application/json');
  } catch (err) {
    if (isGopkgrError(err, 'NODE_UNREACHABLE')) throw err;
    return undefined;
  }
  if (answer.resolved === undefined || answer.packages === undefined) return undefined;
  const out: FetchedTree = { packages: new Map(), sources: new Map(), views: new Map(), resolved: {} };
  for (const [name, r] of Object.entries(answer.resolved)) {
    const pkg = answer.packages[name];
    if (typeof r?.version !== 'string' || !Array.isArray(pkg?.versions)) return undefined;
    out.resolved[name] = r.version;
    out.packages.set(name, indexVersionsOf(pkg));
    out.sources.set(name, client.url);
    out.views.set(name, pkg);
  }
  return out;
}

/**
 * The whole index fetchIndex's waves would bring (every name any version of any
 * reached package depends on), from one POST /v1/resolve and GET requests only
 * for what its answer leaves out: the node's answer holds every version of the
 * packages in its own resolution, and a version it did not pick may depend on
 * a name outside that tree. `update` needs them all, since it solves without
 * the preferences the node's pick was made with. Undefined when the tree
 * request cannot stand in (see fetchTree): the caller asks by waves.
 */
export async function fetchTreeIndex(requirements: readonly Requirement[], client: NodeClient, source: PackageSource): Promise<FetchedTree | undefined> {
  const tree = await fetchTree(requirements, client);
  if (tree === undefined) return undefined;
  phase(`tree: POST /v1/resolve answered ${tree.packages.size} packages`);
  const covered = new Set(tree.packages.keys());
  const missing = new Set<string>();
  for (const versions of tree.packages.values()) for (const v of versions) for (const dep of Object.keys(v.deps)) if (!covered.has(dep)) missing.add(dep);
  if (missing.size === 0) return tree;
  const rest = await fetchIndex(missing, source, {}, covered);
  phase(`tree: ${missing.size} names the answer left out asked by GET`);
  for (const [name, versions] of rest.packages) tree.packages.set(name, versions);
  for (const [name, url] of rest.sources) tree.sources.set(name, url);
  for (const [name, view] of rest.views) tree.views.set(name, view);
  return tree;
}
