/**
 * `gopkgr why NAME`: the chains of requirements that pull NAME into the
 * project, read from the lockfile's tree: each starts at a root requirement (a
 * comment tag's file:line, or the lockfile's `added`) and follows locked deps
 * down to NAME. Shortest chains first; a package reached by many paths (a hub
 * of a 500-package tree) would have too many to print, so the search stops at
 * `limit` chains and says how many it did not follow.
 */
import type { Requirement } from '../../resolver/index.ts';
import type { Lockfile } from './lockfile.ts';

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

export function whyChains(lock: Lockfile, roots: readonly Requirement[], name: string, limit = 20): { chains: WhyChain[]; complete: boolean } {
  // dependents[dep] = the locked packages whose deps name it, with the range.
  const dependents = new Map<string, Array<{ name: string; range: string }>>();
  for (const [pkg, p] of Object.entries(lock.packages).sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const [dep, range] of Object.entries(p.deps)) if (lock.packages[dep] !== undefined) {
      const list = dependents.get(dep) ?? [];
      list.push({ name: pkg, range });
      dependents.set(dep, list);
    }
  }
  const rootsOf = new Map<string, Requirement[]>();
  for (const r of roots) rootsOf.set(r.name, [...(rootsOf.get(r.name) ?? []), r]);
  const versionOf = (n: string): string => lock.packages[n]!.version;
  const chains: WhyChain[] = [];
  if (lock.packages[name] === undefined) return { chains, complete: true };
  // Breadth first, upward from NAME: a partial path is [NAME, its dependent, ...] with the range each one asked with.
  let queue: Array<{ path: string[]; ranges: string[] }> = [{ path: [name], ranges: [] }];
  let explored = 0;
  let complete = true;
  while (queue.length > 0) {
    const next: typeof queue = [];
    for (const { path, ranges } of queue) {
      const top = path[path.length - 1]!;
      for (const r of rootsOf.get(top) ?? []) {
        if (chains.length === limit) return { chains, complete: false };
        const names = [...path].reverse();
        const asked = [r.range, ...[...ranges].reverse()];
        chains.push({ origin: r.origin ?? 'your project', steps: names.map((n, i) => ({ name: n, version: versionOf(n), range: asked[i]! })) });
      }
      for (const d of dependents.get(top) ?? []) {
        if (path.includes(d.name)) continue;
        if (++explored > MAX_PATHS) {
          complete = false;
          break;
        }
        next.push({ path: [...path, d.name], ranges: [...ranges, d.range] });
      }
    }
    queue = next;
  }
  return { chains, complete };
}

/** `src/main.ts:1 → @a/top@1.0.0 (^1.0.0) → @a/base@1.0.1 (^1.0.0)` */
export function chainText(c: WhyChain): string {
  return [c.origin, ...c.steps.map((s) => `${s.name}@${s.version} (${s.range})`)].join(' → ');
}
