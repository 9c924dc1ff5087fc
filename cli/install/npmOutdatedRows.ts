/**
 * `gopkgr outdated` for npm packages (outdatedRows.ts does the gopkgr ones):
 * one row per location gopkgr.lock installs, with the installed version, the
 * newest release on chain every range that reaches that copy admits (`wanted`:
 * what `gopkgr update npm:<name>` takes), the newest non-prerelease on chain
 * (`latest`), and npm's deprecation of the installed release. Ranges are the
 * project's tags (for a copy at the top) and the specs of every locked package
 * Node resolves to this copy from where it sits. Versions come from the chain,
 * not the registry: a release the chain lacks cannot be installed, and
 * `gopkgr import` is how it comes in. Pure: the caller fetches.
 */
import semver from 'semver';
import type { Notice } from './notices.ts';
import { npmLocationNames, type LockedNpm } from './npmLock.ts';
import { locationIn, parseNpmDepSpec, resolvedCopy, type NpmRelease, type NpmRootRange } from './npmTree.ts';
import type { OutdatedNotice, OutdatedRow } from './outdatedRows.ts';

/** The ranges on the copy at `location`, with who asks for each. */
function rangesOnCopy(location: string, lock: Readonly<Record<string, LockedNpm>>, roots: readonly NpmRootRange[]): Array<{ range: string; by: string }> {
  const alias = npmLocationNames(location)!.at(-1)!;
  const out: Array<{ range: string; by: string }> = [];
  if (location === locationIn('', alias)) for (const r of roots) if (r.name === alias) out.push({ range: r.range, by: r.origin });
  for (const [from, dependent] of Object.entries(lock).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const spec = dependent.deps[alias] ?? dependent.optionalDeps?.[alias];
    if (spec === undefined) continue;
    // The copy Node gives this dependent: the nearest node_modules holding the name.
    const found = resolvedCopy(from, alias, (l) => lock[l] !== undefined);
    if (found === location) out.push({ range: spec, by: `${dependent.name}@${dependent.version}` });
  }
  return out;
}

export function npmOutdatedRows(
  lock: Readonly<Record<string, LockedNpm>>,
  roots: readonly NpmRootRange[],
  index: ReadonlyMap<string, readonly NpmRelease[]>,
  deprecations: readonly Notice[],
): OutdatedRow[] {
  const direct = new Set(roots.map((r) => r.name));
  const rows: OutdatedRow[] = [];
  for (const [location, locked] of Object.entries(lock).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const folders = npmLocationNames(location)!;
    const alias = folders.at(-1)!;
    const ranges = rangesOnCopy(location, lock, roots);
    const versions = (index.get(locked.name) ?? []).map((r) => r.version);
    const admitted = versions.filter((v) => ranges.every(({ range }) => {
      const target = parseNpmDepSpec(alias, range);
      return 'reason' in target || semver.satisfies(v, target.range);
    }));
    const wanted = semver.maxSatisfying(admitted, '*', { includePrerelease: true });
    const latest = semver.maxSatisfying(versions, '*');
    const notices: OutdatedNotice[] = deprecations
      .filter((n) => n.kind === 'deprecated' && n.name === `npm:${locked.name}` && n.version === locked.version)
      .map((n) => ({ kind: 'deprecated', version: locked.version, text: `npm:${locked.name}@${locked.version} is deprecated${n.kind === 'deprecated' && n.reason !== undefined ? `: ${n.reason}` : ''}` }));
    const behind = (v: string | null): boolean => v !== null && semver.lt(locked.version, v);
    const top = folders.length === 1;
    rows.push({
      name: `npm:${locked.name}`, location, type: top && direct.has(alias) ? 'direct' : 'deep',
      installed: locked.version, wanted, latest, ranges, outdated: behind(wanted) || behind(latest), notices,
    });
  }
  return rows;
}
