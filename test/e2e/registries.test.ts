/**
 * Routing by gopkgr.json fails closed, through the real `gopkgr get` process: a
 * stub that records every request stands in for the public registry, and the
 * registry that owns @acme is stopped, answers for another chain, answers 401,
 * or never answers. Each time `get` fails with the code naming "acme", and the
 * public stub saw no request naming the private package. Then a real dev node
 * as the public registry: a public package installs through gopkgr.json while
 * the private registry is down, its lock entry records the chain id, and
 * `--offline` reinstalls it with the node stopped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { freePort } from '../support/ports.ts';
import { gopkgr, spawnNode, stopNode } from '../support/processes.ts';
import { startStubRegistry, type StubRegistry } from '../support/stubRegistry.ts';

const PUBLIC_CHAIN = 'a1'.repeat(32);
const ACME_CHAIN = 'b2'.repeat(32);
const SECRET = '@acme/secret';

describe('gopkgr.json routing fails closed', () => {
  let publicStub: StubRegistry;
  let home: string;

  beforeAll(async () => {
    publicStub = await startStubRegistry(PUBLIC_CHAIN);
    home = await tempDir('gopkgr-registries-home-');
  });
  afterAll(closeAll);

  /** A project importing the private package (and a public one), with `acme` at `acmeNode`. */
  async function project(acmeNode: string, extra: Record<string, unknown> = {}, source = `import { s } from '${SECRET}'; // \`ver:"^1.0.0"\`\nimport { p } from '@pub/thing'; // \`ver:"^1.0.0"\`\nexport { s, p };\n`): Promise<string> {
    const dir = await tempDir('gopkgr-registries-app-');
    await mkdir(path.join(dir, 'src'));
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', type: 'module', private: true }));
    await writeFile(path.join(dir, 'src/main.ts'), source);
    await writeFile(path.join(dir, 'gopkgr.json'), JSON.stringify({
      registries: [
        { name: 'acme', node: acmeNode, chainId: ACME_CHAIN, namespaces: ['@acme'], tokenEnv: 'ACME_GOPKGR_TOKEN', ...extra },
        { name: 'public', node: publicStub.url, chainId: PUBLIC_CHAIN },
      ],
    }));
    return dir;
  }

  async function getFails(dir: string, code: string): Promise<string> {
    const seen = publicStub.requests.length;
    const r = await gopkgr(['get', '--json'], { cwd: dir, env: { GOPKGR_HOME: home, ACME_GOPKGR_TOKEN: 'not-the-token' } });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const error = r.json.error as { code: string; message: string };
    expect(error.code).toBe(code);
    // Nothing about the private name reached the public registry, in this run or before.
    expect(publicStub.requests.filter((q) => q.includes(SECRET))).toEqual([]);
    expect(publicStub.requests.slice(seen).filter((q) => q.includes('@acme'))).toEqual([]);
    return error.message;
  }

  it('a stopped private registry: REGISTRY_UNREACHABLE naming it, and the public stub never asked about the name', async () => {
    const stopped = `http://127.0.0.1:${await freePort()}`;
    const message = await getFails(await project(stopped), 'REGISTRY_UNREACHABLE');
    expect(message).toContain('registry "acme"');
    expect(message).toContain('no other registry was asked');
  });

  it('a private registry answering for another chain id: REGISTRY_WRONG_CHAIN, and nothing asked of it but its status', async () => {
    const impostor = await startStubRegistry('c3'.repeat(32));
    const message = await getFails(await project(impostor.url), 'REGISTRY_WRONG_CHAIN');
    expect(message).toContain('registry "acme"');
    expect(impostor.requests).toEqual(['GET /v1/status']);
  });

  it('a private registry answering 401: REGISTRY_UNAUTHORIZED naming it and its token variable', async () => {
    const locked = await startStubRegistry(ACME_CHAIN, 'unauthorized');
    const message = await getFails(await project(locked.url), 'REGISTRY_UNAUTHORIZED');
    expect(message).toContain('registry "acme"');
    expect(message).toContain('ACME_GOPKGR_TOKEN');
    expect(locked.requests).toEqual(['GET /v1/status']);
  });

  it('a private registry that never answers: REGISTRY_UNREACHABLE after its timeoutMs', async () => {
    const silent = await startStubRegistry(ACME_CHAIN, 'hang');
    const message = await getFails(await project(silent.url, { timeoutMs: 500 }), 'REGISTRY_UNREACHABLE');
    expect(message).toContain('timed out');
  });

  it('a chain tag naming no registry is CHAIN_TAG_UNKNOWN, and one sending a private name to the public registry is CHAIN_TAG_CONFLICT', async () => {
    const stopped = `http://127.0.0.1:${await freePort()}`;
    await getFails(await project(stopped, {}, `import { p } from '@pub/thing'; // \`ver:"^1.0.0" chain:"elsewhere"\`\nexport { p };\n`), 'CHAIN_TAG_UNKNOWN');
    await getFails(await project(stopped, {}, `import { s } from '${SECRET}'; // \`ver:"^1.0.0" chain:"public"\`\nexport { s };\n`), 'CHAIN_TAG_CONFLICT');
  });

  it('a malformed gopkgr.json is PROJECT_FILE_INVALID naming the field', async () => {
    const dir = await project('http://127.0.0.1:1');
    await writeFile(path.join(dir, 'gopkgr.json'), JSON.stringify({ registries: [{ name: 'acme', node: 'http://127.0.0.1:1', chainId: 'nothex' }] }));
    const r = await gopkgr(['get', '--json'], { cwd: dir, env: { GOPKGR_HOME: home } });
    expect(r.code).toBe(1);
    expect(r.json.error).toMatchObject({ code: 'PROJECT_FILE_INVALID' });
    expect((r.json.error as { message: string }).message).toContain('registries[0].chainId');
  });
});

describe('gopkgr.json with a real public node', () => {
  afterAll(closeAll);

  it('installs a public name while the private registry is down, records the chain id, and reinstalls offline', async () => {
    const work = await tempDir('gopkgr-registries-node-');
    const port = await freePort();
    const env = { GOPKGR_HOME: path.join(work, 'publisher'), GOPKGR_NODE: `http://127.0.0.1:${port}` };
    expect((await gopkgr(['init', '--json'], { env })).code).toBe(0);
    const node = await spawnNode(['--dev', '--mine', '--threads', '1', '--api', `127.0.0.1:${port}`], { env });
    expect((await gopkgr(['namespace', 'claim', '@acme', '--json'], { env })).code).toBe(0);
    const published = await gopkgr(['publish', fileURLToPath(new URL('../fixtures/e2e/some-package', import.meta.url)), '--json'], { env });
    expect(published.code, published.stderr).toBe(0);

    const app = path.join(work, 'app');
    await mkdir(app);
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', type: 'module', private: true }));
    await writeFile(path.join(app, 'gopkgr.json'), JSON.stringify({
      registries: [
        { name: 'corp', node: `http://127.0.0.1:${await freePort()}`, chainId: ACME_CHAIN, namespaces: ['@corp'] },
        { name: 'public', node: node.api, chainId: node.ready.chainId },
      ],
    }));
    // --node points nowhere: with a gopkgr.json the registries decide.
    const consumer = { GOPKGR_HOME: path.join(work, 'consumer'), GOPKGR_NODE: 'http://127.0.0.1:1' };
    const got = await gopkgr(['get', '@acme/some-package', '--json'], { cwd: app, env: consumer });
    expect(got.code, got.stdout + got.stderr).toBe(0);
    const lock = JSON.parse(await readFile(path.join(app, 'gopkgr.lock'), 'utf8')) as { packages: Record<string, { chainId?: string; contentHash: string }> };
    expect(lock.packages['@acme/some-package']).toMatchObject({ chainId: node.ready.chainId, contentHash: published.json.contentHash });

    // The same node as the owner of @acme and as the public registry: installed from the owner, with one warning.
    const twice = path.join(work, 'twice');
    await mkdir(twice);
    await writeFile(path.join(twice, 'package.json'), JSON.stringify({ name: 'twice', type: 'module', private: true }));
    await writeFile(path.join(twice, 'gopkgr.json'), JSON.stringify({
      registries: [
        { name: 'acme', node: node.api, chainId: node.ready.chainId, namespaces: ['@acme'] },
        { name: 'public', node: node.api, chainId: node.ready.chainId },
      ],
    }));
    const shadowed = await gopkgr(['get', '@acme/some-package', '--json'], { cwd: twice, env: consumer });
    expect(shadowed.code, shadowed.stdout + shadowed.stderr).toBe(0);
    expect(shadowed.stderr.split('\n').filter((l) => l.startsWith('warning: installed @acme/some-package'))).toHaveLength(1);

    await stopNode(node);
    await rm(path.join(app, 'node_modules'), { recursive: true, force: true });
    const offline = await gopkgr(['get', '--offline', '--json'], { cwd: app, env: consumer });
    expect(offline.code, offline.stdout + offline.stderr).toBe(0);
    expect(JSON.parse(await readFile(path.join(app, 'node_modules/@acme/some-package/package.json'), 'utf8')).name).toBe('@acme/some-package');
  }, 600_000); // a node, a publish and three commands on a loaded 2-core machine
});

