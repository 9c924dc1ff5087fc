/**
 * Crater runs (ledger/dependentRun.ts): for a new version V of P, run the suites
 * of the newest versions of P's direct dependents with V substituted in their
 * lock trees, and make the attest bodies that report them.
 *
 * Bound: the most depended-on dependents first (ChainReader.dependentsOf), at
 * most MAX_DEPENDENT_RUNS of them, the number the chain takes per version.
 * A dependent is skipped, without a run, when V is not a new version its
 * declared range admits, when this tester has run it for V already, or when it
 * ships no tests (an empty run would decide nothing).
 */
import semver from 'semver';
import { fromHex, lockedVersionOf, lockHash, substituteLock } from '../../ledger/index.ts';
import { attestedCounts, type Outcome } from '../outcome.ts';
import { findTestFiles } from '../testFiles.ts';
import type { AttestBody, AttestNode, VersionView } from './node.ts';
import { fetchFiles, publishEpochMs, type TestRunnerFn } from './testVersion.ts';

/** A direct dependent to run: its name, its package id (hex) and the version to run. */
export interface DependentTarget {
  name: string;
  pkg: string;
  version: string;
}

export interface DependentRun {
  /** `@ns/name@version` of the dependent */
  dependent: string;
  /** the version of P the dependent locks (what V replaced) */
  locked: string;
  outcome: Outcome;
  runtimeMs: number;
  body: AttestBody;
}

/** Why a dependent gets no run, or undefined when it gets one (cheap checks, before any download). */
export function skipReason(name: string, v: VersionView, tester: string, dep: VersionView, depFull: string): string | undefined {
  const range = dep.deps?.[name];
  const locked = lockedVersionOf(dep.lock, name);
  if (range === undefined || locked === undefined) return `${depFull} does not declare and lock ${name}`;
  if (locked === v.version) return `${depFull} locks ${name}@${v.version} already`;
  if (!semver.satisfies(v.version, range)) return `${depFull} declares ${name} ${range}, which does not admit ${v.version}`;
  if ((v.dependentRuns ?? []).some((r) => r.tester === tester && r.dependent === depFull)) return `this tester ran ${depFull} with ${name}@${v.version} already`;
  return undefined;
}

/**
 * Run `target`'s suite with `name@version` substituted; undefined when it is
 * skipped (skipReason, or no test files).
 */
export async function runDependent(node: AttestNode, tester: string, name: string, v: VersionView, target: DependentTarget, run: TestRunnerFn): Promise<DependentRun | undefined> {
  const dep = await node.version(target.name, target.version);
  const depFull = `${target.name}@${dep.version}`;
  if (skipReason(name, v, tester, dep, depFull) !== undefined) return undefined;
  const files = await fetchFiles(node, dep.contentHash);
  if (findTestFiles(files).length === 0) return undefined;
  const lock = substituteLock(dep.lock, name, v.version, v.contentHash, v.lock);
  const deps = new Map<string, Map<string, string>>();
  for (const [spec, hash] of Object.entries(lock)) deps.set(spec.slice(0, spec.lastIndexOf('@')), await fetchFiles(node, hash));
  // the new version's publish time: the dependent's suite runs on the day the substitution became possible
  const epochMs = await publishEpochMs(node, v);
  const start = Date.now();
  const outcome = await run({ files, deps, epochMs });
  const runtimeMs = Date.now() - start;
  const counts = attestedCounts(outcome);
  const body: AttestBody = {
    pkg: fromHex(v.id, 'package id', 32),
    version: v.version,
    contentHash: fromHex(v.contentHash, 'content hash', 32),
    lockHash: lockHash(lock),
    ...counts,
    resultHash: fromHex(outcome.resultHash, 'result hash', 32),
    runtimeMs,
    dependent: { pkg: fromHex(target.pkg, 'package id', 32), version: dep.version },
  };
  return { dependent: depFull, locked: lockedVersionOf(dep.lock, name)!, outcome, runtimeMs, body };
}
