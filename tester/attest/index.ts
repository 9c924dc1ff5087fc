/** The tester's attest loop (DESIGN.md "Proof of Test and InfVer"): chain reader, version runs, submissions one at a time. */
export { attestLoop, type AttestLoopOptions, type AttestLoopResult, type Attested, type AttestFailure, type DependentAttested } from './loop.ts';
export { runDependent, skipReason, type DependentRun, type DependentTarget } from './dependents.ts';
export { attestBody } from './attestBody.ts';
export { ChainReader, type AttestJob } from './chainReader.ts';
export { publishEpochMs, testVersion, type PrevRun, type RebuildFn, type TestVersionOptions, type VersionRun } from './testVersion.ts';
export { changesHash, chainVerdictPolicy, computeVerdict, verdictPolicy, CHANGES_HASH_DOMAIN, type Verdict, type VerdictChange, type VerdictPolicy } from './verdict.ts';
export type { AttestBody, AttestNode, BlockView, TxView, VersionView, VersionSummary } from './node.ts';
