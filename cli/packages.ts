/** Looking packages up on a node by name. */
import { GopkgrError, fromHex } from '../ledger/index.ts';
import type { NodeClient } from './client.ts';

export interface VersionJson {
  version: string;
  contentHash: string;
  apiHash?: string;
  manifest?: unknown;
  deprecated: boolean;
  deps: Record<string, string>;
  lock: Record<string, string>;
  height: number;
  block: string;
  txId: string;
  /** provenance (cli/publish/provenance.ts): repository and commit, both or neither */
  repo?: string;
  commit?: string;
  build?: string;
  /** git's tree id of the package directory at `commit` */
  sourceTree?: string;
  /** InfVer 2.0: set when a quorum of testers found the predecessor's tests fail against this version */
  breakingByInference?: { prev: string; resultHash: string; testers: string[]; height: number; dependents?: string[] };
  /** InfVer: set when a quorum of testers' pinned checkers found the version number understates the API change */
  misversioned?: { prev: string; claimed: string; verdict: string; changesHash: string; testers: string[]; height: number };
  /** crater: direct dependents (`@ns/name@version`) a quorum of testers found passing with this version (verified upgrade paths) */
  dependentsVerified?: string[];
  /** crater: direct dependents a quorum of testers found failing with this version */
  dependentsBroken?: string[];
}

export interface PackageJson {
  name: string;
  id: string;
  owner: string;
  maintainers: string[];
  versions: VersionJson[];
}

export async function findPackage(client: NodeClient, name: string): Promise<PackageJson | undefined> {
  return client.getOptional<PackageJson>(`/v1/packages/${name}`);
}

export async function requireVersion(client: NodeClient, name: string, version: string): Promise<{ pkg: PackageJson; id: Uint8Array; v: VersionJson }> {
  const pkg = await findPackage(client, name);
  if (pkg === undefined) throw new GopkgrError('UNKNOWN_PACKAGE', `package ${name} is not on chain`, { hint: 'check the name, or publish it first' });
  const v = pkg.versions.find((x) => x.version === version);
  if (v === undefined) {
    throw new GopkgrError('UNKNOWN_VERSION', `${name}@${version} is not on chain`, { hint: `published versions: ${pkg.versions.map((x) => x.version).join(', ') || 'none'}` });
  }
  return { pkg, id: fromHex(pkg.id), v };
}
