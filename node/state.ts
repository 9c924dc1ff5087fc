/**
 * The registry state: a key-value map of plain values. Keys:
 *   acct:<pubhex>          AccountState
 *   ns:<@ns>               NamespaceState
 *   owned:<pubhex>         string[]  namespaces where the key is owner or maintainer
 *   pkg:<idhex>            PackageState
 *   name:<@ns/name>        string    package id hex
 *   ver:<idhex>:<version>  VersionState
 * Values are treated as immutable: rules copy before they change one, so an
 * overlay's base is never touched and undo data is simply the old values.
 */
import type { Canonical } from './encoding.ts';

export interface AccountState {
  nonce: number;
  balance: number;
  /** Set when the key was rotated away; its txs are no longer accepted. */
  rotatedTo?: string;
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
  reward: number;
  height: number;
  block: string;
  txId: string;
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
  apiHash?: string;
  manifest?: Canonical;
  deps: Record<string, string>;
  /** deps as published, before any bounds edits */
  publishedDeps: Record<string, string>;
  lock: Record<string, string>;
  repo?: string;
  commit?: string;
  build?: string;
  deprecated: boolean;
  deprecationReason?: string;
  publisher: string;
  height: number;
  block: string;
  txId: string;
  bounds: BoundsEdit[];
  attestations: AttestationState[];
}

export type StateValue = AccountState | NamespaceState | PackageState | VersionState | string[] | string;

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
  version: (idHex: string, version: string): string => `ver:${idHex}:${version}`,
};

export function getAccount(s: StateReader, pubHex: string): AccountState {
  return (s.get(keys.account(pubHex)) as AccountState | undefined) ?? { nonce: 0, balance: 0 };
}
