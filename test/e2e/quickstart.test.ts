/**
 * The README's quick start, through real processes: init, a dev node that
 * mines, claim a namespace, publish a package, read it back over HTTP; then kill
 * -9 and restart: nothing is lost and mining resumes on the same chain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { getJson } from '../support/http.ts';
import { freePort } from '../support/ports.ts';
import { gopkgr, spawnNode, type RunningNode } from '../support/processes.ts';
import { waitFor } from '../support/waitFor.ts';
import { WAIT_TIMEOUT_MS } from '../support/timeouts.ts';

const PACKAGE_DIR = fileURLToPath(new URL('../fixtures/e2e/some-package', import.meta.url));

interface PackageView {
  name: string;
  owner: string;
  versions: Array<{ version: string; contentHash: string; block: string; height: number }>;
}

describe('quick start through the CLI', () => {
  let data: string;
  let port: number;
  let node: RunningNode | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    data = await tempDir('gopkgr-e2e-quickstart-');
    port = await freePort();
    env = { GOPKGR_HOME: data, GOPKGR_NODE: `http://127.0.0.1:${port}` };
  });

  afterAll(closeAll);

  it('creates an identity, runs a mining node, claims, publishes and serves the package', async () => {
    const init = await gopkgr(['init', '--json'], { env });
    expect(init.code).toBe(0);
    expect(init.json.identity).toMatch(/^id:0[23][0-9a-f]{64}$/);

    node = await spawnNode(['--dev', '--mine', '--threads', '1', '--api', `127.0.0.1:${port}`], { env });
    expect(node.ready.height).toBe(0);
    expect(node.ready.chainId).toMatch(/^[0-9a-f]{64}$/);

    const claim = await gopkgr(['namespace', 'claim', '@acme', '--json'], { env });
    expect(claim.code, claim.stderr).toBe(0);
    expect(claim.json.status).toBe('confirmed');

    const again = await gopkgr(['namespace', 'claim', '@acme', '--json'], { env });
    expect(again.code).toBe(1);
    expect(again.json).toEqual({ error: { code: 'TX_NAME_TAKEN', message: 'namespace @acme is already claimed' } });

    const published = await gopkgr(['publish', PACKAGE_DIR, '--json'], { env });
    expect(published.code, published.stderr).toBe(0);
    expect(published.json.version).toBe('1.0.0');
    expect(published.json.contentHash).toMatch(/^[0-9a-f]{64}$/);

    const { status, body } = await getJson<PackageView>(`http://127.0.0.1:${port}/v1/packages/@acme/some-package`);
    expect(status).toBe(200);
    expect(body.name).toBe('@acme/some-package');
    expect(body.owner).toBe(init.json.identity);
    expect(body.versions).toHaveLength(1);
    expect(body.versions[0]!.version).toBe('1.0.0');
    expect(body.versions[0]!.contentHash).toBe(published.json.contentHash);
    expect(body.versions[0]!.block).toBe(published.json.block);
    const block = await getJson<{ height: number; txs: Array<{ type: string }> }>(`http://127.0.0.1:${port}/v1/blocks/${body.versions[0]!.block}`);
    expect(block.body.txs.map((t) => t.type)).toContain('publish');

    // The tarball the chain points at is served back byte for byte.
    const blob = await fetch(`http://127.0.0.1:${port}/v1/blobs/${body.versions[0]!.contentHash}`);
    expect(blob.status).toBe(200);
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(Buffer.from(await blob.arrayBuffer())).digest('hex')).toBe(body.versions[0]!.contentHash);

    const status2 = await gopkgr(['status', '--json'], { env });
    expect(status2.json.chainId).toBe(node.ready.chainId);
    expect(status2.json.height as number).toBeGreaterThanOrEqual(body.versions[0]!.height);
  });

  it('loses nothing across kill -9 and resumes mining on the same chain', async () => {
    const before = await getJson<{ height: number; head: string; chainId: string }>(`http://127.0.0.1:${port}/v1/status`);
    node!.child.kill('SIGKILL');
    await node!.exited;

    node = await spawnNode(['--dev', '--mine', '--threads', '1', '--api', `127.0.0.1:${port}`], { env });
    expect(node.ready.chainId).toBe(before.body.chainId);
    expect(node.ready.height as number).toBeGreaterThanOrEqual(before.body.height);
    const block = await getJson<{ id: string }>(`http://127.0.0.1:${port}/v1/blocks/${before.body.height}`);
    expect(block.body.id).toBe(before.body.head);

    const pkg = await getJson<PackageView>(`http://127.0.0.1:${port}/v1/packages/@acme/some-package`);
    expect(pkg.body.versions[0]!.version).toBe('1.0.0');

    const resumed = await waitFor(async () => {
      const s = await getJson<{ height: number }>(`http://127.0.0.1:${port}/v1/status`);
      return s.body.height > (node!.ready.height as number) ? s.body.height : undefined;
    }, WAIT_TIMEOUT_MS, 'a new block after the restart');
    expect(resumed).toBeGreaterThan(before.body.height);
  });

  it('stops cleanly on Ctrl-C (SIGINT)', async () => {
    node!.child.kill('SIGINT');
    expect(await node!.exited).toBe(0);
    node = undefined;
  });
});
