/**
 * The state on disk behind a bounded cache (node/state/): the cache's bound and
 * order, sessions that load what the rules read and run them again, reads that
 * start again when a block lands under them, and a chain whose cache is far too
 * small for its state still applying, reorganising and replaying exactly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ABSENT, StateCache } from '../../node/state/cache.ts';
import { StateMiss, StateStore } from '../../node/state/stateStore.ts';
import { ChainStore, defaultHooks } from '../../node/index.ts';
import { put } from '../../node/store.ts';
import { GopkgrError, stateKeys, toHex, type StateReader } from '../../ledger/index.ts';
import { actor, extend, idBytes, keyPair, mineBlock, openChain, publishBody } from '../support/chain.ts';
import { expectConsistent } from '../support/chainChecks.ts';
import { resolveRequest } from '../../resolver/index.ts';
import { packageView } from '../../node/views.ts';
import { closeAll, onClose, tempDir } from '../support/cleanup.ts';

afterEach(closeAll);

async function storeWith(records: Record<string, Parameters<typeof put>[1]>, cacheBytes: number): Promise<{ store: ChainStore; states: StateStore }> {
  const store = new ChainStore(join(await tempDir(), 'db'));
  await store.open();
  onClose(() => store.close());
  await store.write(Object.entries(records).map(([k, v]) => put(`s:${k}`, v)));
  return { store, states: new StateStore(store, cacheBytes) };
}

describe('StateCache', () => {
  it('keeps the most recently used values within its byte bound, absences included', () => {
    const cache = new StateCache(3 * (100 + 1 + 64));
    cache.set('a', 'x', 100);
    cache.set('b', 'y', 100);
    cache.set('c', ABSENT, 100);
    expect(cache.get('a')).toBe('x'); // a is now the youngest
    cache.set('d', 'z', 100);
    expect(cache.get('b')).toBeUndefined(); // b was the oldest
    expect(cache.get('a')).toBe('x');
    expect(cache.get('c')).toBe(ABSENT);
    expect(cache.bytes).toBeLessThanOrEqual(cache.maxBytes);
  });

  it('does not keep a value larger than the whole cache', () => {
    const cache = new StateCache(1000);
    cache.set('small', 's', 10);
    cache.set('huge', 'h', 5000);
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.get('small')).toBe('s');
  });
});

describe('StateStore', () => {
  it('a session throws StateMiss for what it has not loaded; run loads it and runs again', async () => {
    const { states } = await storeWith({ 'name:@a/x': 'id-x' }, 1 << 20);
    const session = states.session();
    expect(() => session.get('name:@a/x')).toThrow(StateMiss);
    let runs = 0;
    const value = await session.run(() => {
      runs++;
      return [session.get('name:@a/x'), session.get('name:@a/missing')];
    });
    expect(value).toEqual(['id-x', undefined]);
    expect(runs).toBe(3);
    // A rule's verdict is not a miss: it comes out as thrown.
    await expect(session.run(() => { throw new GopkgrError('TX_BAD_NAME', 'no'); })).rejects.toThrow('no');
  });

  it('a version key loads its package\'s versions in one read', async () => {
    const { states } = await storeWith({ 'ver:ab:1.0.0': 'one', 'ver:ab:1.1.0': 'two', 'ver:abc:1.0.0': 'other' }, 1 << 20);
    const session = states.session();
    let runs = 0;
    const got = await session.run(() => {
      runs++;
      return ['1.0.0', '1.1.0', '2.0.0'].map((v) => session.get(`ver:ab:${v}`));
    });
    expect(got).toEqual(['one', 'two', undefined]);
    expect(runs).toBe(2);
    expect(() => session.get('ver:abc:1.0.0')).toThrow(StateMiss);
  });

  it('a read of single versions loads those keys only, a missing version included', async () => {
    const records: Record<string, string> = {};
    for (let i = 0; i < 300; i++) records[`ver:ab:1.0.${i}`] = `v${i}`;
    const { states } = await storeWith(records, 1 << 20);
    const got = await states.read((s) => [s.get('ver:ab:1.0.7'), s.get('ver:ab:9.0.0')], { wholePackages: false });
    expect(got).toEqual(['v7', undefined]);
    // The package's 298 other versions were not read along.
    expect(states.cacheStats.keys).toBe(2);
    // A read of whole packages afterwards still sees every version, not just those cached.
    expect(await states.read((s) => [s.get('ver:ab:1.0.299'), s.get('ver:ab:9.0.0')])).toEqual(['v299', undefined]);
    expect(states.cacheStats.keys).toBe(301);
  });

  it('a large read split over several disk reads gives each key its own value, absent ones too', async () => {
    const records: Record<string, string> = {};
    for (let i = 0; i < 500; i++) records[`name:@n/p${i}`] = `value-${i}`;
    const { states } = await storeWith(records, 1 << 20);
    const keys = Array.from({ length: 600 }, (_, i) => `name:@n/p${(i * 7) % 600}`);
    const session = states.session({ wholePackages: false });
    await session.load(keys);
    for (const key of keys) expect(session.peek(key)).toBe(records[key]);
    expect(keys.filter((k) => session.has(k))).toHaveLength(600);
  });

  it('stays within its bound however much is read, and reads give the disk\'s values', async () => {
    const records: Record<string, string> = {};
    for (let i = 0; i < 2000; i++) records[`name:@n/p${i}`] = `value-${i}-${'x'.repeat(50)}`;
    const { states } = await storeWith(records, 16 * 1024);
    for (let i = 0; i < 2000; i += 7) expect(await states.get(`name:@n/p${i}`)).toBe(records[`name:@n/p${i}`]);
    expect(states.cacheStats.bytes).toBeLessThanOrEqual(16 * 1024);
    expect(states.cacheStats.keys).toBeGreaterThan(0);
  });

  it('a read loads every key a run missed at once: one run per level of what it follows, not one per key', async () => {
    // A tree three levels deep, 20 wide at each node below the root: 421 keys, as a resolve follows names to dependencies.
    const records: Record<string, string> = { 'name:root': JSON.stringify(Array.from({ length: 20 }, (_, i) => `n${i}`)) };
    for (let i = 0; i < 20; i++) {
      records[`name:n${i}`] = JSON.stringify(Array.from({ length: 20 }, (_, j) => `n${i}.${j}`));
      for (let j = 0; j < 20; j++) records[`name:n${i}.${j}`] = JSON.stringify([]);
    }
    const { states } = await storeWith(records, 1 << 20);
    let runs = 0;
    const count = await states.read((s) => {
      runs++;
      let seen = 0;
      const visit = (name: string): void => {
        seen++;
        const value = s.get(`name:${name}`) as string | undefined;
        // A run that missed a key sees it as absent: what it finds below it waits for the next run.
        for (const child of value === undefined ? [] : JSON.parse(value) as string[]) visit(child);
      };
      visit('root');
      return seen;
    });
    expect(count).toBe(421);
    expect(runs).toBe(4);

    // A run that throws on a key it missed (here at the first) is thrown away too, and the read still answers.
    const { states: fresh } = await storeWith(records, 1 << 20);
    const strict = await fresh.read((s) => (JSON.parse(s.get('name:n3') as string) as string[]).map((c) => JSON.parse(s.get(`name:${c}`) as string) as string[]));
    expect(strict).toHaveLength(20);

    // An error from a run that missed nothing is the read's.
    await expect(states.read((s) => {
      s.get('name:root');
      throw new GopkgrError('NOT_FOUND', 'no such thing');
    })).rejects.toThrow('no such thing');
    // And an absent key reads as absent once it is known to be.
    expect(await states.read((s) => [s.get('name:nobody'), s.get('name:n0')])).toEqual([undefined, records['name:n0']]);
  });

  it('a read that a commit lands under starts again and sees the committed state', async () => {
    const { store, states } = await storeWith({ 'name:@a/x': 'old' }, 1 << 20);
    const reading = states.read((s) => s.get('name:@a/x'));
    // While the read waits on its disk read, a block's batch lands and the store is told.
    states.committed(new Map([['name:@a/x', { value: 'new', bytes: 4 }]]));
    expect(await reading).toBe('new');
    // The disk read that started before the commit did not put its older value in the cache.
    expect(await states.get('name:@a/x')).toBe('new');
    await store.write([put('s:name:@a/x', 'new')]);
  });
});

describe('a resolve over a state nothing has read yet (a node just started)', () => {
  /** A namespace of `roots` packages, each depending on two of `leaves` more: three levels in all. */
  async function coldTree(roots: number, leaves: number): Promise<{ states: StateStore; names: string[] }> {
    const records: Record<string, Parameters<typeof put>[1]> = {};
    // 20 namespaces: a view reads its package's, so a run that stopped at each missing one would rerun 20 times more.
    for (let i = 0; i < 20; i++) records[`ns:@t${i}`] = { ns: `@t${i}`, owner: 'ab'.repeat(33), maintainers: [], height: 1, txId: 'cd'.repeat(32) };
    let added = 0;
    const add = (short: string, deps: Record<string, string>): string => {
      const ns = `@t${added++ % 20}`;
      const name = `${ns}/${short}`;
      const id = createHash('sha256').update(name).digest('hex');
      records[`name:${name}`] = id;
      records[`pkg:${id}`] = { id, ns, name: short, creator: 'ab'.repeat(33), height: 1, versions: ['1.0.0', '1.1.0'] };
      for (const version of ['1.0.0', '1.1.0']) {
        records[`ver:${id}:${version}`] = {
          version, contentHash: createHash('sha256').update(`${name}@${version}`).digest('hex'), size: 1, deps, publishedDeps: deps, lock: {},
          deprecated: false, publisher: 'ab'.repeat(33), height: 1, block: 'ef'.repeat(32), txId: '01'.repeat(32), bounds: [], attestations: [],
        };
      }
      return name;
    };
    const leafNames = Array.from({ length: leaves }, (_, i) => add(`l${i}`, {}));
    const names = Array.from({ length: roots }, (_, i) => add(`r${i}`, { [leafNames[(2 * i) % leaves]!]: '^1.0.0', [leafNames[(2 * i + 1) % leaves]!]: '^1.0.0' }));
    const { states } = await storeWith(records, 1 << 22);
    return { states, names };
  }

  it('loads the tree a level at a time, not a package at a time, and answers as over a warm state', async () => {
    const { states, names } = await coldTree(60, 80);
    const body = { requirements: Object.fromEntries(names.map((n) => [n, '^1.0.0'])) };
    const answerWithViews = (s: StateReader): { answer: ReturnType<typeof resolveRequest>; views: unknown[] } => {
      const answer = resolveRequest(s, body);
      return { answer, views: Object.keys(answer.resolved).map((name) => packageView(s, name)) };
    };
    let runs = 0;
    const cold = await states.read((s) => {
      runs++;
      return answerWithViews(s);
    });
    expect(Object.keys(cold.answer.resolved)).toHaveLength(140);
    expect(Object.values(cold.answer.resolved).every((r) => r.version === '1.1.0')).toBe(true);
    expect(cold.views.every((v) => (v as { versions: unknown[] } | undefined)?.versions.length === 2)).toBe(true);
    // Three levels, each a name, a package record and its versions, then the namespace the views read: a handful
    // of runs. Run by run as the solver meets each package, it was one or more per package (over 140).
    expect(runs).toBeLessThanOrEqual(12);
    const warm = await states.read(answerWithViews);
    expect(warm).toEqual(cold);
  });
});

describe('a chain whose state cache is far smaller than its state', () => {
  it('applies, reorganises and reopens to exactly the state a replay gives', async () => {
    const dir = await tempDir();
    let t = await openChain(dir, { hooks: defaultHooks, stateCacheBytes: 2048 });
    const alice = actor(keyPair('tiny-cache'), t.chain.chainId);
    const claim = alice.tx('claim', { ns: '@tiny' });
    const creates = Array.from({ length: 40 }, (_, i) => alice.tx('create', { ns: '@tiny', name: `p${i}` }));
    await extend(t.chain, [claim, ...creates]);
    await extend(t.chain, creates.map((c) => alice.tx('publish', publishBody(idBytes(c), '1.0.0'))));
    const fork = t.chain.head.id;
    await extend(t.chain, creates.slice(0, 20).map((c) => alice.tx('publish', publishBody(idBytes(c), '1.0.1'))));
    await expectConsistent(t.chain, t.store);
    expect(t.chain.state.cacheStats.bytes).toBeLessThanOrEqual(2048);

    // A heavier branch from `fork` publishes 1.0.1 of the other packages: the reorg undoes the first ones.
    const other = actor(keyPair('tiny-cache'), t.chain.chainId, alice.nonce - 20);
    const b1 = mineBlock(t.chain, creates.slice(20).map((c) => other.tx('publish', publishBody(idBytes(c), '1.0.1'))), { parent: fork });
    await t.chain.importBlock(b1);
    await t.chain.importBlock(mineBlock(t.chain, [], { parent: toHex(b1.id) }));
    expect(await t.chain.state.get(stateKeys.version(toHex(idBytes(creates[0]!)), '1.0.1'))).toBeUndefined();
    expect(await t.chain.state.get(stateKeys.version(toHex(idBytes(creates[39]!)), '1.0.1'))).toBeDefined();
    await expectConsistent(t.chain, t.store);

    await t.close();
    t = await openChain(dir, { hooks: defaultHooks, stateCacheBytes: 2048 });
    await expectConsistent(t.chain, t.store);
  });
});
