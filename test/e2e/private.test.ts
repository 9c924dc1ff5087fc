/**
 * A private chain through real processes (docs/PRIVATE.md): `gopkgr fork` over
 * three authorities, three `gopkgr node --sign` processes on loopback that
 * produce blocks in turn; a package of the chain's namespace claimed,
 * published and installed through one node; the swarm key closing libp2p and
 * the token closing HTTP; a stopped authority's slots left empty while the
 * others go on, and its catching up when it returns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { gopkgr, stopNode } from '../support/processes.ts';
import { freePort } from '../support/ports.ts';
import { waitFor } from '../support/waitFor.ts';
import { WAIT_TIMEOUT_MS } from '../support/timeouts.ts';
import { authGet, forkChain, spawnPrivateNode, type PrivateChain, type PrivateNode } from '../support/privateChain.ts';

const PACKAGE_DIR = fileURLToPath(new URL('../fixtures/e2e/some-package', import.meta.url));

interface StatusView {
  chainId: string;
  height: number;
  head: string;
  peers: number;
  consensus: string;
  finalized: number;
  authorities: string[];
}
interface BlockView {
  id: string;
  height: number;
  slot: number;
  signer: string;
}

describe('a private chain of three authorities', () => {
  let chain: PrivateChain;
  const nodes: PrivateNode[] = [];
  const status = async (node: PrivateNode): Promise<StatusView> => (await authGet<StatusView>(node, chain.token, '/v1/status')).body;
  const blockAt = async (node: PrivateNode, height: number): Promise<BlockView> => (await authGet<BlockView>(node, chain.token, `/v1/blocks/${height}`)).body;
  /** Every node at one head of at least `height`. */
  const converged = (height: number, among: PrivateNode[] = nodes): Promise<StatusView> => waitFor(async () => {
    const views = await Promise.all(among.map(status));
    return views[0]!.height >= height && views.every((v) => v.head === views[0]!.head) ? views[0] : undefined;
  }, WAIT_TIMEOUT_MS, `the nodes to agree on a head at height ≥ ${height}`);

  beforeAll(async () => {
    chain = await forkChain(3);
    nodes.push(await spawnPrivateNode(chain, chain.authorities[0]!.data));
    for (const i of [1, 2]) nodes.push(await spawnPrivateNode(chain, chain.authorities[i]!.data, { peers: [nodes[0]!.addr] }));
  });

  afterAll(closeAll);

  it('gopkgr fork wrote its three files 0600, refuses to overwrite them, and the nodes run the chain it named', async () => {
    for (const file of [chain.genesis, chain.swarmKey, chain.apiToken]) expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await gopkgr(['fork', '--json', '--name', 'acme', '--namespace', '@acme', '--authority', chain.authorities[0]!.identity, '--out', chain.dir]);
    expect(again.code).toBe(1);
    expect(again.json).toMatchObject({ error: { code: 'FORK_FILES_EXIST' } });
    expect((await status(nodes[0]!)).chainId).toBe(chain.chainId);
  });

  it('produces blocks in turn: each block\'s signer is authorities[slot mod 3], and blocks become final', async () => {
    await converged(3);
    // Wait until the three are all up and signing: the newest three blocks come from all three.
    const { head, blocks } = await waitFor(async () => {
      const view = await status(nodes[1]!);
      const all = await Promise.all(Array.from({ length: view.height }, (_, i) => blockAt(nodes[1]!, i + 1)));
      return new Set(all.slice(-3).map((b) => b.signer)).size === 3 ? { head: view, blocks: all } : undefined;
    }, WAIT_TIMEOUT_MS, 'blocks from all three authorities in a row');
    expect(head.consensus).toBe('authority');
    expect(head.authorities).toEqual(chain.authorities.map((a) => a.identity));
    for (const b of blocks) expect(b.signer).toBe(chain.authorities[b.slot % 3]!.identity);
    for (let i = 1; i < blocks.length; i++) expect(blocks[i]!.slot).toBeGreaterThan(blocks[i - 1]!.slot);
    // The newest two blocks have two distinct signers, a majority of three: the block below them is final.
    expect(head.finalized).toBeGreaterThanOrEqual(head.height - 2);
    expect(head.finalized).toBeGreaterThan(0);
  });

  it('claims, publishes and installs an @acme package through one node; another namespace is refused', async () => {
    const user = await tempDir('gopkgr-private-user-');
    const env = { GOPKGR_HOME: user, GOPKGR_NODE: nodes[1]!.api, GOPKGR_TOKEN: chain.token };
    expect((await gopkgr(['init', '--json'], { env })).code).toBe(0);
    const claim = await gopkgr(['namespace', 'claim', '@acme', '--json'], { env });
    expect(claim.code, claim.stderr).toBe(0);
    expect(claim.json.status).toBe('confirmed');
    const other = await gopkgr(['namespace', 'claim', '@left-pad', '--json'], { env });
    expect(other.code).toBe(1);
    expect((other.json.error as { code: string }).code).toBe('TX_NAMESPACE_NOT_IN_GENESIS');

    const published = await gopkgr(['publish', PACKAGE_DIR, '--json'], { env });
    expect(published.code, published.stderr).toBe(0);
    expect(published.json.version).toBe('1.0.0');

    // Installed through another node of the chain: the block and the tarball reached it.
    const app = path.join(user, 'app');
    await mkdir(app, { recursive: true });
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', type: 'module' }));
    const got = await gopkgr(['get', '@acme/some-package', '--json', '--token-file', chain.apiToken], { env: { ...env, GOPKGR_NODE: nodes[2]!.api, GOPKGR_TOKEN: undefined }, cwd: app });
    expect(got.code, got.stderr).toBe(0);
    const installed = await readFile(path.join(app, 'node_modules/@acme/some-package/package.json'), 'utf8');
    expect(JSON.parse(installed).name).toBe('@acme/some-package');
  });

  it('answers 401 UNAUTHORIZED to a request without the token or with another', async () => {
    const variants: Array<Record<string, string>> = [{}, { authorization: 'Bearer not-the-token' }, { authorization: `Basic ${chain.token}` }];
    for (const headers of variants) {
      for (const p of ['/v1/status', '/v1/blocks/1', '/v1/packages/@acme/some-package']) {
        const res = await fetch(`${nodes[0]!.api}${p}`, { headers });
        expect({ p, status: res.status, body: await res.json() }).toMatchObject({ p, status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
      }
    }
    const noToken = await gopkgr(['status', '--json'], { env: { GOPKGR_NODE: nodes[0]!.api } });
    expect((noToken.json.error as { code: string }).code).toBe('UNAUTHORIZED');
    // With the token: `gopkgr authority list` shows the set in turn order.
    const list = await gopkgr(['authority', 'list', '--json'], { env: { GOPKGR_NODE: nodes[0]!.api, GOPKGR_TOKEN: chain.token } });
    expect(list.code, list.stderr).toBe(0);
    expect(list.json).toMatchObject({ chainId: chain.chainId, majority: 2 });
    expect((list.json.authorities as Array<{ identity: string }>).map((a) => a.identity)).toEqual(chain.authorities.map((a) => a.identity));
  });

  it('keeps out a node with another swarm key, and refuses to start one without a key', async () => {
    const other = await forkChain(1, { name: 'other' });
    const outsider = await spawnPrivateNode(chain, await tempDir('gopkgr-private-outsider-'), { sign: false, swarmKey: other.swarmKey, peers: nodes.map((n) => n.addr) });
    const target = (await status(nodes[0]!)).height;
    // The others keep making blocks; the outsider never gets one, nor a peer.
    await converged(target + 3);
    const seen = await status(outsider);
    expect(seen.peers).toBe(0);
    expect(seen.height).toBe(0);
    await stopNode(outsider);

    const apiPort = await freePort();
    const out = await gopkgr(['node', '--json', '--genesis', chain.genesis, '--api-token-file', chain.apiToken, '--api', `127.0.0.1:${apiPort}`], { env: { GOPKGR_HOME: await tempDir('gopkgr-private-keyless-') } });
    expect(out.code).toBe(1);
    expect(out.json).toMatchObject({ error: { code: 'SWARM_KEY_REQUIRED' } });
  });

  it('leaves a stopped authority\'s slots empty while the others go on, and the authority catches up when it returns', async () => {
    const genesis = JSON.parse(await readFile(chain.genesis, 'utf8')) as { genesisTime: number; consensus: { slotMs: number } };
    const slotNow = (): number => Math.floor((Date.now() - genesis.genesisTime) / genesis.consensus.slotMs);
    const stopped = nodes[2]!;
    await stopNode(stopped);
    const stoppedSlot = slotNow();
    const from = (await converged(1, nodes.slice(0, 2))).height;
    const during = await converged(from + 4, nodes.slice(0, 2));
    const blocks = (await Promise.all(Array.from({ length: during.height - from }, (_, i) => blockAt(nodes[0]!, from + i + 1)))).filter((b) => b.slot > stoppedSlot);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    // No block of authority 2 after it stopped: its slots stayed empty, the other two signed theirs.
    expect(blocks.map((b) => b.slot % 3)).not.toContain(2);
    expect(new Set(blocks.map((b) => b.signer))).toEqual(new Set([chain.authorities[0]!.identity, chain.authorities[1]!.identity]));

    nodes[2] = await spawnPrivateNode(chain, stopped.data, { apiPort: stopped.apiPort, p2pPort: stopped.p2pPort, peers: [nodes[0]!.addr, nodes[1]!.addr] });
    await converged(during.height + 1);
    // Caught up, it signs its slots again: the newest three blocks on every node are one from each.
    await waitFor(async () => {
      const view = await converged(during.height + 3);
      const recent = await Promise.all([view.height - 2, view.height - 1, view.height].map((h) => blockAt(nodes[2]!, h)));
      return recent.map((b) => b.slot % 3).sort().join() === '0,1,2' ? true : undefined;
    }, WAIT_TIMEOUT_MS, 'the returning authority to sign in its turn again');
  });
});
