/**
 * Crater end to end, through real processes on loopback: a dev node that mines,
 * a publisher, and two testers (`gopkgr tester --once`, breakQuorum is 2 on the
 * dev chain). @crt/p@1.0.0 and its dependent @crt/d@1.0.0 (whose test uses p)
 * are published and attested. p@1.0.1 keeps d's test passing: both testers run
 * d's suite with 1.0.1 substituted in d's lock, agree, and the chain lists d as
 * a verified upgrade path. p@1.0.2 changes behaviour without a type change
 * (InfVer makes it a patch; p ships no tests, so only d's suite can tell): both
 * testers find d's test failing with it, and the chain marks 1.0.2 breaking by
 * inference naming d. `gopkgr get` for ^1.0.0 then takes 1.0.1, says why not
 * 1.0.2, and its notices name the dependent that verified 1.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { closeAll } from '../support/cleanup.ts';
import { getJson } from '../support/http.ts';
import { gopkgr, REPO } from '../support/processes.ts';
import { startTesterWorld, type TesterSeat } from '../support/testerWorld.ts';
import { waitFor } from '../support/waitFor.ts';
import { WAIT_TIMEOUT_MS } from '../support/timeouts.ts';

const FIXTURES = path.join(REPO, 'test/fixtures/e2e/crater');

interface VersionJson {
  version: string;
  attestations: Array<{ tester: string; failed: number }>;
  dependentRuns?: Array<{ tester: string; dependent: string; locked: string; passed: number; failed: number; resultHash: string; rewardStatus: string }>;
  dependentsVerified: string[];
  dependentsBroken: string[];
  breakingByInference?: { prev: string; testers: string[]; dependents?: string[] };
}

interface DependentJson {
  name: string;
  version: string;
  dependent: string;
  locked: string;
  passed: number;
  failed: number;
}

describe('crater: dependents\' suites run against a new version', () => {
  let work: string;
  let api: string;
  let publisher: Record<string, string>;
  let testers: TesterSeat[] = [];

  const publish = async (dir: string, version: string): Promise<void> => {
    const r = await gopkgr(['publish', path.join(FIXTURES, dir), '--json'], { env: publisher });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.version).toBe(version);
  };

  /** One pass of both testers; the crater runs each attested. */
  const runTesters = async (): Promise<DependentJson[][]> => {
    const outs = await Promise.all(testers.map((t) => gopkgr(['tester', '--once', '--concurrency', '1', '--json'], { env: t.env })));
    return outs.map((r) => {
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.json.errors).toEqual([]);
      return r.json.dependents as DependentJson[];
    });
  };

  const versionOf = async (name: string, version: string): Promise<VersionJson | undefined> => {
    const { status, body } = await getJson<{ versions: VersionJson[] }>(`${api}/v1/packages/${name}`);
    return status === 200 ? body.versions.find((v) => v.version === version) : undefined;
  };

  const waitForVersion = (name: string, version: string, ready: (v: VersionJson) => boolean, what: string): Promise<VersionJson> =>
    waitFor(async () => {
      const v = await versionOf(name, version);
      return v !== undefined && ready(v) ? v : undefined;
    }, 2 * WAIT_TIMEOUT_MS, what);

  beforeAll(async () => {
    ({ work, api, publisher, testers } = await startTesterWorld('gopkgr-e2e-crater-', '@crt'));
  });

  afterAll(closeAll);

  it('a dependent passing with the new version is a verified upgrade path; one failing marks it breaking by inference, naming the dependent', async () => {
    await publish('p1', '1.0.0');
    await publish('d', '1.0.0');
    // The dependent's own baseline: both testers pass its suite with its locked @crt/p@1.0.0. No crater run yet: d locks the only p.
    expect(await runTesters()).toEqual([[], []]);
    await waitForVersion('@crt/d', '1.0.0', (v) => v.attestations.length === 2, "two attestations of @crt/d@1.0.0 (d's baseline)");

    await publish('p2', '1.0.1');
    for (const runs of await runTesters()) {
      expect(runs).toEqual([{ name: '@crt/p', version: '1.0.1', dependent: '@crt/d@1.0.0', locked: '1.0.0', passed: 1, failed: 0, skipped: 0, resultHash: expect.any(String) }]);
    }
    const verified = await waitForVersion('@crt/p', '1.0.1', (v) => v.dependentsVerified.length > 0, '@crt/p@1.0.1 to list @crt/d as verified');
    expect(verified.dependentsVerified).toEqual(['@crt/d@1.0.0']);
    expect(verified.dependentsBroken).toEqual([]);
    expect(verified.breakingByInference).toBeUndefined();
    expect(verified.dependentRuns!.map((r) => r.tester).sort()).toEqual(testers.map((t) => t.id).sort());
    // Two independent testers agreed: both paid, as for any attestation.
    expect(verified.dependentRuns!.map((r) => r.rewardStatus)).toEqual(['paid', 'paid']);

    await publish('p3', '1.0.2');
    for (const runs of await runTesters()) {
      expect(runs).toEqual([expect.objectContaining({ name: '@crt/p', version: '1.0.2', dependent: '@crt/d@1.0.0', passed: 0, failed: 1 })]);
    }
    const broken = await waitForVersion('@crt/p', '1.0.2', (v) => v.breakingByInference !== undefined, '@crt/p@1.0.2 to be marked breaking by inference');
    expect(broken.breakingByInference).toMatchObject({ prev: '1.0.0', dependents: ['@crt/d@1.0.0'] });
    expect([...broken.breakingByInference!.testers].sort()).toEqual(testers.map((t) => t.id).sort());
    expect(broken.dependentsBroken).toEqual(['@crt/d@1.0.0']);
    expect(broken.dependentsVerified).toEqual([]);

    // A consumer of ^1.0.0 gets 1.0.1, is told why not 1.0.2, and sees who verified 1.0.1.
    const app = path.join(work, 'app');
    await mkdir(app, { recursive: true });
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', type: 'module', private: true }));
    await writeFile(path.join(app, 'main.ts'), "import { double } from '@crt/p'; // `ver:\"^1.0.0\"`\nexport const x: number = double(2);\n");
    const got = await gopkgr(['get'], { env: { GOPKGR_HOME: path.join(work, 'consumer'), GOPKGR_NODE: api }, cwd: app });
    expect(got.code, got.stdout + got.stderr).toBe(0);
    expect(got.stdout).toContain('+ @crt/p@1.0.1');
    expect(got.stdout).toContain('@crt/p@1.0.2 is excluded from ^1.0.0: 2 testers found that it breaks the tests of @crt/d@1.0.0 (breaking by inference)');
    expect(got.stdout + got.stderr).toContain('notice: @crt/p@1.0.1 is verified by 1 dependent (@crt/d@1.0.0): their tests pass with it');
  }, 900_000); // four publishes, three passes of two testers (checker verdicts, sandboxed runs) and a get: ~4 minutes on a loaded 2-core machine

});
