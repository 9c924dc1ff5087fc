/**
 * The PubGrub solver (resolver/solve.ts) over small hand-made indexes:
 * diamonds, backtracking, conflicts explained as a readable chain, deprecated
 * versions avoided unless pinned, hashlocks, bounds amended on chain (through the
 * state index), preferences (lockfile and recorded lock trees), and a 500-package
 * graph for speed.
 */
import { describe, expect, it } from 'vitest';
import { GopkgrError, stateKeys, type StateReader, type StateValue, type VersionState } from '../../ledger/index.ts';
import { admits, excludedByInference, inferenceText, mapIndex, solve, stateIndex, type IndexVersion, type Requirement } from '../../resolver/index.ts';

type Spec = Record<string, Record<string, { deps?: Record<string, string>; deprecated?: boolean; lock?: Record<string, string> }>>;

const hashOf = (name: string, version: string): string => Buffer.from(`${name}@${version}`.padEnd(32, '.').slice(0, 32)).toString('hex');

function index(spec: Spec): ReturnType<typeof mapIndex> {
  const map = new Map<string, IndexVersion[]>();
  for (const [name, versions] of Object.entries(spec)) {
    map.set(name, Object.entries(versions).map(([version, v]) => ({
      version, contentHash: hashOf(name, version), deps: v.deps ?? {}, deprecated: v.deprecated ?? false, ...(v.lock ? { lock: v.lock } : {}),
    })));
  }
  return mapIndex(map);
}

const req = (name: string, range: string, extra: Partial<Requirement> = {}): Requirement => ({ name, range, ...extra });

function picked(idx: ReturnType<typeof mapIndex>, reqs: Requirement[], opts = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of solve(idx, reqs, opts).selected) out[name] = v.version;
  return out;
}

function failure(fn: () => unknown): GopkgrError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GopkgrError) return err;
    throw err;
  }
  throw new Error('expected the solver to fail');
}

describe('solve: selections', () => {
  it('resolves a three-level diamond to the newest versions that fit every range', () => {
    const idx = index({
      '@a/app-lib': { '1.0.0': { deps: { '@a/left': '^1.0.0', '@a/right': '^1.0.0' } } },
      '@a/left': { '1.0.0': { deps: { '@a/base': '^1.0.0' } }, '1.1.0': { deps: { '@a/base': '^1.1.0' } } },
      '@a/right': { '1.0.0': { deps: { '@a/base': '>=1.0.0 <1.2.0' } } },
      '@a/base': { '1.0.0': {}, '1.1.0': {}, '1.1.1': {}, '1.2.0': {}, '2.0.0': {} },
    });
    expect(picked(idx, [req('@a/app-lib', '^1.0.0')])).toEqual({ '@a/app-lib': '1.0.0', '@a/base': '1.1.1', '@a/left': '1.1.0', '@a/right': '1.0.0' });
  });

  it('backtracks: the newest version of a package is dropped when its deps conflict with the project', () => {
    const idx = index({
      '@a/x': { '1.0.0': { deps: { '@a/y': '^1.0.0' } }, '2.0.0': { deps: { '@a/y': '^2.0.0' } } },
      '@a/y': { '1.0.0': {}, '2.0.0': {} },
    });
    expect(picked(idx, [req('@a/x', '*'), req('@a/y', '^1.0.0')])).toEqual({ '@a/x': '1.0.0', '@a/y': '1.0.0' });
  });

  it('several requirements on one package (two files) must all hold', () => {
    const idx = index({ '@a/x': { '1.0.0': {}, '1.5.0': {}, '2.0.0': {} } });
    expect(picked(idx, [req('@a/x', '>=1.0.0', { origin: 'a.ts:1' }), req('@a/x', '<2.0.0', { origin: 'b.ts:1' })])).toEqual({ '@a/x': '1.5.0' });
  });

  it('handles a cycle between packages', () => {
    const idx = index({
      '@a/p': { '1.0.0': { deps: { '@a/q': '^1.0.0' } } },
      '@a/q': { '1.0.0': { deps: { '@a/p': '^1.0.0' } } },
    });
    expect(picked(idx, [req('@a/p', '^1.0.0')])).toEqual({ '@a/p': '1.0.0', '@a/q': '1.0.0' });
  });

  it('reports which ranges required each selected package', () => {
    const idx = index({ '@a/x': { '1.0.0': { deps: { '@a/y': '^1.0.0' } } }, '@a/y': { '1.0.0': {} } });
    const s = solve(idx, [req('@a/x', '^1.0.0', { origin: 'src/a.ts:1' }), req('@a/y', '1.0.0', { origin: 'src/b.ts:2' })]);
    expect(s.requiredBy.get('@a/y')).toEqual([{ by: 'src/b.ts:2', range: '1.0.0' }, { by: '@a/x@1.0.0', range: '^1.0.0' }]);
  });
});

describe('solve: conflicts explained as a chain (RESOLVE_CONFLICT)', () => {
  it('two dependencies that need incompatible versions of a third', () => {
    const idx = index({
      '@acme/web': { '1.0.0': { deps: { '@acme/http': '^1.0.0' } } },
      '@acme/db': { '1.0.0': { deps: { '@acme/http': '^2.0.0' } } },
      '@acme/http': { '1.0.0': {}, '1.4.0': {}, '2.0.0': {} },
    });
    const err = failure(() => solve(idx, [req('@acme/web', '^1.0.0', { origin: 'src/app.ts:1' }), req('@acme/db', '^1.0.0', { origin: 'src/app.ts:2' })]));
    expect(err.code).toBe('RESOLVE_CONFLICT');
    expect(err.status).toBe(409);
    const lines = err.message.split('\n');
    // Every fact of the chain is named: who requires what, and what each version depends on.
    expect(err.message).toContain('@acme/web ^1.0.0 depends on @acme/http ^1.0.0');
    expect(err.message).toContain('@acme/db ^1.0.0 depends on @acme/http ^2.0.0');
    expect(err.message).toContain('your project (src/app.ts:1) requires @acme/web ^1.0.0');
    expect(err.message).toContain('your project (src/app.ts:2) requires @acme/db ^1.0.0');
    expect(lines.at(-1)).toMatch(/^So, .*the requirements cannot all be met\.$/);
    expect(err.hint).toMatch(/bounds/);
  });

  it('a conflict found three levels down still names each step', () => {
    const idx = index({
      '@a/top': { '1.0.0': { deps: { '@a/mid': '^1.0.0' } } },
      '@a/mid': { '1.0.0': { deps: { '@a/low': '^3.0.0' } } },
      '@a/low': { '1.0.0': {}, '2.0.0': {} },
    });
    const err = failure(() => solve(idx, [req('@a/top', '^1.0.0')]));
    expect(err.message).toContain('@a/mid ^1.0.0 depends on @a/low ^3.0.0, but no version of @a/low matches ^3.0.0 (published: 1.0.0, 2.0.0)');
    expect(err.message).toContain('@a/top ^1.0.0 depends on @a/mid ^1.0.0');
  });

  it('an unknown package and a range nothing satisfies are one-line explanations', () => {
    const idx = index({ '@a/x': { '1.0.0': {} } });
    const unknown = failure(() => solve(idx, [req('@a/nope', '^1.0.0', { origin: 'src/a.ts:3' })]));
    expect(unknown.message).toBe('your project (src/a.ts:3) requires @a/nope ^1.0.0, but @a/nope is not on chain.');
    expect(unknown.hint).toMatch(/publish it first/);
    const none = failure(() => solve(idx, [req('@a/x', '^2.0.0')]));
    expect(none.message).toContain('no version of @a/x matches ^2.0.0 (published: 1.0.0)');
    expect(none.message.split('\n')).toHaveLength(1);
  });
});

describe('solve: deprecated versions', () => {
  const idx = index({ '@a/x': { '1.0.0': {}, '1.1.0': { deprecated: true } } });

  it('are avoided when another version fits', () => {
    expect(picked(idx, [req('@a/x', '^1.0.0')])).toEqual({ '@a/x': '1.0.0' });
  });

  it('are used when pinned by an exact version, a hashlock or a preference (lockfile)', () => {
    expect(picked(idx, [req('@a/x', '1.1.0')])).toEqual({ '@a/x': '1.1.0' });
    expect(picked(idx, [req('@a/x', '*', { hash: hashOf('@a/x', '1.1.0') })])).toEqual({ '@a/x': '1.1.0' });
    expect(picked(idx, [req('@a/x', '^1.0.0')], { preferred: { '@a/x': '1.1.0' } })).toEqual({ '@a/x': '1.1.0' });
  });

  it('fail with a reason when only deprecated versions fit', () => {
    const err = failure(() => solve(idx, [req('@a/x', '^1.1.0')]));
    expect(err.message).toContain('every version of @a/x matching ^1.1.0 is deprecated (1.1.0)');
  });
});

describe('solve: hashlocks', () => {
  const idx = index({ '@a/x': { '1.0.0': {}, '1.1.0': {} } });

  it('select the version with that content hash, not the newest', () => {
    expect(picked(idx, [req('@a/x', '^1.0.0', { hash: hashOf('@a/x', '1.0.0') })])).toEqual({ '@a/x': '1.0.0' });
  });

  it('a hash no version has is an explained failure naming the hash', () => {
    const err = failure(() => solve(idx, [req('@a/x', '^1.0.0', { hash: 'ab'.repeat(32), origin: 'src/a.ts:1' })]));
    expect(err.code).toBe('RESOLVE_CONFLICT');
    expect(err.message).toContain('requires @a/x ^1.0.0 with content hash abababababab…, but no version of @a/x in that range has that hash (1.0.0 has');
  });
});

describe('solve: bounds amended on chain (state index)', () => {
  function state(): StateReader {
    const m = new Map<string, StateValue>();
    const put = (name: string, id: string, versions: Array<Partial<VersionState> & { version: string }>): void => {
      m.set(stateKeys.name(name), id);
      m.set(stateKeys.pkg(id), { id, ns: name.split('/')[0]!, name: name.split('/')[1]!, creator: '', height: 1, versions: versions.map((v) => v.version) });
      for (const v of versions) {
        m.set(stateKeys.version(id, v.version), {
          contentHash: hashOf(name, v.version), size: 1, deps: {}, publishedDeps: {}, lock: {}, deprecated: false, publisher: '', height: 1, block: '', txId: '',
          bounds: [], attestations: [], ...v,
        } as VersionState);
      }
    };
    // @a/app 1.0.0 was published with @a/lib ^1.0.0; a bounds edit narrowed it to ~1.0.0 because 1.1.0 broke it.
    put('@a/app', 'aa', [{ version: '1.0.0', publishedDeps: { '@a/lib': '^1.0.0' }, deps: { '@a/lib': '~1.0.0' } }]);
    put('@a/lib', 'bb', [{ version: '1.0.0' }, { version: '1.0.1' }, { version: '1.1.0' }]);
    return { get: (k) => m.get(k) };
  }

  it('one version is read alone, and agrees with the list of every version', () => {
    const m = state();
    const read: string[] = [];
    const idx = stateIndex({ get: (k) => (read.push(k), m.get(k)) });
    expect(idx.version!('@a/lib', '1.0.1')).toEqual({ version: '1.0.1', contentHash: hashOf('@a/lib', '1.0.1'), deps: {}, deprecated: false, lock: {} });
    expect(read.filter((k) => k.startsWith('ver:'))).toEqual([stateKeys.version('bb', '1.0.1')]);
    expect(idx.version!('@a/lib', '2.0.0')).toBeUndefined();
    expect(idx.version!('@a/none', '1.0.0')).toBeUndefined();
    expect(idx.version!('@a/app', '1.0.0')).toEqual(stateIndex(m).versions('@a/app')!.find((v) => v.version === '1.0.0'));
  });

  it('the amended range is the one that counts', () => {
    const s = solve(stateIndex(state()), [req('@a/app', '^1.0.0')]);
    expect(s.selected.get('@a/lib')?.version).toBe('1.0.1');
  });
});

describe('solve: preferences', () => {
  const idx = index({
    '@a/x': { '1.0.0': { deps: { '@a/y': '^1.0.0' }, lock: { '@a/y@1.0.0': hashOf('@a/y', '1.0.0') } } },
    '@a/y': { '1.0.0': {}, '1.1.0': {}, '1.2.0': {} },
  });

  it('reuses the lock tree a dependency recorded on chain', () => {
    expect(picked(idx, [req('@a/x', '^1.0.0')])).toEqual({ '@a/x': '1.0.0', '@a/y': '1.0.0' });
    expect(picked(idx, [req('@a/x', '^1.0.0')], { reuseRecordedLocks: false })).toEqual({ '@a/x': '1.0.0', '@a/y': '1.2.0' });
  });

  it('solves again where the recorded tree does not fit the rest of the project', () => {
    expect(picked(idx, [req('@a/x', '^1.0.0'), req('@a/y', '>=1.1.0')])).toEqual({ '@a/x': '1.0.0', '@a/y': '1.2.0' });
  });

  it('keeps the lockfile\'s versions while they fit', () => {
    expect(picked(idx, [req('@a/x', '^1.0.0')], { preferred: { '@a/y': '1.1.0' } })).toEqual({ '@a/x': '1.0.0', '@a/y': '1.1.0' });
  });
});

describe('solve: InfVer 2.0, versions breaking by inference', () => {
  const TESTERS = ['id:aa', 'id:bb'];
  /** @a/b 1.2.0, 1.3.0 (breaks 1.2.0's tests, found by two testers), 1.3.1 (fine again); @a/old 1.0.0 depends on ^1.2.0. */
  function idx(withFix = true): ReturnType<typeof mapIndex> {
    const versions: IndexVersion[] = [
      { version: '1.2.0', contentHash: hashOf('@a/b', '1.2.0'), deps: {}, deprecated: false },
      { version: '1.3.0', contentHash: hashOf('@a/b', '1.3.0'), deps: {}, deprecated: false, breakingByInference: { prev: '1.2.0', testers: TESTERS } },
    ];
    if (withFix) versions.push({ version: '1.3.1', contentHash: hashOf('@a/b', '1.3.1'), deps: {}, deprecated: false });
    return mapIndex(new Map([
      ['@a/b', versions],
      ['@a/old', [{ version: '1.0.0', contentHash: hashOf('@a/old', '1.0.0'), deps: { '@a/b': '^1.2.0' }, deprecated: false }]],
      ['@a/new', [{ version: '1.0.0', contentHash: hashOf('@a/new', '1.0.0'), deps: { '@a/b': '>=1.3.0 <1.3.1' }, deprecated: false }]],
    ]));
  }

  it('admits(): outside caret and tilde ranges that start below it; inside ranges that start at or above it', () => {
    const v = idx().versions('@a/b')!.find((x) => x.version === '1.3.0')!;
    expect(admits('^1.2.0', v)).toBe(false);
    expect(admits('~1.2.0 || ^1.3.0', v)).toBe(false);
    expect(admits('*', v)).toBe(false);
    expect(admits('^1.3.0', v)).toBe(true);
    expect(admits('~1.3.0', v)).toBe(true);
    expect(admits('>=1.3.0', v)).toBe(true);
    expect(admits('1.3.0', v)).toBe(true);
    expect(admits('=1.3.0', v)).toBe(true);
    expect(admits('^2.0.0', v)).toBe(false);
    expect(excludedByInference('^1.2.0', v)).toBe(true);
    expect(excludedByInference('^2.0.0', v)).toBe(false);
  });

  it('a caret range of an earlier version skips it: the newest other version in range is chosen', () => {
    expect(picked(idx(), [req('@a/b', '^1.2.0')])).toEqual({ '@a/b': '1.3.1' });
    expect(picked(idx(false), [req('@a/b', '^1.2.0')])).toEqual({ '@a/b': '1.2.0' });
    expect(picked(idx(false), [req('@a/b', '~1.2.0 || ~1.3.0')])).toEqual({ '@a/b': '1.2.0' });
    // A dependency's range excludes it the same way.
    expect(picked(idx(false), [req('@a/old', '^1.0.0')])).toEqual({ '@a/b': '1.2.0', '@a/old': '1.0.0' });
  });

  it('an exact version, a range starting at it, or a hashlock selects it', () => {
    expect(picked(idx(), [req('@a/b', '=1.3.0')])).toEqual({ '@a/b': '1.3.0' });
    expect(picked(idx(), [req('@a/b', '>=1.3.0 <1.3.1')])).toEqual({ '@a/b': '1.3.0' });
    expect(picked(idx(), [req('@a/b', '^1.2.0', { hash: hashOf('@a/b', '1.3.0') })])).toEqual({ '@a/b': '1.3.0' });
  });

  it('explains the exclusion when it makes the requirements impossible', () => {
    const err = failure(() => solve(idx(false), [req('@a/b', '^1.2.0', { origin: 'src/a.ts:1' }), req('@a/new', '^1.0.0', { origin: 'src/b.ts:2' })]));
    expect(err.code).toBe('RESOLVE_CONFLICT');
    expect(err.message).toContain("@a/b@1.3.0 is excluded from ^1.2.0: 2 testers found that 1.2.0's tests fail against it (breaking by inference)");
    expect(err.message).toContain('@a/new ^1.0.0 depends on @a/b >=1.3.0 <1.3.1');
    // A range nothing else meets says it in the same sentence.
    const only = failure(() => solve(mapIndex(new Map([['@a/b', [
      { version: '1.0.0', contentHash: hashOf('@a/b', '1.0.0'), deps: {}, deprecated: true },
      { version: '1.0.1', contentHash: hashOf('@a/b', '1.0.1'), deps: {}, deprecated: false, breakingByInference: { prev: '1.0.0', testers: TESTERS } },
    ]]])), [req('@a/b', '~1.0.1 || ^1.0.0')]));
    expect(only.message).toContain("@a/b@1.0.1 is excluded from ~1.0.1 || ^1.0.0: 2 testers found that 1.0.0's tests fail against it (breaking by inference)");
  });

  it('the state index carries the mark from the ledger state', () => {
    const v1: VersionState = {
      version: '1.0.0', contentHash: 'aa'.repeat(32), size: 1, deps: {}, publishedDeps: {}, lock: {}, deprecated: false, publisher: 'p', height: 1, block: '', txId: 't1', bounds: [], attestations: [],
    };
    const v2: VersionState = { ...v1, version: '1.0.1', contentHash: 'bb'.repeat(32), txId: 't2', breakingByInference: { prev: '1.0.0', resultHash: 'cc'.repeat(32), testers: ['aa', 'bb'], height: 3 } };
    const map = new Map<string, StateValue>([
      [stateKeys.name('@a/b'), 'id'],
      [stateKeys.pkg('id'), { id: 'id', ns: '@a', name: 'b', creator: 'p', height: 1, versions: ['1.0.0', '1.0.1'] }],
      [stateKeys.version('id', '1.0.0'), v1],
      [stateKeys.version('id', '1.0.1'), v2],
    ]);
    const state: StateReader = { get: (k) => map.get(k) };
    const versions = stateIndex(state).versions('@a/b')!;
    expect(versions[1]!.breakingByInference).toEqual({ prev: '1.0.0', testers: ['id:aa', 'id:bb'] });
    expect(picked(stateIndex(state), [req('@a/b', '^1.0.0')])).toEqual({ '@a/b': '1.0.0' });
  });
});

describe('solve: InfVer, misversioned versions', () => {
  const TESTERS = ['id:aa', 'id:bb'];
  const MIS = { prev: '1.2.0', claimed: 'minor' as const, verdict: 'major' as const, testers: TESTERS };
  /** @a/b 1.2.0, 1.3.0 (published as a minor, found major by two testers' checkers), 1.3.1 when `withFix`, 2.0.0. */
  function idx(withFix = true): ReturnType<typeof mapIndex> {
    const versions: IndexVersion[] = [
      { version: '1.2.0', contentHash: hashOf('@a/b', '1.2.0'), deps: {}, deprecated: false },
      { version: '1.3.0', contentHash: hashOf('@a/b', '1.3.0'), deps: {}, deprecated: false, misversioned: MIS },
    ];
    if (withFix) versions.push({ version: '1.3.1', contentHash: hashOf('@a/b', '1.3.1'), deps: {}, deprecated: false });
    versions.push({ version: '2.0.0', contentHash: hashOf('@a/b', '2.0.0'), deps: {}, deprecated: false });
    return mapIndex(new Map([
      ['@a/b', versions],
      ['@a/old', [{ version: '1.0.0', contentHash: hashOf('@a/old', '1.0.0'), deps: { '@a/b': '~1.2.0 || ^1.2.0' }, deprecated: false }]],
      ['@a/new', [{ version: '1.0.0', contentHash: hashOf('@a/new', '1.0.0'), deps: { '@a/b': '>=1.3.0 <1.3.1' }, deprecated: false }]],
    ]));
  }
  const misversioned = (): IndexVersion => idx().versions('@a/b')!.find((x) => x.version === '1.3.0')!;

  it('admits(): outside caret and tilde ranges anchored on earlier versions of its line, inside ranges from it on', () => {
    const v = misversioned();
    expect(admits('^1.2.0', v)).toBe(false);
    expect(admits('^1.0.0', v)).toBe(false);
    expect(admits('~1.2.0 || ^1.3.0', v)).toBe(false);
    expect(admits('^1.3.0', v)).toBe(true);
    expect(admits('~1.3.0', v)).toBe(true);
    expect(admits('>=1.3.0', v)).toBe(true);
    expect(admits('=1.3.0', v)).toBe(true);
    expect(excludedByInference('^1.2.0', v)).toBe(true);
    expect(excludedByInference('^1.3.0', v)).toBe(false);
    // Not in the range at all: not "excluded" either.
    expect(excludedByInference('^2.0.0', v)).toBe(false);
  });

  it('a caret or tilde range of an earlier version skips it; a dependency\'s range does too', () => {
    expect(picked(idx(), [req('@a/b', '^1.2.0')])).toEqual({ '@a/b': '1.3.1' });
    expect(picked(idx(false), [req('@a/b', '^1.2.0')])).toEqual({ '@a/b': '1.2.0' });
    expect(picked(idx(false), [req('@a/old', '^1.0.0')])).toEqual({ '@a/b': '1.2.0', '@a/old': '1.0.0' });
    expect(picked(idx(false), [req('@a/b', '*')])).toEqual({ '@a/b': '2.0.0' });
  });

  it('an exact version, a range starting at it, or a hashlock selects it', () => {
    expect(picked(idx(), [req('@a/b', '=1.3.0')])).toEqual({ '@a/b': '1.3.0' });
    expect(picked(idx(), [req('@a/b', '^1.3.0')])).toEqual({ '@a/b': '1.3.1' });
    expect(picked(idx(false), [req('@a/b', '~1.3.0')])).toEqual({ '@a/b': '1.3.0' });
    expect(picked(idx(), [req('@a/b', '^1.2.0', { hash: hashOf('@a/b', '1.3.0') })])).toEqual({ '@a/b': '1.3.0' });
  });

  it('explains the exclusion, naming the bump claimed, the verdict and the testers', () => {
    const err = failure(() => solve(idx(false), [req('@a/b', '^1.2.0', { origin: 'src/a.ts:1' }), req('@a/new', '^1.0.0', { origin: 'src/b.ts:2' })]));
    expect(err.code).toBe('RESOLVE_CONFLICT');
    expect(err.message).toContain('@a/b@1.3.0 is excluded from ^1.2.0: published as a minor step over 1.2.0, but the checkers of 2 testers (id:aa, id:bb) found a major change (misversioned)');
  });

  it('a version both breaking by inference and misversioned gives both reasons', () => {
    const v: IndexVersion = { ...misversioned(), breakingByInference: { prev: '1.2.0', testers: ['id:cc'] } };
    expect(inferenceText('@a/b', v, '^1.2.0')).toBe(
      "@a/b@1.3.0 is excluded from ^1.2.0: 1 tester found that 1.2.0's tests fail against it (breaking by inference); " +
      'published as a minor step over 1.2.0, but the checkers of 2 testers (id:aa, id:bb) found a major change (misversioned)',
    );
  });

  it('the state index carries the mark from the ledger state', () => {
    const v1: VersionState = {
      version: '1.0.0', contentHash: 'aa'.repeat(32), size: 1, deps: {}, publishedDeps: {}, lock: {}, deprecated: false, publisher: 'p', height: 1, block: '', txId: 't1', bounds: [], attestations: [],
    };
    const v2: VersionState = { ...v1, version: '1.1.0', contentHash: 'bb'.repeat(32), txId: 't2', misversioned: { prev: '1.0.0', claimed: 'minor', verdict: 'major', changesHash: 'cc'.repeat(32), testers: ['aa', 'bb'], height: 3 } };
    const map = new Map<string, StateValue>([
      [stateKeys.name('@a/b'), 'id'],
      [stateKeys.pkg('id'), { id: 'id', ns: '@a', name: 'b', creator: 'p', height: 1, versions: ['1.0.0', '1.1.0'] }],
      [stateKeys.version('id', '1.0.0'), v1],
      [stateKeys.version('id', '1.1.0'), v2],
    ]);
    const state: StateReader = { get: (k) => map.get(k) };
    const versions = stateIndex(state).versions('@a/b')!;
    expect(versions[0]!.misversioned).toBeUndefined();
    expect(versions[1]!.misversioned).toEqual({ prev: '1.0.0', claimed: 'minor', verdict: 'major', testers: ['id:aa', 'id:bb'] });
    expect(picked(stateIndex(state), [req('@a/b', '^1.0.0')])).toEqual({ '@a/b': '1.0.0' });
    expect(picked(stateIndex(state), [req('@a/b', '~1.1.0')])).toEqual({ '@a/b': '1.1.0' });
  });
});

describe('solve: a 500-package graph', () => {
  it('resolves in well under a second', () => {
    // Deterministic pseudo-random graph: package i has 3 versions and deps on up to 4 lower-numbered packages.
    let seed = 42;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const spec: Spec = {};
    for (let i = 0; i < 500; i++) {
      spec[`@bench/p${i}`] = {};
      for (const v of ['1.0.0', '1.1.0', '2.0.0']) {
        const deps: Record<string, string> = {};
        for (let k = 0; k < Math.min(i, 4); k++) deps[`@bench/p${rand(i)}`] = rand(3) === 0 ? '^2.0.0' : '>=1.0.0';
        spec[`@bench/p${i}`]![v] = { deps };
      }
    }
    const reqs = Array.from({ length: 20 }, (_, k) => req(`@bench/p${480 + k}`, '*'));
    const start = performance.now();
    const s = solve(index(spec), reqs);
    const ms = performance.now() - start;
    expect(s.selected.size).toBeGreaterThan(20);
    expect(ms).toBeLessThan(1000);
  });
});
