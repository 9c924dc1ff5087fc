/** The attest tx body for a version's runs: bound to its content and lock hashes. */
import { fromHex, lockHash } from '../../ledger/index.ts';
import { attestedCounts } from '../outcome.ts';
import type { AttestBody } from './node.ts';
import type { VersionRun } from './testVersion.ts';

export function attestBody(run: VersionRun): AttestBody {
  const { version: v, outcome, prev, verdict, rebuild } = run;
  // An aborted run attests at least one failure (attestedCounts).
  const counts = attestedCounts(outcome);
  const body: AttestBody = {
    pkg: fromHex(v.id, 'package id', 32),
    version: v.version,
    contentHash: fromHex(v.contentHash, 'content hash', 32),
    lockHash: lockHash(v.lock),
    passed: counts.passed,
    failed: counts.failed,
    skipped: counts.skipped,
    resultHash: fromHex(outcome.resultHash, 'result hash', 32),
    runtimeMs: run.runtimeMs,
  };
  if (prev !== undefined) {
    const prevCounts = attestedCounts(prev.outcome);
    Object.assign(body, { prev: prev.version, prevPassed: prevCounts.passed, prevFailed: prevCounts.failed, prevResultHash: fromHex(prev.outcome.resultHash, 'result hash', 32) });
  }
  // InfVer: the checker's verdict on the step from the previous version, when this tester computed one.
  if (verdict !== undefined) Object.assign(body, { infver: verdict.bump, infverHash: fromHex(verdict.changesHash, 'changes hash', 32) });
  // The rebuild from the recorded commit, when this tester made one.
  if (rebuild !== undefined) body.rebuild = rebuild;
  return body;
}
