/**
 * Notices for the npm packages a project installs (notices.ts does the gopkgr
 * ones): npm's own deprecations, read from the registry's packuments as npm
 * reads them, on every `get`, also when nothing changes. The chain records no
 * deprecation of an imported release (an `import` tx carries what the registry
 * served when it was imported, and npm deprecates later), and an advisory tx
 * names a gopkgr package, so for npm releases the registry is where the data
 * is. One abbreviated packument per name, asked in parallel within a timeout:
 * a registry that is down or slow leaves these notices unchecked, with the
 * reason, and the install goes on.
 *
 * A packument is hostile input: a deprecation counts only when the registry's
 * record has the integrity of the installed release (other bytes under the
 * same version are another release), and its text loses control characters.
 */
import { isGopkgrError } from '../../ledger/index.ts';
import { configuredRegistry, declaredSha512, NpmRegistry } from '../npm/registry.ts';
import { mapLimit } from './fetchIndex.ts';
import { noticeLine, type Notice, type NoticeCheck } from './notices.ts';
import { printable } from '../printable.ts';
import type { NpmTree } from './npmTree.ts';

/** How long the registry's packuments may take before the npm notices are given up (a dead mirror must not stall `get`). */
export const NPM_NOTICES_TIMEOUT_MS = 10_000;
/** Parallel packument requests (as fetchIndex.ts). */
const CONCURRENCY = 16;

export interface InstalledNpm {
  name: string;
  version: string;
  integrity: string;
}

/** Each distinct release of the tree once (a name may be installed at several versions). */
export function installedNpm(tree: NpmTree): InstalledNpm[] {
  const out = new Map<string, InstalledNpm>();
  for (const n of tree.nodes.values()) out.set(`${n.release.name}@${n.release.version}`, { name: n.release.name, version: n.release.version, integrity: n.release.integrity });
  return [...out.values()].sort((a, b) => (a.name === b.name ? (a.version < b.version ? -1 : 1) : a.name < b.name ? -1 : 1));
}

/** `registry`: the npm registry's URL; undefined offline. */
export async function checkNpmNotices(installed: readonly InstalledNpm[], registry: string | undefined, timeoutMs = NPM_NOTICES_TIMEOUT_MS): Promise<NoticeCheck> {
  if (installed.length === 0) return { checked: true, notices: [] };
  if (registry === undefined) return { checked: false, notices: [], unchecked: 'offline' };
  const client = new NpmRegistry(registry, timeoutMs);
  try {
    const found = await mapLimit(installed, CONCURRENCY, async (p) => {
      try {
        return await client.packument(p.name);
      } catch (err) {
        // A name this registry does not have (imported from another one) says nothing; anything else stops the check.
        if (isGopkgrError(err, 'NPM_NOT_FOUND')) return undefined;
        throw err;
      }
    });
    const notices: Notice[] = [];
    installed.forEach((p, i) => {
      const record = found[i]?.versions[p.version];
      if (record === undefined || record === null || typeof record !== 'object' || declaredSha512(record) !== p.integrity) return;
      const reason = record.deprecated;
      if (typeof reason === 'string' && reason !== '') notices.push({ kind: 'deprecated', name: `npm:${p.name}`, version: p.version, reason: printable(reason) });
    });
    return { checked: true, notices };
  } catch (err) {
    if (!isGopkgrError(err)) throw err;
    return { checked: false, notices: [], unchecked: printable(err.message) };
  }
}

/**
 * What `get` and `update` ask about an installed npm tree: undefined when there
 * is none; the registry is `--registry` when given, else the user's npm config
 * (`registry=` in the project's or the home .npmrc), as npm would ask.
 */
export async function npmNotices(tree: NpmTree, offline: boolean, registry: string | undefined, projectDir: string): Promise<NoticeCheck | undefined> {
  if (tree.nodes.size === 0) return undefined;
  return checkNpmNotices(installedNpm(tree), offline ? undefined : registry ?? (await configuredRegistry(projectDir)));
}

/** The lines for people: one per notice, or why they were not checked. */
export function npmNoticeLines(check: NoticeCheck | undefined): string[] {
  if (check === undefined) return [];
  return check.checked ? check.notices.map(noticeLine) : [`npm notices not checked (${check.unchecked ?? 'unknown'}): npm deprecations are unknown`];
}
