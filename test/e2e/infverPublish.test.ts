/**
 * InfVer on chain, through real processes: `gopkgr publish` derives each version
 * from the API change, and a node rejects a publish whose version step is
 * smaller than its manifests prove (TX_VERSION_MISMATCH: here an export
 * removed, claimed as a patch), leaving the chain as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeTx, fromHex, manifestHash, signTx, type Canonical } from '../../ledger/index.ts';
import { extractManifest } from '../../infver/index.ts';
import { loadIdentity } from '../../cli/context.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { getJson } from '../support/http.ts';
import { freePort } from '../support/ports.ts';
import { gopkgr, spawnNode } from '../support/processes.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/e2e/some-package', import.meta.url));

interface PackageView {
  id: string;
  versions: Array<{ version: string; contentHash: string; apiHash: string }>;
}

describe('versions derived from the API on chain', () => {
  let data: string;
  let pkgDir: string;
  let api: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    data = await tempDir('gopkgr-e2e-infver-');
    pkgDir = join(data, 'pkg');
    await cp(FIXTURE, pkgDir, { recursive: true });
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    env = { GOPKGR_HOME: join(data, 'home'), GOPKGR_NODE: api };
    expect((await gopkgr(['init'], { env })).code).toBe(0);
    await spawnNode(['--dev', '--mine', '--threads', '1', '--api', `127.0.0.1:${port}`], { env });
    expect((await gopkgr(['namespace', 'claim', '@acme'], { env })).code).toBe(0);
  });

  afterAll(closeAll);

  async function publish(): Promise<Record<string, unknown>> {
    const r = await gopkgr(['publish', pkgDir, '--json'], { env });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    return r.json;
  }

  it('publishes 1.0.0, then a minor for an added export, then a major for a parameter that became required', async () => {
    expect((await publish()).version).toBe('1.0.0');

    await writeFile(join(pkgDir, 'index.ts'), (await readFile(join(pkgDir, 'index.ts'), 'utf8')) + '\nexport const VERSION: string = "2";\n');
    const minor = await publish();
    expect(minor.version).toBe('1.1.0');
    expect(minor.bump).toBe('minor');
    expect(minor.changes).toEqual([expect.objectContaining({ export: 'VERSION', kind: 'added' })]);

    const source = await readFile(join(pkgDir, 'index.ts'), 'utf8');
    await writeFile(join(pkgDir, 'index.ts'), source.replace("fill = ' '", 'fill: string'));
    const major = await publish();
    expect(major.version).toBe('2.0.0');
    expect(major.changes).toEqual([expect.objectContaining({ export: 'pad', kind: 'breaking' })]);

    // An implementation-only change is a patch.
    await writeFile(join(pkgDir, 'index.ts'), (await readFile(join(pkgDir, 'index.ts'), 'utf8')).replace('text.padStart(width, fill)', 'fill.length === 0 ? text : text.padStart(width, fill)'));
    expect((await publish()).version).toBe('2.0.1');

    const { body } = await getJson<PackageView>(`${api}/v1/packages/@acme/some-package`);
    expect(body.versions.map((v) => v.version)).toEqual(['1.0.0', '1.1.0', '2.0.0', '2.0.1']);
  });

  it('rejects a publish whose version step is smaller than its manifests prove, with TX_VERSION_MISMATCH', async () => {
    const before = await getJson<PackageView>(`${api}/v1/packages/@acme/some-package`);
    // The export VERSION removed (a break any manifest shows), claimed as a patch.
    await writeFile(join(pkgDir, 'index.ts'), 'export function pad(text: string, width: number, fill: string): string { return text; }\n');
    const manifest = (await extractManifest(pkgDir)) as unknown as Canonical;
    const key = await loadIdentity(env.GOPKGR_HOME!);
    const status = await getJson<{ chainId: string; txWorkBits: number }>(`${api}/v1/status`);
    const account = await getJson<{ nextNonce: number }>(`${api}/v1/accounts/id:${Buffer.from(key.publicKey).toString('hex')}`);
    const blob = new TextEncoder().encode('not really a tarball');
    const hash = (await import('node:crypto')).createHash('sha256').update(blob).digest('hex');
    expect((await fetch(`${api}/v1/blobs/${hash}`, { method: 'PUT', body: blob })).status).toBe(201);
    const tx = signTx({
      type: 'publish', from: key.publicKey, nonce: account.body.nextNonce,
      body: { pkg: fromHex(before.body.id), version: '2.0.2', contentHash: fromHex(hash), size: blob.length, manifest, apiHash: manifestHash(manifest), deps: {}, lock: {} },
    }, key.secretKey, fromHex(status.body.chainId), status.body.txWorkBits);
    const res = await fetch(`${api}/v1/txs`, { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: encodeTx(tx) });
    expect(res.status).toBe(400);
    const error = ((await res.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('TX_VERSION_MISMATCH');
    expect(error.message).toContain('publish 3.0.0');
    expect(error.message).toContain('export VERSION was removed');

    const after = await getJson<PackageView>(`${api}/v1/packages/@acme/some-package`);
    expect(after.body.versions).toEqual(before.body.versions);
  });
});
