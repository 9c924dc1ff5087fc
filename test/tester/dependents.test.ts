/**
 * Crater on the tester's side (tester/attest/): which dependents a new version's
 * runs go to (ChainReader.dependentsOf: direct dependents' newest versions, most
 * depended-on first, capped) and which get no run (skipReason). The blocks are
 * the API's JSON shapes, as GET /v1/blocks/:height gives them.
 */
import { describe, expect, it } from 'vitest';
import { ChainReader, skipReason, type AttestNode, type BlockView, type VersionView } from '../../tester/attest/index.ts';

/** A chain of blocks as JSON; only `block` and `height` are read by the reader. */
function chainOf(blocks: BlockView[]): AttestNode {
  const unused = (): never => {
    throw new Error('not read by ChainReader');
  };
  return { height: async () => blocks.length - 1, block: async (h) => blocks[h]!, infverTypescript: unused, version: unused, versions: unused, blob: unused, submitAttest: unused };
}

const create = (id: string, full: string): BlockView['txs'][number] => {
  const [ns, name] = full.split('/') as [string, string];
  return { id, type: 'create', body: { ns, name } };
};
const publish = (id: string, pkg: string, version: string, deps: Record<string, string> = {}): BlockView['txs'][number] => ({ id, type: 'publish', body: { pkg, version, deps } });

describe('ChainReader.dependentsOf', () => {
  it('lists the direct dependents by their newest version, most depended-on first, then by name, at most `cap`', async () => {
    const reader = new ChainReader(0);
    const node = chainOf([
      { height: 0, txs: [create('p', '@lib/p'), create('a', '@app/a'), create('b', '@app/b'), create('c', '@app/c'), create('top', '@app/top')] },
      {
        height: 1,
        txs: [
          publish('t1', 'p', '1.0.0'),
          publish('t2', 'a', '1.0.0', { '@lib/p': '^1.0.0' }),
          publish('t3', 'b', '1.0.0', { '@lib/p': '^1.0.0' }),
          publish('t4', 'c', '1.0.0', { '@lib/p': '^1.0.0' }),
          // @app/b is depended on by @app/top: it goes first.
          publish('t5', 'top', '1.0.0', { '@app/b': '^1.0.0' }),
          // @app/c's newest version no longer depends on @lib/p.
          publish('t6', 'c', '2.0.0'),
          // A newer version of @app/a replaces 1.0.0 as its newest.
          publish('t7', 'a', '1.1.0', { '@lib/p': '^1.0.0' }),
        ],
      },
    ]);
    const jobs = await reader.readTo(node, 1);
    expect(jobs).toHaveLength(7);
    expect(reader.dependentsOf('@lib/p', 5)).toEqual([
      { pkg: 'b', name: '@app/b', version: '1.0.0', deps: ['@lib/p'] },
      { pkg: 'a', name: '@app/a', version: '1.1.0', deps: ['@lib/p'] },
    ]);
    expect(reader.dependentsOf('@lib/p', 1).map((d) => d.name)).toEqual(['@app/b']);
    expect(reader.dependentsOf('@app/top', 5)).toEqual([]);
  });
});

describe('skipReason', () => {
  const version = (v: string, extra: Partial<VersionView> = {}): VersionView => ({ id: 'p', version: v, contentHash: 'aa', height: 1, lock: {}, attestations: [], ...extra });
  const dependent = version('1.0.0', { id: 'd', deps: { '@lib/p': '^1.0.0' }, lock: { '@lib/p@1.0.0': 'aa' } });

  it('runs a dependent whose range admits the new version', () => {
    expect(skipReason('@lib/p', version('1.0.1'), 'id:me', dependent, '@app/d@1.0.0')).toBeUndefined();
  });

  it('skips the version it locks, a version its range does not admit, one it does not depend on, and a run this tester made', () => {
    expect(skipReason('@lib/p', version('1.0.0'), 'id:me', dependent, '@app/d@1.0.0')).toMatch(/locks @lib\/p@1.0.0 already/);
    expect(skipReason('@lib/p', version('2.0.0'), 'id:me', dependent, '@app/d@1.0.0')).toMatch(/does not admit 2.0.0/);
    expect(skipReason('@lib/q', version('1.0.1'), 'id:me', dependent, '@app/d@1.0.0')).toMatch(/does not declare and lock @lib\/q/);
    const ran = version('1.0.1', { dependentRuns: [{ tester: 'id:me', dependent: '@app/d@1.0.0' }] });
    expect(skipReason('@lib/p', ran, 'id:me', dependent, '@app/d@1.0.0')).toMatch(/ran @app\/d@1.0.0 with @lib\/p@1.0.1 already/);
    expect(skipReason('@lib/p', ran, 'id:other', dependent, '@app/d@1.0.0')).toBeUndefined();
  });
});
