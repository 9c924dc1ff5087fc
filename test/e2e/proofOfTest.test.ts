/**
 * Proof of Test end to end, through real processes on loopback: a dev node that
 * mines (its own identity and data dir), a publisher, and two testers with their
 * own identities and data dirs (`gopkgr tester --once`). A published version
 * collects both testers' attestations, which agree (same resultHash), so both
 * are paid the tester reward by the attest rule (not by the block's reward tx,
 * which pays only its miner); the testers' balances show the credits. InfVer 2.0: a patch release (API unchanged) whose
 * behaviour breaks the previous version's tests is run by both testers against
 * those tests, marked breaking by inference on chain, left out of `^1.0.0` by
 * `gopkgr get`, which says why. InfVer verdicts: a release whose number
 * understates its API change (a required parameter added, published as a minor
 * by a publisher that overrode its checker; the node's manifest lower bound only
 * sees the export added) gets both testers' checker verdicts (major, same
 * changes hash), is marked misversioned, and `gopkgr get` with `^1.0.1` skips it
 * and says why, in text and in --json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { closeAll } from '../support/cleanup.ts';
import { getJson } from '../support/http.ts';
import { gopkgr, REPO } from '../support/processes.ts';
import { startTesterWorld, type TesterSeat } from '../support/testerWorld.ts';
import { waitFor } from '../support/waitFor.ts';
import { CLI_TIMEOUT_MS, WAIT_TIMEOUT_MS } from '../support/timeouts.ts';
import { NodeClient } from '../../cli/client.ts';
import { loadIdentity } from '../../cli/context.ts';
import { apiVersion, findExisting, lockTree, packRelease, signRelease, submitPublish } from '../../cli/publish/index.ts';

const FIXTURES = path.join(REPO, 'test/fixtures/e2e/pot');

interface AttestationJson {
  tester: string;
  passed: number;
  failed: number;
  skipped: number;
  resultHash: string;
  agreeing: number;
  reward: number;
  rewardStatus?: string;
  paidAt?: number;
  height: number;
}
interface VersionJson {
  version: string;
  contentHash: string;
  attestations: Array<AttestationJson & { prev?: { version: string; passed: number; failed: number; resultHash: string } }>;
  breakingByInference?: { prev: string; resultHash: string; testers: string[]; height: number };
  misversioned?: { prev: string; claimed: string; verdict: string; changesHash: string; testers: string[]; height: number };
}
interface PackageJson {
  versions: VersionJson[];
}

describe('Proof of Test end to end', () => {
  let work: string;
  let api: string;
  let publisher: Record<string, string>;
  let testers: TesterSeat[] = [];

  /** One pass of a tester over the chain (`--once`): attest every version it has not attested yet. */
  const runTester = async (i: number): Promise<Record<string, unknown>> => {
    const r = await gopkgr(['tester', '--once', '--concurrency', '1', '--json'], { env: testers[i]!.env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // Its log says whether it gives InfVer verdicts: the dev chain pins the TypeScript this checkout runs.
    expect(r.stderr).toMatch(/InfVer verdicts: on \(TypeScript \d+\.\d+\.\d+, the release the chain pins\)/);
    return r.json;
  };

  const versionOf = async (version: string): Promise<VersionJson | undefined> => {
    const { status, body } = await getJson<PackageJson>(`${api}/v1/packages/@pot/greet`);
    return status === 200 ? body.versions.find((v) => v.version === version) : undefined;
  };

  const balanceOf = async (id: string): Promise<number> => (await getJson<{ balance: number }>(`${api}/v1/accounts/${id}`)).body.balance;

  beforeAll(async () => {
    ({ work, api, publisher, testers } = await startTesterWorld('gopkgr-e2e-pot-', '@pot'));
  });

  afterAll(closeAll);

  it('a published version collects two agreeing attestations, and the testers are paid', async () => {
    // Published from the fixture directory itself: its test files type-check against the repo's @types/node.
    const published = await gopkgr(['publish', path.join(FIXTURES, 'v1'), '--json'], { env: publisher });
    expect(published.code, published.stdout + published.stderr).toBe(0);
    expect(published.json.version).toBe('1.0.0');

    const [a, b] = await Promise.all([runTester(0), runTester(1)]);
    for (const [i, out] of [a, b].entries()) {
      expect(out.tester).toBe(testers[i]!.id);
      expect(out.errors).toEqual([]);
      expect(out.attested).toEqual([expect.objectContaining({ name: '@pot/greet', version: '1.0.0', passed: 2, failed: 0, skipped: 0 })]);
    }

    const v = await waitFor(async () => {
      const got = await versionOf('1.0.0');
      return got !== undefined && got.attestations.length === 2 ? got : undefined;
    }, 2 * WAIT_TIMEOUT_MS, 'two attestations of @pot/greet@1.0.0 on chain');
    expect(v.attestations.map((x) => x.tester).sort()).toEqual(testers.map((t) => t.id).sort());
    const hash = (a.attested as Array<{ resultHash: string }>)[0]!.resultHash;
    for (const att of v.attestations) {
      // Both ran the same tests on the same content: they agree.
      // Both are independent of the publisher and agree: both paid, when the second arrived.
      expect(att).toMatchObject({ passed: 2, failed: 0, skipped: 0, resultHash: hash, agreeing: 2, reward: 100, rewardStatus: 'paid' });
      expect(att.paidAt).toBe(Math.max(...v.attestations.map((x) => x.height)));
    }

    // Each tester earned the tester reward for its one agreed attestation.
    for (const t of testers) expect(await balanceOf(t.id)).toBe(100);
    // The block that included an attestation pays only its miner (50, no fees): testers are paid by the attest rule.
    for (const att of v.attestations) {
      const { body: block } = await getJson<{ txs: Array<{ type: string; outputs?: Array<{ to: string; amount: number }> }> }>(`${api}/v1/blocks/${att.height}`);
      expect(block.txs[0]!.outputs!.map((o) => o.amount)).toEqual([50]);
    }

    // A second pass finds nothing new to attest.
    const again = await runTester(0);
    expect(again.attested).toEqual([]);
  });

  it('InfVer 2.0: a version that fails its predecessor\'s tests is marked breaking by inference, and `gopkgr get` skips it for ^1.0.0 and says why', async () => {
    // Same API, new behaviour: InfVer makes it a patch; its own tests pass, 1.0.0's do not.
    const published = await gopkgr(['publish', path.join(FIXTURES, 'v2'), '--json'], { env: publisher });
    expect(published.code, published.stdout + published.stderr).toBe(0);
    expect(published.json.version).toBe('1.0.1');

    const outs = await Promise.all([runTester(0), runTester(1)]);
    for (const out of outs) {
      expect(out.errors).toEqual([]);
      expect(out.attested).toEqual([expect.objectContaining({ version: '1.0.1', passed: 2, failed: 0, prev: expect.objectContaining({ version: '1.0.0', passed: 0, failed: 2 }) })]);
    }
    const v = await waitFor(async () => {
      const got = await versionOf('1.0.1');
      return got?.breakingByInference !== undefined ? got : undefined;
    }, WAIT_TIMEOUT_MS, '@pot/greet@1.0.1 to be marked breaking by inference');
    expect(v.attestations).toHaveLength(2);
    const prevHash = v.attestations[0]!.prev!.resultHash;
    for (const att of v.attestations) expect(att.prev).toEqual({ version: '1.0.0', passed: 0, failed: 2, resultHash: prevHash });
    expect(v.breakingByInference).toMatchObject({ prev: '1.0.0', resultHash: prevHash });
    expect([...v.breakingByInference!.testers].sort()).toEqual(testers.map((t) => t.id).sort());
    expect((await versionOf('1.0.0'))!.breakingByInference).toBeUndefined();
    for (const t of testers) expect(await balanceOf(t.id)).toBe(200);

    // A consumer written against ^1.0.0 gets 1.0.0, and is told why not 1.0.1.
    const app = path.join(work, 'app');
    await mkdir(path.join(app, 'src'), { recursive: true });
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', type: 'module', private: true }));
    await writeFile(path.join(app, 'src/main.ts'), "import { greet } from '@pot/greet'; // `ver:\"^1.0.0\"`\nconsole.log(greet('Ada'));\n");
    const consumer = { GOPKGR_HOME: path.join(work, 'consumer'), GOPKGR_NODE: api };
    const got = await gopkgr(['get'], { env: consumer, cwd: app });
    expect(got.code, got.stdout + got.stderr).toBe(0);
    expect(got.stdout).toContain('+ @pot/greet@1.0.0');
    expect(got.stdout).toContain("note: @pot/greet@1.0.1 is excluded from ^1.0.0: 2 testers found that 1.0.0's tests fail against it (breaking by inference), which your project (src/main.ts:1) requires");
    const lock = JSON.parse(await readFile(path.join(app, 'gopkgr.lock'), 'utf8')) as { packages: Record<string, { version: string; satisfying: Record<string, unknown> }> };
    expect(lock.packages['@pot/greet']!.version).toBe('1.0.0');
    expect(Object.keys(lock.packages['@pot/greet']!.satisfying)).toEqual(['1.0.0']);

    // Asking for it by exact version still gets it.
    await writeFile(path.join(app, 'src/main.ts'), "import { greet } from '@pot/greet'; // `ver:\"=1.0.1\"`\nconsole.log(greet('Ada'));\n");
    const pinned = await gopkgr(['get', '--json'], { env: consumer, cwd: app });
    expect(pinned.code, pinned.stdout + pinned.stderr).toBe(0);
    expect(pinned.json.packages).toEqual([expect.objectContaining({ name: '@pot/greet', version: '1.0.1' })]);
  });

  it('InfVer verdicts: a required parameter added, published as a minor, is marked misversioned by both testers\' checkers, and `gopkgr get` skips it for ^1.0.1 and says why', async () => {
    // The publisher's own checker says major; this publisher overrides it and claims a minor. The node's
    // lower bound accepts that: the manifests show only an export added (farewell), not greet's new parameter.
    const dir = path.join(FIXTURES, 'v3');
    const client = new NodeClient(api);
    const key = await loadIdentity(publisher.GOPKGR_HOME!);
    const packed = await packRelease(dir);
    const existing = await findExisting(client, packed);
    const honest = await apiVersion(dir, client, packed.fullName, existing);
    expect(honest.version).toBe('2.0.0');
    const claimed = '1.1.0';
    const tree = await lockTree(dir, packed.fullName, claimed, client);
    const signed = await signRelease(client, key, {
      ns: packed.ns, name: packed.name, existingId: existing!.id, version: claimed,
      contentHash: packed.packed.sha256, size: packed.packed.tarball.length, manifest: honest.manifest, tree,
    });
    const receipt = await submitPublish(client, { sha256: packed.packed.sha256, bytes: packed.packed.tarball }, signed, { wait: true, timeoutMs: CLI_TIMEOUT_MS });
    expect(receipt.status).toBe('confirmed');

    const outs = await Promise.all([runTester(0), runTester(1)]);
    for (const out of outs) {
      expect(out.errors).toEqual([]);
      expect(out.verdicts).toEqual({ typescript: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
      // 1.0.1's tests still pass against 1.1.0 (its runtime keeps the old default): no break by inference, only the verdict.
      expect(out.attested).toEqual([expect.objectContaining({ version: '1.1.0', passed: 2, failed: 0, prev: expect.objectContaining({ version: '1.0.1', failed: 0 }), infver: expect.objectContaining({ bump: 'major' }) })]);
    }
    const hashes = outs.map((o) => (o.attested as Array<{ infver: { changesHash: string } }>)[0]!.infver.changesHash);
    expect(hashes[1]).toBe(hashes[0]);

    const v = await waitFor(async () => {
      const got = await versionOf('1.1.0');
      return got?.misversioned !== undefined ? got : undefined;
    }, WAIT_TIMEOUT_MS, '@pot/greet@1.1.0 to be marked misversioned');
    expect(v.misversioned).toMatchObject({ prev: '1.0.1', claimed: 'minor', verdict: 'major', changesHash: hashes[0] });
    expect([...v.misversioned!.testers].sort()).toEqual(testers.map((t) => t.id).sort());
    expect(v.breakingByInference).toBeUndefined();
    expect((await versionOf('1.0.1'))!.misversioned).toBeUndefined();

    // A consumer written against ^1.0.1 gets 1.0.1, and is told why not 1.1.0: the bump claimed, the verdict, the testers.
    const app = path.join(work, 'app-verdict');
    await mkdir(path.join(app, 'src'), { recursive: true });
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app-verdict', type: 'module', private: true }));
    await writeFile(path.join(app, 'src/main.ts'), "import { greet } from '@pot/greet'; // `ver:\"^1.0.1\"`\nconsole.log(greet('Ada'));\n");
    const consumer = { GOPKGR_HOME: path.join(work, 'consumer-verdict'), GOPKGR_NODE: api };
    const got = await gopkgr(['get'], { env: consumer, cwd: app });
    expect(got.code, got.stdout + got.stderr).toBe(0);
    expect(got.stdout).toContain('+ @pot/greet@1.0.1');
    const ids = v.misversioned!.testers.join(', ');
    expect(got.stdout).toContain(`note: @pot/greet@1.1.0 is excluded from ^1.0.1: published as a minor step over 1.0.1, but the checkers of 2 testers (${ids}) found a major change (misversioned), which your project (src/main.ts:1) requires`);

    // --json carries it too, structured (resolved afresh: an unchanged lockfile answers alone, without the node's marks).
    await rm(path.join(app, 'gopkgr.lock'));
    const json = await gopkgr(['get', '--json'], { env: consumer, cwd: app });
    expect(json.code, json.stdout + json.stderr).toBe(0);
    expect(json.json.misversioned).toEqual([{ name: '@pot/greet', version: '1.1.0', prev: '1.0.1', claimed: 'minor', verdict: 'major', testers: v.misversioned!.testers, excludedFrom: ['^1.0.1'] }]);
    expect(json.json.excluded).toEqual([expect.stringContaining('@pot/greet@1.1.0 is excluded from ^1.0.1')]);

    // A range that starts at it still takes it.
    await writeFile(path.join(app, 'src/main.ts'), "import { greet } from '@pot/greet'; // `ver:\"^1.1.0\"`\nconsole.log(greet('Ada', '!'));\n");
    const taken = await gopkgr(['get', '--json'], { env: consumer, cwd: app });
    expect(taken.code, taken.stdout + taken.stderr).toBe(0);
    expect(taken.json.packages).toEqual([expect.objectContaining({ name: '@pot/greet', version: '1.1.0' })]);
  });
});

