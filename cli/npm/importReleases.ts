/**
 * Put npm releases on the chain, dependencies first: for each one not there
 * yet, its tarball (checked against the registry's integrity) goes to the
 * node's blob store and an `import` tx records it. Safe to run again: a
 * release already on chain with the registry's integrity is skipped, one on
 * chain with other bytes is reported (the chain's record never changes), and
 * one failure does not stop the rest. Each import carries InfVer's verdict on
 * the step from the newest lower release of the package on chain, so the chain
 * shows where a version number and the API change disagree.
 */
import { diffPackages } from '../../infver/index.ts';
import semver from 'semver';
import { fromHex, isGopkgrError, platformOfManifest, PLATFORM_FIELDS, sha256Hex, type ImportBody, type KeyPair } from '../../ledger/index.ts';
import { unpackTarball } from '../infver/inputs.ts';
import type { NodeClient, TxReceipt, TxSigner } from '../client.ts';
import { declaredSha512, type NpmRegistry, type NpmVersionRecord } from './registry.ts';

export interface ImportOutcome {
  imported: Array<{ name: string; version: string; tx: string; receipt: TxReceipt }>;
  skipped: Array<{ name: string; version: string; reason: string }>;
  failed: Array<{ name: string; version: string; code: string; message: string }>;
}

interface OnChainPackage {
  versions: Array<{ version: string; integrity: string; contentHash: string }>;
}

/** A release on chain or imported by this run, whose tarball it holds or can fetch from the node. */
interface Known {
  version: string;
  integrity: string;
  bytes: () => Promise<Uint8Array>;
}

/**
 * InfVer's verdict on the step from the newest release below `record` that is
 * on chain (or imported earlier in this run) to `record`; undefined when there
 * is none, or either side has no declarations the checker can read.
 */
async function verdictOf(record: NpmVersionRecord, bytes: Uint8Array, known: readonly Known[]): Promise<ImportBody['infver']> {
  const lower = known.filter((k) => semver.lt(k.version, record.version));
  const prev = lower.reduce<Known | undefined>((best, k) => (best === undefined || semver.gt(k.version, best.version) ? k : best), undefined);
  if (prev === undefined) return undefined;
  const before = await unpackTarball(await prev.bytes(), `npm:${record.name}@${prev.version}`);
  const after = await unpackTarball(bytes, `npm:${record.name}@${record.version}`);
  try {
    const { bump } = await diffPackages(before.dir, after.dir);
    return { prev: prev.version, bump };
  } catch (err) {
    // A release without readable declarations has no API to judge: the import goes on without a verdict.
    if (isGopkgrError(err) && err.code.startsWith('INFVER_')) return undefined;
    throw err;
  } finally {
    await before.cleanup();
    await after.cleanup();
  }
}

/** The import tx's body for a release whose tarball hashed to `integrity`. */
export function importBody(record: NpmVersionRecord, bytes: Uint8Array, integrity: string): ImportBody {
  const body: ImportBody = {
    name: record.name, version: record.version, integrity,
    contentHash: fromHex(sha256Hex(bytes)), size: bytes.length, deps: record.dependencies ?? {},
  };
  if (record.optionalDependencies !== undefined && Object.keys(record.optionalDependencies).length > 0) body.optionalDeps = record.optionalDependencies;
  if (record.peerDependencies !== undefined && Object.keys(record.peerDependencies).length > 0) body.peerDeps = record.peerDependencies;
  const scripts = record.scripts ?? {};
  if (record.hasInstallScript === true || ['preinstall', 'install', 'postinstall'].some((s) => scripts[s] !== undefined)) body.installScripts = true;
  const signature = record.dist.signatures?.[0];
  if (signature !== undefined) body.signature = { keyid: signature.keyid, sig: signature.sig };
  // As the package.json has them (a node checks): a list the chain cannot take fails this import with TX_MALFORMED.
  const platform = platformOfManifest(record as unknown as Record<string, unknown>);
  for (const field of PLATFORM_FIELDS) if (platform[field] !== undefined) body[field] = platform[field] as string[];
  return body;
}

export async function importReleases(
  releases: readonly NpmVersionRecord[],
  opts: { registry: NpmRegistry; client: NodeClient; key: KeyPair; onProgress?: (done: number, total: number, current: string) => void },
): Promise<ImportOutcome> {
  const out: ImportOutcome = { imported: [], skipped: [], failed: [] };
  let sign: TxSigner | undefined;
  // Per package, what is on chain (to skip) and what a verdict may start from: those on chain, then those this run imports.
  const known = new Map<string, Known[]>();
  const knownOf = async (name: string): Promise<Known[]> => {
    let list = known.get(name);
    if (list === undefined) {
      const pkg = await opts.client.getOptional<OnChainPackage>(`/v1/packages/npm:${name}`);
      list = (pkg?.versions ?? []).map((v) => ({ version: v.version, integrity: v.integrity, bytes: () => opts.client.getBlob(v.contentHash) }));
      known.set(name, list);
    }
    return list;
  };
  for (const [i, record] of releases.entries()) {
    const ref = `${record.name}@${record.version}`;
    opts.onProgress?.(i, releases.length, ref);
    try {
      const siblings = await knownOf(record.name);
      const onChain = siblings.find((k) => k.version === record.version);
      if (onChain !== undefined) {
        const declared = declaredSha512(record);
        if (declared === undefined || declared === onChain.integrity) {
          out.skipped.push({ name: record.name, version: record.version, reason: 'already on chain' });
        } else {
          out.failed.push({ name: record.name, version: record.version, code: 'NPM_IMPORT_CONFLICT', message: `npm:${ref} is on chain with other bytes (${onChain.integrity.slice(0, 24)}…) than ${opts.registry.url} serves (${declared.slice(0, 24)}…)` });
        }
        continue;
      }
      const { bytes, integrity } = await opts.registry.tarball(record);
      const body = importBody(record, bytes, integrity);
      const infver = await verdictOf(record, bytes, siblings);
      if (infver !== undefined) body.infver = infver;
      await opts.client.putBlob(sha256Hex(bytes), bytes);
      sign ??= await opts.client.signerFor(opts.key);
      const tx = sign('import', body);
      const receipt = await opts.client.postTx(tx);
      siblings.push({ version: record.version, integrity, bytes: () => Promise.resolve(bytes) });
      out.imported.push({ name: record.name, version: record.version, tx: receipt.id, receipt });
    } catch (err) {
      // The nonce this tx took may not have been used: the next one signs from the node's count again.
      sign = undefined;
      const code = isGopkgrError(err) ? err.code : 'INTERNAL';
      out.failed.push({ name: record.name, version: record.version, code, message: (err as Error).message });
    }
  }
  opts.onProgress?.(releases.length, releases.length, '');
  return out;
}
