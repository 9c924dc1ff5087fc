/**
 * The release's bytes and name: pack the package directory into its tarball,
 * read its `@ns/name`, and find the package on chain (absent for a first
 * publish). The same bytes as an existing version are refused: re-publishing
 * them as a new version would only add noise to the chain.
 */
import { GopkgrError, parseFullName } from '../../ledger/index.ts';
import type { NodeClient } from '../client.ts';
import { packPackage, type PackedPackage } from '../pack.ts';
import { findPackage, type PackageJson } from '../packages.ts';

export interface PackedRelease {
  ns: string;
  name: string;
  /** '@ns/name' */
  fullName: string;
  packed: PackedPackage;
}

export async function packRelease(dir: string): Promise<PackedRelease> {
  const packed = await packPackage(dir);
  const rawName = packed.packageJson.name;
  if (typeof rawName !== 'string') throw new GopkgrError('PUBLISH_NO_NAME', `${dir}/package.json has no "name"`, { hint: 'name the package @namespace/name' });
  const { ns, name } = parseFullName(rawName);
  return { ns, name, fullName: `${ns}/${name}`, packed };
}

/** The package on chain, or undefined when this is its first publish. */
export async function findExisting(client: NodeClient, release: PackedRelease): Promise<PackageJson | undefined> {
  const { fullName, packed } = release;
  const existing = await findPackage(client, fullName);
  const same = existing?.versions.find((v) => v.contentHash === packed.sha256);
  if (same !== undefined) {
    throw new GopkgrError('PUBLISH_UNCHANGED', `${fullName}@${same.version} already has exactly this content (sha256 ${packed.sha256.slice(0, 16)}…)`, { hint: 'change the package before publishing a new version' });
  }
  return existing;
}
