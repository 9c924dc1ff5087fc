/**
 * The publish pipeline, shared by `gopkgr publish` and the commands that build
 * a release the same way (npm import, verify): resolve the tagged dependencies
 * and install them where the compiler finds them (lockTree.ts,
 * installDependencies.ts; no prior `gopkgr get` needed) → pack → checks (would
 * consumers load it? checks/) → find on chain → API manifest and version →
 * lock tree checked for that version → signed txs (preparePublish), then upload
 * and submit (publish). A release that
 * fails a check is refused with the first failure's code, unless the caller
 * only reports them (`--dry-run`). Where the release comes from (repository,
 * commit: provenance.ts, which runs git) is read by the caller and passed in.
 * Each step is its own module; observers see the steps as they finish, so a
 * command can report them.
 */
import type { CheckedComparison } from '../../infver/index.ts';
import type { KeyPair } from '../../ledger/index.ts';
import type { NodeClient, TxReceipt } from '../client.ts';
import type { PackageSource } from '../install/fetchIndex.ts';
import { apiVersion, type ApiVersion } from './apiManifest.ts';
import { checksError, runPublishChecks, type PublishCheck } from './checks/index.ts';
import { findExisting, packRelease, releaseName, type PackedRelease } from './findAndPack.ts';
import { installDependencies } from './installDependencies.ts';
import { checkTree, resolveTree, type LockTree } from './lockTree.ts';
import { publishedDescription, signRelease, type Provenance, type SignedRelease } from './signRelease.ts';
import { submitPublish, type SubmitOptions } from './submitPublish.ts';

export { apiVersion, type ApiVersion } from './apiManifest.ts';
export { findExisting, packRelease, releaseName, type PackedRelease } from './findAndPack.ts';
export { checkTree, lockTree, resolveTree, type LockTree, type ResolvedTree } from './lockTree.ts';
export { installDependencies, type InstalledDependencies } from './installDependencies.ts';
export { checksError, runPublishChecks, type PublishCheck } from './checks/index.ts';
// provenance.ts (readProvenance) runs git: it is imported where it is used, so the pipeline itself never starts a process.
export { publishBody, signRelease, type Provenance, type ReleaseFields, type SignedRelease } from './signRelease.ts';
export { submitPublish, type SubmitOptions } from './submitPublish.ts';

export interface PublishObserver {
  onPacked?(release: PackedRelease): void;
  onChecks?(checks: readonly PublishCheck[]): void;
  /** the API changed from `base`, the version the release steps from (not called for a first publish) */
  onApiChange?(base: string, comparison: CheckedComparison): void;
  onLockTree?(tree: LockTree): void;
}

/** A release ready to submit: everything a publish records, and its txs signed. */
export interface PreparedRelease extends PackedRelease, ApiVersion {
  dir: string;
  /** what a consumer's install would see (checks/), every one passed unless `checks: 'report'` */
  checks: PublishCheck[];
  tree: LockTree;
  provenance?: Provenance;
  signed: SignedRelease;
}

export interface PublishedRelease {
  release: PreparedRelease;
  /** the publish tx's receipt (confirmed, unless not waited for) */
  receipt: TxReceipt;
}

export interface PrepareOptions {
  /** step from the newest version of this version's major line instead of the newest of all (`--from`) */
  from?: string;
  /** where the release comes from (readProvenance in provenance.ts), recorded on chain */
  provenance?: Provenance;
  /** 'enforce' (default): a failed check refuses the release; 'report': carry on and return them (`--dry-run`) */
  checks?: 'enforce' | 'report';
  /** what each of the release's txs (create, publish) pays the block's producer (`--fee`; 0: none) */
  fee?: number;
  /** where the lock tree's deps are asked (a gopkgr.json's router); default: the client */
  deps?: PackageSource;
  /** the data directory whose tarball cache and package store the dependencies come through (a throwaway one when absent) */
  dataDir?: string;
}

export async function preparePublish(dir: string, client: NodeClient, key: KeyPair, observer: PublishObserver = {}, opts: PrepareOptions = {}): Promise<PreparedRelease> {
  const { provenance } = opts;
  // The dependencies first: the compiler needs them (packing fails on a missing one otherwise).
  const fullName = await releaseName(dir);
  const treeOpts = { ...(opts.dataDir === undefined ? {} : { cacheDir: opts.dataDir }), ...(opts.deps === undefined ? {} : { source: opts.deps }) };
  const resolved = fullName === undefined ? undefined : await resolveTree(dir, fullName, client, treeOpts);
  const installed = resolved === undefined ? undefined : await installDependencies(dir, resolved, client, opts.dataDir === undefined ? {} : { dataDir: opts.dataDir });
  let packed: PackedRelease;
  let checks: PublishCheck[];
  try {
    packed = await packRelease(dir, installed?.separate === true ? { modulesRoot: installed.modulesRoot } : {});
    observer.onPacked?.(packed);
    checks = await runPublishChecks({
      fullName: packed.fullName, tarball: packed.packed.tarball, packageJson: packed.packed.packageJson, dir,
      ...(installed?.separate === true ? { dependencies: installed.modulesRoot } : {}),
    });
  } finally {
    await installed?.cleanup();
  }
  observer.onChecks?.(checks);
  const refusal = checksError(checks);
  if (refusal !== undefined && opts.checks !== 'report') throw refusal;
  const existing = await findExisting(client, packed);
  const api = await apiVersion(dir, client, packed.fullName, existing, opts.from);
  if (api.base !== undefined && api.comparison !== null) observer.onApiChange?.(api.base, api.comparison);
  const tree = checkTree(resolved ?? await resolveTree(dir, packed.fullName, client, treeOpts), packed.fullName, api.version);
  observer.onLockTree?.(tree);
  const description = publishedDescription(packed.packed.packageJson);
  const signed = await signRelease(client, key, {
    ns: packed.ns, name: packed.name, ...(existing === undefined ? {} : { existingId: existing.id }), version: api.version,
    contentHash: packed.packed.sha256, size: packed.packed.tarball.length, manifest: api.manifest, tree, ...(provenance === undefined ? {} : { provenance }),
    ...(api.baseApiHash === undefined ? {} : { baseApiHash: api.baseApiHash }),
    ...(description === undefined ? {} : { description }),
  }, opts.fee ?? 0);
  return { dir, ...packed, ...api, checks, tree, ...(provenance === undefined ? {} : { provenance }), signed };
}

export async function publish(dir: string, client: NodeClient, key: KeyPair, opts: SubmitOptions & PrepareOptions & { observer?: PublishObserver }): Promise<PublishedRelease> {
  const release = await preparePublish(dir, client, key, opts.observer, opts);
  const receipt = await submitPublish(client, { sha256: release.packed.sha256, bytes: release.packed.tarball }, release.signed, opts);
  return { release, receipt };
}
