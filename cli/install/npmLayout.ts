/**
 * npm packages in the install (installPackages.ts lays out every package by its
 * path under `node_modules`): an npm package's path is its location from the
 * tree (`chalk`, `chalk/node_modules/supports-color`), its package.json stays
 * the registry's, and its tarball must hash to the registry's sha512 integrity
 * as well as to the chain's sha256 before it is unpacked.
 *
 * Nesting and all-or-nothing: the commit moves a reinstalled package's old
 * directory aside whole, nested `node_modules` included, so every package
 * nested below a reinstalled one is reinstalled too, after its parent.
 */
import { createHash } from 'node:crypto';
import { GopkgrError } from '../../ledger/index.ts';
import type { InstallPlan, TargetPackage } from './installPackages.ts';
import type { NpmTree } from './npmTree.ts';

const PREFIX = 'node_modules/';

/** The install targets of an npm tree: paths under `node_modules`, package.json as packed. */
export function npmTargets(tree: NpmTree): TargetPackage[] {
  return [...tree.nodes.values()].map((n) => ({ name: n.location.slice(PREFIX.length), version: n.release.version, contentHash: n.release.contentHash, npm: true as const }));
}

/** Whether a target path lies inside another package's own `node_modules` (import maps name only the top level). */
export const isNested = (name: string): boolean => name.includes('/node_modules/');

/** An npm package at the top whose directory a gopkgr package takes (npm scope = gopkgr namespace): refused, never overwritten. */
export function checkLayoutConflicts(gopkgrNames: Iterable<string>, tree: NpmTree): void {
  for (const name of gopkgrNames) {
    if (tree.nodes.has(`${PREFIX}${name}`)) {
      throw new GopkgrError('NPM_LAYOUT_CONFLICT', `the gopkgr package ${name} and the npm package ${name} would both be node_modules/${name}`, {
        hint: 'import only one of them in this project',
      });
    }
  }
}

/** Reinstall what is nested under a reinstalled package, parents before children (see the header). */
export function withNestedReinstalls(plan: InstallPlan): InstallPlan {
  const moved = new Set(plan.toInstall.map((t) => t.name));
  const under = (name: string): boolean => [...moved].some((m) => name.startsWith(`${m}/node_modules/`));
  const kept: TargetPackage[] = [];
  const toInstall = [...plan.toInstall];
  for (const t of [...plan.kept].sort((a, b) => a.name.length - b.name.length)) {
    if (under(t.name)) {
      toInstall.push(t);
      moved.add(t.name);
    } else kept.push(t);
  }
  toInstall.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { ...plan, toInstall, kept };
}

/** The tarball's sha512 against the registry's integrity the chain records; a mismatch installs nothing. */
export function checkNpmIntegrity(bytes: Uint8Array, integrity: string, label: string): void {
  const actual = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
  if (actual !== integrity) {
    throw new GopkgrError('NPM_INTEGRITY_MISMATCH', `the tarball of ${label} hashes to ${actual.slice(0, 24)}…, not to the registry's integrity ${integrity.slice(0, 24)}… the chain records; nothing was installed`, {
      hint: 'the node or the local cache holds other bytes; try another node with --node',
    });
  }
}
