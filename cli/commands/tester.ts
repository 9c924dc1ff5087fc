/**
 * `gopkgr tester`: the Proof-of-Test work loop (tester/attest/) against a node
 * over HTTP.
 *
 * The loop reads the main chain block by block (GET /v1/blocks/:height) to learn
 * package names (create txs) and new versions (publish txs); for each version it
 * has not attested yet (GET /v1/packages/@ns/name/:version lists attestations)
 * it fetches the tarball and every locked dependency (GET /v1/blobs/:sha256,
 * sha256 checked), runs the tests in the sandbox, and the previous version's
 * tests against the new sources (InfVer 2.0), and submits a signed `attest` tx
 * bound to the content hash and the lock hash, with its InfVer verdict on the
 * step from the previous version when its TypeScript is the one the chain pins
 * (GET /v1/status `infverTypescript`). With `--verify`, each version that
 * records a commit is also rebuilt from it (the `gopkgr verify` pipeline,
 * cli/verify/) and the attestation carries the verdict: `reproduced`,
 * `differs` or `unverifiable`. Crater: for each new version, the suites of its
 * direct dependents' newest versions run with it substituted in their locks
 * (tester/attest/dependents.ts) and are attested too (`dependents` in --json).
 * This command parses the options,
 * loads the identity, adapts the HTTP client for the loop and reports.
 */
import { availableParallelism } from 'node:os';
import { toHex, type KeyPair } from '../../ledger/index.ts';
import { attestedCounts, attestLoop, type Attested, type AttestNode, type DependentAttested, type VerdictPolicy } from '../../tester/index.ts';
import { intOption, parse } from '../args.ts';
import { NodeClient } from '../client.ts';
import type { Command } from '../command.ts';
import { loadIdentity } from '../context.ts';
import { runTestsInChild } from '../../tester/child/runInChild.ts';
import { verifyRelease } from '../verify/index.ts';

const usage = 'gopkgr tester [--once] [--from HEIGHT] [--concurrency N] [--poll-ms N] [--verify]';

/** The loop's view of a node, over the CLI's HTTP client; attest txs are signed with `key`. */
export function httpAttestNode(client: NodeClient, key: KeyPair): AttestNode {
  return {
    height: async () => (await client.status()).height,
    infverTypescript: async () => (await client.status()).infverTypescript,
    block: (height) => client.get(`/v1/blocks/${height}`),
    version: (name, version) => client.get(`/v1/packages/${name}/${encodeURIComponent(version)}`),
    versions: async (name) => (await client.get<{ versions: { version: string; contentHash: string }[] }>(`/v1/packages/${name}`)).versions,
    blob: (sha256) => client.getBlob(sha256),
    submitAttest: (body) => client.submit(key, 'attest', body),
  };
}

function attestedLine(a: Attested): string {
  const { outcome, prev } = a;
  const prevText = prev === undefined ? '' : `; ${prev.version}'s tests against it: ${prev.outcome.passed} passed, ${prev.outcome.failed} failed`;
  const verdictText = a.verdict !== undefined
    ? `; InfVer verdict: ${a.verdict.bump} (${a.verdict.changes} change${a.verdict.changes === 1 ? '' : 's'}, hash ${a.verdict.changesHash.slice(0, 16)}…)`
    : a.noVerdict !== undefined ? `; no InfVer verdict: ${a.noVerdict}` : '';
  const rebuildText = a.rebuild === undefined ? '' : `; rebuilt from its commit: ${a.rebuild}`;
  return `${a.name}@${a.version.version}: ${outcome.passed} passed, ${outcome.failed} failed, ${outcome.skipped} skipped${outcome.aborted ? ` (aborted: ${outcome.aborted})` : ''}, ${a.runtimeMs} ms${prevText}${verdictText}${rebuildText}; attest tx ${a.tx}`;
}

function attestedJson(a: Attested): Record<string, unknown> {
  const { outcome, prev } = a;
  return {
    name: a.name, version: a.version.version, ...attestedCounts(outcome), resultHash: outcome.resultHash,
    ...(prev === undefined ? {} : { prev: { version: prev.version, passed: prev.outcome.passed, failed: attestedCounts(prev.outcome).failed, resultHash: prev.outcome.resultHash } }),
    ...(a.verdict === undefined ? {} : { infver: { bump: a.verdict.bump, changesHash: a.verdict.changesHash, changes: a.verdict.changes } }),
    ...(a.noVerdict === undefined ? {} : { noVerdict: a.noVerdict }),
    ...(a.rebuild === undefined ? {} : { rebuild: a.rebuild }),
  };
}

/** Crater: a dependent's suite run with a new version substituted. */
function dependentLine(d: DependentAttested): string {
  const { outcome } = d;
  return `${d.name}@${d.version} in ${d.dependent} (for ${d.locked}): ${outcome.passed} passed, ${outcome.failed} failed, ${outcome.skipped} skipped, ${d.runtimeMs} ms; attest tx ${d.tx}`;
}

function dependentJson(d: DependentAttested): Record<string, unknown> {
  return { name: d.name, version: d.version, dependent: d.dependent, locked: d.locked, ...attestedCounts(d.outcome), resultHash: d.outcome.resultHash };
}

export const tester: Command = {
  name: 'tester',
  summary: "run new versions' tests in the sandbox and attest on chain",
  usage,
  async run(args, ctx) {
    const { values } = parse(args, { once: { type: 'boolean' }, from: { type: 'string' }, concurrency: { type: 'string' }, 'poll-ms': { type: 'string' }, verify: { type: 'boolean' } }, usage);
    const key = await loadIdentity(ctx.dataDir);
    const me = `id:${toHex(key.publicKey)}`;
    let verdicts: VerdictPolicy | undefined;
    const client = new NodeClient(ctx.nodeUrl, ctx.token);
    const rebuild = values.verify === true
      ? async (name: string, version: string) => (await verifyRelease(client, name, version, { dataDir: ctx.dataDir, log: () => {} })).verdict
      : undefined;
    const result = await attestLoop({
      node: httpAttestNode(client, key),
      ...(rebuild === undefined ? {} : { rebuild }),
      tester: me,
      from: intOption(values.from, 'from', 0, 2 ** 31) ?? 0,
      concurrency: intOption(values.concurrency, 'concurrency', 1, 256) ?? Math.max(1, availableParallelism()),
      pollMs: intOption(values['poll-ms'], 'poll-ms', 10, 3_600_000) ?? 2_000,
      once: values.once === true,
      // each run in a child process: a crash of the isolate or its addon cannot take the tester down
      runTests: runTestsInChild,
      onBlock: (height, top) => {
        if (ctx.tty) process.stderr.write(`\r\u001b[2Kscanned block ${height}/${top}`);
      },
      onScanned: () => {
        if (ctx.tty) process.stderr.write('\r\u001b[2K');
      },
      onAttested: (a) => ctx.info(attestedLine(a)),
      onDependentAttested: (d) => ctx.info(dependentLine(d)),
      onFailed: (f) => ctx.err(`gopkgr tester: ${f.name}@${f.version}: ${f.message}`),
      onVerdictPolicy: (p) => {
        verdicts = p;
        // A tester that may not give verdicts says so: its attestations carry test results only.
        if (p.attest) ctx.info(`InfVer verdicts: on (TypeScript ${p.typescript}, the release the chain pins)`);
        else ctx.err(`gopkgr tester: InfVer verdicts off: ${p.reason}`);
      },
    });
    if (ctx.json) {
      ctx.out(JSON.stringify({ tester: me, height: result.height, verdicts: verdicts?.attest === true ? { typescript: verdicts.typescript } : { off: verdicts?.reason ?? null }, attested: result.attested.map(attestedJson), dependents: result.dependents.map(dependentJson), errors: result.failed.map((f) => ({ name: f.name, version: f.version, error: f.message })) }));
    }
    return result.failed.length > 0 ? 1 : 0;
  },
};
