/**
 * From tagged imports to the solver's requirements: one requirement per tag, so
 * a conflict names the file and line that asked for each range. Untagged imports
 * of a package that is tagged elsewhere are covered by that tag; untagged imports
 * of packages nobody tags are reported (they may be npm packages) but not resolved.
 * Two different hashlocks on one package are an error: only one tarball can win.
 * Imports tagged `npm` (name `npm:<name>`) are npm requirements, kept apart:
 * they are installed by npm's rules (cli/install/npmTree.ts), not the solver's.
 */
import { GopkgrError } from '../../ledger/index.ts';
import type { Requirement } from '../../resolver/index.ts';
import type { TaggedImport } from './structTag.ts';

export interface Collected {
  requirements: Requirement[];
  /** `@ns/name` → the chain named by a tag ("which registry to ask first") */
  chains: Record<string, string>;
  /** packages imported without any tag anywhere */
  untagged: string[];
  /** npm ranges from `npm` tags: name without the `npm:` prefix, one per tag */
  npm: NpmRequirement[];
}

export interface NpmRequirement {
  /** the npm name (`zod`, `@types/node`) */
  name: string;
  range: string;
  /** file:line of the tag */
  origin: string;
}

export function collectRequirements(imports: readonly TaggedImport[]): Collected {
  const requirements: Requirement[] = [];
  const chains: Record<string, string> = {};
  const hashes = new Map<string, { hash: string; at: string }>();
  const tagged = new Set<string>();
  const npm: NpmRequirement[] = [];
  for (const imp of imports) {
    if (imp.tag === undefined) continue;
    const at = `${imp.file}:${imp.line}`;
    if (imp.tag.npm !== undefined) {
      const name = imp.name.slice('npm:'.length);
      // An untagged import of the same scoped name elsewhere is this package, not a gopkgr one to note.
      tagged.add(name);
      npm.push({ name, range: imp.tag.npm, origin: at });
      continue;
    }
    tagged.add(imp.name);
    const { ver, hash, chain } = imp.tag;
    if (hash !== undefined) {
      const other = hashes.get(imp.name);
      if (other !== undefined && other.hash !== hash) {
        throw new GopkgrError('TAG_CONFLICT', `${at}: hashlock ${hash.slice(0, 12)}… on ${imp.name} differs from ${other.hash.slice(0, 12)}… at ${other.at}`, { hint: 'use one hash for a package in every file' });
      }
      hashes.set(imp.name, { hash, at });
    }
    if (chain !== undefined) chains[imp.name] ??= chain;
    requirements.push({ name: imp.name, range: ver ?? '*', ...(hash !== undefined ? { hash } : {}), origin: at });
  }
  const untagged = [...new Set(imports.filter((i) => !tagged.has(i.name) && !i.name.startsWith('npm:')).map((i) => i.name))].sort();
  return { requirements, chains, untagged, npm };
}

/**
 * One range per package, as a publish records it on chain: identical ranges
 * collapse; different ones are intersected (space-joined), which semver reads as
 * "all of these" unless one uses `||`.
 */
export function depsOf(requirements: readonly Requirement[]): Record<string, string> {
  const by = new Map<string, string[]>();
  for (const r of requirements) {
    const list = by.get(r.name) ?? [];
    if (!list.includes(r.range)) list.push(r.range);
    by.set(r.name, list);
  }
  const out: Record<string, string> = {};
  for (const name of [...by.keys()].sort()) {
    const ranges = by.get(name)!.filter((r) => r !== '*');
    if (ranges.length > 1 && ranges.some((r) => r.includes('||'))) {
      throw new GopkgrError('TAG_CONFLICT', `${name} is tagged with ranges ${ranges.join(', ')}, which cannot be combined into one`, { hint: 'use the same ver in every file that imports it' });
    }
    out[name] = ranges.length === 0 ? '*' : ranges.join(' ');
  }
  return out;
}
