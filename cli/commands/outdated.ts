/**
 * `gopkgr outdated [--json]`: for each package in gopkgr.lock, direct and deep,
 * the installed version, the newest every applying range allows (`wanted`),
 * the newest overall (`latest`) and notices (install/outdatedRows.ts). Asks
 * each name of its registry once (gopkgr.json's router, else the node) and
 * changes nothing. npm packages get a row per installed copy, their versions
 * from the chain's `npm:` records and their deprecations from the npm registry
 * (install/npmOutdatedRows.ts). Exit code as npm's: 1 when a package is behind its wanted
 * or latest version, 0 when none is.
 */
import { parse } from '../args.ts';
import { report, type Command } from '../command.ts';
import { indexVersionsOf, mapLimit } from '../install/fetchIndex.ts';
import { loadProject, packageSource, requireLock, rootRequirements, type LoadedProject } from '../install/loadProject.ts';
import type { NodeClient } from '../client.ts';
import { outdatedRows, type OutdatedRow, type VersionFacts } from '../install/outdatedRows.ts';
import { npmOutdatedRows } from '../install/npmOutdatedRows.ts';
import { checkNpmNotices, npmNoticeLines, type InstalledNpm } from '../install/npmNotices.ts';
import { fetchNpmReleases } from '../install/npmResolve.ts';
import { configuredRegistry } from '../npm/registry.ts';
import type { NoticeCheck } from '../install/notices.ts';
import type { LockedNpm } from '../install/npmLock.ts';
import type { PackageJson } from '../packages.ts';

const usage = 'gopkgr outdated [--dir DIR]';

/** Requests at once: as fetchIndex's waves. */
const CONCURRENCY = 16;

/** The versions of a package with what notices need beyond the resolver's view (the node's package JSON, read defensively). */
export function versionFacts(pkg: PackageJson): VersionFacts[] {
  const index = indexVersionsOf(pkg);
  return pkg.versions.map((raw, i) => {
    const extra = raw as unknown as { deprecationReason?: unknown; advisories?: unknown; dependentsVerified?: unknown };
    const advisories = Array.isArray(extra.advisories)
      ? extra.advisories.filter((a): a is { id: string; severity: string; text: string; range: string } => typeof a?.id === 'string' && typeof a?.severity === 'string' && typeof a?.text === 'string' && typeof a?.range === 'string')
        .map(({ id, severity, text, range }) => ({ id, severity, text, range }))
      : [];
    // Crater: names only (a hostile node's list is cut to what the chain ever takes per version, and more).
    const verified = Array.isArray(extra.dependentsVerified) ? extra.dependentsVerified.filter((d): d is string => typeof d === 'string').slice(0, 20) : [];
    return { ...index[i]!, ...(typeof extra.deprecationReason === 'string' ? { deprecationReason: extra.deprecationReason } : {}), ...(advisories.length > 0 ? { advisories } : {}), ...(verified.length > 0 ? { dependentsVerified: verified } : {}) };
  });
}

/** The npm rows: every locked name's records on chain, and npm's deprecations of the installed releases (undefined `check`: no npm packages). */
async function npmRows(lock: Readonly<Record<string, LockedNpm>>, p: LoadedProject, client: NodeClient): Promise<{ rows: OutdatedRow[]; check?: NoticeCheck }> {
  const entries = Object.values(lock);
  if (entries.length === 0) return { rows: [] };
  const installed = new Map<string, InstalledNpm>();
  for (const e of entries) installed.set(`${e.name}@${e.version}`, { name: e.name, version: e.version, integrity: e.integrity });
  const [index, check] = await Promise.all([
    fetchNpmReleases([...new Set(entries.map((e) => e.name))].sort(), client),
    configuredRegistry(p.projectDir).then((registry) => checkNpmNotices([...installed.values()], registry)),
  ]);
  return { rows: npmOutdatedRows(lock, p.npmRoots, index, check.notices), check };
}

/** A nested npm copy is named with the packages it sits under. */
const shownName = (r: OutdatedRow): string => {
  const under = r.location?.split('/node_modules/').slice(0, -1).map((s) => s.replace(/^node_modules\//, ''));
  return under === undefined || under.length === 0 ? r.name : `${r.name} (under ${under.join(' > ')})`;
};

function table(rows: readonly OutdatedRow[]): string[] {
  const cells = [['Package', 'Installed', 'Wanted', 'Latest', 'Type'], ...rows.map((r) => [shownName(r), r.installed, r.wanted ?? '-', r.latest ?? '-', r.type])];
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '));
}

export const outdated: Command = {
  name: 'outdated',
  summary: 'list the dependencies (direct and deep) with a newer version: installed, wanted (newest every range allows), latest, and notices; exits 1 when any is behind, like npm',
  usage,
  async run(args, ctx) {
    const { values } = parse(args, { dir: { type: 'string' } }, usage);
    const p = await loadProject(values.dir as string | undefined, ctx, { repair: false });
    const lock = requireLock(p, 'gopkgr outdated');
    const { source, client } = packageSource(p, ctx);
    const names = Object.keys(lock.packages).sort();
    const found = await mapLimit(names, CONCURRENCY, (name) => source.lookup(name));
    const versions = new Map<string, VersionFacts[]>();
    names.forEach((name, i) => {
      const hit = found[i];
      if (hit !== undefined && Array.isArray(hit.pkg.versions)) versions.set(name, versionFacts(hit.pkg));
    });
    const npm = await npmRows(lock.npm ?? {}, p, client);
    const rows = [...outdatedRows(lock, rootRequirements(p.tagged, lock.added), versions), ...npm.rows];
    const shown = rows.filter((r) => r.outdated || r.notices.length > 0);
    const behind = rows.filter((r) => r.outdated).length;
    const lines = shown.length === 0 ? [] : table(shown);
    for (const r of shown) for (const n of r.notices) lines.push(`${n.kind === 'advisory' || n.kind === 'deprecated' ? 'warning' : 'note'}: ${n.text}`);
    if (npm.check?.checked === false) lines.push(...npmNoticeLines(npm.check));
    lines.push(behind === 0 ? (rows.length === 1 ? 'the 1 package is at its newest version' : `all ${rows.length} packages are at their newest versions`) : `${behind} of ${rows.length} packages are behind; \`gopkgr update\` takes every wanted version`);
    report(ctx, { project: p.projectDir, packages: rows, ...(npm.check === undefined ? {} : { npmNoticesChecked: npm.check.checked }) }, lines);
    return behind > 0 ? 1 : 0;
  },
};
