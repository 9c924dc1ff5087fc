/**
 * Where npm packages go in `node_modules`: npm's own layout, computed from the
 * `npm:` releases on chain, with no registry and no I/O (pure, so tests drive it
 * with plain data).
 *
 * Versions: a range picks the newest release on chain it admits, by npm's
 * semantics (`semver.maxSatisfying`: pre-releases only when the range names
 * one); a locked version (gopkgr.lock) is preferred whenever it is still in
 * range, so an unchanged project gets exactly its lock. Ranges several tags put
 * on one package must all hold.
 *
 * Layout: Node resolves `require("b")` from a package by walking up its
 * directories' `node_modules`, so each dependency is placed as high as it can go
 * (the project's `node_modules/b`, where everything finds it), and only a
 * dependent that needs a version the higher one does not satisfy gets its own
 * copy, as deep as needed and no deeper (`node_modules/a/node_modules/b`): the
 * minimal duplicates npm installs. A placement is refused where it would change
 * what an already-placed package resolves (it would shadow the copy that
 * package was given higher up). Packages are visited breadth first, names in
 * sorted order, so the same input always gives the same tree.
 *
 * Dependencies are `deps` and `optionalDeps` (an optional one that is not on
 * chain, or not in a form the chain can answer, or whose release's `os`/`cpu`/
 * `libc` exclude the machine, is skipped and said so, as npm skips it). A
 * required one (or the project's own) whose platform fields exclude the machine
 * is placed and listed in `unsupported`: npm refuses to install it
 * (EBADPLATFORM), and so does `get` (npmGet.ts).
 * `peerDeps` are never installed blindly: each is checked against what the
 * dependent resolves from where it sits, and a missing or out-of-range peer is
 * reported. Specs: a semver range; `npm:other@range` (an alias: `other` installed
 * under the alias's name); `latest`, `*` and '' mean any non-pre-release.
 * Anything else (git, URLs, files, other dist-tags) cannot be answered from the
 * chain and is reported as missing.
 */
import semver from 'semver';
import { platformMismatch, type Machine } from '../../ledger/index.ts';

/** One `npm:` release as the chain records it (GET /v1/packages/npm:<name>). */
export interface NpmRelease {
  name: string;
  version: string;
  /** the registry's `sha512-…` */
  integrity: string;
  /** sha256 hex of the exact tarball */
  contentHash: string;
  deps: Record<string, string>;
  optionalDeps?: Record<string, string>;
  peerDeps?: Record<string, string>;
  installScripts?: boolean;
  /** the platform fields the release records (ledger/npmRelease.ts) */
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

/** A range asked of the tree's root (a comment tag, or a `gopkgr get npm:` spec). */
export interface NpmRootRange {
  name: string;
  range: string;
  /** who asks (file:line) */
  origin: string;
}

export interface NpmTreeNode {
  /** where it goes, relative to the project: `node_modules/a/node_modules/b` */
  location: string;
  release: NpmRelease;
}

/** A range the chain holds no release for: `import` is what brings one in. */
export interface NpmMissing {
  name: string;
  range: string;
  /** file:line, or `name@version` of the dependent */
  by: string;
  reason: string;
}

export interface NpmPeerIssue {
  /** the dependent: `name@version` at its location */
  by: string;
  location: string;
  peer: string;
  range: string;
  /** the version it resolves from where it sits, if any */
  found?: string;
}

export interface NpmTree {
  /** by location, in placement order */
  nodes: Map<string, NpmTreeNode>;
  missing: NpmMissing[];
  /** optional dependencies left out (not on chain, not a registry spec, or not for this machine) */
  skippedOptional: NpmMissing[];
  /** required packages whose platform fields exclude the machine (BuildNpmTreeOptions.machine) */
  unsupported: NpmUnsupported[];
  /** the releases of optional dependencies skipped because they are for another platform (the lock keeps them: npmLock.ts) */
  otherPlatform: NpmRelease[];
  peerIssues: NpmPeerIssue[];
}

export interface NpmUnsupported {
  /** `name@version` */
  release: string;
  location: string;
  /** who requires it: `name@version`, or the project's tag */
  by: string;
  /** which field excludes the machine, e.g. `os darwin excludes linux` */
  reason: string;
}

export interface BuildNpmTreeOptions {
  /** name → versions the lockfile holds: taken first when in range */
  preferred?: ReadonlyMap<string, ReadonlySet<string>>;
  /** the machine installed on: an optional dependency whose platform fields exclude it is skipped (undefined: none is) */
  machine?: Machine;
  /** where `index` comes from, for the reasons (`on chain`, or `in gopkgr.lock` when laid out from the lock alone) */
  source?: string;
}

const NM = 'node_modules';

/** The location of `name` in the `node_modules` of `level` ('' is the project). */
export const locationIn = (level: string, name: string): string => (level === '' ? `${NM}/${name}` : `${level}/${NM}/${name}`);

/** The directories whose `node_modules` a package at `location` searches, nearest first: itself, each ancestor package, the project. */
function levelsOf(location: string): string[] {
  const out = [location];
  let rest = location;
  for (;;) {
    const cut = rest.lastIndexOf(`/${NM}/`);
    if (cut < 0) break;
    rest = rest.slice(0, cut);
    out.push(rest);
  }
  out.push('');
  return out;
}

/** Where Node finds `name` from the package at `from`, among the `placed` locations: the nearest node_modules holding it. */
export function resolvedCopy(from: string, name: string, placed: (location: string) => boolean): string | undefined {
  return levelsOf(from).map((level) => locationIn(level, name)).find(placed);
}

/** Whether `location` is `level`'s package itself or lies under it. */
const within = (location: string, level: string): boolean => level === '' || location === level || location.startsWith(`${level}/`);

/** A dependency spec as a registry name and range, or why the chain cannot answer it. */
export function parseNpmDepSpec(name: string, spec: string): { name: string; range: string } | { reason: string } {
  let real = name;
  let range = spec.trim();
  if (range.startsWith('npm:')) {
    const body = range.slice(4);
    const at = body.indexOf('@', 1);
    real = at < 0 ? body : body.slice(0, at);
    range = at < 0 ? '' : body.slice(at + 1);
  }
  if (range === '' || range === 'latest') range = '*';
  if (semver.validRange(range) === null) return { reason: `"${spec}" is not a semver range (git, a URL, a file or a dist-tag), which the chain cannot answer` };
  return { name: real, range };
}

export function buildNpmTree(roots: readonly NpmRootRange[], index: ReadonlyMap<string, readonly NpmRelease[]>, opts: BuildNpmTreeOptions = {}): NpmTree {
  const tree: NpmTree = { nodes: new Map(), missing: [], skippedOptional: [], unsupported: [], otherPlatform: [], peerIssues: [] };
  /** resolved edges: which copy of `name` each placed package gets */
  const edges: Array<{ from: string; name: string; to: string }> = [];
  const queue: NpmTreeNode[] = [];

  const pick = (name: string, ranges: readonly string[]): NpmRelease | undefined => {
    const releases = index.get(name) ?? [];
    const admitted = releases.filter((r) => ranges.every((range) => semver.satisfies(r.version, range)));
    const preferred = opts.preferred?.get(name);
    const locked = preferred === undefined ? [] : admitted.filter((r) => preferred.has(r.version));
    const best = semver.maxSatisfying((locked.length > 0 ? locked : admitted).map((r) => r.version), '*', { includePrerelease: true });
    return best === null ? undefined : admitted.find((r) => r.version === best);
  };
  const where = opts.source ?? 'on chain';
  const missingReason = (name: string, range: string): string => (index.has(name)
    ? `no release of npm:${name} ${where} is in ${range} (${where}: ${index.get(name)!.map((r) => r.version).join(', ')})`
    : `npm:${name} is not ${where}`);
  const place = (location: string, release: NpmRelease, by: string): NpmTreeNode => {
    const node = { location, release };
    tree.nodes.set(location, node);
    queue.push(node);
    const mismatch = opts.machine === undefined ? undefined : platformMismatch(release, opts.machine);
    if (mismatch !== undefined) tree.unsupported.push({ release: `${release.name}@${release.version}`, location, by, reason: mismatch });
    return node;
  };

  // The project's own ranges: one package per name at the top, in every range asked of it.
  const byName = new Map<string, NpmRootRange[]>();
  for (const r of roots) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  for (const name of [...byName.keys()].sort()) {
    const asks = byName.get(name)!;
    const release = pick(name, asks.map((a) => a.range));
    if (release === undefined) {
      for (const a of asks) tree.missing.push({ name, range: a.range, by: a.origin, reason: missingReason(name, asks.map((x) => x.range).join(' and ')) });
      continue;
    }
    place(locationIn('', name), release, asks[0]!.origin);
  }

  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    const by = `${node.release.name}@${node.release.version}`;
    const specs = new Map<string, { spec: string; optional: boolean }>();
    for (const [n, s] of Object.entries(node.release.optionalDeps ?? {})) specs.set(n, { spec: s, optional: true });
    for (const [n, s] of Object.entries(node.release.deps)) specs.set(n, { spec: s, optional: false });
    const levels = levelsOf(node.location);
    for (const alias of [...specs.keys()].sort()) {
      const { spec, optional } = specs.get(alias)!;
      const target = parseNpmDepSpec(alias, spec);
      const miss = (reason: string, range = spec): void => {
        (optional ? tree.skippedOptional : tree.missing).push({ name: 'name' in target ? target.name : alias, range, by, reason });
      };
      if ('reason' in target) {
        miss(target.reason);
        continue;
      }
      // What Node would find from here today.
      let foundAt = levels.length;
      for (let l = 0; l < levels.length; l++) {
        if (tree.nodes.has(locationIn(levels[l]!, alias))) {
          foundAt = l;
          break;
        }
      }
      if (foundAt < levels.length) {
        const found = tree.nodes.get(locationIn(levels[foundAt]!, alias))!;
        if (found.release.name === target.name && semver.satisfies(found.release.version, target.range)) {
          edges.push({ from: node.location, name: alias, to: found.location });
          continue;
        }
      }
      const release = pick(target.name, [target.range]);
      if (release === undefined) {
        miss(missingReason(target.name, target.range), target.range);
        continue;
      }
      const mismatch = optional && opts.machine !== undefined ? platformMismatch(release, opts.machine) : undefined;
      if (mismatch !== undefined) {
        miss(`npm:${release.name}@${release.version} is not for this platform (${mismatch})`, target.range);
        if (!tree.otherPlatform.includes(release)) tree.otherPlatform.push(release);
        continue;
      }
      // As high as it goes: the shallowest level below the copy that does not fit (or the project) where no
      // placed package would stop finding the copy it was given higher up. The package's own level is always safe.
      const highest = foundAt < levels.length ? foundAt - 1 : levels.length - 1;
      let level = 0;
      for (let l = highest; l > 0; l--) {
        const at = levels[l]!;
        if (!edges.some((e) => e.name === alias && within(e.from, at) && !within(e.to, at))) {
          level = l;
          break;
        }
      }
      const placed = place(locationIn(levels[level]!, alias), release, by);
      edges.push({ from: node.location, name: alias, to: placed.location });
    }
  }

  // Peers: checked from where each dependent sits, never installed for it.
  for (const node of tree.nodes.values()) {
    for (const peer of Object.keys(node.release.peerDeps ?? {}).sort()) {
      const range = node.release.peerDeps![peer]!;
      const target = parseNpmDepSpec(peer, range);
      const found = levelsOf(node.location).slice(1).map((l) => tree.nodes.get(locationIn(l, peer))).find((n) => n !== undefined);
      const ok = found !== undefined && !('reason' in target) && found.release.name === target.name && semver.satisfies(found.release.version, target.range);
      if (!ok) tree.peerIssues.push({ by: `${node.release.name}@${node.release.version}`, location: node.location, peer, range, ...(found !== undefined ? { found: found.release.version } : {}) });
    }
  }
  return tree;
}
