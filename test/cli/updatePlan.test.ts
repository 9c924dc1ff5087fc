/**
 * The pure parts of update, outdated and why (cli/install/resolveUpdate.ts,
 * outdatedRows.ts, whyChains.ts) over hand-built indexes and lockfiles: the
 * solver with recorded lock trees keeps a hub's old patch, and the update
 * preferences take the new one; wanted and latest as npm defines them, with
 * InfVer and deprecation; chains shortest first, bounded.
 */
import { describe, expect, it } from 'vitest';
import { mapIndex, solve, type IndexVersion, type Requirement } from '../../resolver/index.ts';
import type { Lockfile } from '../../cli/install/lockfile.ts';
import { deprecatedLocks, forgetRecordedLocks, keptVersions, namedUpdatePicks } from '../../cli/install/resolveUpdate.ts';
import { isGopkgrError } from '../../ledger/index.ts';
import { prng, type Prng } from '../support/prng.ts';
import { outdatedRows, rangesOn, type VersionFacts } from '../../cli/install/outdatedRows.ts';
import { chainText, whyChains } from '../../cli/install/whyChains.ts';

const H = (c: string): string => c.repeat(64);
const v = (version: string, deps: Record<string, string> = {}, extra: Partial<VersionFacts> = {}): VersionFacts => ({ version, contentHash: H(version.replace(/\D/g, '').slice(-1) || '0'), deps, deprecated: false, ...extra });

/** top → left, right → hub; left and right were published with hub@1.0.0 in their lock trees. */
function diamond(): Map<string, IndexVersion[]> {
  const rec = { '@a/hub@1.0.0': H('0') };
  return new Map<string, IndexVersion[]>([
    ['@a/top', [v('1.0.0', { '@a/left': '^1.0.0', '@a/right': '^1.0.0' }, { lock: { ...rec, '@a/left@1.0.0': H('1'), '@a/right@1.0.0': H('2') } })]],
    ['@a/left', [v('1.0.0', { '@a/hub': '^1.0.0' }, { lock: rec })]],
    ['@a/right', [v('1.0.0', { '@a/hub': '^1.0.0' }, { lock: rec })]],
    ['@a/hub', [v('1.0.0'), v('1.0.1'), v('1.0.2')]],
  ]);
}

const roots: Requirement[] = [{ name: '@a/top', range: '^1.0.0', origin: 'src/main.ts:3' }];

function lockOf(versions: Record<string, string>, index = diamond()): Lockfile {
  const packages: Lockfile['packages'] = {};
  for (const [name, version] of Object.entries(versions)) {
    const iv = index.get(name)!.find((x) => x.version === version)!;
    packages[name] = { version, contentHash: iv.contentHash, deps: iv.deps, satisfying: {} };
  }
  return { lockfileVersion: 1, added: {}, packages };
}

describe('update preferences', () => {
  it('the solver with recorded lock trees keeps the hub at 1.0.0; without the hub\'s entries it takes 1.0.2', () => {
    const index = diamond();
    expect(solve(mapIndex(index), roots).selected.get('@a/hub')!.version).toBe('1.0.0');
    const names = new Set(['@a/hub']);
    const lock = lockOf({ '@a/top': '1.0.0', '@a/left': '1.0.0', '@a/right': '1.0.0', '@a/hub': '1.0.0' });
    // As `get` with its lockfile: the locked version is preferred.
    expect(solve(mapIndex(index), roots, { preferred: { '@a/hub': '1.0.0' } }).selected.get('@a/hub')!.version).toBe('1.0.0');
    const updated = solve(mapIndex(forgetRecordedLocks(index, names)), roots, { preferred: keptVersions(lock, names) });
    expect(updated.selected.get('@a/hub')!.version).toBe('1.0.2');
    expect(updated.selected.get('@a/top')!.version).toBe('1.0.0');
  });

  it('forgetRecordedLocks drops only the named entries; every entry when no names are given', () => {
    const index = diamond();
    expect(forgetRecordedLocks(index, new Set(['@a/hub'])).get('@a/top')![0]!.lock).toEqual({ '@a/left@1.0.0': H('1'), '@a/right@1.0.0': H('2') });
    expect(forgetRecordedLocks(index).get('@a/top')![0]!.lock).toEqual({});
    // The input is left as it was; a version whose tree names none of them is the same record.
    expect(Object.keys(index.get('@a/top')![0]!.lock!)).toHaveLength(3);
    expect(forgetRecordedLocks(index, new Set(['@a/nothing'])).get('@a/top')![0]).toBe(index.get('@a/top')![0]);
  });

  it('keptVersions prefers the locked versions of every package but the named ones, and none for a full update', () => {
    const lock = lockOf({ '@a/top': '1.0.0', '@a/hub': '1.0.0' });
    expect(keptVersions(lock, new Set(['@a/hub']))).toEqual({ '@a/top': '1.0.0' });
    expect(keptVersions(lock)).toEqual({});
    expect(keptVersions(undefined, new Set(['@a/hub']))).toEqual({});
  });
});

describe('namedUpdatePicks: the solver\'s answer to update NAME without solving', () => {
  it('takes the hub\'s newest patch and keeps every other package locked, as the solver does', () => {
    const index = forgetRecordedLocks(diamond(), new Set(['@a/hub']));
    const lock = lockOf({ '@a/top': '1.0.0', '@a/left': '1.0.0', '@a/right': '1.0.0', '@a/hub': '1.0.0' });
    const names = new Set(['@a/hub']);
    const picked = namedUpdatePicks(index, roots, lock, names)!;
    expect([...picked.selected].map(([n, x]) => `${n}@${x.version}`)).toEqual(['@a/hub@1.0.2', '@a/left@1.0.0', '@a/right@1.0.0', '@a/top@1.0.0']);
    expect(picked).toEqual(solve(mapIndex(index), roots, { preferred: keptVersions(lock, names) }));
  });

  it('gives no answer when the newest version does not fit a range, is deprecated, or brings a package the lockfile lacks', () => {
    const lock = lockOf({ '@a/top': '1.0.0', '@a/left': '1.0.0', '@a/right': '1.0.0', '@a/hub': '1.0.0' });
    const names = new Set(['@a/hub']);
    const out = (edit: (index: Map<string, IndexVersion[]>) => void): unknown => {
      const index = diamond();
      edit(index);
      return namedUpdatePicks(forgetRecordedLocks(index, names), roots, lock, names);
    };
    expect(out((i) => i.get('@a/hub')!.push(v('2.0.0')))).toBeUndefined();
    expect(out((i) => i.get('@a/hub')!.push(v('1.0.3', { '@a/new': '^1.0.0' })))).toBeUndefined();
    expect(out((i) => i.get('@a/hub')!.forEach((x) => (x.deprecated = true)))).toBeUndefined();
  });

  /** A random index: packages p0…p(n-1), versions with deps on later packages (and now and then an earlier one: cycles), some deprecated. */
  function randomIndex(r: Prng): Map<string, IndexVersion[]> {
    const n = 3 + r.int(6);
    const versions = ['1.0.0', '1.0.1', '1.1.0', '1.2.0', '2.0.0'];
    const ranges = ['^1.0.0', '~1.0.0', '^1.1.0', '*', '^2.0.0', '1.0.1', '>=1.0.1'];
    const index = new Map<string, IndexVersion[]>();
    for (let p = 0; p < n; p++) {
      const list: IndexVersion[] = [];
      for (const version of versions) {
        if (version !== '1.0.0' && r.next() < 0.4) continue;
        const deps: Record<string, string> = {};
        for (let q = 0; q < n; q++) if (q !== p && r.next() < (q > p ? 0.35 : 0.05)) deps[`@r/p${q}`] = r.pick(ranges);
        list.push({ version, contentHash: H(String((p * 7 + versions.indexOf(version)) % 10)), deps, deprecated: r.next() < 0.15 });
      }
      index.set(`@r/p${p}`, list);
    }
    return index;
  }

  it('over random indexes and new releases, wherever it answers, the answer is the solver\'s', () => {
    let answered = 0;
    let cases = 0;
    for (let seed = 1; cases < 400 && seed < 5000; seed++) {
      const r = prng(seed);
      const index = randomIndex(r);
      const requirements: Requirement[] = [{ name: '@r/p0', range: r.pick(['^1.0.0', '*', '>=1.0.0']), origin: 'src/a.ts:1' }];
      if (r.next() < 0.5) requirements.push({ name: `@r/p${1 + r.int(index.size - 1)}`, range: r.pick(['^1.0.0', '*', '~1.0.0']), origin: 'src/a.ts:2' });
      // The installed tree: what get chose then, over an index without the newest versions.
      const older = new Map([...index].map(([name, list]) => [name, list.filter((x) => x.version !== '1.2.0' && x.version !== '2.0.0')] as const).filter(([, list]) => list.length > 0));
      let before;
      try {
        before = solve(mapIndex(older), requirements);
      } catch (err) {
        if (isGopkgrError(err, 'RESOLVE_CONFLICT')) continue;
        throw err;
      }
      const lock: Lockfile = { lockfileVersion: 1, added: {}, packages: {} };
      for (const [name, x] of before.selected) lock.packages[name] = { version: x.version, contentHash: x.contentHash, deps: x.deps, satisfying: {} };
      const names = new Set([r.pick([...before.selected.keys()])]);
      const forgotten = forgetRecordedLocks(index, names);
      let solved;
      try {
        solved = solve(mapIndex(forgotten), requirements, { preferred: keptVersions(lock, names) });
      } catch (err) {
        if (!isGopkgrError(err, 'RESOLVE_CONFLICT')) throw err;
      }
      cases++;
      const picked = namedUpdatePicks(forgotten, requirements, lock, names);
      if (picked === undefined) continue;
      answered++;
      expect(picked, `seed ${seed}`).toEqual(solved);
    }
    expect(cases).toBe(400);
    // Not vacuous: most updates of one package are this case.
    expect(answered).toBeGreaterThan(100);
  });
});

describe('deprecated locked versions', () => {
  it('a full update cannot choose a deprecated installed version with nothing newer; allowing the locked one keeps it', () => {
    const index = diamond();
    index.set('@a/right', [v('1.0.0', { '@a/hub': '^1.0.0' }, { deprecated: true })]);
    const lock = lockOf({ '@a/top': '1.0.0', '@a/left': '1.0.0', '@a/right': '1.0.0', '@a/hub': '1.0.0' }, index);
    expect(() => solve(mapIndex(forgetRecordedLocks(index)), roots, { preferred: keptVersions(lock) })).toThrow(expect.objectContaining({ code: 'RESOLVE_CONFLICT' }));
    const stuck = deprecatedLocks(lock, index);
    expect(stuck).toEqual({ '@a/right': '1.0.0' });
    const solution = solve(mapIndex(forgetRecordedLocks(index)), roots, { preferred: stuck });
    expect([solution.selected.get('@a/right')!.version, solution.selected.get('@a/hub')!.version]).toEqual(['1.0.0', '1.0.2']);
    // Only the names being updated: the others are kept by keptVersions already.
    expect(deprecatedLocks(lock, index, new Set(['@a/hub']))).toEqual({});
  });
});

describe('outdatedRows', () => {
  const lock = lockOf({ '@a/top': '1.0.0', '@a/left': '1.0.0', '@a/right': '1.0.0', '@a/hub': '1.0.0' });
  const facts = (hub: VersionFacts[]): Map<string, VersionFacts[]> => {
    const m = new Map<string, VersionFacts[]>([...diamond()].map(([n, vs]) => [n, vs as VersionFacts[]]));
    m.set('@a/hub', hub);
    return m;
  };

  it('wanted is the newest every applying range admits; latest the newest overall; direct and deep told apart', () => {
    const rows = outdatedRows(lock, roots, facts([v('1.0.0'), v('1.0.1'), v('2.0.0')]));
    expect(rows.map((r) => [r.name, r.type, r.installed, r.wanted, r.latest, r.outdated])).toEqual([
      ['@a/hub', 'deep', '1.0.0', '1.0.1', '2.0.0', true],
      ['@a/left', 'deep', '1.0.0', '1.0.0', '1.0.0', false],
      ['@a/right', 'deep', '1.0.0', '1.0.0', '1.0.0', false],
      ['@a/top', 'direct', '1.0.0', '1.0.0', '1.0.0', false],
    ]);
    expect(rangesOn('@a/hub', lock, roots)).toEqual([{ range: '^1.0.0', by: '@a/left@1.0.0' }, { range: '^1.0.0', by: '@a/right@1.0.0' }]);
  });

  it('skips deprecated and prereleases for latest, and InfVer exclusions for wanted, with a notice for each', () => {
    const rows = outdatedRows(lock, roots, facts([
      v('1.0.0', {}, { deprecated: true, deprecationReason: 'SECURITY: CVE-1' }),
      v('1.0.1', {}, { breakingByInference: { prev: '1.0.0', testers: ['id:t1', 'id:t2'] } }),
      v('1.1.0', {}, { deprecated: true }),
      v('2.0.0-rc.1'),
    ]));
    const hub = rows[0]!;
    // 1.0.1 breaks 1.0.0's tests: ^1.0.0 does not admit it; 1.1.0 is deprecated; the installed one stays wanted.
    expect([hub.wanted, hub.latest, hub.outdated]).toEqual(['1.0.0', '1.0.1', true]);
    expect(hub.notices.map((n) => [n.kind, n.version])).toEqual([['deprecated', '1.0.0'], ['breakingByInference', '1.0.1']]);
    expect(hub.notices[0]!.text).toBe('@a/hub@1.0.0 is deprecated: SECURITY: CVE-1');
  });

  it('an advisory on the installed version is a notice; a package the registry no longer answers for has no wanted', () => {
    const rows = outdatedRows(lock, roots, facts([v('1.0.0', {}, { advisories: [{ id: 'ab'.repeat(32), severity: 'high', text: 'upgrade', range: '<1.0.1' }] })]));
    expect(rows[0]!.notices).toEqual([{ kind: 'advisory', version: '1.0.0', text: '@a/hub@1.0.0: high advisory abababababab (<1.0.1): upgrade' }]);
    const gone = outdatedRows(lock, roots, new Map());
    expect(gone[0]).toMatchObject({ wanted: null, latest: null, outdated: false });
  });

  it('a hashlock admits only its own version', () => {
    const pinned: Requirement[] = [...roots, { name: '@a/hub', range: '^1.0.0', hash: H('0'), origin: 'src/x.ts:1' }];
    expect(outdatedRows(lock, pinned, facts([v('1.0.0'), v('1.0.1')]))[0]).toMatchObject({ type: 'direct', wanted: '1.0.0', latest: '1.0.1' });
  });
});

describe('whyChains', () => {
  const lock = lockOf({ '@a/top': '1.0.0', '@a/left': '1.0.0', '@a/right': '1.0.0', '@a/hub': '1.0.0' });

  it('lists every chain from a root requirement down to the package, shortest first', () => {
    const withAdded: Requirement[] = [...roots, { name: '@a/left', range: '^1.0.0', origin: 'gopkgr.lock "added"' }];
    const { chains, complete } = whyChains(lock, withAdded, '@a/hub');
    expect(complete).toBe(true);
    expect(chains.map(chainText)).toEqual([
      'gopkgr.lock "added" → @a/left@1.0.0 (^1.0.0) → @a/hub@1.0.0 (^1.0.0)',
      'src/main.ts:3 → @a/top@1.0.0 (^1.0.0) → @a/left@1.0.0 (^1.0.0) → @a/hub@1.0.0 (^1.0.0)',
      'src/main.ts:3 → @a/top@1.0.0 (^1.0.0) → @a/right@1.0.0 (^1.0.0) → @a/hub@1.0.0 (^1.0.0)',
    ]);
    expect(whyChains(lock, roots, '@a/top').chains.map(chainText)).toEqual(['src/main.ts:3 → @a/top@1.0.0 (^1.0.0)']);
    expect(whyChains(lock, roots, '@a/none')).toEqual({ chains: [], complete: true });
  });

  it('stops at the limit on a dense graph and says the list is incomplete; a cycle does not loop', () => {
    // 12 layers of 2 packages each fully connected to the next: 2^12 paths to the bottom.
    const packages: Lockfile['packages'] = {};
    const name = (layer: number, i: number): string => `@a/l${String(layer).padStart(2, '0')}-${i}`;
    for (let layer = 0; layer < 12; layer++) for (let i = 0; i < 2; i++) {
      const deps = layer === 11 ? { [name(0, 0)]: '^1.0.0' } : { [name(layer + 1, 0)]: '^1.0.0', [name(layer + 1, 1)]: '^1.0.0' };
      packages[name(layer, i)] = { version: '1.0.0', contentHash: H('0'), deps, satisfying: {} };
    }
    const dense: Lockfile = { lockfileVersion: 1, added: {}, packages };
    const r = whyChains(dense, [{ name: name(0, 0), range: '*', origin: 'a.ts:1' }, { name: name(0, 1), range: '*', origin: 'b.ts:1' }], name(11, 0), 5);
    expect(r.complete).toBe(false);
    expect(r.chains).toHaveLength(5);
    expect(r.chains.every((c) => c.steps.length === 12)).toBe(true);
  });
});
