/**
 * The Proof-of-Test work loop: read the chain for new versions, test each one
 * this tester has not attested yet, and submit a signed attest tx for it.
 * Runs go in parallel (`concurrency` at once); submissions one at a time. A
 * package that misbehaves costs one run: the sandbox contains it, and any error
 * is reported and the loop goes on. InfVer verdicts go with the attestations
 * only when this tester's checker runs the TypeScript the chain pins (verdict.ts);
 * otherwise the loop says so once and attests the tests alone.
 */
import { attestBody } from './attestBody.ts';
import { ChainReader } from './chainReader.ts';
import type { AttestBody, AttestNode, VersionView } from './node.ts';
import { Serial } from '../../node/serial.ts';
import { testVersion, type RebuildFn, type TestRunnerFn, type VersionRun } from './testVersion.ts';
import { chainVerdictPolicy, type VerdictPolicy } from './verdict.ts';
import { runDependent, type DependentRun } from './dependents.ts';
import { runTests } from '../runTests.ts';
import { MAX_DEPENDENT_RUNS } from '../../ledger/index.ts';

export interface Attested extends VersionRun {
  name: string;
  body: AttestBody;
  /** the attest tx's id */
  tx: string;
}

/** Crater: a dependent's suite run with a new version substituted, and attested. */
export interface DependentAttested extends DependentRun {
  /** the new version's package and version */
  name: string;
  version: string;
  /** the attest tx's id */
  tx: string;
}

export interface AttestFailure {
  name: string;
  version: string;
  message: string;
}

export interface AttestLoopOptions {
  node: AttestNode;
  /** this tester's identity ('id:<hex>'): versions it has attested are skipped */
  tester: string;
  /** the first block to read */
  from: number;
  /** runs at once */
  concurrency: number;
  /** one pass over the chain, then return */
  once: boolean;
  /** the pause between passes */
  pollMs: number;
  /** ends a polling loop after the pass under way */
  signal?: AbortSignal;
  onBlock?: (height: number, top: number) => void;
  /** a pass's blocks are all read */
  onScanned?: () => void;
  onAttested?: (a: Attested) => void;
  /** crater: a dependent's run with a new version was attested */
  onDependentAttested?: (d: DependentAttested) => void;
  onFailed?: (f: AttestFailure) => void;
  /** the loop's choice about InfVer verdicts, once at the start (and why it attests none, when it does not) */
  onVerdictPolicy?: (p: VerdictPolicy) => void;
  /** how a run is made: in this process by default; `gopkgr tester` runs each in a child process (tester/child/) */
  runTests?: TestRunnerFn;
  /** rebuild each version that records a commit and attest the outcome (`gopkgr tester --verify`) */
  rebuild?: RebuildFn;
}

export interface AttestLoopResult {
  /** the last block read */
  height: number;
  attested: Attested[];
  /** crater runs attested (tester/attest/dependents.ts) */
  dependents: DependentAttested[];
  failed: AttestFailure[];
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Run `work` on every item with at most `concurrency` at once. */
async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (i < items.length) await work(items[i++]!);
    }),
  );
}

export async function attestLoop(opts: AttestLoopOptions): Promise<AttestLoopResult> {
  const { node } = opts;
  const reader = new ChainReader(opts.from);
  // One submission at a time: each signs with the account's next nonce, read from the node.
  const submitter = new Serial();
  const result: AttestLoopResult = { height: opts.from - 1, attested: [], dependents: [], failed: [] };

  const policy = await chainVerdictPolicy(await node.infverTypescript());
  opts.onVerdictPolicy?.(policy);
  const stopped = (): boolean => opts.signal?.aborted === true;
  const attest = async (pkg: string, version: string): Promise<void> => {
    const name = reader.nameOf(pkg);
    if (name === undefined) return;
    try {
      const run = await testVersion(node, opts.tester, name, version, { verdicts: policy.attest, runTests: opts.runTests, ...(opts.rebuild === undefined ? {} : { rebuild: opts.rebuild }) });
      if (run === undefined) return;
      const body = attestBody(run);
      const receipt = await submitter.run(() => node.submitAttest(body));
      const attested: Attested = { name, ...run, body, tx: receipt.id };
      result.attested.push(attested);
      opts.onAttested?.(attested);
    } catch (err) {
      const failure = { name, version, message: (err as Error).message };
      result.failed.push(failure);
      opts.onFailed?.(failure);
    }
    await attestDependents(name, version);
  };
  // Crater: the suites of the newest versions of the package's direct dependents, the version substituted.
  const attestDependents = async (name: string, version: string): Promise<void> => {
    const targets = reader.dependentsOf(name, MAX_DEPENDENT_RUNS);
    if (targets.length === 0) return;
    const fail = (message: string): void => {
      const failure = { name, version, message };
      result.failed.push(failure);
      opts.onFailed?.(failure);
    };
    let v: VersionView;
    try {
      v = await node.version(name, version);
    } catch (err) {
      return fail((err as Error).message);
    }
    for (const target of targets) {
      // Ran in an earlier run: nothing to fetch (`gopkgr tester --once` reads the chain from its start every time).
      if ((v.dependentRuns ?? []).some((r) => r.tester === opts.tester && r.dependent === `${target.name}@${target.version}`)) continue;
      try {
        const run = await runDependent(node, opts.tester, name, v, target, opts.runTests ?? runTests);
        if (run === undefined) continue;
        const receipt = await submitter.run(() => node.submitAttest(run.body));
        const attested: DependentAttested = { name, version, ...run, tx: receipt.id };
        result.dependents.push(attested);
        opts.onDependentAttested?.(attested);
      } catch (err) {
        fail(`the suite of ${target.name}@${target.version} with it: ${(err as Error).message}`);
      }
    }
  };

  for (;;) {
    const jobs = await reader.readTo(node, await node.height(), opts.onBlock);
    result.height = reader.next - 1;
    opts.onScanned?.();
    await inParallel(jobs, opts.concurrency, (job) => attest(job.pkg, job.version));
    if (opts.once || stopped()) break;
    await pause(opts.pollMs, opts.signal);
    if (stopped()) break;
  }
  await submitter.idle();
  return result;
}
