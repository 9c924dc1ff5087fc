/**
 * The npm half of `gopkgr get`: resolve the project's `npm` tags into a tree
 * (npmResolve.ts), and with `--import` bring what the chain lacks onto it first,
 * as `gopkgr import` would (the registry given by --registry, else the user's
 * npm config), then resolve again. What the install should tell its user about
 * npm packages (install scripts never run, peers, skipped optional deps) is
 * gathered here too. A required package not for this machine stops it, as it
 * stops npm.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GopkgrError } from '../../ledger/index.ts';
import type { Context } from '../context.ts';
import { loadIdentity } from '../context.ts';
import type { NodeClient } from '../client.ts';
import type { LockedNpm } from './npmLock.ts';
import { importSpecsFor, notImportedError, resolveNpm, type NpmResolution } from './npmResolve.ts';
import type { NpmRootRange, NpmTree, NpmUnsupported } from './npmTree.ts';
import { describeMachine, thisMachine } from '../npm/machine.ts';
import { fewOf, oneLine } from '../printable.ts';

/** How long `get --import` waits for each import tx to be mined. */
const IMPORT_WAIT_MS = 120_000;

export interface NpmGetOptions {
  roots: readonly NpmRootRange[];
  lock?: Readonly<Record<string, LockedNpm>>;
  /** the lockfile's `npmOtherPlatform` */
  otherPlatform?: Readonly<Record<string, LockedNpm>>;
  client?: NodeClient;
  /** `get --import`: the registry URL given, or undefined for the npm config's */
  importFrom?: { registry?: string };
  ctx: Context;
}

export interface NpmGetResult extends NpmResolution {
  /** `npm:name@version` brought onto the chain by --import */
  imported: string[];
}

export async function resolveNpmForGet(opts: NpmGetOptions): Promise<NpmGetResult> {
  let resolution = await resolveNpm(opts);
  const imported: string[] = [];
  if (resolution.tree.missing.length > 0 && opts.importFrom !== undefined && opts.client !== undefined) {
    // Loaded only for --import: the importer pulls in InfVer and the registry client, which a plain `get` never needs.
    const [{ parseNpmSpec, resolveClosure }, { importReleases }, { configuredRegistry, NpmRegistry }, { waitMined }] = await Promise.all([
      import('../npm/closure.ts'), import('../npm/importReleases.ts'), import('../npm/registry.ts'), import('../submit.ts'),
    ]);
    const registry = new NpmRegistry(opts.importFrom.registry ?? (await configuredRegistry(process.cwd())));
    const key = await loadIdentity(opts.ctx.dataDir);
    const closure = await resolveClosure(registry, importSpecsFor(resolution.tree.missing).map(parseNpmSpec), undefined, thisMachine());
    const outcome = await importReleases(closure.releases, { registry, client: opts.client, key });
    for (const i of outcome.imported) {
      await waitMined(opts.ctx, opts.client, i.receipt, 'import', IMPORT_WAIT_MS);
      imported.push(`npm:${i.name}@${i.version}`);
    }
    for (const f of outcome.failed) opts.ctx.err(`warning: import of npm:${f.name}@${f.version} failed: ${f.message} (${f.code})`);
    resolution = await resolveNpm(opts);
  }
  if (resolution.tree.missing.length > 0) throw notImportedError(resolution.tree.missing);
  if (resolution.tree.unsupported.length > 0) throw unsupportedError(resolution.tree.unsupported);
  return { ...resolution, imported };
}

/** A required package not for this machine: npm refuses the install (EBADPLATFORM), and so does gopkgr, before anything is written. */
function unsupportedError(unsupported: readonly NpmUnsupported[]): GopkgrError {
  const what = unsupported.map((u) => `npm:${u.release} (${u.location}, required by ${u.by}): ${u.reason}`).join('; ');
  return new GopkgrError('NPM_PLATFORM_UNSUPPORTED', `not for this machine (${describeMachine(thisMachine())}): ${what}`, {
    hint: 'install on a machine it supports, or make the dependency that pulls it in optional',
  });
}

/**
 * Peer issues without the missing peers a package marks optional
 * (`peerDependenciesMeta: {x: {optional: true}}`, as eslint 9 marks jiti): npm
 * is silent about those, and so is gopkgr. The chain's record has no such flag,
 * so it is read from the installed package.json (the tarball's, hash-locked); an
 * optional peer that is installed but out of range is still reported.
 */
export function withoutOptionalPeers(issues: NpmTree['peerIssues'], projectDir: string): NpmTree['peerIssues'] {
  const meta = new Map<string, Record<string, unknown>>();
  const optionalPeer = (location: string, peer: string): boolean => {
    if (!meta.has(location)) {
      let m: Record<string, unknown> = {};
      try {
        const pj = JSON.parse(readFileSync(path.join(projectDir, location, 'package.json'), 'utf8')) as { peerDependenciesMeta?: unknown };
        if (pj.peerDependenciesMeta !== null && typeof pj.peerDependenciesMeta === 'object') m = pj.peerDependenciesMeta as Record<string, unknown>;
      } catch {
        // no readable package.json: every peer counts as required
      }
      meta.set(location, m);
    }
    const entry = meta.get(location)![peer];
    return entry !== null && typeof entry === 'object' && (entry as { optional?: unknown }).optional === true;
  };
  return issues.filter((p) => p.found !== undefined || !optionalPeer(p.location, p.peer));
}

/** Notes for the user: install scripts that did not run, peers not met, optional deps left out (`projectDir`: where the tree is installed). */
export function npmNotes(tree: NpmTree, projectDir?: string): { lines: string[]; installScripts: Array<{ name: string; version: string; location: string }>; peers: NpmTree['peerIssues'] } {
  const peerIssues = projectDir === undefined ? tree.peerIssues : withoutOptionalPeers(tree.peerIssues, projectDir);
  const installScripts = [...tree.nodes.values()].filter((n) => n.release.installScripts === true)
    .map((n) => ({ name: n.release.name, version: n.release.version, location: n.location }));
  const lines: string[] = [];
  if (installScripts.length > 0) {
    lines.push(`note: ${installScripts.length} npm package${installScripts.length === 1 ? ' has' : 's have'} install scripts, which gopkgr never runs:`);
    for (const s of installScripts) lines.push(`  ${s.name}@${s.version} (${s.location})`);
  }
  for (const p of peerIssues) {
    // Quoted for the shell when the range has spaces, `|`, `<` or `>` (`^17 || ^18`, `>=1 <3`).
    const spec = `npm:${p.peer}@${p.range}`;
    const arg = /^[\w.^~*@/:+=-]+$/.test(spec) ? spec : `'${spec.replaceAll("'", "'\\''")}'`;
    lines.push(`warning: ${p.by} (${p.location}) wants peer ${p.peer}@${p.range}, ${p.found === undefined ? 'which is not installed' : `but ${p.found} is what it finds`}; tag an import of it, e.g. // \`npm:"${p.range}"\`, or run \`gopkgr get ${arg}\``);
  }
  lines.push(...skippedOptionalLines(tree.skippedOptional));
  // Ranges and reasons come from packages' package.json (any text on chain, 1,024 characters at most): no escape sequence reaches the terminal.
  return { lines: lines.map(oneLine), installScripts, peers: peerIssues };
}

/**
 * A line per optional dependency left out, except that those of one package
 * left out because they are not on chain make one line: a package with a
 * build per platform (esbuild and rollup list about 25, whose other platforms'
 * `gopkgr import` skips) would otherwise print a screenful on every `get`.
 */
function skippedOptionalLines(skipped: NpmTree['skippedOptional']): string[] {
  type Skipped = NpmTree['skippedOptional'][number];
  type Group = { why: string; first: Skipped; names: string[] };
  const single = (s: Skipped): string => `note: optional ${s.name}@${s.range} of ${s.by} left out: ${s.reason}`;
  // Lines in the order of the first of each group.
  const items: Array<string | Group> = [];
  const groups = new Map<string, Group>();
  for (const s of skipped) {
    const prefix = `npm:${s.name} is not `;
    if (!s.reason.startsWith(prefix)) {
      items.push(single(s));
      continue;
    }
    const why = s.reason.slice(prefix.length);
    const key = JSON.stringify([s.by, why]);
    let group = groups.get(key);
    if (group === undefined) {
      group = { why, first: s, names: [] };
      groups.set(key, group);
      items.push(group);
    }
    group.names.push(s.name);
  }
  return items.map((item) => {
    if (typeof item === 'string') return item;
    if (item.names.length === 1) return single(item.first);
    return `note: ${item.names.length} optional dependencies of ${item.first.by} left out, not ${item.why}: ${fewOf(item.names, '`get --json`')}`;
  });
}
