/**
 * Proof of Test: run a package's tests in an isolated-vm sandbox with node:test
 * and node:assert shims, deterministically, and summarise the outcome with a hash
 * every tester reproduces (DESIGN.md, "Proof of Test and InfVer").
 */
export { runTests, type RunTestsOptions } from './runTests.ts';
export { summarise, attestedCounts, resultHash, normaliseText, HASH_DOMAIN, type Outcome, type TestOutcome, type TestStatus } from './outcome.ts';
export { DEFAULT_LIMITS, DEFAULT_SEED, SANDBOX_EPOCH_MS, resolveLimits, type SandboxLimits } from './options.ts';
export { findTestFiles, testPatterns, testRunner, globToRegExp, withoutEmittedCopies, DEFAULT_TEST_PATTERNS, NODE_TEST_PATTERNS, VITEST_TEST_PATTERNS, JEST_TEST_PATTERNS, type TestRunner } from './testFiles.ts';
export { readPackageDir, readInstalledDeps, importedPackages, lockedNames } from './readPackage.ts';
export { Resolver, resolveExports, type FileMap, type DepMap } from './resolve.ts';
export { extractTarball } from './extract.ts';
export { predecessorRunFiles, testSupportDir, type PredecessorRunFiles } from './predecessor.ts';
export { attestLoop, type AttestLoopOptions, type AttestLoopResult, type Attested, type AttestFailure, type AttestNode, type RebuildFn, type DependentAttested } from './attest/index.ts';
export { changesHash, computeVerdict, verdictPolicy, CHANGES_HASH_DOMAIN, type Verdict, type VerdictChange, type VerdictPolicy } from './attest/index.ts';
