/**
 * The registry state: a key-value map of plain values. Keys:
 *   acct:<pubhex>          AccountState
 *   ns:<@ns>               NamespaceState
 *   owned:<pubhex>         string[]  namespaces where the key is owner or maintainer
 *   pkg:<idhex>            PackageState
 *   name:<@ns/name>        string    package id hex
 *   bare:<name>:<@ns>      string    package id hex (the same package under its bare name, for search by name)
 *   ver:<idhex>:<version>  VersionState
 *   api:<apihex>           an API manifest (Canonical), stored once for every version whose API it is
 *   adv:<idhex>            AdvisoryState[]  the package's advisories, oldest first (ledger/advisory.ts)
 *   word:<token>:<@ns/name> string  package id hex: a search token of the newest version's exported names (ledger/searchTokens.ts)
 *   desc:<token>:<@ns/name> string  package id hex: a word of the newest version's description (ledger/searchTokens.ts)
 * Values are treated as immutable: rules copy before they change one, so an
 * overlay's base is never touched and undo data is simply the old values.
 */
import type { Canonical } from './encoding.ts';
import type { RebuildVerdict } from './tx.ts';

export interface AccountState {
  nonce: number;
  balance: number;
  /** Set when the key was rotated away; its txs are no longer accepted. */
  rotatedTo?: string;
  /** Set on a key that took over another's history by rotation: the key it replaced (so a tester cannot attest a version again, or be paid again, under a new key). */
  rotatedFrom?: string;
}

export interface NamespaceState {
  ns: string;
  owner: string;
  maintainers: string[];
  height: number;
  txId: string;
}

export interface PackageState {
  id: string;
  ns: string;
  name: string;
  creator: string;
  height: number;
  versions: string[];
}

export interface AttestationState {
  tester: string;
  contentHash: string;
  lockHash: string;
  passed: number;
  failed: number;
  skipped: number;
  resultHash: string;
  runtimeMs: number;
  /** what the tester was paid for it: testerReward once paid, 0 until then and forever for an own-namespace one */
  reward: number;
  /** where its reward stands (rules.ts payTesters); absent on records written before rewards waited for agreement, which were paid on arrival */
  rewardStatus?: AttestationReward;
  /** height of the block whose attestation agreed with it and paid it */
  paidAt?: number;
  height: number;
  block: string;
  txId: string;
  /** InfVer 2.0: the previous version's tests run against this version (attest tx `prev*` fields). */
  prev?: PredecessorRun;
  /** InfVer: the tester's verdict on the step from the previous version (attest tx `infver*` fields). */
  infver?: InfverVerdict;
  /** what rebuilding the version from its recorded commit gave the tester (attest tx `rebuild`) */
  rebuild?: RebuildVerdict;
}

/**
 * Where an attestation's reward stands: `awaiting-agreement` until another
 * independent tester's attestation of the version has the same resultHash,
 * then `paid`; `own-namespace` (never paid) when the tester published the
 * version or owned or maintained its namespace when it attested.
 */
export type AttestationReward = 'awaiting-agreement' | 'paid' | 'own-namespace';

/** A tester's InfVer verdict: the bump its pinned checker computed from the previous version, and the hash of the changes it found. */
export interface InfverVerdict {
  bump: 'major' | 'minor' | 'patch';
  changesHash: string;
}

/** The outcome of running the previous version's test files against a version's sources. */
export interface PredecessorRun {
  /** the version whose tests ran (the one published right before) */
  version: string;
  passed: number;
  failed: number;
  resultHash: string;
}

/**
 * A version that `breakQuorum` testers found breaks its predecessor's tests,
 * agreeing on the outcome (same result hash): set once, by the attestation that
 * completed the quorum.
 */
export interface BreakingByInference {
  /** the predecessor whose tests fail */
  prev: string;
  /** the predecessor run's result hash the testers agree on */
  resultHash: string;
  /** the agreeing testers (public key hex), in the order their attestations were applied */
  testers: string[];
  /** height of the block that completed the quorum */
  height: number;
  /**
   * Crater: the dependents (`@ns/name@version`) whose suites a quorum found
   * failing with this version substituted while they pass with their locked
   * one (ledger/dependentRun.ts); absent when only the predecessor's tests did.
   */
  dependents?: string[];
}

/**
 * Crater: one tester's run of a dependent's suite with the attested version
 * substituted in the dependent's lock tree (an attest tx with `dependent`).
 * `lockHash` is the substituted lock's; reward fields as an attestation's.
 */
export interface DependentRunState extends AttestationState {
  /** the dependent, `@ns/name@version` */
  dependent: string;
  /** the version of the attested package the dependent's lock holds (what was replaced) */
  locked: string;
}

/**
 * A version whose number understates its API change: `breakQuorum` testers'
 * pinned checkers agree on a bump (same bump, same changes hash) greater than
 * the step its number took over the version published right before. Set once,
 * by the attestation that completed the quorum; never cleared.
 */
export interface Misversioned {
  /** the version published right before, the step's start */
  prev: string;
  /** the step the version number took over `prev` */
  claimed: 'major' | 'minor' | 'patch';
  /** the bump the testers' checkers agree the API change needs */
  verdict: 'major' | 'minor' | 'patch';
  /** the changes hash the testers agree on */
  changesHash: string;
  /** the agreeing testers (public key hex), in the order their attestations were applied */
  testers: string[];
  /** height of the block that completed the quorum */
  height: number;
}

export interface BoundsEdit {
  deps: Record<string, string>;
  by: string;
  height: number;
  txId: string;
}

export interface VersionState {
  version: string;
  contentHash: string;
  size: number;
  /** sha256 of the API manifest (hex); the manifest itself is the `api:<apiHash>` record */
  apiHash?: string;
  deps: Record<string, string>;
  /** deps as published, before any bounds edits */
  publishedDeps: Record<string, string>;
  lock: Record<string, string>;
  repo?: string;
  commit?: string;
  build?: string;
  /** git's tree id of the package directory at `commit` */
  sourceTree?: string;
  /** package.json's description as published */
  description?: string;
  deprecated: boolean;
  deprecationReason?: string;
  publisher: string;
  height: number;
  block: string;
  txId: string;
  bounds: BoundsEdit[];
  attestations: AttestationState[];
  /** InfVer 2.0: set when a quorum of testers found the previous version's tests fail against this one. */
  breakingByInference?: BreakingByInference;
  /** InfVer: set when a quorum of testers' checkers found the version's number understates its API change. */
  misversioned?: Misversioned;
  /** Crater: testers' runs of direct dependents' suites with this version substituted (ledger/dependentRun.ts). */
  dependentRuns?: DependentRunState[];
  /** Crater: dependents (`@ns/name@version`) a quorum found passing with this version: verified upgrade paths. */
  dependentsVerified?: string[];
  /** Crater: dependents a quorum found failing with this version while their own suites pass. */
  dependentsBroken?: string[];
}

/** How bad an advisory says a problem is, least to most. */
export const ADVISORY_SEVERITIES = ['low', 'moderate', 'high', 'critical'] as const;
export type AdvisorySeverity = typeof ADVISORY_SEVERITIES[number];

/** A security advisory on a package (`advisory` tx): its id is the tx's id. */
export interface AdvisoryState {
  id: string;
  /** the versions it affects */
  range: string;
  severity: AdvisorySeverity;
  text: string;
  /** who signed it (public key hex): a maintainer of the namespace or a chain trustee */
  by: string;
  /** whether `by` signed as a chain trustee (not a maintainer) */
  trustee: boolean;
  height: number;
}

/** An npm release imported onto the chain (`import` tx), immutable once there. */
export interface NpmReleaseState {
  name: string;
  version: string;
  integrity: string;
  contentHash: string;
  size: number;
  deps: Record<string, string>;
  optionalDeps?: Record<string, string>;
  peerDeps?: Record<string, string>;
  installScripts?: true;
  /** the registry signature's key id, when the release carried one the chain verified */
  signedBy?: string;
  /** the importer's InfVer verdict on the step from `prev` (an earlier release on chain) */
  infver?: { prev: string; bump: 'major' | 'minor' | 'patch' };
  /** the package.json's platform fields, when it has them (ledger/npmRelease.ts) */
  os?: string[];
  cpu?: string[];
  libc?: string[];
  importer: string;
  height: number;
  block: string;
  txId: string;
}

/** Private chains: a proposal to change the authority set (ledger/authorityVote.ts). */
export interface AuthorityProposal {
  action: 'add' | 'remove';
  /** the identity to add or remove (hex key) */
  identity: string;
  /** the epoch the votes were cast in; the proposal takes effect after its boundary */
  epoch: number;
  /** hex keys of the authorities that voted for it, in vote order */
  voters: string[];
}

export interface AuthorityState {
  /** the set in force (hex keys, turn order) */
  set: string[];
  /** proposals of the running epoch, in the order first proposed */
  proposals: AuthorityProposal[];
  /** offenders with recorded evidence, leaving the set at the next boundary */
  offenders: string[];
}

/** One record per offender: evidence is taken once. */
export interface EvidenceRecord {
  offender: string;
  from: string;
  height: number;
  txId: string;
}

export type StateValue = AccountState | NamespaceState | PackageState | VersionState | string[] | string | ApiManifestRecord | NpmReleaseState | AdvisoryState[]
  | AuthorityState | EvidenceRecord;

/** An API manifest as published (InfVer), kept once per content hash. */
export type ApiManifestRecord = Canonical;

export interface StateReader {
  get(key: string): StateValue | undefined;
}

/** Writes on top of a base state, readable as one state. */
export class StateOverlay implements StateReader {
  readonly writes = new Map<string, StateValue | null>();
  constructor(readonly base: StateReader) {}

  get(key: string): StateValue | undefined {
    const w = this.writes.get(key);
    if (w !== undefined) return w ?? undefined;
    return this.base.get(key);
  }

  set(key: string, value: StateValue): void {
    this.writes.set(key, value);
  }

  delete(key: string): void {
    this.writes.set(key, null);
  }

  /** The base's values of every key written here: applying them undoes the overlay. */
  undo(): Array<[string, StateValue | null]> {
    return [...this.writes.keys()].sort().map((key) => [key, this.base.get(key) ?? null]);
  }
}

export const keys = {
  account: (pubHex: string): string => `acct:${pubHex}`,
  namespace: (ns: string): string => `ns:${ns}`,
  owned: (pubHex: string): string => `owned:${pubHex}`,
  pkg: (idHex: string): string => `pkg:${idHex}`,
  name: (fullName: string): string => `name:${fullName}`,
  bareName: (name: string, ns: string): string => `bare:${name}:${ns}`,
  version: (idHex: string, version: string): string => `ver:${idHex}:${version}`,
  api: (apiHex: string): string => `api:${apiHex}`,
  /** the versions of an npm package on chain, in import order */
  npm: (name: string): string => `npm:${name}`,
  npmRelease: (name: string, version: string): string => `npmv:${name}@${version}`,
  /** a package's advisories */
  advisories: (idHex: string): string => `adv:${idHex}`,
  /** a search token of a package (its full name last, so one token's packages are one range read) */
  word: (token: string, fullName: string): string => `word:${token}:${fullName}`,
  /** a word of a package's description (its full name last, as `word:`) */
  descriptionWord: (token: string, fullName: string): string => `desc:${token}:${fullName}`,
  /** private chains: the authority set in force, the epoch's proposals and pending offenders (ledger/authorityVote.ts) */
  authority: 'authority',
  /** private chains: the evidence recorded against an offender (one record each) */
  evidence: (offenderHex: string): string => `evid:${offenderHex}`,
};

export function getAccount(s: StateReader, pubHex: string): AccountState {
  return (s.get(keys.account(pubHex)) as AccountState | undefined) ?? { nonce: 0, balance: 0 };
}
