/**
 * The state store's crash safety where it is most exposed: a node process
 * killed (SIGKILL) while it applies a long block, its state loaded from disk
 * key by key as the rules ask for it. After each kill the store is opened and
 * checked: the head is the block before or the new block (never between), the
 * state on disk equals a replay of the stored main chain and reads the same
 * through the cache, and the restarted node serves that head.
 *
 * The block is a real one: hundreds of publishes of patch versions whose API
 * manifests InfVer compares with their predecessors'. Its import time is
 * measured first, in process, so the kill delays spread over the import
 * whatever the machine's speed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { actor, idBytes, keyPair, mineBlock, ONE_EXPORT_MANIFEST, publishBody } from '../support/chain.ts';
import { expectConsistent } from '../support/chainChecks.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { freePort } from '../support/ports.ts';
import { launchNode, spawnNode, stopNode } from '../support/processes.ts';
import { getJson } from '../support/http.ts';
import { Chain, ChainStore, defaultHooks, FullNode } from '../../node/index.ts';
import { DEV_PARAMS, manifestHash, type Tx } from '../../ledger/index.ts';
import { E2E_TEST_TIMEOUT_MS, NODE_READY_TIMEOUT_MS } from '../support/timeouts.ts';

const PACKAGES = 400;
const KILLS = 6;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Fixture {
  /** a data dir whose head is `before` */
  template: string;
  before: string;
  /** the long block on top of `before` */
  block: Uint8Array;
  after: string;
  importMs: number;
}

/** A chain of PACKAGES packages at 1.0.0, and a block publishing 1.0.1 of each. */
async function buildFixture(): Promise<Fixture> {
  const template = await tempDir();
  const node = await FullNode.open({ dataDir: template, params: DEV_PARAMS });
  const alice = actor(keyPair('state-crash'), node.chain.chainId);
  const manifest = { apiHash: manifestHash(ONE_EXPORT_MANIFEST), manifest: ONE_EXPORT_MANIFEST };
  const claim = alice.tx('claim', { ns: '@heavy' });
  const creates = Array.from({ length: PACKAGES }, (_, i) => alice.tx('create', { ns: '@heavy', name: `p${i}` }));
  await node.submitBlock(mineBlock(node.chain, [claim, ...creates]).bytes);
  await node.submitBlock(mineBlock(node.chain, creates.map((c) => alice.tx('publish', publishBody(idBytes(c), '1.0.0', manifest)))).bytes);
  const before = node.chain.head.id;
  const txs: Tx[] = creates.map((c) => alice.tx('publish', publishBody(idBytes(c), '1.0.1', manifest)));
  const block = mineBlock(node.chain, txs);
  await node.close();

  // How long the import takes here, on a copy (the template keeps its head).
  const probe = await tempDir();
  await cp(template, probe, { recursive: true });
  const timed = await FullNode.open({ dataDir: probe, params: DEV_PARAMS });
  const t0 = performance.now();
  await timed.submitBlock(block.bytes);
  const importMs = performance.now() - t0;
  const after = timed.chain.head.id;
  await timed.close();
  return { template, before, block: block.bytes, after, importMs };
}

/** Open the killed node's store, check it, and return its head. */
async function checkStore(dataDir: string): Promise<string> {
  const store = new ChainStore(join(dataDir, 'chains', DEV_PARAMS.name, 'db'));
  await store.open();
  try {
    const chain = new Chain(store, { params: DEV_PARAMS, hooks: defaultHooks });
    await chain.open();
    await expectConsistent(chain, store);
    return chain.head.id;
  } finally {
    await store.close();
  }
}

describe('killing a node while it applies a long block', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await buildFixture();
  }, E2E_TEST_TIMEOUT_MS);
  afterAll(closeAll);

  it('leaves the old head or the new one, with the state a replay gives, and the node restarts on it', async () => {
    expect(fixture.after).not.toBe(fixture.before);
    const outcomes: Array<{ delayMs: number; replied: boolean; head: 'before' | 'after' }> = [];
    for (let i = 0; i < KILLS; i++) {
      const dir = await tempDir();
      await cp(fixture.template, dir, { recursive: true });
      const port = await freePort();
      const node = launchNode(['--dev', '--api', `127.0.0.1:${port}`, '--data', dir]);
      const ready = await Promise.race([node.ready, sleep(NODE_READY_TIMEOUT_MS).then(() => null)]);
      expect(ready, node.stderr()).not.toBeNull();
      // Spread the kills from the start of the upload to past the in-process import time.
      const delayMs = Math.round((fixture.importMs * 1.5 * i) / (KILLS - 1));
      let replied = false;
      const post = fetch(`http://127.0.0.1:${port}/v1/blocks`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: fixture.block }).then(async (r) => {
        expect(r.status, await r.text()).toBe(200);
        replied = true;
      }, () => undefined);
      await sleep(delayMs);
      node.child.kill('SIGKILL');
      await node.exit;
      // The upload ends with the process (a reset connection); bounded all the same, so no socket state can hang the test.
      await Promise.race([post, sleep(30_000)]);
      const head = await checkStore(dir);
      expect([fixture.before, fixture.after]).toContain(head);
      // A reply means the block was stored: it must have survived the kill.
      if (replied) expect(head).toBe(fixture.after);
      outcomes.push({ delayMs, replied, head: head === fixture.after ? 'after' : 'before' });

      const restarted = await spawnNode(['--dev', '--api', `127.0.0.1:${await freePort()}`, '--data', dir]);
      try {
        const status = await getJson<{ head: string }>(`${restarted.api}/v1/status`);
        expect(status.body.head).toBe(head);
      } finally {
        await stopNode(restarted);
      }
    }
    console.log(`state crash: import ${fixture.importMs.toFixed(0)} ms in process; kills ${JSON.stringify(outcomes)}`);
    // The first kill lands before the block could be applied: the old head stands.
    expect(outcomes[0]!.head).toBe('before');
  }, E2E_TEST_TIMEOUT_MS * 2);
});
