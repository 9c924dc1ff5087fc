/**
 * Crater in what `get` and `outdated` show: the dependents whose suites a
 * version breaks (in its breakingByInference notice and the resolver's
 * exclusion text) and the dependents it is verified by (an upgrade path other
 * packages' tests have walked). A node's lists are hostile input.
 */
import { describe, expect, it } from 'vitest';
import { noticeLine, noticesOf } from '../../cli/install/notices.ts';
import { outdatedRows, type VersionFacts } from '../../cli/install/outdatedRows.ts';
import type { Lockfile } from '../../cli/install/lockfile.ts';
import type { PackageJson, VersionJson } from '../../cli/packages.ts';
import { inferenceText } from '../../resolver/index.ts';

const H = (c: string): string => c.repeat(64);
const version = (v: string, extra: Partial<VersionJson> = {}): VersionJson => ({ version: v, contentHash: H(v.slice(-1)), deprecated: false, deps: {}, lock: {}, height: 1, block: '', txId: '', ...extra });
const pkg = (versions: VersionJson[]): PackageJson => ({ name: '@lib/p', id: H('a'), owner: 'id:x', maintainers: [], versions });
const BROKEN = { prev: '1.0.0', resultHash: H('f'), testers: ['id:t1', 'id:t2'], height: 9, dependents: ['@app/d@1.0.0'] };

describe("get's notices", () => {
  it('name the dependents a version breaks and those it is verified by', () => {
    const p = pkg([version('1.0.1', { dependentsVerified: ['@app/d@1.0.0', '@app/e@2.0.0'] }), version('1.0.2', { breakingByInference: BROKEN, dependentsBroken: ['@app/d@1.0.0'] })]);
    const verified = noticesOf({ name: '@lib/p', version: '1.0.1', contentHash: H('1') }, p);
    expect(verified).toEqual([{ kind: 'dependentsVerified', name: '@lib/p', version: '1.0.1', dependents: ['@app/d@1.0.0', '@app/e@2.0.0'] }]);
    expect(noticeLine(verified[0]!)).toBe('notice: @lib/p@1.0.1 is verified by 2 dependents (@app/d@1.0.0, @app/e@2.0.0): their tests pass with it');
    const broken = noticesOf({ name: '@lib/p', version: '1.0.2', contentHash: H('2') }, p);
    expect(broken).toEqual([{ kind: 'breakingByInference', name: '@lib/p', version: '1.0.2', prev: '1.0.0', testers: 2, dependents: ['@app/d@1.0.0'] }]);
    expect(noticeLine(broken[0]!)).toBe("notice: @lib/p@1.0.2 breaks by inference: 2 testers found that it breaks @app/d@1.0.0's tests");
  });

  it("keep only strings from a node's lists, without control characters", () => {
    const p = pkg([version('1.0.1', { dependentsVerified: ['@app/d@1.0.0\u001b[2J', 7, null] as unknown as string[] })]);
    expect(noticesOf({ name: '@lib/p', version: '1.0.1', contentHash: H('1') }, p)).toEqual([{ kind: 'dependentsVerified', name: '@lib/p', version: '1.0.1', dependents: ['@app/d@1.0.0 [2J'] }]);
  });
});

describe('outdated', () => {
  it('shows, for the versions up to latest, the dependents each is verified by and the ones it breaks', () => {
    const lock: Lockfile = { lockfileVersion: 1, added: {}, packages: { '@lib/p': { version: '1.0.0', contentHash: H('0'), deps: {}, satisfying: {} } } };
    const v = (ver: string, extra: Partial<VersionFacts> = {}): VersionFacts => ({ version: ver, contentHash: H(ver.slice(-1)), deps: {}, deprecated: false, ...extra });
    const rows = outdatedRows(lock, [{ name: '@lib/p', range: '^1.0.0' }], new Map([['@lib/p', [
      v('1.0.0'),
      v('1.0.1', { dependentsVerified: ['@app/d@1.0.0'] }),
      v('1.0.2', { breakingByInference: { prev: '1.0.0', testers: ['id:t1', 'id:t2'], dependents: ['@app/d@1.0.0'] } }),
    ]]]));
    expect(rows[0]!.wanted).toBe('1.0.1');
    expect(rows[0]!.notices).toEqual([
      { kind: 'dependentsVerified', version: '1.0.1', text: '@lib/p@1.0.1: verified by 1 dependent (@app/d@1.0.0): their tests pass with it' },
      { kind: 'breakingByInference', version: '1.0.2', text: '@lib/p@1.0.2: 2 tester(s) found that it breaks the tests of @app/d@1.0.0 (breaking by inference)' },
    ]);
  });

  it("the resolver's exclusion names the dependents", () => {
    expect(inferenceText('@lib/p', { version: '1.0.2', contentHash: H('2'), deps: {}, deprecated: false, breakingByInference: { prev: '1.0.0', testers: ['id:t1'], dependents: ['@app/d@1.0.0'] } }, '^1.0.0'))
      .toBe('@lib/p@1.0.2 is excluded from ^1.0.0: 1 tester found that it breaks the tests of @app/d@1.0.0 (breaking by inference)');
  });
});
