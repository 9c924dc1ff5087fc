/**
 * InfVer: the release's public API manifest, and its version: the previous
 * version bumped by what the TypeScript checker finds between the previous
 * release (its tarball from the node, checked against the chain) and this
 * one; the first version is FIRST_VERSION. The manifest goes on chain, where
 * nodes enforce the lower bound it proves (infver/lowerBound.ts); the bump
 * proposed here is never below that bound, so a node never rejects it.
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
import type { NodeClient } from '../client.ts';
import { materializeVersion } from '../infver/inputs.ts';
import type { PackageJson } from '../packages.ts';

export interface ApiVersion {
  manifest: Manifest;
  /** the latest version on chain, absent for a first publish */
  latest?: string;
  /** how the API changed from `latest`, as the checker found it; null for a first publish */
  comparison: CheckedComparison | null;
  version: string;
}

const RANK: Record<Bump, number> = { patch: 0, minor: 1, major: 2 };

export async function apiVersion(dir: string, client: NodeClient, fullName: string, existing: PackageJson | undefined): Promise<ApiVersion> {
  const manifest = await extractManifest(dir);
  const latest = existing?.versions.at(-1)?.version;
  if (latest === undefined) return { manifest, comparison: null, version: nextVersion(null, 'patch') };
  const record = await client.get<{ manifest?: unknown }>(`/v1/packages/${fullName}/${latest}`);
  const floor = manifestLowerBound(validateManifest(record.manifest), manifest);
  const prev = await materializeVersion(client, fullName, latest);
  let checked: CheckedComparison;
  try {
    checked = await diffPackages(prev.dir, dir);
  } finally {
    await prev.cleanup();
  }
  const bump = RANK[floor.bump] > RANK[checked.bump] ? floor.bump : checked.bump;
  return { manifest, latest, comparison: { ...checked, bump }, version: nextVersion(latest, bump) };
}
