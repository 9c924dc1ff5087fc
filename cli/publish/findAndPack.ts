/**
 * The release's bytes and name: pack the package directory into its tarball,
 * read its `@ns/name`, and find the package on chain (absent for a first
 * publish). The same bytes as an existing version are refused: re-publishing
 * them as a new version would only add noise to the chain.
 */
import { GopkgrError, parseFullName } from '../../ledger/index.ts';
import type { NodeClient } from '../client.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packPackage, type PackedPackage, type PackOptions } from '../pack.ts';
import { findPackage, type PackageJson } from '../packages.ts';

export interface PackedRelease {
  ns: string;
  name: string;
  /** '@ns/name' */
  fullName: string;
  packed: PackedPackage;
}

export async function packRelease(dir: string, opts: PackOptions = {}): Promise<PackedRelease> {
  const packed = await packPackage(dir, opts);
  const { ns, name } = fullNameOf(dir, packed.packageJson.name);
  return { ns, name, fullName: `${ns}/${name}`, packed };
}

/**
 * The `@ns/name` package.json gives, read before packing (its dependencies are
 * resolved first, for the compiler); undefined when package.json is missing or
 * broken, which packing then reports with its own code.
 */
export async function releaseName(dir: string): Promise<string | undefined> {
  let pkg: unknown;
  try {
    pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (pkg === null || typeof pkg !== 'object') return undefined;
  const { ns, name } = fullNameOf(dir, (pkg as Record<string, unknown>).name);
  return `${ns}/${name}`;
}

function fullNameOf(dir: string, rawName: unknown): { ns: string; name: string } {
  if (typeof rawName !== 'string') throw new GopkgrError('PUBLISH_NO_NAME', `${dir}/package.json has no "name"`, { hint: 'name the package @namespace/name' });
  return parseFullName(rawName);
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
