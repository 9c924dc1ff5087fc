/**
 * The tester's attest loop (tester/attest/) below the CLI, against a real
 * FullNode (level store, blob store, mempool) behind its real HTTP API on
 * 127.0.0.1, read through the same adapter `gopkgr tester` uses. Blocks are
 * mined in-process (test/support/chain.ts); tarballs are real gzipped tars and
 * the tests run in the real sandbox.
 */
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { DEV_PARAMS, encodeTx, fromHex, lockHash, sha256Hex, toHex, type Tx } from '../../ledger/index.ts';
import type { FullNode } from '../../node/index.ts';
import { attestLoop, extractTarball, runTests, predecessorRunFiles, type Attested } from '../../tester/index.ts';
import { NodeClient } from '../../cli/client.ts';
import { httpAttestNode } from '../../cli/commands/tester.ts';
import { actor, idBytes, keyPair, mineBlock, publishBody, type Actor } from '../support/chain.ts';
import { startNode } from '../support/apiNode.ts';
import { closeAll } from '../support/cleanup.ts';

afterEach(closeAll);

const ALICE = keyPair('alice');
const TESTER = keyPair('tester');
const TESTER_ID = `id:${toHex(TESTER.publicKey)}`;
const TESTER_B = keyPair('tester-b');
const TESTER_C = keyPair('tester-c');
const idOfKey = (k: typeof TESTER): string => `id:${toHex(k.publicKey)}`;

async function tarball(files: Record<string, string>): Promise<Uint8Array> {
  const p = pack();
  for (const [name, text] of Object.entries(files)) p.entry({ name: `package/${name}` }, text);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return new Uint8Array(gzipSync(Buffer.concat(chunks)));
}

const TEST_FILE = `import { test } from 'node:test'; import assert from 'node:assert/strict'; import { add } from '../src/add.js';
test('adds', () => assert.equal(add(1, 2), 3));
test('adds negatives', () => assert.equal(add(-1, -2), -3));`;
const addVersion = (body: string): Record<string, string> => ({ 'package.json': '{"type":"module"}', 'src/add.js': body, 'test/add.test.js': TEST_FILE });
/** 1.0.0 adds; 1.0.1 subtracts and ships no tests of its own, so only the predecessor's tests can catch it. */
const V1 = addVersion('export const add = (a, b) => a + b;');
const V2 = { 'package.json': '{"type":"module"}', 'src/add.js': 'export const add = (a, b) => a - b;' };

interface World {
  node: FullNode;
  client: NodeClient;
  alice: Actor;
  /** ids of the created packages, by name */
  ids: Map<string, Uint8Array>;
}

async function startWorld(): Promise<World> {
  const { node, url } = await startNode({ prefix: 'gopkgr-attest-loop-' });
  return { node, client: new NodeClient(url), alice: actor(ALICE, node.chain.chainId), ids: new Map() };
}

/** Mine every pending tx into one block on the head. */
async function mine(w: World): Promise<void> {
  const txs: Tx[] = w.node.mempool.ordered().map((p) => p.tx);
  const result = await w.node.submitBlock(mineBlock(w.node.chain, txs));
  expect(result.status).toBe('connected');
  expect(w.node.mempool.size).toBe(0);
}

async function submit(w: World, tx: Tx): Promise<void> {
  await w.node.submitTx(encodeTx(tx));
}

/** Claim the namespace and create `names` (one block). */
async function createPackages(w: World, ns: string, names: string[]): Promise<void> {
  await submit(w, w.alice.tx('claim', { ns }));
  for (const name of names) {
    const create = w.alice.tx('create', { ns, name });
    w.ids.set(`${ns}/${name}`, idBytes(create));
    await submit(w, create);
  }
  await mine(w);
}

/** Upload `bytes` and publish them as `version` of `name` (mined later). */
async function publishBytes(w: World, name: string, version: string, bytes: Uint8Array): Promise<void> {
  const hash = sha256Hex(bytes);
  await w.client.putBlob(hash, bytes);
  await submit(w, w.alice.tx('publish', publishBody(w.ids.get(name)!, version, { contentHash: fromHex(hash), size: bytes.length })));
}

const attestationsOf = async (w: World, name: string, version: string): Promise<Array<{ tester: string; passed: number; failed: number; resultHash: string; prev?: { version: string; failed: number; resultHash: string } }>> =>
  (await w.client.get<{ attestations: never[] }>(`/v1/packages/${name}/${version}`)).attestations;

describe('attest loop against a real node', () => {
  it('attests every new version once, with the predecessor run, and reports a broken tarball without stopping', async () => {
    const w = await startWorld();
    await createPackages(w, '@acme', ['add', 'junk']);
    const v1 = await tarball(V1);
    const v2 = await tarball(V2);
    await publishBytes(w, '@acme/add', '1.0.0', v1);
    await publishBytes(w, '@acme/junk', '1.0.0', new TextEncoder().encode('not a gzipped tar'));
    await mine(w);
    await publishBytes(w, '@acme/add', '1.0.1', v2);
    await mine(w);

    const seen: string[] = [];
    const result = await attestLoop({
      node: httpAttestNode(w.client, TESTER), tester: TESTER_ID, from: 0, concurrency: 2, once: true, pollMs: 10,
      onAttested: (a) => seen.push(`${a.name}@${a.version.version}`),
      onFailed: (f) => seen.push(`failed ${f.name}@${f.version}`),
    });
    expect(result.height).toBe(w.node.chain.height);
    expect(result.failed).toEqual([{ name: '@acme/junk', version: '1.0.0', message: expect.stringMatching(/does not gunzip/) }]);
    const byVersion = new Map(result.attested.map((a): [string, Attested] => [a.version.version, a]));
    expect([...byVersion.keys()].sort()).toEqual(['1.0.0', '1.0.1']);
    expect(seen.sort()).toEqual(['@acme/add@1.0.0', '@acme/add@1.0.1', 'failed @acme/junk@1.0.0']);

    // the outcomes are the sandbox's own for those files
    const expected1 = await runTests({ files: await extractTarball(v1) });
    expect(byVersion.get('1.0.0')!.outcome.resultHash).toBe(expected1.resultHash);
    expect(byVersion.get('1.0.0')!.prev).toBeUndefined();
    const second = byVersion.get('1.0.1')!;
    expect(second.outcome.passed + second.outcome.failed).toBe(0);
    const prevRun = predecessorRunFiles(await extractTarball(v1), await extractTarball(v2));
    const expectedPrev = await runTests({ files: prevRun.files, testFiles: prevRun.testFiles });
    expect(expectedPrev.failed).toBe(2);
    expect(second.prev).toEqual({ version: '1.0.0', outcome: expectedPrev });
    expect(second.body.lockHash).toEqual(lockHash({}));

    // the attest txs are valid: mined, they are on chain under the tester's identity
    expect(w.node.mempool.size).toBe(2);
    await mine(w);
    const [a1] = await attestationsOf(w, '@acme/add', '1.0.0');
    expect(a1).toMatchObject({ tester: TESTER_ID, passed: 2, failed: 0, resultHash: expected1.resultHash });
    const [a2] = await attestationsOf(w, '@acme/add', '1.0.1');
    expect(a2?.prev).toMatchObject({ version: '1.0.0', failed: 2, resultHash: expectedPrev.resultHash });

    // a second pass from the start attests nothing again; the broken tarball still fails
    const again = await attestLoop({ node: httpAttestNode(w.client, TESTER), tester: TESTER_ID, from: 0, concurrency: 1, once: true, pollMs: 10 });
    expect(again.attested).toEqual([]);
    expect(again.failed.map((f) => f.name)).toEqual(['@acme/junk']);
    expect(w.node.mempool.size).toBe(0);
  }, 180_000);

  it("a version's tests (and its predecessor's against it) start at its block's time, the same for every tester", async () => {
    const w = await startWorld();
    await createPackages(w, '@acme', ['clock']);
    // the test's name is the clock it starts at, so the outcome shows which epoch the tester used
    const files = { 'package.json': '{"type":"module"}', 'test/now.test.js': "import { test } from 'node:test'; test(`now ${Date.now()}`, () => {});" };
    await publishBytes(w, '@acme/clock', '1.0.0', await tarball(files));
    await mine(w);
    await publishBytes(w, '@acme/clock', '1.0.1', await tarball({ ...files, 'index.js': 'export {};' }));
    await mine(w);
    const timeOf = async (version: string): Promise<number> => {
      const { height } = await w.client.get<{ height: number }>(`/v1/packages/@acme/clock/${version}`);
      return (await w.client.get<{ time: number }>(`/v1/blocks/${height}`)).time;
    };
    const [t1, t2] = [await timeOf('1.0.0'), await timeOf('1.0.1')];
    expect(t2).not.toBe(t1);
    const hashes: string[] = [];
    for (const key of [TESTER, TESTER_B]) {
      const r = await attestLoop({ node: httpAttestNode(w.client, key), tester: idOfKey(key), from: 0, concurrency: 1, once: true, pollMs: 10 });
      const by = new Map(r.attested.map((a): [string, Attested] => [a.version.version, a]));
      expect(by.get('1.0.0')!.outcome.tests.map((t) => t.name)).toEqual([`test/now.test.js > now ${t1}`]);
      expect(by.get('1.0.1')!.outcome.tests.map((t) => t.name)).toEqual([`test/now.test.js > now ${t2}`]);
      expect(by.get('1.0.1')!.prev!.outcome.tests.map((t) => t.name)).toEqual([`test/now.test.js > now ${t2}`]);
      hashes.push(by.get('1.0.1')!.outcome.resultHash);
    }
    expect(hashes[1]).toBe(hashes[0]);
  }, 180_000);

  it('polls from a height for versions published later, and stops on its signal', async () => {
    const w = await startWorld();
    // the loop learns names from create txs it reads: the package is created after it starts
    const from = w.node.chain.height + 1;
    const stop = new AbortController();
    const attested: string[] = [];
    let firstPass!: () => void;
    const scanned = new Promise<void>((resolve) => (firstPass = resolve));
    const loop = attestLoop({
      node: httpAttestNode(w.client, TESTER), tester: TESTER_ID, from, concurrency: 1, once: false, pollMs: 20, signal: stop.signal,
      onScanned: () => firstPass(),
      onAttested: (a) => {
        attested.push(a.version.version);
        stop.abort();
      },
    });
    await scanned;
    await createPackages(w, '@acme', ['add']);
    await publishBytes(w, '@acme/add', '1.0.0', await tarball(V1));
    await mine(w);
    const result = await loop;
    expect(attested).toEqual(['1.0.0']);
    expect(result.attested.map((a) => a.name)).toEqual(['@acme/add']);
    expect(result.height).toBeGreaterThanOrEqual(from);
    expect(w.node.mempool.size).toBe(1);
  }, 180_000);

  it('InfVer: testers on the pinned TypeScript attest the checker\'s verdict, two agreeing mark an understated version misversioned; another TypeScript attests tests only', async () => {
    const w = await startWorld();
    await createPackages(w, '@acme', ['greet']);
    const pkgJson = '{"name":"@acme/greet","type":"module","types":"index.ts"}';
    // 1.1.0 narrows the parameter (a major change the manifest lower bound does not see) and calls itself a minor.
    await publishBytes(w, '@acme/greet', '1.0.0', await tarball({ 'package.json': pkgJson, 'index.ts': 'export function greet(name: string | number): string { return `hi ${name}`; }\n' }));
    await mine(w);
    await publishBytes(w, '@acme/greet', '1.1.0', await tarball({ 'package.json': pkgJson, 'index.ts': 'export function greet(name: string): string { return `hi ${name}`; }\n' }));
    await mine(w);

    const policies: string[] = [];
    const run = (key: typeof TESTER, pinned?: string): ReturnType<typeof attestLoop> => {
      const node = httpAttestNode(w.client, key);
      return attestLoop({
        node: pinned === undefined ? node : { ...node, infverTypescript: () => Promise.resolve(pinned) },
        tester: idOfKey(key), from: 0, concurrency: 1, once: true, pollMs: 10,
        onVerdictPolicy: (p) => policies.push(p.attest ? `on ${p.typescript}` : `off: ${p.reason}`),
      });
    };
    const a = await run(TESTER);
    const b = await run(TESTER_B);
    expect(policies).toEqual([`on ${DEV_PARAMS.infverTypescript}`, `on ${DEV_PARAMS.infverTypescript}`]);
    for (const r of [a, b]) {
      expect(r.failed).toEqual([]);
      const first = r.attested.find((x) => x.version.version === '1.0.0')!;
      // A first version has no step to judge.
      expect(first.verdict).toBeUndefined();
      expect(first.body.infver).toBeUndefined();
      const second = r.attested.find((x) => x.version.version === '1.1.0')!;
      expect(second.verdict).toMatchObject({ bump: 'major' });
      expect(second.body.infver).toBe('major');
      expect(toHex(second.body.infverHash!)).toBe(second.verdict!.changesHash);
    }
    // Both testers' checkers found the same changes.
    const hashOfRun = (r: typeof a): string => r.attested.find((x) => x.version.version === '1.1.0')!.verdict!.changesHash;
    expect(hashOfRun(b)).toBe(hashOfRun(a));

    // A tester whose TypeScript is not the pinned one attests the tests, without a verdict, and says why.
    const c = await run(TESTER_C, '5.0.0');
    expect(policies[2]).toBe(`off: the chain pins TypeScript 5.0.0 for InfVer verdicts, this tester's checker runs ${DEV_PARAMS.infverTypescript}: attesting tests only, no verdicts`);
    const unjudged = c.attested.find((x) => x.version.version === '1.1.0')!;
    expect(unjudged.verdict).toBeUndefined();
    expect(unjudged.body.infver).toBeUndefined();
    expect(unjudged.body.infverHash).toBeUndefined();

    await mine(w);
    const v = await w.client.get<{ misversioned?: { prev: string; claimed: string; verdict: string; changesHash: string; testers: string[] }; attestations: Array<{ tester: string; infver?: { bump: string; changesHash: string } }> }>('/v1/packages/@acme/greet/1.1.0');
    expect(v.attestations).toHaveLength(3);
    expect(v.attestations.find((x) => x.tester === idOfKey(TESTER_C))!.infver).toBeUndefined();
    expect(v.misversioned).toEqual({ prev: '1.0.0', claimed: 'minor', verdict: 'major', changesHash: hashOfRun(a), testers: [TESTER_ID, idOfKey(TESTER_B)], height: w.node.chain.height });
    expect((await w.client.get<{ misversioned?: unknown }>('/v1/packages/@acme/greet/1.0.0')).misversioned).toBeUndefined();
  }, 180_000);
});

