/**
 * InfVer: the release's public API manifest, and its version: the version it
 * steps from bumped by what the TypeScript checker finds between that release
 * (its tarball from the node, checked against the chain) and this one; the
 * first version is FIRST_VERSION. The manifest goes on chain, where nodes
 * enforce the lower bound it proves (infver/lowerBound.ts); the bump proposed
 * here is never below that bound, so a node never rejects it.
 *
 * A release steps from the newest version, or with `--from` from the newest
 * of an older major line (a fix for 1.x after 2.0.0): a minor or a patch
 * there; a break there is refused, since that line's next major exists.
 */
import {
  diffPackages,
  extractManifest,
  manifestLowerBound,
  nextVersion,
  validateManifest,
  type Bump,
  type CheckedComparison,
  type Manifest,
} from '../../infver/index.ts';
import { GopkgrError, newestVersion, stepBase } from '../../ledger/index.ts';
import type { NodeClient } from '../client.ts';
import { materializeVersion } from '../infver/inputs.ts';
import type { PackageJson } from '../packages.ts';

export interface ApiVersion {
  manifest: Manifest;
  /** the version this release steps from, absent for a first publish */
  base?: string;
  /** the base's apiHash: a release with the same API names it instead of carrying the manifest */
  baseApiHash?: string;
  /** how the API changed from `base`, as the checker found it; null for a first publish */
  comparison: CheckedComparison | null;
  version: string;
}

const RANK: Record<Bump, number> = { patch: 0, minor: 1, major: 2 };

/** The version a release steps from: the newest, or the newest of the line `from` is on. */
function baseOf(fullName: string, existing: PackageJson | undefined, from: string | undefined): string | undefined {
  const versions = existing?.versions.map((v) => v.version) ?? [];
  if (from === undefined) return newestVersion(versions);
  if (!versions.includes(from)) {
    throw new GopkgrError('PUBLISH_BAD_FROM', `--from ${from}: ${fullName}@${from} is not published`, {
      hint: versions.length === 0 ? 'a first publish takes no --from' : `published versions: ${versions.join(', ')}`,
    });
  }
  return stepBase(versions, from);
}

export async function apiVersion(dir: string, client: NodeClient, fullName: string, existing: PackageJson | undefined, from?: string): Promise<ApiVersion> {
  const manifest = await extractManifest(dir);
  const base = baseOf(fullName, existing, from);
  if (base === undefined) return { manifest, comparison: null, version: nextVersion(null, 'patch') };
  const record = await client.get<{ manifest?: unknown; apiHash?: string }>(`/v1/packages/${fullName}/${base}`);
  const floor = manifestLowerBound(validateManifest(record.manifest), manifest);
  const prev = await materializeVersion(client, fullName, base);
  let checked: CheckedComparison;
  try {
    checked = await diffPackages(prev.dir, dir);
  } finally {
    await prev.cleanup();
  }
  const bump = RANK[floor.bump] > RANK[checked.bump] ? floor.bump : checked.bump;
  const newest = newestVersion(existing!.versions.map((v) => v.version))!;
  if (bump === 'major' && base !== newest) {
    const why = checked.changes.find((c) => c.kind === 'removed' || c.kind === 'breaking');
    throw new GopkgrError('PUBLISH_MAJOR_ON_OLD_LINE',
      `this release breaks ${fullName}@${base}${why === undefined ? '' : ` (${why.export}: ${why.detail})`}, and a major step from the ${base.split('.')[0]}.x line is refused: ${nextVersion(base, 'major')} exists`,
      { hint: `publish the break on top of ${newest} (without --from), or keep the ${base.split('.')[0]}.x release compatible` });
  }
  return {
    manifest, base, ...(record.apiHash === undefined ? {} : { baseApiHash: record.apiHash }),
    comparison: { ...checked, bump }, version: nextVersion(base, bump),
  };
}
