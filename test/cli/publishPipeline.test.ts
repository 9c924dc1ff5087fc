/**
 * The publish pipeline (cli/publish/) below the command, against a real
 * FullNode behind its real HTTP API on 127.0.0.1: preparePublish builds and
 * signs a release without touching the chain; submitPublish puts it there.
 * Packages are real directories, packed and extracted by the real InfVer.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeTx, toHex, type Tx } from '../../ledger/index.ts';
import type { FullNode } from '../../node/index.ts';
import { NodeClient } from '../../cli/client.ts';
import { preparePublish, submitPublish, type PreparedRelease } from '../../cli/publish/index.ts';
import { actor, idOf, keyPair, mineBlock } from '../support/chain.ts';
import { startNode } from '../support/apiNode.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

afterEach(closeAll);

const ALICE = keyPair('alice');

async function startClient(): Promise<{ node: FullNode; client: NodeClient }> {
  const { node, url } = await startNode({ prefix: 'gopkgr-publish-pipeline-' });
  return { node, client: new NodeClient(url) };
}

async function mine(node: FullNode): Promise<void> {
  const txs: Tx[] = node.mempool.ordered().map((p) => p.tx);
  await node.submitBlock(mineBlock(node.chain, txs));
  expect(node.mempool.size).toBe(0);
}

async function writePackage(dir: string, source: string): Promise<void> {
  await mkdir(join(dir, 'src'), { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: '@acme/pad', type: 'module', exports: { '.': './src/index.ts' } }));
  await writeFile(join(dir, 'src/index.ts'), source);
}

const submit = (client: NodeClient, r: PreparedRelease): ReturnType<typeof submitPublish> =>
  submitPublish(client, { sha256: r.packed.sha256, bytes: r.packed.tarball }, r.signed, { wait: false, timeoutMs: 10_000 });

describe('publish pipeline against a real node', () => {
  it('prepares a signed release without touching the chain, then submits it; the next one is bumped by its API change', async () => {
    const { node, client } = await startClient();
    await node.submitTx(encodeTx(actor(ALICE, node.chain.chainId).tx('claim', { ns: '@acme' })));
    await mine(node);
    const dir = await tempDir('gopkgr-publish-pkg-');
    await writePackage(dir, 'export function pad(s: string): string { return s; }\n');

    const packedSeen: string[] = [];
    const first = await preparePublish(dir, client, ALICE, { onPacked: (r) => packedSeen.push(r.fullName), onApiChange: () => packedSeen.push('api change') });
    expect(packedSeen).toEqual(['@acme/pad']);
    expect(first.version).toBe('1.0.0');
    expect(first.comparison).toBeNull();
    // a new package: the create tx's id is the package id the publish names, on the next nonces
    expect(first.signed.create?.nonce).toBe(1);
    expect(first.signed.publish.nonce).toBe(2);
    expect(first.signed.pkgId).toBe(idOf(first.signed.create!));
    expect(toHex(first.signed.body.pkg)).toBe(first.signed.pkgId);
    expect(toHex(first.signed.body.contentHash)).toBe(first.packed.sha256);
    // nothing sent yet
    expect(node.mempool.size).toBe(0);
    expect(await node.blobs.has(first.packed.sha256)).toBe(false);

    const receipt = await submit(client, first);
    expect(receipt).toMatchObject({ id: idOf(first.signed.publish), status: 'pending' });
    await mine(node);
    const onChain = await client.get<{ id: string; versions: { version: string; contentHash: string }[] }>('/v1/packages/@acme/pad');
    expect(onChain.id).toBe(first.signed.pkgId);
    expect(onChain.versions).toMatchObject([{ version: '1.0.0', contentHash: first.packed.sha256 }]);

    // the same bytes again are refused before anything is signed
    await expect(preparePublish(dir, client, ALICE)).rejects.toMatchObject({ code: 'PUBLISH_UNCHANGED' });

    await writePackage(dir, 'export function pad(s: string): string { return s; }\nexport const VERSION = 2;\n');
    const changes: string[] = [];
    const second = await preparePublish(dir, client, ALICE, { onApiChange: (latest, c) => changes.push(`${latest} ${c.bump}`) });
    expect(changes).toEqual(['1.0.0 minor']);
    expect(second.version).toBe('1.1.0');
    expect(second.signed.create).toBeUndefined();
    expect(second.signed.pkgId).toBe(first.signed.pkgId);
    expect(second.signed.publish.nonce).toBe(3);
    await submit(client, second);
    await mine(node);
    const after = await client.get<{ versions: { version: string }[] }>('/v1/packages/@acme/pad');
    expect(after.versions.map((v) => v.version)).toEqual(['1.0.0', '1.1.0']);
    expect(second.signed.body.manifest).toBeDefined();

    // Same API, new bytes: a patch that names its manifest by hash and carries no copy of it.
    await writePackage(dir, 'export function pad(s: string): string { return s.padStart(1); }\nexport const VERSION = 2;\n');
    // With its provenance given, the release records it and the package API shows it.
    const provenance = { repo: 'file:///srv/git/pad', commit: 'a1'.repeat(20), tree: 'b2'.repeat(20), build: 'node gen.mjs' };
    const third = await preparePublish(dir, client, ALICE, {}, { provenance });
    expect(third.version).toBe('1.1.1');
    expect(third.signed.body).toMatchObject({ repo: provenance.repo, commit: provenance.commit, sourceTree: provenance.tree, build: provenance.build });
    expect(third.signed.body.manifest).toBeUndefined();
    expect(toHex(third.signed.body.apiHash!)).toBe(toHex(second.signed.body.apiHash!));
    await submit(client, third);
    await mine(node);
    const patched = await client.get<{ apiHash: string; manifest: unknown }>('/v1/packages/@acme/pad/1.1.1');
    expect(patched.apiHash).toBe(toHex(second.signed.body.apiHash!));
    expect(patched).toMatchObject({ repo: provenance.repo, commit: provenance.commit, sourceTree: provenance.tree, build: provenance.build });
    expect(after.versions[0]).not.toHaveProperty('commit');
    expect(patched.manifest).toEqual(second.signed.body.manifest);

    // The checker judges the previous release, fetched from the node, against this one: a parameter
    // narrowed is a major, named by its rule and shown with a witness that compiles only against 1.1.1.
    await writePackage(dir, 'export function pad(s: \'a\' | \'b\'): string { return s; }\nexport const VERSION = 2;\n');
    const fourth = await preparePublish(dir, client, ALICE);
    expect(fourth.version).toBe('2.0.0');
    expect(fourth.comparison?.bump).toBe('major');
    const broken = fourth.comparison!.changes.find((c) => c.export === 'pad');
    expect(broken).toMatchObject({ kind: 'breaking' });
    expect(broken!.rule).toMatch(/\w/);
    expect(broken!.witness).toContain('from "@acme/pad"');
    expect(broken!.witness).toContain('against the new version: TS2322');
    await submit(client, fourth);
    await mine(node);

    // --from: a feature for the 1.x line after 2.0.0, compared with the newest 1.x release (1.1.1), not with 2.0.0.
    await writePackage(dir, 'export function pad(s: string, width?: number): string { return s; }\nexport const VERSION = 2;\n');
    const onOldLine = await preparePublish(dir, client, ALICE, {}, { from: '1.0.0' });
    expect(onOldLine.base).toBe('1.1.1');
    expect(onOldLine.version).toBe('1.2.0');
    await submit(client, onOldLine);
    await mine(node);
    expect((await client.get<{ versions: { version: string }[] }>('/v1/packages/@acme/pad')).versions.map((v) => v.version)).toEqual(['1.0.0', '1.1.0', '1.1.1', '2.0.0', '1.2.0']);
    // A break on the 1.x line would need 2.0.0, which exists: refused before anything is signed, naming where to publish it.
    await writePackage(dir, 'export const VERSION = 2;\n');
    await expect(preparePublish(dir, client, ALICE, {}, { from: '1.2.0' })).rejects.toMatchObject({ code: 'PUBLISH_MAJOR_ON_OLD_LINE', hint: expect.stringContaining('on top of 2.0.0') });
    await expect(preparePublish(dir, client, ALICE, {}, { from: '1.9.0' })).rejects.toMatchObject({ code: 'PUBLISH_BAD_FROM' });
    // Without --from a release steps from the newest version of all.
    const onNewest = await preparePublish(dir, client, ALICE);
    expect(onNewest.base).toBe('2.0.0');
    expect(onNewest.version).toBe('3.0.0');
  }, 180_000);

  it('a fee (`publish --fee`) is signed into the create and the publish tx, and the node pools them once the balance covers it', async () => {
    const { node, client } = await startClient();
    await node.submitTx(encodeTx(actor(ALICE, node.chain.chainId).tx('claim', { ns: '@acme' })));
    // Alice mines this block: 50 to spend.
    await node.submitBlock(mineBlock(node.chain, node.mempool.ordered().map((p) => p.tx), { miner: ALICE.publicKey }));
    const dir = await tempDir('gopkgr-publish-fee-');
    await writePackage(dir, 'export function pad(s: string): string { return s; }\n');
    const release = await preparePublish(dir, client, ALICE, {}, { fee: 3 });
    expect([release.signed.create?.fee, release.signed.publish.fee]).toEqual([3, 3]);
    await submit(client, release);
    await mine(node);
    expect((await client.get<{ balance: number }>(`/v1/accounts/id:${toHex(ALICE.publicKey)}`)).balance).toBe(50 - 6);
  }, 120_000);
});
