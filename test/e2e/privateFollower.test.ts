/**
 * A private chain beside the public one, through real processes (docs/PRIVATE.md
 * "The public follower"): two public PoW dev nodes (one mining), three private
 * authority nodes each following the public chain through a second libp2p host
 * without the swarm key. A public publish is installable through a private node
 * within seconds; a private package and a public one are installed through
 * one URL; nothing of @acme (name, tarball hash, txs) reaches a public node's
 * blocks, mempool, blob store or data dir. A private package depending on a
 * public one is published once that version is anchorDepth deep, installed with
 * its public dependency (the lockfile naming each entry's chain), and refused
 * while the version is above the anchor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { gopkgr, stopNode } from '../support/processes.ts';
import { spawnNetNode, status as publicStatus, type NetNode } from '../support/network.ts';
import { getJson } from '../support/http.ts';
import { waitFor } from '../support/waitFor.ts';
import { WAIT_TIMEOUT_MS } from '../support/timeouts.ts';
import { fileURLToPath } from 'node:url';
import { authGet, forkChain, spawnPrivateNode, type PrivateChain, type PrivateNode } from '../support/privateChain.ts';

const PACKAGE_DIR = fileURLToPath(new URL('../fixtures/e2e/some-package', import.meta.url));

interface ParentView { chainId: string; height: number; head: string }
interface VersionView { version: string; height: number; contentHash: string }

/** Public blocks a private block anchors below its replica's head (fork --anchor-depth). */
const ANCHOR_DEPTH = 8;
interface PrivateStatus { chainId: string; height: number; head: string; peers: number; parent?: ParentView }

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
}

/** Every file under `dir` (recursively), as paths. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (entry.isFile()) out.push(path.join(entry.parentPath, entry.name));
  }
  return out;
}

describe('a private chain following the public chain', () => {
  const publicNodes: NetNode[] = [];
  const nodes: PrivateNode[] = [];
  let chain: PrivateChain;
  let work: string;
  const status = async (node: PrivateNode): Promise<PrivateStatus> => (await authGet<PrivateStatus>(node, chain.token, '/v1/status')).body;

  beforeAll(async () => {
    work = await tempDir('gopkgr-e2e-follower-');
    const miner = path.join(work, 'public-0');
    expect((await gopkgr(['init', '--json'], { env: { GOPKGR_HOME: miner } })).code).toBe(0);
    publicNodes.push(await spawnNetNode('public-0', { data: miner, extra: ['--mine', '--threads', '1'] }));
    publicNodes.push(await spawnNetNode('public-1', { peers: [publicNodes[0]!.addr] }));
    chain = await forkChain(3, { publicNode: publicNodes[0]!.api, slotMs: 1000, anchorDepth: ANCHOR_DEPTH });
    const publicPeers = publicNodes.map((n) => n.addr);
    nodes.push(await spawnPrivateNode(chain, chain.authorities[0]!.data, { publicPeers }));
    for (const i of [1, 2]) nodes.push(await spawnPrivateNode(chain, chain.authorities[i]!.data, { peers: [nodes[0]!.addr], publicPeers }));
  });

  afterAll(closeAll);

  it('follows the public chain: status.parent is the replica\'s head, and public blocks are served with the public chain id', async () => {
    const publicId = (await publicStatus(publicNodes[0]!)).head;
    expect(publicId).toMatch(/^[0-9a-f]{64}$/);
    const want = (await publicStatus(publicNodes[0]!)).height + 2;
    const view = await waitFor(async () => {
      const s = await status(nodes[1]!);
      return s.parent !== undefined && s.parent.height >= want ? s : undefined;
    }, WAIT_TIMEOUT_MS, 'the private node\'s replica to follow the public chain');
    const publicGenesis = (await getJson<{ chainId: string }>(`${publicNodes[1]!.api}/v1/status`)).body.chainId;
    expect(view.parent!.chainId).toBe(publicGenesis);
    expect(view.chainId).toBe(chain.chainId);
    const block = await fetch(`${nodes[1]!.api}/v1/parent/blocks/${view.parent!.height}`, { headers: { authorization: `Bearer ${chain.token}` } });
    expect(block.status).toBe(200);
    expect(block.headers.get('gopkgr-chain-id')).toBe(publicGenesis);
    const onPublic = (await getJson<{ id: string }>(`${publicNodes[1]!.api}/v1/blocks/${view.parent!.height}`)).body;
    expect(((await block.json()) as { id: string }).id).toBe(onPublic.id);
    // The replica's API asks the token too: it is the private node's API.
    expect((await fetch(`${nodes[1]!.api}/v1/parent/status`)).status).toBe(401);
  });

  it('installs a public publish through a private node within seconds', async () => {
    const dev = path.join(work, 'public-dev');
    const env = { GOPKGR_HOME: dev, GOPKGR_NODE: publicNodes[1]!.api };
    expect((await gopkgr(['init', '--json'], { env })).code).toBe(0);
    const claim = await gopkgr(['namespace', 'claim', '@pub', '--json'], { env });
    expect(claim.code, claim.stderr).toBe(0);
    const lib = path.join(work, 'lib');
    await write(lib, {
      'package.json': JSON.stringify({ name: '@pub/lib', type: 'module', main: 'index.ts' }),
      'index.ts': 'export function shout(x: string): string {\n  return x.toUpperCase();\n}\n',
    });
    const published = await gopkgr(['publish', lib, '--json'], { env });
    expect(published.code, published.stderr).toBe(0);
    const confirmedAt = Date.now();
    // Through the private node: the replica answers the public name with the public chain's id.
    const seen = await waitFor(async () => {
      const r = await authGet<{ chainId?: string; versions?: unknown[] }>(nodes[2]!, chain.token, '/v1/packages/@pub/lib');
      return r.status === 200 ? r.body : undefined;
    }, WAIT_TIMEOUT_MS, '@pub/lib through the private node');
    expect(Date.now() - confirmedAt).toBeLessThan(15_000);
    expect(seen.chainId).toBe((await status(nodes[2]!)).parent!.chainId);

    const app = path.join(work, 'consumer');
    await write(app, { 'package.json': JSON.stringify({ name: 'consumer', type: 'module' }) });
    const got = await gopkgr(['get', '@pub/lib', '--json'], { env: { GOPKGR_HOME: path.join(work, 'consumer-home'), GOPKGR_NODE: nodes[2]!.api, GOPKGR_TOKEN: chain.token }, cwd: app });
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(await readFile(path.join(app, 'node_modules/@pub/lib/package.json'), 'utf8')).name).toBe('@pub/lib');
  });

  it('publishes and installs an @acme package through the same URL; nothing of @acme reaches a public node', async () => {
    const user = path.join(work, 'acme-dev');
    const env = { GOPKGR_HOME: user, GOPKGR_NODE: nodes[0]!.api, GOPKGR_TOKEN: chain.token };
    expect((await gopkgr(['init', '--json'], { env })).code).toBe(0);
    const claim = await gopkgr(['namespace', 'claim', '@acme', '--json'], { env });
    expect(claim.code, claim.stderr).toBe(0);
    const published = await gopkgr(['publish', PACKAGE_DIR, '--json'], { env });
    expect(published.code, published.stderr).toBe(0);
    const contentHash = published.json.contentHash as string;
    expect(contentHash).toMatch(/^[0-9a-f]{64}$/);

    // One URL, both chains: the private package and the public one installed together through one private node.
    const consumer = path.join(work, 'acme-consumer');
    await write(consumer, { 'package.json': JSON.stringify({ name: 'acme-consumer', type: 'module' }) });
    const got = await gopkgr(['get', '@acme/some-package', '@pub/lib', '--json'], { env: { ...env, GOPKGR_HOME: path.join(work, 'acme-consumer-home'), GOPKGR_NODE: nodes[1]!.api }, cwd: consumer });
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(await readFile(path.join(consumer, 'node_modules/@acme/some-package/package.json'), 'utf8')).name).toBe('@acme/some-package');
    expect(JSON.parse(await readFile(path.join(consumer, 'node_modules/@pub/lib/package.json'), 'utf8')).name).toBe('@pub/lib');
    // A private name is never answered by the replica: an unknown @acme name is this chain's 404, not a public lookup.
    const missing = await fetch(`${nodes[1]!.api}/v1/packages/@acme/nothing`, { headers: { authorization: `Bearer ${chain.token}` } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('gopkgr-chain-id')).toBeNull();

    // No trace of @acme on the public side: blocks (all of them, raw), mempool, blob store, the files of its data dir.
    for (const pub of publicNodes) {
      const { height } = await publicStatus(pub);
      for (let h = 1; h <= height; h++) {
        const raw = Buffer.from(await (await fetch(`${pub.api}/v1/blocks/${h}?format=raw`)).arrayBuffer());
        expect(raw.includes('@acme'), `public block ${h}`).toBe(false);
        expect(raw.includes(Buffer.from(contentHash, 'hex')), `public block ${h}`).toBe(false);
      }
      // Neither tx is known there, pending or confirmed.
      for (const tx of [claim.json.tx, published.json.tx] as string[]) expect((await fetch(`${pub.api}/v1/txs/${tx}`)).status, tx).toBe(404);
      expect((await fetch(`${pub.api}/v1/blobs/${contentHash}`, { method: 'HEAD' })).status).toBe(404);
      for (const file of await filesUnder(pub.data)) expect(path.basename(file)).not.toContain(contentHash);
    }
  });

  it('refuses to follow a public chain the genesis does not name, and --public-peer on a chain that names none', async () => {
    // The private genesis as the "public" one: a chain, but not the one parent.chainId names.
    const wrong = await gopkgr(['node', '--json', '--genesis', chain.genesis, '--swarm-key', chain.swarmKey, '--api-token-file', chain.apiToken,
      '--api', '127.0.0.1:0', '--public-genesis', chain.genesis], { env: { GOPKGR_HOME: path.join(work, 'wrong-parent') } });
    expect(wrong.code).toBe(1);
    expect(wrong.json).toMatchObject({ error: { code: 'PARENT_CHAIN_MISMATCH' } });
    const orphan = await forkChain(1, { name: 'orphan' });
    const none = await gopkgr(['node', '--json', '--genesis', orphan.genesis, '--swarm-key', orphan.swarmKey, '--api-token-file', orphan.apiToken,
      '--api', '127.0.0.1:0', '--public-peer', publicNodes[0]!.addr], { env: { GOPKGR_HOME: path.join(work, 'no-parent') } });
    expect(none.code).toBe(1);
    expect(none.json).toMatchObject({ error: { code: 'PARENT_CHAIN_UNKNOWN' } });
  });

  it('publishes an @acme package depending on a public one at or below the anchor, installs both, and refuses one above it', async () => {
    const env = { GOPKGR_HOME: path.join(work, 'acme-dev'), GOPKGR_NODE: nodes[0]!.api, GOPKGR_TOKEN: chain.token };
    const libView = async (): Promise<VersionView[]> => (await authGet<{ versions?: VersionView[] }>(nodes[0]!, chain.token, '/v1/packages/@pub/lib')).body.versions ?? [];
    const lib1 = (await libView()).find((v) => v.version === '1.0.0')!;
    // The version is settled once the replica is anchorDepth past its block: the next private block anchors at or above it.
    await waitFor(async () => ((await status(nodes[0]!)).parent?.height ?? 0) >= lib1.height + ANCHOR_DEPTH, WAIT_TIMEOUT_MS, 'the replica to pass @pub/lib@1.0.0 by anchorDepth');
    const app = path.join(work, 'acme-app');
    await write(app, {
      'package.json': JSON.stringify({ name: '@acme/app', type: 'module', main: 'index.ts' }),
      'index.ts': "import { shout } from '@pub/lib'; // `ver:\"^1.0.0\"`\nexport function greet(x: string): string {\n  return shout(x) + '!';\n}\n",
    });
    const published = await gopkgr(['publish', app, '--json'], { env });
    expect(published.code, published.stderr).toBe(0);

    // Installed in another project through another private node: both packages, each entry with its chain's id.
    const consumer = path.join(work, 'app-consumer');
    await write(consumer, { 'package.json': JSON.stringify({ name: 'app-consumer', type: 'module' }) });
    const got = await gopkgr(['get', '@acme/app', '--json'], { env: { ...env, GOPKGR_HOME: path.join(work, 'app-consumer-home'), GOPKGR_NODE: nodes[2]!.api }, cwd: consumer });
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(await readFile(path.join(consumer, 'node_modules/@pub/lib/package.json'), 'utf8')).name).toBe('@pub/lib');
    expect(JSON.parse(await readFile(path.join(consumer, 'node_modules/@acme/app/package.json'), 'utf8')).name).toBe('@acme/app');
    const lock = JSON.parse(await readFile(path.join(consumer, 'gopkgr.lock'), 'utf8')) as { packages: Record<string, { version: string; chainId?: string }> };
    expect(lock.packages['@acme/app']).toMatchObject({ version: '1.0.0', chainId: chain.chainId });
    expect(lock.packages['@pub/lib']).toMatchObject({ version: '1.0.0', chainId: (await status(nodes[2]!)).parent!.chainId });
    // The private package's record names the public version it was built against; nothing of it reached a public node.
    const onChain = (await authGet<{ versions: Array<{ lock: Record<string, string> }> }>(nodes[1]!, chain.token, '/v1/packages/@acme/app')).body;
    expect(onChain.versions[0]!.lock).toEqual({ '@pub/lib@1.0.0': lib1.contentHash });
    for (const pub of publicNodes) expect((await fetch(`${pub.api}/v1/txs/${published.json.tx as string}`)).status).toBe(404);

    // A new public version, and the public chain stopped right after the replica has it: it stays above every anchor.
    const lib = path.join(work, 'lib');
    await writeFile(path.join(lib, 'index.ts'), 'export function shout(x: string): string {\n  return x.toUpperCase();\n}\nexport function whisper(x: string): string {\n  return x.toLowerCase();\n}\n');
    const minor = await gopkgr(['publish', lib, '--json'], { env: { GOPKGR_HOME: path.join(work, 'public-dev'), GOPKGR_NODE: publicNodes[1]!.api } });
    expect(minor.code, minor.stderr).toBe(0);
    const lib11 = await waitFor(async () => (await libView()).find((v) => v.version === '1.1.0'), WAIT_TIMEOUT_MS, '@pub/lib@1.1.0 in the replica');
    await waitFor(async () => (await fetch(`${nodes[0]!.api}/v1/blobs/${lib11.contentHash}`, { method: 'HEAD', headers: { authorization: `Bearer ${chain.token}` } })).status === 200, WAIT_TIMEOUT_MS, 'its tarball in the replica');
    await stopNode(publicNodes[0]!);
    expect((await status(nodes[0]!)).parent!.height - lib11.height).toBeLessThan(ANCHOR_DEPTH);
    await writeFile(path.join(app, 'index.ts'), "import { shout, whisper } from '@pub/lib'; // `ver:\"^1.1.0\"`\nexport function greet(x: string): string {\n  return shout(x) + whisper(x);\n}\n");
    const refused = await gopkgr(['publish', app, '--json'], { env });
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.json).toMatchObject({ error: { code: 'TX_LOCK_ABOVE_ANCHOR' } });
  });
});
