/**
 * Building the resolver's version index from nodes over HTTP: starting from the
 * requested names, fetch `GET /v1/packages/@ns/name` for every name any version
 * depends on, a wave at a time in parallel, until the set is closed. Each name is
 * asked of one place only (PackageSource): never of a second node when the first
 * fails, which would hand a private name to whoever answers next. Where each
 * package was found is kept so its tarballs come from the same node.
 */
import { GopkgrError } from '../../ledger/index.ts';
import type { IndexVersion } from '../../resolver/index.ts';
import { NodeClient } from '../client.ts';
import type { PackageJson } from '../packages.ts';

/** A node's answer is checked before the resolver trusts it: a bump is one of three words. */
function isBump(x: unknown): x is 'major' | 'minor' | 'patch' {
  return x === 'major' || x === 'minor' || x === 'patch';
}

export interface FetchedIndex {
  /** name → versions (absent: on no node) */
  packages: Map<string, IndexVersion[]>;
  /** name → URL of the node that answered */
  sources: Map<string, string>;
  /** name → the node's whole answer (deprecation reasons, advisories: what get's notices read) */
  views: Map<string, PackageJson>;
}

/** Parallel requests per wave: enough to hide latency without flooding one node. */
const CONCURRENCY = 16;

export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return out;
}

/** The resolver's entries for a package as a node answers GET /v1/packages/@ns/name (versions checked to be a list by the caller). */
export function indexVersionsOf(pkg: PackageJson): IndexVersion[] {
  return pkg.versions.map((v) => {
    const entry: IndexVersion = { version: v.version, contentHash: v.contentHash, deps: v.deps ?? {}, deprecated: v.deprecated === true, lock: v.lock ?? {} };
    const b = v.breakingByInference;
    if (b !== undefined && typeof b.prev === 'string' && Array.isArray(b.testers)) {
      entry.breakingByInference = { prev: b.prev, testers: b.testers.map(String), ...(Array.isArray(b.dependents) ? { dependents: b.dependents.map(String) } : {}) };
    }
    const m = v.misversioned;
    if (m !== undefined && typeof m.prev === 'string' && isBump(m.claimed) && isBump(m.verdict) && Array.isArray(m.testers)) {
      entry.misversioned = { prev: m.prev, claimed: m.claimed, verdict: m.verdict, testers: m.testers.map(String) };
    }
    return entry;
  });
}

/**
 * Where the versions of a name come from: a node (no gopkgr.json) or the router
 * of a project file (cli/project/), which asks each name of one registry only.
 * `url` names the node that answered, so the tarballs come from it too.
 */
export interface PackageSource {
  lookup(name: string): Promise<{ pkg: PackageJson; url: string } | undefined>;
}

/**
 * Without a project file: a name whose tag holds a node URL is asked there, every
 * other name of the default node. One node per name and no fallthrough: a tagged
 * node that is down fails the command rather than sending the name elsewhere.
 */
export function nodeSource(defaultNode: NodeClient, chains: Readonly<Record<string, string>> = {}): PackageSource {
  const tagged = new Map<string, NodeClient>();
  return {
    async lookup(name) {
      const chain = chains[name]?.replace(/\/+$/, '');
      let client = defaultNode;
      if (chain !== undefined && /^https?:\/\//.test(chain) && chain !== defaultNode.url) {
        client = tagged.get(chain) ?? new NodeClient(chain);
        tagged.set(chain, client);
      }
      const pkg = await client.getOptional<PackageJson>(`/v1/packages/${name}`);
      return pkg === undefined ? undefined : { pkg, url: client.url };
    },
  };
}

/** `known`: packages whose versions the caller already has (a lockfile's): not asked for, and their deps not followed. */
export async function fetchIndex(roots: Iterable<string>, from: NodeClient | PackageSource, chains: Readonly<Record<string, string>> = {}, known: ReadonlySet<string> = new Set()): Promise<FetchedIndex> {
  const source = from instanceof NodeClient ? nodeSource(from, chains) : from;
  const packages = new Map<string, IndexVersion[]>();
  const sources = new Map<string, string>();
  const views = new Map<string, PackageJson>();
  const seen = new Set<string>(known);
  let wave = [...new Set(roots)].filter((n) => !known.has(n)).sort();
  while (wave.length > 0) {
    for (const n of wave) seen.add(n);
    const found = await mapLimit(wave, CONCURRENCY, (name) => source.lookup(name));
    const next = new Set<string>();
    wave.forEach((name, i) => {
      const hit = found[i];
      if (hit === undefined) return;
      if (!Array.isArray(hit.pkg.versions)) throw new GopkgrError('NODE_BAD_ANSWER', `${hit.url} answered /v1/packages/${name} without a versions list`);
      packages.set(name, indexVersionsOf(hit.pkg));
      sources.set(name, hit.url);
      views.set(name, hit.pkg);
      for (const v of hit.pkg.versions) for (const dep of Object.keys(v.deps ?? {})) if (!seen.has(dep)) next.add(dep);
    });
    wave = [...next].sort();
  }
  return { packages, sources, views };
}
