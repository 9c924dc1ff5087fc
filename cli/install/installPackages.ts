/**
 * Laying packages out in `node_modules/`, all or nothing.
 *
 * Layout: flat, one directory per package, `node_modules/@ns/name/` (the solver
 * picks one version per package, so every import, from the project or from a
 * package, finds its dependency by walking up, as Node and tsc do). No install
 * script ever runs and no bin links are made.
 *
 * TypeScript sources: the packer ships `x.ts` beside the `x.js` and `x.d.ts` it
 * emits. In `node_modules` a `.ts` file would win over its `.d.ts` when tsc
 * resolves `./x.js` (tsc tries .ts, .tsx, then .d.ts), so a consumer's tsc would
 * type-check the dependency's sources under the consumer's own options (and fail
 * on e.g. `allowImportingTsExtensions`). So a `.ts`/`.tsx`/`.mts`/`.cts` source
 * whose `.d.ts` sibling is in the tarball is not extracted: `node` runs the `.js`,
 * `tsc` reads the `.d.ts`. The full tarball stays in the cache, byte for byte.
 *
 * All or nothing: new packages are linked from the package store
 * (packageStore.ts; tarballs are checked and unpacked there first) into a staging
 * directory inside the project (same filesystem, so moves are renames); only when
 * every package is staged does the commit move old directories to a trash
 * directory and the new ones in, then write the state file, lockfile and import
 * map atomically. Any failure undoes the moves in reverse order, so
 * `node_modules` and the lockfile are left as they were.
 *
 * A killed run cannot undo anything. So before its first move, the commit marks
 * every package it moves as unknown in the state file (hash ""): whatever a kill
 * leaves in `node_modules`, the next run reinstalls those packages and removes
 * the unwanted ones, and removes the staging and trash directories the killed
 * run left (removeProjectLeftovers).
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, symlinkSync } from 'node:fs';
import { mkdir, readFile, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { expectedOutputs, isTsSource } from '../sourceFiles.ts';
import { importsOf } from './buildImportMap.ts';
import { makeLayout, type Layout } from './makeLayout.ts';
import type { PackageStore } from './packageStore.ts';
import { StoredPackageJsons } from './storedPackageJsons.ts';
import { writeAtomic } from './writeAtomic.ts';
import { phase } from '../timing.ts';
import { removeLeftovers, STAGING_PREFIX, tempName, TRASH_PREFIX } from './leftovers.ts';

export const STATE_FILE = '.gopkgr-state.json';
/** What the store's layout leaves out of a gopkgr package: its package.json is the installed one (installedPackageJson). */
const INSTALLED_PACKAGE_JSON: ReadonlySet<string> = new Set(['package.json']);

export interface TargetPackage {
  name: string;
  version: string;
  contentHash: string;
  /** the version's dependencies as recorded on chain ('@ns/name' → range) */
  deps?: Record<string, string>;
  /** an npm release (npmLayout.ts): `name` is its path under node_modules, its package.json stays the registry's */
  npm?: true;
  /** a local package (cli/project/localPackages.ts): node_modules/<name> is a symlink to this absolute directory, which is never written */
  link?: string;
}

export interface InstallPlan {
  toInstall: TargetPackage[];
  toRemove: string[];
  kept: TargetPackage[];
}

interface State {
  packages: Record<string, string>;
}

async function readState(nodeModules: string): Promise<State> {
  try {
    const s = JSON.parse(await readFile(path.join(nodeModules, STATE_FILE), 'utf8')) as State;
    return { packages: s.packages ?? {} };
  } catch {
    return { packages: {} };
  }
}

/** What differs between `node_modules` and the target set. */
export async function planInstall(projectDir: string, targets: readonly TargetPackage[]): Promise<InstallPlan> {
  const nm = path.join(projectDir, 'node_modules');
  const state = await readState(nm);
  const plan: InstallPlan = { toInstall: [], toRemove: [], kept: [] };
  for (const t of targets) {
    if (state.packages[t.name] === t.contentHash && existsSync(path.join(nm, t.name, 'package.json'))) plan.kept.push(t);
    else plan.toInstall.push(t);
  }
  const wanted = new Set(targets.map((t) => t.name));
  plan.toRemove = Object.keys(state.packages).filter((n) => !wanted.has(n)).sort();
  return plan;
}

/** Leave out TypeScript sources whose declarations are shipped beside them (see the header). */
export function skipShadowingSource(rel: string, files: ReadonlySet<string>): boolean {
  return isTsSource(rel) && files.has(expectedOutputs(rel).dts);
}

/** A package's package.json as installed, read once per install: the import map and the `.bin` links both come from it. */
interface Manifest {
  imports: Record<string, string>;
  /** the parsed package.json; undefined when there is none or it is not a JSON object */
  json: Record<string, unknown> | undefined;
}

/** A package.json's text as a manifest: no or a broken package.json has the default entry point, and no bins. */
function manifestOf(text: string | undefined): Manifest {
  try {
    const parsed: unknown = text === undefined ? undefined : JSON.parse(text);
    if (isRecord(parsed)) return { imports: importsOf(parsed), json: parsed };
  } catch {
    // broken: as none
  }
  return { imports: { '': 'index.js' }, json: undefined };
}

/** Synchronous, as the other per-package calls here: hundreds of small reads cost less than as many thread-pool round trips. */
function readManifest(dir: string): Manifest {
  let text: string | undefined;
  try {
    text = readFileSync(path.join(dir, 'package.json'), 'utf8');
  } catch {
    // none
  }
  return manifestOf(text);
}

/**
 * The installed package.json: the tarball's, with the version the chain
 * records (authors do not write it; InfVer decides it) right after the name,
 * and its dependencies (the chain's ranges over any the author listed), so
 * npm ls, pnpm, editors and npm pack read the package as what it is.
 */
export function installedPackageJson(packed: Record<string, unknown>, t: TargetPackage): string {
  return `${JSON.stringify(installedManifest(packed, t), null, 2)}\n`;
}

/** installedPackageJson's object. */
function installedManifest(packed: Record<string, unknown>, t: TargetPackage): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const deps = { ...(isRecord(packed.dependencies) ? packed.dependencies : {}), ...(t.deps ?? {}) };
  for (const [k, v] of Object.entries(packed)) {
    if (k === 'version') continue;
    out[k] = k === 'dependencies' ? deps : v;
    if (k === 'name') out.version = t.version;
  }
  if (out.version === undefined) out.version = t.version;
  if (out.dependencies === undefined && Object.keys(deps).length > 0) out.dependencies = deps;
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The installed package.json's text from the text of the tarball's (`packed`), and what the install reads of it. */
function installedText(packed: string | undefined, t: TargetPackage): { text: string; manifest: Manifest } {
  let json: Record<string, unknown> = { name: t.name };
  try {
    const parsed: unknown = packed === undefined ? undefined : JSON.parse(packed);
    if (isRecord(parsed)) json = parsed;
  } catch {
    // a broken package.json in the tarball (or none): write one that says what was installed
  }
  // The object the text is written from (made of parsed JSON values only): no read, nor parse, per package.
  const installed = installedManifest(json, t);
  return { text: `${JSON.stringify(installed, null, 2)}\n`, manifest: { imports: importsOf(installed), json: installed } };
}

export interface CommitInput {
  projectDir: string;
  plan: InstallPlan;
  /** holds a checked entry (PackageStore.check or add) for every package in plan.toInstall */
  store: PackageStore;
  /** files to write at the project root once node_modules is in place: name → bytes (undefined: leave alone) */
  files: (entries: ReadonlyMap<string, Record<string, string>>) => Record<string, string>;
}

export interface CommitResult {
  /** root files whose bytes changed */
  written: string[];
  changed: boolean;
  /** the package.json of every installed and kept package (undefined: none readable), by its path under node_modules, for binLinks.ts */
  manifests: Map<string, Record<string, unknown> | undefined>;
}

/** Remove what a killed install left in the project: staging and trash directories, temp files of atomic writes. */
export async function removeProjectLeftovers(projectDir: string): Promise<string[]> {
  return [...await removeLeftovers(projectDir), ...(await removeLeftovers(path.join(projectDir, 'node_modules'))).map((n) => `node_modules/${n}`)];
}

export async function commitInstall(input: CommitInput): Promise<CommitResult> {
  const { projectDir, plan } = input;
  const nm = path.join(projectDir, 'node_modules');
  const staging = path.join(projectDir, tempName(STAGING_PREFIX));
  const trash = path.join(projectDir, tempName(TRASH_PREFIX));
  await mkdir(staging);
  await mkdir(trash);
  const undo: Array<() => Promise<void>> = [];
  // One flat directory per package in staging and trash ('+' is in no package name): a nested npm path
  // (`@s/a/node_modules/b`) must not land inside its parent's slot, or the parent's move carries it along.
  const slot = (name: string): string => name.replaceAll('/', '+');
  try {
    // Stage every new package (hard links from the store) before touching node_modules.
    const packageJsons = new StoredPackageJsons(input.store.dir);
    const entries = new Map<string, Record<string, string>>();
    const manifests = new Map<string, Record<string, unknown> | undefined>();
    const record = (name: string, m: Manifest): void => {
      entries.set(name, m.imports);
      manifests.set(name, m.json);
    };
    const layouts: Layout[] = [];
    /** installed package.json files written fresh: [text, file], kept in the store once staged */
    const written: Array<[string, string]> = [];
    for (const t of plan.toInstall) {
      const dir = path.join(staging, slot(t.name));
      if (t.link !== undefined) {
        // Relative, as pnpm links: the project can move. Written before the move, it points from where it will be.
        symlinkSync(path.relative(path.dirname(path.join(nm, t.name)), t.link), dir, 'dir');
        record(t.name, readManifest(t.link));
        continue;
      }
      // npm packages keep the package.json the registry served; a gopkgr package's is the installed one (storedPackageJsons.ts).
      if (t.npm === true) {
        layouts.push(input.store.layoutOf(t.contentHash, dir));
        record(t.name, manifestOf(input.store.packageJsonOf(t.contentHash)));
        continue;
      }
      const layout = input.store.layoutOf(t.contentHash, dir, INSTALLED_PACKAGE_JSON);
      const { text, manifest } = installedText(input.store.packageJsonOf(t.contentHash), t);
      const file = path.join(dir, 'package.json');
      const stored = packageJsons.find(text);
      if (stored !== undefined) layout.links.push([stored, file]);
      else {
        layout.writes.push([file, text]);
        written.push([text, file]);
      }
      layouts.push(layout);
      record(t.name, manifest);
    }
    for (const layout of layouts) makeLayout(layout);
    phase('packages staged');
    for (const [text, file] of written) packageJsons.keep(text, file);
    for (const t of plan.kept) record(t.name, readManifest(path.join(nm, t.name)));

    // The root files, computed before the commit so their bytes can be compared.
    const files = input.files(entries);
    const state: State = { packages: {} };
    for (const t of [...plan.kept, ...plan.toInstall].sort((a, b) => (a.name < b.name ? -1 : 1))) state.packages[t.name] = t.contentHash;
    const stateText = JSON.stringify(state, null, 2) + '\n';
    const stateFile = path.join(nm, STATE_FILE);
    const moves = plan.toInstall.length > 0 || plan.toRemove.length > 0;
    const changes: Array<{ file: string; text: string }> = [];
    for (const [name, text] of [...Object.entries(files), [path.join('node_modules', STATE_FILE), stateText] as const]) {
      const file = path.join(projectDir, name);
      const old = await readFile(file, 'utf8').catch(() => undefined);
      // After the interim state below, the final one is written even if its text is the old one.
      if (old !== text || (moves && file === stateFile)) changes.push({ file, text });
    }
    const changed = moves || changes.length > 0;
    if (!changed) return { written: [], changed: false, manifests };

    // A node_modules made just now holds nothing to move aside, except what a package moved in brings in its own node_modules.
    const madeNow = mkdirSync(nm, { recursive: true }) !== undefined;
    if (moves) {
      // The interim state (see the header): what a kill between here and the final state leaves behind.
      const interim: State = { packages: {} };
      for (const t of plan.kept) interim.packages[t.name] = t.contentHash;
      for (const t of plan.toInstall) interim.packages[t.name] = '';
      for (const name of plan.toRemove) interim.packages[name] = '';
      const old = await readFile(stateFile).catch(() => undefined);
      await writeAtomic(stateFile, JSON.stringify(interim, null, 2) + '\n');
      undo.push(() => (old === undefined ? rm(stateFile, { force: true }) : writeAtomic(stateFile, old)));
    }

    // Commit: renames only, each with its undo. Synchronous calls: hundreds of renames
    // each awaited through libuv's thread pool cost more than the renames themselves.
    const moveAside = (name: string): void => {
      if (madeNow && !name.includes('/node_modules/')) return;
      const dest = path.join(nm, name);
      // lstat: a link whose directory is gone is still there to move.
      if (!lstatSync(dest, { throwIfNoEntry: false })) return;
      const aside = path.join(trash, slot(name));
      renameSync(dest, aside);
      undo.push(() => rename(aside, dest));
    };
    const made = new Set<string>();
    for (const t of plan.toInstall) {
      const dest = path.join(nm, t.name);
      moveAside(t.name);
      const parent = path.dirname(dest);
      if (!made.has(parent)) mkdirSync(parent, { recursive: true });
      made.add(parent);
      renameSync(path.join(staging, slot(t.name)), dest);
      undo.push(() => rename(dest, path.join(staging, slot(t.name))));
    }
    for (const name of plan.toRemove) moveAside(name);
    for (const c of changes) {
      const old = await readFile(c.file).catch(() => undefined);
      await writeAtomic(c.file, c.text);
      undo.push(() => (old === undefined ? rm(c.file, { force: true }) : writeAtomic(c.file, old)));
    }
    undo.length = 0;
    // Namespace directories emptied by removals go too.
    for (const name of plan.toRemove) await rmdir(path.join(nm, name.split('/')[0]!)).catch(() => undefined);
    return { written: changes.map((c) => path.relative(projectDir, c.file)), changed: true, manifests };
  } catch (err) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw err;
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(trash, { recursive: true, force: true });
  }
}
