/**
 * Put npm releases on the chain, dependencies first: for each one not there
 * yet, its tarball (checked against the registry's integrity) goes to the
 * node's blob store and an `import` tx records it. Safe to run again: a
 * release already on chain with the registry's integrity is skipped, one on
 * chain with other bytes is reported (the chain's record never changes), and
 * one failure does not stop the rest.
 */
import { fromHex, isGopkgrError, sha256Hex, type ImportBody, type KeyPair } from '../../ledger/index.ts';
import type { NodeClient, TxReceipt, TxSigner } from '../client.ts';
import type { NpmRegistry, NpmVersionRecord } from './registry.ts';

export interface ImportOutcome {
  imported: Array<{ name: string; version: string; tx: string; receipt: TxReceipt }>;
  skipped: Array<{ name: string; version: string; reason: string }>;
  failed: Array<{ name: string; version: string; code: string; message: string }>;
}

interface OnChain {
  integrity: string;
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
  return body;
}

export async function importReleases(
  releases: readonly NpmVersionRecord[],
  opts: { registry: NpmRegistry; client: NodeClient; key: KeyPair; onProgress?: (done: number, total: number, current: string) => void },
): Promise<ImportOutcome> {
  const out: ImportOutcome = { imported: [], skipped: [], failed: [] };
  let sign: TxSigner | undefined;
  for (const [i, record] of releases.entries()) {
    const ref = `${record.name}@${record.version}`;
    opts.onProgress?.(i, releases.length, ref);
    try {
      const onChain = await opts.client.getOptional<OnChain>(`/v1/packages/npm:${record.name}/${record.version}`);
      if (onChain !== undefined) {
        const declared = record.dist.integrity?.split(/\s+/).find((x) => x.startsWith('sha512-'));
        if (declared === undefined || declared === onChain.integrity) {
          out.skipped.push({ name: record.name, version: record.version, reason: 'already on chain' });
        } else {
          out.failed.push({ name: record.name, version: record.version, code: 'NPM_IMPORT_CONFLICT', message: `npm:${ref} is on chain with other bytes (${onChain.integrity.slice(0, 24)}…) than ${opts.registry.url} serves (${declared.slice(0, 24)}…)` });
        }
        continue;
      }
      const { bytes, integrity } = await opts.registry.tarball(record);
      await opts.client.putBlob(sha256Hex(bytes), bytes);
      sign ??= await opts.client.signerFor(opts.key);
      const tx = sign('import', importBody(record, bytes, integrity));
      const receipt = await opts.client.postTx(tx);
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
