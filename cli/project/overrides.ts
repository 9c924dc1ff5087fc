/**
 * Everything `get` needs to apply gopkgr.json's `overrides` and the project's
 * local packages (docs/ROUTING.md "Overrides", "Local packages"), made before
 * resolving: the solver's layer (overrideLayer.ts), the packages to link, the
 * requirements of linked packages outside the project (a package inside it is
 * scanned with the project already), and what the lockfile records.
 */
import path from 'node:path';
import type { IndexVersion, Requirement, Solution } from '../../resolver/index.ts';
import { collectRequirements, depsOf } from '../tags/collectRequirements.ts';
import { scanSources } from '../tags/scanSources.ts';
import type { Lockfile } from '../install/lockfile.ts';
import type { TarballCache } from '../install/tarballCache.ts';
import { findLocalPackages, linkHash, readLocalPackage, type LocalPackage } from './localPackages.ts';

export { linkHash } from './localPackages.ts';
import { OverrideLayer, type Forced } from './overrideLayer.ts';
import type { Override, ProjectFile } from './projectFile.ts';

export interface PreparedOverrides {
  layer: OverrideLayer;
  /** name → the local package linked for it */
  links: Map<string, LocalPackage>;
  /** the comment tags of linked packages outside the project */
  requirements: Requirement[];
  /** gopkgr.json's overrides, name → spec */
  specs: Record<string, string>;
}

export interface PrepareInput {
  projectDir: string;
  project: ProjectFile | undefined;
  lock: Lockfile | undefined;
  cache: TarballCache;
  dataDir: string;
  log: (line: string) => void;
}

const isInside = (dir: string, root: string): boolean => {
  const rel = path.relative(root, dir);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

export async function prepareOverrides(input: PrepareInput): Promise<PreparedOverrides> {
  const forced = new Map<string, Forced>();
  const links = new Map<string, LocalPackage>();
  const requirements: Requirement[] = [];
  const specs: Record<string, string> = {};
  const scan = async (p: LocalPackage): Promise<Requirement[]> => {
    const { requirements: own } = collectRequirements(await scanSources(p.dir, { cacheDir: input.dataDir }));
    const rel = path.relative(input.projectDir, p.dir).split(path.sep).join('/');
    return own.filter((r) => r.name !== p.name).map((r) => ({ ...r, origin: `${rel}/${r.origin ?? ''}` }));
  };
  const link = async (p: LocalPackage, spec: string): Promise<void> => {
    const own = await scan(p);
    links.set(p.name, p);
    const version: IndexVersion = { version: p.version, contentHash: linkHash(p.dir), deps: depsOf(own), deprecated: false };
    forced.set(p.name, { kind: 'version', version, spec });
    if (!isInside(p.dir, input.projectDir)) requirements.push(...own);
  };

  for (const p of await findLocalPackages(input.projectDir)) await link(p, `file:${path.relative(input.projectDir, p.dir)}`);
  for (const [name, o] of input.project?.overrides ?? new Map<string, Override>()) {
    specs[name] = o.spec;
    const at = `${input.project!.file} overrides["${name}"]`;
    // A range or hash override is already the solver's constraint (Forced has the same shape).
    if (o.kind === 'range' || o.kind === 'hash') forced.set(name, o);
    else if (o.kind === 'file') {
      const p = await readLocalPackage(o.dir, at, name, 'OVERRIDE_NOT_FOUND');
      // An override links its package only where something in the tree asks for it.
      const own = await scan(p);
      links.set(name, p);
      forced.set(name, { kind: 'version', version: { version: p.version, contentHash: linkHash(p.dir), deps: depsOf(own), deprecated: false }, spec: o.spec });
    } else {
      const sameSpec = input.lock?.overrides?.[name] === o.spec;
      const locked = sameSpec ? input.lock?.packages[name] : undefined;
      // Loaded only for a git override: packing loads the TypeScript compiler, which a plain get never needs.
      const { gitOverrideVersion } = await import('./gitOverride.ts');
      const version = await gitOverrideVersion({ name, spec: o.spec, repo: o.repo, commit: o.commit, ...(locked === undefined ? {} : { locked }), cache: input.cache, dataDir: input.dataDir, log: input.log });
      links.delete(name);
      forced.set(name, { kind: 'version', version, spec: o.spec });
    }
  }
  return { layer: new OverrideLayer(forced), links, requirements, specs };
}

export interface OverrideReport {
  /** for people: one line per override and linked package */
  lines: string[];
  /** for --json: each override, with the version it gave (null: nothing in the tree requires the name) */
  overrides: Array<{ name: string; spec: string; version: string | null; contentHash?: string; link?: string }>;
  /** the local packages laid out as links, name → directory relative to the project */
  links: Record<string, string>;
}

/** The linked packages `get` lays out: every file: dependency and workspace, and a file: override where the tree asks for it. */
export function linkedPackages(prepared: PreparedOverrides, solution: Solution): LocalPackage[] {
  return [...prepared.links.values()].filter((p) => prepared.specs[p.name] === undefined || solution.selected.has(p.name));
}

/** What the overrides and links did, in words and for --json and the lockfile. */
export function describeOverrides(prepared: PreparedOverrides, solution: Solution, projectDir: string): OverrideReport {
  const rel = (dir: string): string => path.relative(projectDir, dir).split(path.sep).join('/') || '.';
  const report: OverrideReport = { lines: [], overrides: [], links: {} };
  for (const [name, spec] of Object.entries(prepared.specs).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const chosen = solution.selected.get(name);
    const linked = prepared.links.get(name);
    if (chosen === undefined) {
      report.lines.push(`override ${name} "${spec}": not used (nothing in the tree requires ${name})`);
      report.overrides.push({ name, spec, version: null });
    } else if (linked !== undefined) {
      report.lines.push(`override ${name} "${spec}": linked ${rel(linked.dir)}`);
      report.overrides.push({ name, spec, version: chosen.version, link: rel(linked.dir) });
    } else {
      report.lines.push(`override ${name} "${spec}": ${name}@${chosen.version} (sha256 ${chosen.contentHash.slice(0, 12)}…)`);
      report.overrides.push({ name, spec, version: chosen.version, contentHash: chosen.contentHash });
    }
  }
  for (const p of linkedPackages(prepared, solution)) {
    report.links[p.name] = rel(p.dir);
    if (prepared.specs[p.name] === undefined) report.lines.push(`linked ${p.name} → ${rel(p.dir)} (${p.from})`);
  }
  return report;
}

/**
 * What the overrides and local packages change in the lockfile a resolution
 * gives (a linked package is a live directory: no version to lock; the
 * overrides and links are recorded), and the linked packages to lay out.
 * Shared by every command that installs (get, update, remove).
 */
export function applyLocal(next: Lockfile, prepared: PreparedOverrides, solution: Solution, projectDir: string): {
  report: OverrideReport;
  linked: Array<{ name: string; version: string; contentHash: string; link: string }>;
} {
  const report = describeOverrides(prepared, solution, projectDir);
  for (const name of prepared.links.keys()) delete next.packages[name];
  if (Object.keys(prepared.specs).length > 0) next.overrides = prepared.specs;
  next.links = report.links;
  const linked = linkedPackages(prepared, solution).map((p) => ({ name: p.name, version: p.version, contentHash: linkHash(p.dir), link: p.dir }));
  return { report, linked };
}
