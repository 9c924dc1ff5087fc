/**
 * Crater (InfVer 2.0, "the inferred interoperability of the versions"): when a
 * version V of a package P is published, testers also run the suites of P's
 * direct dependents with V substituted in their lock trees, as Rust's crater
 * and Vite's ecosystem CI do, and attest each run with an `attest` tx whose
 * `dependent` field names the dependent version D. This file holds the pure
 * rule for such an attestation and its effect on V's state.
 *
 * The substituted lock (the exact entries whose hash the attestation carries,
 * hashed as every lock is, ledger/lockHash.ts):
 *   D's lock without any entry of P, plus `P@V` → V's content hash, plus each
 *   entry of V's own lock whose package D's lock does not hold already.
 * D's other locked versions win over V's: they are what D was tested with.
 *
 * The effect, once `breakQuorum` testers' runs of one (V, D) agree (same result hash):
 *  - all passing (failed 0, passed > 0): D is a verified upgrade path of V
 *    (`dependentsVerified`);
 *  - failing, while D's own baseline passes (at least `breakQuorum` of D's own
 *    attestations, made with its locked P, report failed 0 and passed > 0):
 *    V breaks D (`dependentsBroken`), and V is marked `breakingByInference`
 *    naming D (set when unmarked; an existing mark only gains D in its
 *    `dependents`), with the resolver effects that mark has.
 * A dependent lands in one list only, the first its quorum reaches.
 *
 * Bound: at most MAX_DEPENDENT_RUNS distinct dependents per version are taken
 * (testers pick the most depended-on first, tester/attest/dependents.ts).
 */
import semver from 'semver';
import { GopkgrError, type ErrorCode } from './errors.ts';
import { bytesEqual, toHex } from './encoding.ts';
import { lockHash } from './lockHash.ts';
import { attestationRecord } from './attestationRecord.ts';
import { keys, type AttestationState, type DependentRunState, type NamespaceState, type PackageState, type StateOverlay, type StateReader, type VersionState } from './state.ts';
import type { AttestBody } from './tx.ts';
import type { ChainParams } from './params.ts';

/** Dependents per version whose runs the chain takes: each run costs every tester a suite; five keeps a publish's extra work bounded. */
export const MAX_DEPENDENT_RUNS = 5;

/** The rules.ts helpers this rule shares (passed in, so this file does not import rules.ts, which imports it). */
export interface DependentRunHelpers {
  /** every key the identity of `key` has had */
  keysOf(s: StateOverlay, key: string): string[];
  isMaintainer(ns: NamespaceState, who: string): boolean;
  /** rules.ts's reward rule over one list of runs that agree by resultHash */
  payTesters(s: StateOverlay, runs: AttestationState[], ns: NamespaceState, published: boolean, ctx: { params: ChainParams; height: number }): AttestationState[];
}

export interface DependentRunContext {
  params: ChainParams;
  height: number;
  blockId: string;
  txId: string;
}

function reject(code: ErrorCode, message: string): never {
  throw new GopkgrError(code, message);
}

/** `@ns/name` of a lock key `@ns/name@version`. */
function lockName(ref: string): string {
  return ref.slice(0, ref.lastIndexOf('@'));
}

/** The version P has in a lock (hex-valued, as state keeps it), or undefined when it holds none. */
export function lockedVersionOf(lock: Readonly<Record<string, string>>, name: string): string | undefined {
  for (const ref of Object.keys(lock)) if (lockName(ref) === name) return ref.slice(ref.lastIndexOf('@') + 1);
  return undefined;
}

/** The dependent's lock with `name@version` substituted: see the file header for the exact entries. */
export function substituteLock(dependentLock: Readonly<Record<string, string>>, name: string, version: string, contentHash: string, versionLock: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [ref, hash] of Object.entries(dependentLock)) if (lockName(ref) !== name) out[ref] = hash;
  out[`${name}@${version}`] = contentHash;
  const held = new Set(Object.keys(out).map(lockName));
  for (const [ref, hash] of Object.entries(versionLock)) if (!held.has(lockName(ref))) out[ref] = hash;
  return out;
}

/** The dependent version a dependent run names, with its package; TX_DEPENDENT_UNKNOWN when it is not on chain. */
function dependentOf(s: StateOverlay, body: AttestBody & { dependent: object }): { pkg: PackageState; version: VersionState; full: string } {
  const d = body.dependent!;
  const pkg = s.get(keys.pkg(toHex(d.pkg))) as PackageState | undefined;
  const version = pkg === undefined ? undefined : (s.get(keys.version(pkg.id, d.version)) as VersionState | undefined);
  if (pkg === undefined || version === undefined) reject('TX_DEPENDENT_UNKNOWN', `the dependent run names ${pkg === undefined ? `package ${toHex(d.pkg)}` : `${pkg.ns}/${pkg.name}@${d.version}`}, which is not on chain`);
  return { pkg, version, full: `${pkg.ns}/${pkg.name}@${d.version}` };
}

/** Whether at least `quorum` of the dependent's own attestations (with its locked versions) passed. */
function baselinePasses(d: VersionState, quorum: number): boolean {
  return d.attestations.filter((a) => a.failed === 0 && a.passed > 0).length >= quorum;
}

function withName(list: readonly string[] | undefined, name: string): string[] {
  return list?.includes(name) === true ? [...list] : [...(list ?? []), name];
}

/**
 * Apply an attest tx with `dependent` on version `version` of `pkg`, whose
 * content hash the caller checked. `from` signed it.
 */
export function applyDependentRun(s: StateOverlay, from: string, body: AttestBody, pkg: PackageState, version: VersionState, ctx: DependentRunContext, helpers: DependentRunHelpers): void {
  const name = `${pkg.ns}/${pkg.name}`;
  const full = `${name}@${body.version}`;
  const dep = dependentOf(s, body as AttestBody & { dependent: object });
  // Rule: the dependent depends on the package directly: it declares it, and its lock holds a version of it.
  const range = dep.version.deps[name];
  const locked = lockedVersionOf(dep.version.lock, name);
  if (dep.pkg.id === pkg.id || range === undefined || locked === undefined) {
    reject('TX_DEPENDENT_NOT_DEPENDENT', `${dep.full} does not depend on ${name} directly (its deps and its lock must both name it)`);
  }
  // Rule: the substituted version is a new one the dependent's declared range (bounds edits included) admits.
  if (locked === body.version || !semver.satisfies(body.version, range)) {
    reject('TX_DEPENDENT_RANGE', locked === body.version
      ? `${dep.full} locks ${full} already: its own attestations are that run`
      : `${dep.full} declares ${name} ${range}, which does not admit ${body.version}`);
  }
  const runs = version.dependentRuns ?? [];
  // Rule: one run per tester per (version, dependent), under any key the tester's identity has had.
  const identity = helpers.keysOf(s, from);
  if (runs.some((r) => r.dependent === dep.full && identity.includes(r.tester))) {
    reject('TX_DUPLICATE_DEPENDENT_ATTESTATION', `id:${from} already attested the run of ${dep.full}'s suite with ${full}`);
  }
  // Rule: at most MAX_DEPENDENT_RUNS dependents per version.
  const dependents = new Set(runs.map((r) => r.dependent));
  if (!dependents.has(dep.full) && dependents.size >= MAX_DEPENDENT_RUNS) {
    reject('TX_DEPENDENT_CAP', `${full} already has runs of ${MAX_DEPENDENT_RUNS} dependents (${[...dependents].join(', ')}); no more are taken`);
  }
  // Rule (the costliest check, last): the run tested the dependent's lock with this version substituted (the file header's entries).
  const substituted = substituteLock(dep.version.lock, name, body.version, version.contentHash, version.lock);
  if (!bytesEqual(body.lockHash, lockHash(substituted))) {
    reject('TX_DEPENDENT_LOCK_MISMATCH', `the lock hash is not that of ${dep.full}'s lock with ${full} substituted for ${name}@${locked}`);
  }
  const run: DependentRunState = { ...attestationRecord(from, body, ctx), dependent: dep.full, locked };
  // Rewards as for any attestation, among the runs of this one dependent; the maintainers of the
  // dependent's namespace are paid nothing either (they wrote the suite that is run).
  const ns = s.get(keys.namespace(pkg.ns)) as NamespaceState;
  const depNs = s.get(keys.namespace(dep.pkg.ns)) as NamespaceState;
  const own = identity.includes(version.publisher) || identity.some((k) => helpers.isMaintainer(depNs, k));
  const paid = helpers.payTesters(s, [...runs.filter((r) => r.dependent === dep.full), run], ns, own, ctx) as DependentRunState[];
  const byTx = new Map(paid.map((r) => [r.txId, r]));
  const all = [...runs, run].map((r) => byTx.get(r.txId) ?? r);
  const next: VersionState = { ...version, dependentRuns: all };
  // The effect on V once a quorum of this dependent's runs agree with the one applied now.
  const agreeing = all.filter((r) => r.dependent === dep.full && r.resultHash === run.resultHash);
  const decided = version.dependentsVerified?.includes(dep.full) === true || version.dependentsBroken?.includes(dep.full) === true;
  if (!decided && agreeing.length >= ctx.params.breakQuorum) {
    if (run.failed === 0 && run.passed > 0) next.dependentsVerified = withName(version.dependentsVerified, dep.full);
    else if (run.failed > 0 && baselinePasses(dep.version, ctx.params.breakQuorum)) {
      next.dependentsBroken = withName(version.dependentsBroken, dep.full);
      const b = version.breakingByInference;
      next.breakingByInference = b === undefined
        ? { prev: locked, resultHash: run.resultHash, testers: agreeing.map((r) => r.tester), height: ctx.height, dependents: [dep.full] }
        : { ...b, dependents: withName(b.dependents, dep.full) };
    }
  }
  s.set(keys.version(pkg.id, body.version), next);
}

/** What the rule reads beyond an own attestation: the dependent's lock and the version's runs (for block cost). */
export function dependentRunReads(s: StateReader, body: AttestBody): { lockEntries: number; listItems: number } {
  if (body.dependent === undefined) return { lockEntries: 0, listItems: 0 };
  const pkg = s.get(keys.pkg(toHex(body.dependent.pkg))) as PackageState | undefined;
  const d = pkg === undefined ? undefined : (s.get(keys.version(pkg.id, body.dependent.version)) as VersionState | undefined);
  const target = s.get(keys.pkg(toHex(body.pkg))) as PackageState | undefined;
  const v = target === undefined ? undefined : (s.get(keys.version(target.id, body.version)) as VersionState | undefined);
  return { lockEntries: Object.keys(d?.lock ?? {}).length, listItems: (d?.attestations.length ?? 0) + (v?.dependentRuns?.length ?? 0) };
}
