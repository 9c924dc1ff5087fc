/**
 * One version's runs: fetch its tarball and every locked dependency (each
 * checked against its hash), run its tests in the sandbox and, InfVer 2.0, run
 * the previous version's tests against its sources with its locked deps
 * (tester/predecessor.ts says which files), and, when this tester may
 * (verdict.ts), compute its InfVer verdict on the step from the previous version.
 */
import { predecessorOf, type RebuildVerdict } from '../../ledger/index.ts';
import { extractTarball } from '../extract.ts';
import type { Outcome } from '../outcome.ts';
import { predecessorRunFiles } from '../predecessor.ts';
import { runTests, type RunTestsOptions } from '../runTests.ts';
import { findTestFiles } from '../testFiles.ts';
import type { AttestNode, VersionView } from './node.ts';
import { computeVerdict, type Verdict } from './verdict.ts';

export interface PrevRun {
  version: string;
  outcome: Outcome;
}

export interface VersionRun {
  version: VersionView;
  outcome: Outcome;
  runtimeMs: number;
  prev?: PrevRun;
  /** InfVer: the checker's verdict on the step from the previous version, when this tester gives verdicts */
  verdict?: Verdict;
  /** why there is no verdict although this tester gives them (the checker failed on these versions) */
  noVerdict?: string;
  /** what rebuilding the version from its recorded commit gave, when this tester rebuilds (TestVersionOptions.rebuild) */
  rebuild?: RebuildVerdict;
}

/**
 * Rebuild `name@version` from its recorded repository and commit and compare
 * with its content hash: the `gopkgr verify` pipeline, which lives in cli/
 * (git, a build, the package store) and is handed in by the command.
 */
export type RebuildFn = (name: string, version: string) => Promise<RebuildVerdict>;

/** A way to make one sandboxed run: runTests, or a child process's (tester/child/runInChild.ts). */
export type TestRunnerFn = (options: RunTestsOptions) => Promise<Outcome>;

export interface TestVersionOptions {
  /** compute an InfVer verdict (only on the chain's pinned TypeScript: verdict.ts) */
  verdicts: boolean;
  /** default: runTests, in this process */
  runTests?: TestRunnerFn;
  /** also rebuild each version that records a commit, and attest what that gave */
  rebuild?: RebuildFn;
}

/** A blob's files, unpacked (extractTarball checks the bytes against `hash`). */
export async function fetchFiles(node: AttestNode, hash: string): Promise<Map<string, string>> {
  return extractTarball(await node.blob(hash), hash);
}

/**
 * The clock a version's tests start at: the time of the block that published
 * it, so a test that compares the clock with a date goes as it went for its
 * authors at the release, and every tester of the version starts at the same
 * time (the block is on chain). Undefined (the sandbox's fixed epoch) when the
 * node does not give the block's time.
 */
export async function publishEpochMs(node: AttestNode, v: VersionView): Promise<number | undefined> {
  const time = (await node.block(v.height)).time;
  return typeof time === 'number' && Number.isSafeInteger(time) ? time : undefined;
}

/** The runs for `name@version`, or undefined when `tester` has attested it already. */
export async function testVersion(node: AttestNode, tester: string, name: string, version: string, opts: TestVersionOptions = { verdicts: false }): Promise<VersionRun | undefined> {
  const v = await node.version(name, version);
  if (v.attestations.some((a) => a.tester === tester)) return undefined;
  const files = await fetchFiles(node, v.contentHash);
  const deps = new Map<string, Map<string, string>>();
  for (const [spec, hash] of Object.entries(v.lock)) deps.set(spec.slice(0, spec.lastIndexOf('@')), await fetchFiles(node, hash));
  const epochMs = await publishEpochMs(node, v);
  const run: TestRunnerFn = (o) => (opts.runTests ?? runTests)({ ...o, epochMs });
  const start = Date.now();
  const outcome = await run({ files, deps });
  const runtimeMs = Date.now() - start;
  const result: VersionRun = { version: v, outcome, runtimeMs };
  // Only a version with a recorded commit has a source to rebuild from (the nodes refuse a verdict on any other).
  if (opts.rebuild !== undefined && v.commit !== undefined) result.rebuild = await opts.rebuild(name, v.version);
  const before = await steppedFrom(node, name, v);
  if (before === undefined) return result;
  const prev = await predecessorRun(before, files, deps, run);
  if (prev !== undefined) result.prev = prev;
  if (opts.verdicts) {
    try {
      result.verdict = await computeVerdict(before.files, files);
    } catch (err) {
      // No verdict is attested then; the test results still are.
      result.noVerdict = `the checker could not compare ${before.version} with ${v.version}: ${(err as Error).message}`;
    }
  }
  return result;
}

/** The version `v` stepped from (ledger/versionLine.ts), with its unpacked tarball; undefined for a first version. */
async function steppedFrom(node: AttestNode, name: string, v: VersionView): Promise<{ version: string; files: Map<string, string> } | undefined> {
  const history = await node.versions(name);
  const prevVersion = predecessorOf(history.map((x) => x.version), v.version);
  const before = history.find((x) => x.version === prevVersion);
  if (before === undefined) return undefined;
  return { version: before.version, files: await fetchFiles(node, before.contentHash) };
}

/** The previous version's tests, when it has some, against `v`'s sources. */
async function predecessorRun(before: { version: string; files: Map<string, string> }, files: Map<string, string>, deps: Map<string, Map<string, string>>, run: TestRunnerFn): Promise<PrevRun | undefined> {
  if (findTestFiles(before.files).length === 0) return undefined;
  const swapped = predecessorRunFiles(before.files, files);
  return { version: before.version, outcome: await run({ files: swapped.files, deps, testFiles: swapped.testFiles }) };
}
