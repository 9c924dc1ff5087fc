/**
 * `gopkgr why NAME`: the chains of requirements that pull NAME into the
 * project, read from the lockfile's tree: each starts at a root requirement (a
 * comment tag's file:line, or the lockfile's `added`) and follows locked deps
 * down to NAME. Shortest chains first; a package reached by many paths (a hub
 * of a 500-package tree) would have too many to print, so the search stops at
 * `limit` chains and says how many it did not follow. npm packages are walked
 * by the location of each copy, as Node resolves them.
 */
import type { Requirement } from '../../resolver/index.ts';
import type { Lockfile } from './lockfile.ts';
import type { LockedNpm } from './npmLock.ts';
import { locationIn, resolvedCopy, type NpmRootRange } from './npmTree.ts';
import { oneLine } from '../printable.ts';

export interface WhyStep {
  name: string;
  version: string;
  /** the range that asked for it (the tag's, or the dependent's dep) */
  range: string;
}

export interface WhyChain {
  /** where the first requirement comes from: `file:line` or `gopkgr.lock "added"` */
  origin: string;
  /** from the root requirement's package down to NAME */
  steps: WhyStep[];
}

/** Partial paths explored at most: bounds the work on a dense graph whatever `limit` is. */
const MAX_PATHS = 50_000;

/** The installed tree as `why` walks it: a node is a gopkgr name, or an npm copy's location. */
interface DependencyGraph {
  step(node: string): { name: string; version: string };
  /** the nodes whose deps reach `node`, with the range each asked with */
  dependents(node: string): ReadonlyArray<{ node: string; range: string }>;
  /** the project's own requirements of `node` */
  roots(node: string): ReadonlyArray<{ origin: string; range: string }>;
}

/** Breadth first, upward from each of `starts`: shortest chains first, at most `limit`. */
function chainsUp(graph: DependencyGraph, starts: readonly string[], limit: number): { chains: WhyChain[]; complete: boolean } {
  const chains: WhyChain[] = [];
  // A partial path is [start, its dependent, ...] with the range each one asked with.
  let queue: Array<{ path: string[]; ranges: string[] }> = starts.map((s) => ({ path: [s], ranges: [] }));
  let explored = 0;
  let complete = true;
  while (queue.length > 0) {
    const next: typeof queue = [];
    for (const { path, ranges } of queue) {
      const top = path[path.length - 1]!;
      for (const r of graph.roots(top)) {
        if (chains.length === limit) return { chains, complete: false };
        const nodes = [...path].reverse();
        const asked = [r.range, ...[...ranges].reverse()];
        chains.push({ origin: r.origin, steps: nodes.map((n, i) => ({ ...graph.step(n), range: asked[i]! })) });
      }
      for (const d of graph.dependents(top)) {
        if (path.includes(d.node)) continue;
        if (++explored > MAX_PATHS) {
          complete = false;
          break;
        }
        next.push({ path: [...path, d.node], ranges: [...ranges, d.range] });
      }
    }
    queue = next;
  }
  return { chains, complete };
}

export function whyChains(lock: Lockfile, roots: readonly Requirement[], name: string, limit = 20): { chains: WhyChain[]; complete: boolean } {
  if (lock.packages[name] === undefined) return { chains: [], complete: true };
  // dependents[dep] = the locked packages whose deps name it, with the range.
  const dependents = new Map<string, Array<{ node: string; range: string }>>();
  for (const [pkg, p] of Object.entries(lock.packages).sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const [dep, range] of Object.entries(p.deps)) if (lock.packages[dep] !== undefined) {
      const list = dependents.get(dep) ?? [];
      list.push({ node: pkg, range });
      dependents.set(dep, list);
    }
  }
  const rootsOf = new Map<string, Array<{ origin: string; range: string }>>();
  for (const r of roots) rootsOf.set(r.name, [...(rootsOf.get(r.name) ?? []), { origin: r.origin ?? 'your project', range: r.range }]);
  return chainsUp({
    step: (n) => ({ name: n, version: lock.packages[n]!.version }),
    dependents: (n) => dependents.get(n) ?? [],
    roots: (n) => rootsOf.get(n) ?? [],
  }, [name], limit);
}

/**
 * The same for an npm package (`npm` section of the lock): every installed copy
 * of the registry name `name`, up through the locked packages Node resolves to
 * each copy from where they sit, to the project's `npm` tags.
 */
export function npmWhyChains(lock: Readonly<Record<string, LockedNpm>>, roots: readonly NpmRootRange[], name: string, limit = 20): { chains: WhyChain[]; complete: boolean } {
  const dependents = new Map<string, Array<{ node: string; range: string }>>();
  for (const [from, p] of Object.entries(lock).sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const [alias, range] of [...Object.entries(p.deps), ...Object.entries(p.optionalDeps ?? {})]) {
      // The copy Node gives this dependent: the nearest node_modules holding the name.
      const to = resolvedCopy(from, alias, (l) => lock[l] !== undefined);
      if (to === undefined) continue;
      const list = dependents.get(to) ?? [];
      if (!list.some((d) => d.node === from)) list.push({ node: from, range });
      dependents.set(to, list);
    }
  }
  const starts = Object.keys(lock).filter((l) => lock[l]!.name === name).sort();
  return chainsUp({
    step: (l) => ({ name: `npm:${lock[l]!.name}`, version: lock[l]!.version }),
    dependents: (l) => dependents.get(l) ?? [],
    roots: (l) => roots.filter((r) => locationIn('', r.name) === l).map((r) => ({ origin: r.origin, range: r.range })),
  }, starts, limit);
}

/** `src/main.ts:1 → @a/top@1.0.0 (^1.0.0) → @a/base@1.0.1 (^1.0.0)` */
export function chainText(c: WhyChain): string {
  // An npm range is a package.json's text (any on chain, 1,024 characters at most): no control character reaches the terminal.
  return oneLine([c.origin, ...c.steps.map((s) => `${s.name}@${s.version} (${s.range})`)].join(' → '));
}
