/**
 * Routing by gopkgr.json fails closed, through the real `gopkgr get` process: a
 * stub that records every request stands in for the public registry, and the
 * registry that owns @acme is stopped, answers for another chain, answers 401,
 * or never answers. Each time `get` fails with the code naming "acme", and the
 * public stub saw no request naming the private package.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { freePort } from '../support/ports.ts';
import { gopkgr } from '../support/processes.ts';
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
