/**
 * Crash safety through real processes: `gopkgr node --dev --mine` is killed with
 * SIGKILL at random moments (while it starts, mines and imports the txs this
 * test keeps submitting over HTTP) and restarted on the same data dir, over and
 * over. After each kill the dead node's store is opened directly and checked:
 * state equals a replay of the stored main chain, the head's ancestry, index,
 * heights, undo data and tx locations are complete, every published tarball is
 * in the blob store intact, and no block the node had reported is lost. At the
 * end the node restarts and keeps mining on the same chain.
 *
 * The kill delays come from a fixed seed (printed; GOPKGR_CRASH_SEED overrides).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { DEV_PARAMS, encodeTx, fromHex, sha256Hex, toHex, type KeyPair, type SignedTx, type VersionState } from '../../ledger/index.ts';
import { Chain, ChainStore, defaultHooks } from '../../node/index.ts';
import { idBytes, keyPair, publishBody, signed } from '../support/chain.ts';
import { expectConsistent } from '../support/chainChecks.ts';
import { prng } from '../support/prng.ts';
import { heightKey } from '../../node/store.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { gopkgr, launchNode, type NodeProcess, type NodeReady } from '../support/processes.ts';
import { WAIT_TIMEOUT_MS } from '../support/timeouts.ts';

const SEED = Number(process.env.GOPKGR_CRASH_SEED ?? 20_261_122);
const KILLS = 22;
console.log(`crash test seed ${SEED} (set GOPKGR_CRASH_SEED to change it)`);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Stored {
  height: number;
  head: string;
  txs: number;
  versions: number;
}

/**
 * Open the dead node's store, check it, close it. `reported` is the last head the
 * node announced over HTTP: it must still be on the stored main chain.
 */
async function checkStore(dataDir: string, reported?: { height: number; head: string }): Promise<Stored> {
  const store = new ChainStore(join(dataDir, 'chains', DEV_PARAMS.name, 'db'));
  await store.open();
  try {
    const storedHead = await store.getValue<string>('meta:head');
    expect(storedHead, 'meta:head').toBeDefined();
    const chain = new Chain(store, { params: DEV_PARAMS, hooks: defaultHooks });
    await chain.open();
    // One miner makes no competing branch heavier than its head: opening switches nothing.
    expect(chain.head.id).toBe(storedHead);
    const txs = await expectConsistent(chain, store);
    if (reported !== undefined) {
      expect(chain.height).toBeGreaterThanOrEqual(reported.height);
      expect(chain.mainIdAt(reported.height), `reported head at height ${reported.height}`).toBe(reported.head);
      expect(await store.getValue<string>(heightKey(reported.height))).toBe(reported.head);
    }
    // The node takes a publish only once its tarball is stored (fsync + rename): every one is there, whole.
    let versions = 0;
    for (const [key, value] of await chain.readState()) {
      if (!key.startsWith('ver:')) continue;
      const hash = (value as VersionState).contentHash;
      const bytes = await readFile(join(dataDir, 'blobs', hash.slice(0, 2), hash));
      expect(sha256Hex(new Uint8Array(bytes)), `blob of ${key}`).toBe(hash);
      versions++;
    }
    return { height: chain.height, head: chain.head.id, txs, versions };
  } finally {
    await store.close();
  }
}

interface HttpResult {
  status: number;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
}

class NodeGone extends Error {}

async function http(url: string, init?: RequestInit): Promise<HttpResult> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: (await res.json()) as HttpResult['body'] };
  } catch (err) {
    throw new NodeGone(String(err));
  }
}

interface Stats {
  accepted: number;
  blobs: number;
  unexpected: string[];
}

/**
 * Submit txs until the node goes away: claims, creates, tarball uploads and
 * publishes (and deprecations and maintainer changes), or claims only.
 */
async function submitter(ready: NodeReady, key: KeyPair, tag: string, mode: 'publish' | 'claims', stats: Stats): Promise<void> {
  const chainId = fromHex(ready.chainId);
  const api = ready.api;
  const nextNonce = async (): Promise<number> => {
    const r = await http(`${api}/v1/accounts/id:${toHex(key.publicKey)}`);
    return r.body.nextNonce as number;
  };
  let nonce = await nextNonce();
  /** true when the node took the tx; false when the sequence must start over */
  const send = async (tx: SignedTx): Promise<boolean> => {
    for (;;) {
      const r = await http(`${api}/v1/txs`, { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: encodeTx(tx) });
      if (r.status === 200) {
        stats.accepted++;
        nonce++;
        return true;
      }
      const code = r.body.error?.code ?? `HTTP ${r.status}`;
      if (code === 'MEMPOOL_SENDER_LIMIT' || code === 'MEMPOOL_FULL') {
        await sleep(50);
        continue;
      }
      stats.unexpected.push(`${code}: ${r.body.error?.message ?? ''}`);
      nonce = await nextNonce();
      return false;
    }
  };
  const rand = prng(tag.length * 7919 + nonce);
  for (let j = 0; ; j++) {
    const ns = `@${tag}-${j}`;
    if (!(await send(signed(key, 'claim', { ns }, nonce, chainId)))) continue;
    if (mode === 'claims') {
      await sleep(5);
      continue;
    }
    const create = signed(key, 'create', { ns, name: 'pkg' }, nonce, chainId);
    if (!(await send(create))) continue;
    const pkg = idBytes(create);
    for (const version of ['1.0.0', '1.0.1']) {
      const tarball = rand.bytes(200 + rand.int(2000));
      const hash = sha256Hex(tarball);
      const put = await http(`${api}/v1/blobs/${hash}`, { method: 'PUT', body: tarball });
      if (put.status !== 201 && put.status !== 200) stats.unexpected.push(`blob PUT ${put.status}`);
      stats.blobs++;
      if (!(await send(signed(key, 'publish', publishBody(pkg, version, { contentHash: fromHex(hash), size: tarball.length }), nonce, chainId)))) break;
    }
    if (j % 3 === 0) await send(signed(key, 'deprecate', { pkg, version: '1.0.0', deprecated: true, reason: 'superseded' }, nonce, chainId));
    if (j % 4 === 1) await send(signed(key, 'maintainer', { ns, op: 'add', who: keyPair('crash/friend').publicKey }, nonce, chainId));
    await sleep(10);
  }
}

describe('crash safety: SIGKILL at random moments, restart on the same data dir', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await tempDir('gopkgr-crash-');
    const init = await gopkgr(['init', '--json', '--data', dataDir]);
    expect(init.code, init.stderr).toBe(0);
  });

  afterAll(closeAll);

  it(`loses nothing over ${KILLS} kills and keeps mining the same chain`, async () => {
    const r = prng(SEED);
    const args = ['--dev', '--mine', '--threads', '1', '--api', '127.0.0.1:0'];
    let chainId: string | undefined;
    let last: Stored | undefined;
    const stats: Stats = { accepted: 0, blobs: 0, unexpected: [] };
    const log: string[] = [];
    const kills = { spawn: 0, ready: 0, block: 0 };
    let lastReadyMs = 0;

    for (let run = 0; run < KILLS; run++) {
      // Where the random delay starts: at spawn (the kill hits start-up and the
      // store's opening), at the ready line (txs arrive, mining starts), or at the
      // run's first new block (mining and importing in full swing). Three runs in five are the last kind.
      const from = run % 5 === 1 ? 'spawn' : run % 5 === 3 ? 'ready' : 'block';
      const started = Date.now();
      let readyAt = 0;
      let blockAt = 0;
      // Spawn-relative delays are shifted by the last start-up time (less 0.8 s), so that
      // they land around the store's opening rather than all inside module loading.
      const delay = 50 + r.int(1451) + (from === 'spawn' ? Math.max(0, lastReadyMs - 800) : 0);
      const node: NodeProcess = launchNode(['--data', dataDir, ...args]);
      let reported: { height: number; head: string } | undefined;
      let loops: Promise<void>[] = [];
      let polling = true;
      if (from !== 'spawn') {
        const ready = await node.ready;
        readyAt = Date.now() - started;
        lastReadyMs = readyAt;
        expect(ready, `run ${run} ended before it was ready: ${node.stderr()}`).not.toBeNull();
        chainId ??= ready!.chainId;
        expect(ready!.chainId).toBe(chainId);
        // What the node starts from is exactly what the last check found.
        if (last !== undefined) expect({ height: ready!.height, head: ready!.head }).toEqual({ height: last.height, head: last.head });
        const guard = (p: Promise<void>): Promise<void> => p.catch((err: unknown) => {
          if (!(err instanceof NodeGone)) throw err;
        });
        loops = [
          guard(submitter(ready!, keyPair('crash/publisher'), `p${run}`, 'publish', stats)),
          guard(submitter(ready!, keyPair('crash/claimer'), `c${run}`, 'claims', stats)),
          guard((async () => {
            while (polling) {
              const s = await http(`${ready!.api}/v1/status`);
              reported = { height: s.body.height as number, head: s.body.head as string };
              await sleep(25);
            }
          })()),
        ];
        if (from === 'block') {
          for (let waited = 0; (reported?.height ?? 0) <= ready!.height; waited += 25) {
            expect(waited, `run ${run}: no block mined within ${WAIT_TIMEOUT_MS / 1000} s: ${node.stderr().slice(-2000)}`).toBeLessThan(WAIT_TIMEOUT_MS);
            await sleep(25);
          }
          blockAt = Date.now() - started;
        }
      }
      await sleep(delay);
      kills[from]++;
      node.child.kill('SIGKILL');
      const exit = await node.exit;
      polling = false;
      await Promise.all(loops);
      expect(exit.signal, `run ${run}: ${node.stderr().slice(-2000)}`).toBe('SIGKILL');

      const checkStart = Date.now();
      const stored = await checkStore(dataDir, reported);
      const checkMs = Date.now() - checkStart;
      log.push(`run ${run}: killed ${delay} ms after ${from === 'block' ? 'its first block' : from}: stored height ${stored.height}, ${stored.txs} txs, ${stored.versions} versions (ready at ${readyAt} ms, first block at ${blockAt} ms, check ${checkMs} ms)`);
      // Blocks are never lost: the height never goes down (and checkStore found the last reported head on the main chain).
      if (last !== undefined) expect(stored.height, log.join('\n')).toBeGreaterThanOrEqual(last.height);
      last = stored;
    }
    console.log(log.join('\n'));
    console.log(`accepted ${stats.accepted} txs, uploaded ${stats.blobs} blobs`);

    expect(stats.unexpected).toEqual([]);
    expect(kills.block).toBeGreaterThanOrEqual(KILLS / 2);
    expect(kills.spawn + kills.ready).toBeGreaterThan(0);
    // The runs did real work: blocks with txs and published versions were stored.
    expect(last!.height).toBeGreaterThan(KILLS);
    expect(last!.txs).toBeGreaterThan(100);
    expect(last!.versions).toBeGreaterThan(5);

    // A last restart: same chain, and mining goes on from where it was.
    const node = launchNode(['--data', dataDir, ...args]);
    const ready = await node.ready;
    expect(ready, node.stderr()).not.toBeNull();
    expect(ready!.chainId).toBe(chainId);
    expect({ height: ready!.height, head: ready!.head }).toEqual({ height: last!.height, head: last!.head });
    const key = keyPair('crash/final');
    const account = await http(`${ready!.api}/v1/accounts/id:${toHex(key.publicKey)}`);
    const claim = signed(key, 'claim', { ns: '@after-the-crashes' }, account.body.nextNonce as number, fromHex(ready!.chainId));
    const sent = await http(`${ready!.api}/v1/txs`, { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: encodeTx(claim) });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const txid = sent.body.id as string;
    let confirmed: HttpResult | undefined;
    for (const start = Date.now(); Date.now() - start < WAIT_TIMEOUT_MS;) {
      const r2 = await http(`${ready!.api}/v1/txs/${txid}`);
      if (r2.body.status === 'confirmed') {
        confirmed = r2;
        break;
      }
      await sleep(50);
    }
    expect(confirmed?.body.height as number).toBeGreaterThan(last!.height);
    const status = await http(`${ready!.api}/v1/status`);
    expect(status.body.chainId).toBe(chainId);
    expect(status.body.height as number).toBeGreaterThan(last!.height);
    const ns = await http(`${ready!.api}/v1/namespaces/@after-the-crashes`);
    expect(ns.status).toBe(200);

    // A clean stop (SIGTERM) exits 0 and leaves a consistent store too.
    node.child.kill('SIGTERM');
    const exit = await node.exit;
    expect(exit.code, node.stderr().slice(-2000)).toBe(0);
    const final = await checkStore(dataDir);
    expect(final.height).toBeGreaterThanOrEqual(confirmed!.body.height as number);
  }, 600_000); // 22 starts and kills, each followed by a full store check
});
