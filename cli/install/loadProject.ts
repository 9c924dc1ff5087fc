/**
 * What the commands that read or change a project's dependencies (`update`,
 * `outdated`, `why`, `remove`) start from, the same way `get` does: leftovers
 * of a killed run removed, the lockfile, the comment tags of the sources, the
 * `added` entries, and the registry router of gopkgr.json when there is one.
 */
import path from 'node:path';
import { GopkgrError } from '../../ledger/index.ts';
import type { Requirement } from '../../resolver/index.ts';
import type { Context } from '../context.ts';
import { NodeClient } from '../client.ts';
import { findProjectFile, type ProjectFile } from '../project/projectFile.ts';
import { RegistryRouter } from '../project/registryRouter.ts';
import { prepareOverrides, type PreparedOverrides } from '../project/overrides.ts';
// Not through tags/index.ts, which also exports the parser: scanning loads TypeScript only when a file changed.
import { collectRequirements, type NpmRequirement } from '../tags/collectRequirements.ts';
import { scanSources } from '../tags/scanSources.ts';
import { nodeSource, type PackageSource } from './fetchIndex.ts';
import { removeProjectLeftovers } from './installPackages.ts';
import { removeLeftovers } from './leftovers.ts';
import { LOCKFILE_NAME, readLockfile, type Lockfile } from './lockfile.ts';
import { TarballCache } from './tarballCache.ts';

export interface LoadedProject {
  projectDir: string;
  lockPath: string;
  lock: Lockfile | undefined;
  /** one per comment tag, origin `file:line` */
  tagged: Requirement[];
  chains: Record<string, string>;
  untagged: string[];
  /** one per `npm` tag */
  npmTagged: NpmRequirement[];
  /** the npm roots: every `npm` tag, and every `npm:NAME` of the lockfile's "added" */
  npmRoots: NpmRequirement[];
  router: RegistryRouter | undefined;
  /** gopkgr.json, when the project has one (its overrides: cli/project/overrides.ts) */
  project: ProjectFile | undefined;
}

/** `repair`: a command that installs first removes what a killed run left (a command that only reads leaves it). */
export async function loadProject(dir: string | undefined, ctx: Context, opts: { repair: boolean }): Promise<LoadedProject> {
  const projectDir = path.resolve(dir ?? '.');
  const lockPath = path.join(projectDir, LOCKFILE_NAME);
  if (opts.repair) {
    // What an earlier run that was killed left behind (its own interim state makes this run repair node_modules).
    await removeProjectLeftovers(projectDir);
    for (const sub of ['store', 'cache', 'tags']) await removeLeftovers(path.join(ctx.dataDir, sub));
  }
  const lock = await readLockfile(lockPath);
  const imports = await scanSources(projectDir, { cacheDir: ctx.dataDir });
  const { requirements, chains, untagged, npm } = collectRequirements(imports);
  const project = await findProjectFile(projectDir);
  const router = project === undefined || project.registries.length === 0 ? undefined : new RegistryRouter(project.registries, chains, ctx.token);
  if (router === undefined) for (const [name, p] of Object.entries(lock?.packages ?? {})) if (p.chain !== undefined) chains[name] ??= p.chain;
  return { projectDir, lockPath, lock, tagged: requirements, chains, untagged, npmTagged: npm, npmRoots: npmRootRequirements(npm, lock?.added ?? {}), router, project };
}

/** How an npm package added with `gopkgr get npm:NAME` is named in the lockfile's "added" (a gopkgr name never starts so). */
export const NPM_ADDED_PREFIX = 'npm:';

/** The root requirements of gopkgr packages: every tag, and every gopkgr `added` entry (origin: the lockfile's "added"). */
export function rootRequirements(tagged: readonly Requirement[], added: Readonly<Record<string, string>>): Requirement[] {
  return [...tagged, ...Object.entries(added).filter(([name]) => !name.startsWith(NPM_ADDED_PREFIX)).map(([name, range]) => ({ name, range, origin: `${LOCKFILE_NAME} "added"` }))];
}

/** The npm roots: every `npm` tag, and every `npm:NAME` `added` entry (origin: `origin(name)`, else the lockfile's "added"). */
export function npmRootRequirements(tagged: readonly NpmRequirement[], added: Readonly<Record<string, string>>, origin?: (name: string) => string | undefined): NpmRequirement[] {
  return [
    ...tagged,
    ...Object.entries(added).filter(([key]) => key.startsWith(NPM_ADDED_PREFIX)).map(([key, range]) => {
      const name = key.slice(NPM_ADDED_PREFIX.length);
      return { name, range, origin: origin?.(name) ?? `${LOCKFILE_NAME} "added"` };
    }),
  ];
}

/** Where the versions of each name come from: gopkgr.json's router, else the node (and nodes named by URL tags). */
export function packageSource(p: LoadedProject, ctx: Context): { source: PackageSource; client: NodeClient } {
  const client = new NodeClient(ctx.nodeUrl, ctx.token);
  return { source: p.router ?? nodeSource(client, p.chains), client };
}

/** A lockfile is what these commands work from: without one, say how to make it. */
export function requireLock(p: LoadedProject, command: string): Lockfile {
  if (p.lock !== undefined) return p.lock;
  throw new GopkgrError('NO_LOCKFILE', `${command} works from ${p.lockPath}, and there is none`, { hint: 'run `gopkgr get` first' });
}

/** gopkgr.json's overrides and the project's local packages, prepared for a command that installs (as get does). */
export function prepareLocal(p: LoadedProject, ctx: Context): Promise<PreparedOverrides> {
  return prepareOverrides({ projectDir: p.projectDir, project: p.project, lock: p.lock, cache: new TarballCache(ctx.dataDir), dataDir: ctx.dataDir, log: (line) => ctx.err(line) });
}
