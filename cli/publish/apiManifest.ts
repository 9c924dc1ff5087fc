/**
 * InfVer: the release's public API manifest, and its version: the previous
 * version bumped by how the API changed (the first version is FIRST_VERSION).
 */
import { compareManifests, extractManifest, nextVersion, validateManifest, type Comparison, type Manifest } from '../../infver/index.ts';
import type { NodeClient } from '../client.ts';
import type { PackageJson } from '../packages.ts';

export interface ApiVersion {
  manifest: Manifest;
  /** the latest version on chain, absent for a first publish */
  latest?: string;
  /** how the API changed from `latest`; null for a first publish */
  comparison: Comparison | null;
  version: string;
}

export async function apiVersion(dir: string, client: NodeClient, fullName: string, existing: PackageJson | undefined): Promise<ApiVersion> {
  const manifest = await extractManifest(dir);
  const latest = existing?.versions.at(-1)?.version;
  if (latest === undefined) return { manifest, comparison: null, version: nextVersion(null, 'patch') };
  const prev = await client.get<{ manifest?: unknown }>(`/v1/packages/${fullName}/${latest}`);
  const comparison = compareManifests(validateManifest(prev.manifest), manifest);
  return { manifest, latest, comparison, version: nextVersion(latest, comparison.bump) };
}
