/**
 * The ledger commands through real processes: an external miner (`gopkgr mine`),
 * maintainers, deprecation, bounds, and how bad input is reported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { getJson } from '../support/http.ts';
import { freePort } from '../support/ports.ts';
import { gopkgr, spawnGopkgr, spawnNode } from '../support/processes.ts';
import { WAIT_TIMEOUT_MS } from '../support/timeouts.ts';
import { waitFor } from '../support/waitFor.ts';

const PACKAGE_DIR = fileURLToPath(new URL('../fixtures/e2e/some-package', import.meta.url));

describe('ledger commands', () => {
  let data: string;
  let api: string;
  let port: number;
  let owner: Record<string, string>;
  let other: Record<string, string>;
  let otherId: string;

  beforeAll(async () => {
    data = await tempDir('gopkgr-e2e-commands-');
    port = await freePort();
    api = `http://127.0.0.1:${port}`;
    owner = { GOPKGR_HOME: join(data, 'owner'), GOPKGR_NODE: api };
    other = { GOPKGR_HOME: join(data, 'other'), GOPKGR_NODE: api };
    expect((await gopkgr(['init'], { env: owner })).code).toBe(0);
    otherId = (await gopkgr(['init', '--json'], { env: other })).json.identity as string;
    // A node that does not mine: blocks come from `gopkgr mine` below.
    await spawnNode(['--dev', '--api', `127.0.0.1:${port}`], { env: owner });
  });

  afterAll(closeAll);

  it('mines blocks for a node over HTTP with `gopkgr mine`', async () => {
    const submitted = await gopkgr(['namespace', 'claim', '@acme', '--no-wait', '--json'], { env: owner });
    expect(submitted.json.status).toBe('pending');
    const mined = await gopkgr(['mine', '--threads', '1', '--blocks', '2', '--json'], { env: owner });
    expect(mined.code, mined.stderr).toBe(0);
    const blocks = mined.json.mined as Array<{ height: number; txs: number }>;
    expect(blocks).toHaveLength(2);
    expect(blocks[0]!.txs).toBe(1);
    const tx = await getJson<{ status: string }>(`${api}/v1/txs/${submitted.json.tx as string}`);
    expect(tx.body.status).toBe('confirmed');
  });

  it('adds and removes maintainers; only maintainers publish, deprecate and amend bounds', async () => {
    // From here on a miner runs in the background.
    const miner = spawnGopkgr(['mine', '--threads', '1'], { env: owner, stdio: 'ignore' });
    const denied = await gopkgr(['publish', PACKAGE_DIR, '--json'], { env: other });
    expect(denied.code).toBe(1);
    expect((denied.json.error as { code: string }).code).toBe('TX_NOT_MAINTAINER');

    const added = await gopkgr(['maintainer', 'add', '@acme', otherId, '--json'], { env: owner });
    expect(added.code, added.stderr).toBe(0);
    const ns = await getJson<{ maintainers: string[] }>(`${api}/v1/namespaces/@acme`);
    expect(ns.body.maintainers).toEqual([otherId]);

    const published = await gopkgr(['publish', PACKAGE_DIR, '--json'], { env: other });
    expect(published.code, published.stderr).toBe(0);
    expect(published.json.version).toBe('1.0.0');

    const again = await gopkgr(['publish', PACKAGE_DIR, '--json'], { env: other });
    expect((again.json.error as { code: string }).code).toBe('PUBLISH_UNCHANGED');

    const removed = await gopkgr(['maintainer', 'remove', '@acme', otherId, '--json'], { env: owner });
    expect(removed.code).toBe(0);
    const notAnymore = await gopkgr(['deprecate', '@acme/some-package@1.0.0', '--json'], { env: other });
    expect((notAnymore.json.error as { code: string }).code).toBe('TX_NOT_MAINTAINER');

    const deprecated = await gopkgr(['deprecate', '@acme/some-package@1.0.0', '--reason', 'use 2.x', '--json'], { env: owner });
    expect(deprecated.code, deprecated.stderr).toBe(0);
    const twice = await gopkgr(['deprecate', '@acme/some-package@1.0.0', '--json'], { env: owner });
    expect((twice.json.error as { code: string }).code).toBe('TX_ALREADY_DEPRECATED');

    const bounds = await gopkgr(['bounds', '@acme/some-package@1.0.0', '@acme/left-pad=^1.2.0', '--json'], { env: owner });
    expect((bounds.json.error as { code: string }).code).toBe('TX_BOUNDS_UNKNOWN_DEP');

    const pkg = await getJson<{ versions: Array<{ deprecated: boolean; deprecationReason?: string }> }>(`${api}/v1/packages/@acme/some-package`);
    expect(pkg.body.versions[0]).toMatchObject({ deprecated: true, deprecationReason: 'use 2.x' });
    miner.kill('SIGINT');
    expect(await new Promise((resolve) => miner.on('close', resolve))).toBe(0);
  });

  it('reports bad input as one line with a code, or as {"error"} under --json', async () => {
    const usage = await gopkgr(['namespace', 'grab', '@x'], { env: owner });
    expect(usage.code).toBe(2);
    expect(usage.stderr.trim().split('\n')).toHaveLength(1);
    expect(usage.stderr).toMatch(/^gopkgr: .*\(USAGE\); usage: gopkgr namespace claim/);

    const unknownFlag = await gopkgr(['status', '--frobnicate', '--json'], { env: owner });
    expect(unknownFlag.code).toBe(2);
    expect((unknownFlag.json.error as { code: string }).code).toBe('USAGE');

    const badName = await gopkgr(['namespace', 'claim', 'acme', '--json'], { env: owner });
    expect((badName.json.error as { code: string }).code).toBe('BAD_NAME');

    const badId = await gopkgr(['maintainer', 'add', '@acme', 'id:1234', '--json'], { env: owner });
    expect((badId.json.error as { code: string }).code).toBe('BAD_HEX');

    const badRange = await gopkgr(['bounds', '@acme/some-package@1.0.0', '@acme/x=not a range'], { env: owner });
    expect(badRange.stderr).toContain('(BAD_RANGE)');

    const down = await gopkgr(['status'], { env: { ...owner, GOPKGR_NODE: 'http://127.0.0.1:9' } });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach a gopkgr node at http:\/\/127\.0\.0\.1:9 .*\(NODE_UNREACHABLE\); start one with/);

    const noKey = await gopkgr(['namespace', 'claim', '@nokey'], { env: { ...owner, GOPKGR_HOME: join(data, 'nobody') } });
    expect(noKey.stderr).toContain('(NO_IDENTITY); run `gopkgr init` first');

    const noChain = await gopkgr(['node'], { env: owner });
    expect(noChain.code).toBe(2);
    expect(noChain.stderr).toContain('pass --dev');
  });

  it('transfers balance with a fee: the recipient gets the amount, the block\'s miner the fee; more than the balance is refused', async () => {
    const third = { GOPKGR_HOME: join(data, 'third'), GOPKGR_NODE: api };
    const thirdId = (await gopkgr(['init', '--json'], { env: third })).json.identity as string;
    const ownerId = (await getJson<{ owner: string }>(`${api}/v1/namespaces/@acme`)).body.owner;
    const balanceOf = async (id: string): Promise<number> => (await getJson<{ balance: number }>(`${api}/v1/accounts/${id}`)).body.balance;
    // The owner mined the blocks so far (its miner has stopped): its balance holds still while another identity mines.
    const ownerBefore = await balanceOf(ownerId);
    expect(ownerBefore).toBeGreaterThanOrEqual(100);
    const miner = spawnGopkgr(['mine', '--threads', '1'], { env: other, stdio: 'ignore' });
    const sent = await gopkgr(['transfer', thirdId, '30', '--fee', '4', '--json'], { env: owner });
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.json).toMatchObject({ from: ownerId, to: thirdId, amount: 30, fee: 4, status: 'confirmed', balance: ownerBefore - 34 });
    expect(await balanceOf(thirdId)).toBe(30);
    const block = await getJson<{ txs: Array<{ type: string; outputs?: Array<{ amount: number }> }> }>(`${api}/v1/blocks/${sent.json.height as number}`);
    expect(block.body.txs[0]!.outputs!.map((o) => o.amount)).toEqual([50 + 4]);

    const tooMuch = await gopkgr(['transfer', ownerId, '31', '--json'], { env: third });
    expect(tooMuch.code).toBe(1);
    expect((tooMuch.json.error as { code: string }).code).toBe('TX_INSUFFICIENT_BALANCE');
    const nothing = await gopkgr(['transfer', ownerId, '0', '--json'], { env: third });
    expect((nothing.json.error as { code: string }).code).toBe('USAGE');
    miner.kill('SIGINT');
    expect(await new Promise((resolve) => miner.on('close', resolve))).toBe(0);
  });

  it('rotates a key: names move to the new key, the old key can no longer act, an interrupted rotation finishes on a rerun', async () => {
    const miner = spawnGopkgr(['mine', '--threads', '1'], { env: other, stdio: 'ignore' });
    const ownerId = (await getJson<{ owner: string }>(`${api}/v1/namespaces/@acme`)).body.owner;

    const sent = await gopkgr(['key', 'rotate', '--no-wait', '--json'], { env: owner });
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.json).toMatchObject({ from: ownerId, rotated: false, status: 'pending' });
    const newId = sent.json.to as string;
    expect(newId).not.toBe(ownerId);
    // Until the tx is mined and the command run again, the data dir still acts as the old key.
    await waitFor(async () => ((await getJson<{ status: string }>(`${api}/v1/txs/${sent.json.tx as string}`)).body.status === 'confirmed' ? true : undefined), WAIT_TIMEOUT_MS, 'the rotation to be mined');
    const finished = await gopkgr(['key', 'rotate', '--json'], { env: owner });
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.json).toMatchObject({ from: ownerId, to: newId, rotated: true });
    expect(JSON.parse(await readFile(join(owner.GOPKGR_HOME!, 'key.json'), 'utf8')).identity).toBe(newId);

    const ns = await getJson<{ owner: string }>(`${api}/v1/namespaces/@acme`);
    expect(ns.body.owner).toBe(newId);
    const oldAccount = await getJson<{ rotatedTo: string }>(`${api}/v1/accounts/${ownerId}`);
    expect(oldAccount.body.rotatedTo).toBe(newId);

    // The old key, kept aside, is refused by the chain; the new one acts for the namespace.
    const oldHome = join(data, 'old-owner');
    await mkdir(oldHome, { recursive: true });
    const aside = (await readdir(owner.GOPKGR_HOME!)).find((f) => f.startsWith('key.rotated-'))!;
    await copyFile(join(owner.GOPKGR_HOME!, aside), join(oldHome, 'key.json'));
    const refused = await gopkgr(['deprecate', '@acme/some-package@1.0.0', '--json'], { env: { ...owner, GOPKGR_HOME: oldHome } });
    expect((refused.json.error as { code: string }).code).toBe('TX_KEY_ROTATED');
    const again = await gopkgr(['key', 'rotate', '--json'], { env: { ...owner, GOPKGR_HOME: oldHome } });
    expect((again.json.error as { code: string }).code).toBe('KEY_ROTATED_AWAY');
    const added = await gopkgr(['maintainer', 'add', '@acme', otherId, '--json'], { env: owner });
    expect(added.code, added.stderr).toBe(0);
    miner.kill('SIGINT');
    expect(await new Promise((resolve) => miner.on('close', resolve))).toBe(0);
  });
});
