/**
 * `gopkgr tester`: the Proof-of-Test work loop against a node over HTTP.
 *
 * It reads the main chain block by block (GET /v1/blocks/:height) to learn
 * package names (create txs) and new versions (publish txs); for each version it
 * has not attested yet (GET /v1/packages/@ns/name/:version lists attestations)
 * it fetches the tarball and every locked dependency (GET /v1/blobs/:sha256,
 * sha256 checked), extracts them in memory, runs the tests in the sandbox
 * (tester/index.ts) and submits a signed `attest` tx bound to the content hash
 * and the lock hash. InfVer 2.0: when the version has a predecessor (the version
 * published right before it) with tests, it also runs those tests against the
 * new version's sources (tester/predecessor.ts says which files) with the new
 * version's locked deps, and reports that run in the attestation's `prev*`
 * fields; a quorum of agreeing failing runs marks the version breaking by
 * inference on chain. Runs go in parallel, one per core; submissions one at a
 * time (each takes the next nonce). A package that misbehaves costs one run:
 * the sandbox contains it, and any error is printed and the loop goes on.
 */
import { availableParallelism } from 'node:os';
import { fromHex, lockHash, toHex } from '../../ledger/index.ts';
import { attestedCounts, extractTarball, findTestFiles, predecessorRunFiles, runTests, type Outcome } from '../../tester/index.ts';
import { intOption, parse } from '../args.ts';
import { NodeClient } from '../client.ts';
import type { Command } from '../command.ts';
import { loadIdentity } from '../context.ts';

const usage = 'gopkgr tester [--once] [--from HEIGHT] [--concurrency N] [--poll-ms N]';

interface TxJson {
  id: string;
  type: string;
  body?: { ns?: string; name?: string; pkg?: string; version?: string };
}
interface BlockJson {
  height: number;
  txs: TxJson[];
}
interface VersionJson {
  id: string;
  version: string;
  contentHash: string;
  lock: Record<string, string>;
  attestations: { tester: string }[];
}
interface PackageVersionsJson {
  /** oldest first, in publish order */
  versions: { version: string; contentHash: string }[];
}
interface PrevRun {
  version: string;
  outcome: Outcome;
}
interface Job {
  pkg: string;
  version: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const tester: Command = {
  name: 'tester',
  summary: "run new versions' tests in the sandbox and attest on chain",
  usage,
  async run(args, ctx) {
    const { values } = parse(args, { once: { type: 'boolean' }, from: { type: 'string' }, concurrency: { type: 'string' }, 'poll-ms': { type: 'string' } }, usage);
    const key = await loadIdentity(ctx.dataDir);
    const me = `id:${toHex(key.publicKey)}`;
    const client = new NodeClient(ctx.nodeUrl, ctx.token);
    const concurrency = intOption(values.concurrency, 'concurrency', 1, 256) ?? Math.max(1, availableParallelism());
    const pollMs = intOption(values['poll-ms'], 'poll-ms', 10, 3_600_000) ?? 2_000;
    let next = intOption(values.from, 'from', 0, 2 ** 31) ?? 0;
    const names = new Map<string, string>();
    const results: { name: string; version: string; outcome?: Outcome; prev?: PrevRun; error?: string }[] = [];
    let submitting: Promise<unknown> = Promise.resolve();
    const submit = <T>(f: () => Promise<T>): Promise<T> => {
      const p = submitting.then(f, f);
      submitting = p.catch(() => undefined);
      return p;
    };

    const attest = async (job: Job): Promise<void> => {
      const name = names.get(job.pkg);
      if (name === undefined) return;
      try {
        const v = await client.get<VersionJson>(`/v1/packages/${name}/${encodeURIComponent(job.version)}`);
        if (v.attestations.some((a) => a.tester === me)) return;
        const files = await extractTarball(await client.getBlob(v.contentHash), v.contentHash);
        const deps = new Map<string, Map<string, string>>();
        for (const [spec, hash] of Object.entries(v.lock)) {
          deps.set(spec.slice(0, spec.lastIndexOf('@')), await extractTarball(await client.getBlob(hash), hash));
        }
        const start = Date.now();
        const outcome = await runTests({ files, deps });
        const runtimeMs = Date.now() - start;
        // InfVer 2.0: the predecessor's tests against this version's sources.
        let prev: PrevRun | undefined;
        const history = (await client.get<PackageVersionsJson>(`/v1/packages/${name}`)).versions;
        const at = history.findIndex((x) => x.version === v.version);
        const before = at > 0 ? history[at - 1] : undefined;
        if (before !== undefined) {
          const prevFiles = await extractTarball(await client.getBlob(before.contentHash), before.contentHash);
          if (findTestFiles(prevFiles).length > 0) {
            const run = predecessorRunFiles(prevFiles, files);
            prev = { version: before.version, outcome: await runTests({ files: run.files, deps, testFiles: run.testFiles }) };
          }
        }
        // An aborted run attests at least one failure (attestedCounts).
        const counts = attestedCounts(outcome);
        const prevCounts = prev === undefined ? undefined : attestedCounts(prev.outcome);
        const receipt = await submit(() =>
          client.submit(key, 'attest', {
            pkg: fromHex(v.id, 'package id', 32),
            version: v.version,
            contentHash: fromHex(v.contentHash, 'content hash', 32),
            lockHash: lockHash(v.lock),
            passed: counts.passed,
            failed: counts.failed,
            skipped: counts.skipped,
            resultHash: fromHex(outcome.resultHash, 'result hash', 32),
            runtimeMs,
            ...(prev === undefined || prevCounts === undefined ? {} : {
              prev: prev.version,
              prevPassed: prevCounts.passed,
              prevFailed: prevCounts.failed,
              prevResultHash: fromHex(prev.outcome.resultHash, 'result hash', 32),
            }),
          }),
        );
        results.push({ name, version: v.version, outcome, ...(prev === undefined ? {} : { prev }) });
        const prevText = prev === undefined ? '' : `; ${prev.version}'s tests against it: ${prev.outcome.passed} passed, ${prev.outcome.failed} failed`;
        ctx.info(`${name}@${v.version}: ${outcome.passed} passed, ${outcome.failed} failed, ${outcome.skipped} skipped${outcome.aborted ? ` (aborted: ${outcome.aborted})` : ''}, ${runtimeMs} ms${prevText}; attest tx ${receipt.id}`);
      } catch (err) {
        const message = (err as Error).message;
        results.push({ name, version: job.version, error: message });
        ctx.err(`gopkgr tester: ${name}@${job.version}: ${message}`);
      }
    };

    for (;;) {
      const status = await client.status();
      const jobs: Job[] = [];
      for (; next <= status.height; next++) {
        const block = await client.get<BlockJson>(`/v1/blocks/${next}`);
        for (const tx of block.txs) {
          if (tx.type === 'create' && tx.body?.ns !== undefined && tx.body.name !== undefined) names.set(tx.id, `${tx.body.ns}/${tx.body.name}`);
          if (tx.type === 'publish' && tx.body?.pkg !== undefined && tx.body.version !== undefined) jobs.push({ pkg: tx.body.pkg, version: tx.body.version });
        }
        if (ctx.tty) process.stderr.write(`\r\u001b[2Kscanned block ${next}/${status.height}`);
      }
      if (ctx.tty) process.stderr.write('\r\u001b[2K');
      // bounded concurrency: `concurrency` runs at once
      let i = 0;
      await Promise.all(
        Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
          while (i < jobs.length) await attest(jobs[i++]!);
        }),
      );
      if (values.once === true) break;
      await sleep(pollMs);
    }
    await submitting;
    if (ctx.json) {
      ctx.out(JSON.stringify({ tester: me, height: next - 1, attested: results.filter((r) => r.outcome).map((r) => ({ name: r.name, version: r.version, ...attestedCounts(r.outcome!), resultHash: r.outcome!.resultHash, ...(r.prev === undefined ? {} : { prev: { version: r.prev.version, passed: r.prev.outcome.passed, failed: attestedCounts(r.prev.outcome).failed, resultHash: r.prev.outcome.resultHash } }) })), errors: results.filter((r) => r.error).map((r) => ({ name: r.name, version: r.version, error: r.error! })) }));
    }
    return results.some((r) => r.error !== undefined) ? 1 : 0;
  },
};
