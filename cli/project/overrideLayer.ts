/**
 * Overrides as the solver sees them (docs/ROUTING.md "Overrides"). Nothing is
 * changed in what registries answer or what the lockfile records: the layer
 * rewrites the index and the requirements just before each solve, and maps the
 * chosen versions back to the registry's own records afterwards, so a lock
 * entry keeps the dependency ranges its version was published with.
 *
 * - range: every requirement of the package, from the project or from any
 *   version anywhere in the tree, is the override's range instead.
 * - hash: only the version with that content hash is a candidate, whatever the
 *   ranges on it say.
 * - local (a `file:` override, a `file:` dependency, a workspace) and git (a
 *   packed checkout): the one candidate is the local version, never asked of a
 *   registry; its dependencies are its own comment tags.
 *
 * Pure: the local versions are made by the caller (overrides.ts).
 */
import { GopkgrError } from '../../ledger/index.ts';
import { mapIndex, solve, type IndexVersion, type Requirement, type Solution, type SolveOptions } from '../../resolver/index.ts';
import type { PackageSource } from '../install/fetchIndex.ts';
import type { PackageJson } from '../packages.ts';

export type Forced =
  | { kind: 'range'; range: string; spec: string }
  | { kind: 'hash'; contentHash: string; spec: string }
  /** the one version there is: a local directory or a packed git checkout */
  | { kind: 'version'; version: IndexVersion; spec: string };

export class OverrideLayer {
  constructor(readonly forced: ReadonlyMap<string, Forced>) {}

  get size(): number {
    return this.forced.size;
  }

  /** The range every requirement of `name` becomes, or undefined when it is not overridden. */
  private rangeFor(name: string): string | undefined {
    const f = this.forced.get(name);
    if (f === undefined) return undefined;
    if (f.kind === 'range') return f.range;
    if (f.kind === 'version') return f.version.version;
    return '*';
  }

  /** The project's requirements with overridden names' ranges replaced (a hash override locks by hash). */
  requirements(reqs: readonly Requirement[]): Requirement[] {
    return reqs.map((r) => {
      const f = this.forced.get(r.name);
      if (f === undefined) return r;
      const { hash: _hash, ...rest } = r;
      return { ...rest, range: this.rangeFor(r.name)!, ...(f.kind === 'hash' ? { hash: f.contentHash } : {}) };
    });
  }

  /** Local and git versions in, the other versions of a hash override out. */
  inject(index: ReadonlyMap<string, readonly IndexVersion[]>): Map<string, IndexVersion[]> {
    const out = new Map<string, IndexVersion[]>();
    for (const [name, versions] of index) {
      const f = this.forced.get(name);
      out.set(name, f?.kind === 'hash' ? versions.filter((v) => v.contentHash === f.contentHash) : [...versions]);
    }
    for (const [name, f] of this.forced) if (f.kind === 'version') out.set(name, [f.version]);
    return out;
  }

  /** Solve over the index with every range on an overridden name rewritten; the chosen versions are the index's own records. */
  solve(index: ReadonlyMap<string, readonly IndexVersion[]>, requirements: readonly Requirement[], opts: SolveOptions): Solution {
    const original = new Map<IndexVersion, IndexVersion>();
    const rewritten = new Map<string, IndexVersion[]>();
    for (const [name, versions] of this.inject(index)) {
      rewritten.set(name, versions.map((v) => {
        let deps: Record<string, string> | undefined;
        for (const dep of Object.keys(v.deps)) {
          const range = this.rangeFor(dep);
          if (range !== undefined && range !== v.deps[dep]) (deps ??= { ...v.deps })[dep] = range;
        }
        if (deps === undefined) return v;
        const copy = { ...v, deps };
        original.set(copy, v);
        return copy;
      }));
    }
    const solution = solve(mapIndex(rewritten), this.requirements(requirements), opts);
    const selected = new Map([...solution.selected].map(([name, v]) => [name, original.get(v) ?? v]));
    return { ...solution, selected };
  }

  /**
   * A package source that answers for local and git versions itself (no
   * registry hears of those names) and checks a hash override against what the
   * registry answers: a hash no version has is OVERRIDE_NOT_FOUND.
   */
  wrap(inner: PackageSource): PackageSource {
    return {
      lookup: async (name) => {
        const f = this.forced.get(name);
        if (f?.kind === 'version') {
          const v = f.version;
          const pkg = { name, id: '', owner: '', maintainers: [], versions: [{ version: v.version, contentHash: v.contentHash, deps: v.deps, lock: {}, deprecated: false, height: 0, block: '', txId: '' }] } satisfies PackageJson;
          return { pkg, url: LOCAL_SOURCE };
        }
        const hit = await inner.lookup(name);
        if (f?.kind === 'hash' && !(hit?.pkg.versions ?? []).some((v) => v.contentHash === f.contentHash)) {
          throw new GopkgrError('OVERRIDE_NOT_FOUND', `gopkgr.json overrides["${name}"]: no version of ${name}${hit === undefined ? '' : ` on ${hit.url}`} has the content hash ${f.contentHash}`, {
            hint: `\`gopkgr status\` or GET /v1/packages/${name} lists the versions and their hashes`,
          });
        }
        return hit;
      },
    };
  }

  /** Sources without the names the layer answered for: they came from no registry. */
  registrySources(sources: ReadonlyMap<string, string>): Map<string, string> {
    return new Map([...sources].filter(([, url]) => url !== LOCAL_SOURCE));
  }
}

/** The `url` the layer's answers carry; never a node's. */
export const LOCAL_SOURCE = 'local:';
