/**
 * What the attest loop needs from a node, and nothing more: tester/ sits below
 * cli/, so the loop cannot use the CLI's HTTP client; the `gopkgr tester`
 * command passes an adapter over it. The views are the API's JSON shapes
 * (GET /v1/blocks/:height, /v1/packages/@ns/name[/:version]), reduced to the
 * fields the loop reads.
 */
import type { BodyByType } from '../../ledger/index.ts';

export type AttestBody = BodyByType['attest'];

export interface TxView {
  id: string;
  type: string;
  body?: { ns?: string; name?: string; pkg?: string; version?: string; deps?: Record<string, string> };
}

export interface BlockView {
  height: number;
  /** the block's timestamp (ms since the Unix epoch), as its header holds it; the API always gives it */
  time?: number;
  txs: TxView[];
}

export interface VersionView {
  /** the package's id (hex) */
  id: string;
  version: string;
  contentHash: string;
  /** the height of the main-chain block that published it */
  height: number;
  /** '@ns/name@version' → content hash (hex) */
  lock: Record<string, string>;
  attestations: { tester: string; passed?: number; failed?: number }[];
  /** declared dependency ranges, '@ns/name' → range (crater: the dependent's range for the substituted package) */
  deps?: Record<string, string>;
  /** crater: runs of dependents' suites with this version substituted (who ran which dependent) */
  dependentRuns?: { tester: string; dependent: string }[];
  /** the commit the version was published from, when recorded (what a rebuild starts from) */
  commit?: string;
}

export interface VersionSummary {
  version: string;
  contentHash: string;
}

export interface AttestNode {
  /** the main chain's height */
  height(): Promise<number>;
  /** the TypeScript release the chain pins for InfVer verdicts (genesis infverTypescript), undefined when it pins none */
  infverTypescript(): Promise<string | undefined>;
  block(height: number): Promise<BlockView>;
  version(name: string, version: string): Promise<VersionView>;
  /** a package's versions, oldest first, in publish order */
  versions(name: string): Promise<VersionSummary[]>;
  /** a blob's bytes (checked against the hash by the caller) */
  blob(sha256: string): Promise<Uint8Array>;
  /** sign an attest tx with the tester's key and its next nonce, and submit it */
  submitAttest(body: AttestBody): Promise<{ id: string }>;
}
