/**
 * `gopkgr import npm:` end to end: a dev node that mines, a local
 * npm-compatible registry serving real recorded packuments and tarballs
 * (test/support/npmRegistry.ts), the CLI as a real process. The closure comes
 * in dependencies first; a second run changes nothing; a tarball that does not
 * match the registry's integrity is refused; the node refuses an import whose
 * tarball is not that package, and a second record of one name@version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { fromHex, keyPairFromSecret } from '../../ledger/index.ts';
import { NodeClient } from '../../cli/client.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { getJson } from '../support/http.ts';
import { NPM_FIXTURES, startNpmRegistry, type TestNpmRegistry } from '../support/npmRegistry.ts';
import { freePort } from '../support/ports.ts';
import { gopkgr, spawnNode } from '../support/processes.ts';

interface Imported { name: string; version: string; status: string }

function tgz(files: Record<string, string>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<Buffer>((r) => p.on('end', () => r(gzipSync(Buffer.concat(chunks)))));
  for (const [name, body] of Object.entries(files)) p.entry({ name }, body);
  p.finalize();
  return ended;
}

const sha512 = (b: Uint8Array): string => `sha512-${createHash('sha512').update(b).digest('base64')}`;
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('gopkgr import npm: end to end', () => {
  let registry: TestNpmRegistry;
  let env: Record<string, string>;
  let api: string;

  beforeAll(async () => {
    const work = await tempDir('gopkgr-e2e-npm-');
    registry = await startNpmRegistry();
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    env = { GOPKGR_HOME: path.join(work, 'home'), GOPKGR_NODE: api };
    expect((await gopkgr(['init'], { env })).code).toBe(0);
    await spawnNode(['--dev', '--mine', '--threads', '1', '--api', `127.0.0.1:${port}`], { env });
  });

  afterAll(closeAll);

  it('imports the newest release in range and its closure, dependencies first, byte for byte', async () => {
    const r = await gopkgr(['import', 'npm:chalk@^4.1.0', '--registry', registry.url, '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const imported = r.json.imported as Imported[];
    expect(imported.map((i) => `${i.name}@${i.version}`)).toEqual([
      'npm:color-name@1.1.4', 'npm:color-convert@2.0.1', 'npm:ansi-styles@4.3.0', 'npm:has-flag@4.0.0', 'npm:supports-color@7.2.0', 'npm:chalk@4.1.2',
    ]);
    expect(imported.every((i) => i.status === 'confirmed')).toBe(true);
    const onChain = await getJson<{ name: string; versions: Array<{ version: string; integrity: string; contentHash: string; deps: Record<string, string> }> }>(`${api}/v1/packages/npm:chalk`);
    const recorded = JSON.parse(await readFile(path.join(NPM_FIXTURES, 'packuments', 'chalk.json'), 'utf8')) as { versions: Record<string, { dist: { integrity: string }; dependencies: Record<string, string> }> };
    expect(onChain.body.name).toBe('npm:chalk');
    expect(onChain.body.versions).toHaveLength(1);
    expect(onChain.body.versions[0]).toMatchObject({ version: '4.1.2', integrity: recorded.versions['4.1.2']!.dist.integrity, deps: recorded.versions['4.1.2']!.dependencies });
    // The node serves the registry's exact bytes.
    const bytes = await readFile(path.join(NPM_FIXTURES, 'tarballs', 'chalk-4.1.2.tgz'));
    expect(onChain.body.versions[0]!.contentHash).toBe(sha256(bytes));
    const served = new Uint8Array(await (await fetch(`${api}/v1/blobs/${sha256(bytes)}`)).arrayBuffer());
    expect(sha256(served)).toBe(sha256(bytes));
  });

  it('a second run imports nothing; another major brings in its own closure', async () => {
    const again = await gopkgr(['import', 'npm:chalk@^4.1.0', '--registry', registry.url, '--json'], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.imported).toEqual([]);
    expect((again.json.skipped as unknown[]).length).toBe(6);
    const two = await gopkgr(['import', 'npm:chalk@2', '--registry', registry.url, '--json'], { env });
    expect(two.code, two.stderr).toBe(0);
    expect((two.json.imported as Imported[]).map((i) => `${i.name}@${i.version}`).sort()).toEqual([
      'npm:ansi-styles@3.2.1', 'npm:chalk@2.4.2', 'npm:color-convert@1.9.3', 'npm:color-name@1.1.3', 'npm:escape-string-regexp@1.0.5', 'npm:has-flag@3.0.0', 'npm:supports-color@5.5.0',
    ]);
    expect((await getJson<{ versions: unknown[] }>(`${api}/v1/packages/npm:chalk`)).body.versions).toHaveLength(2);
  });

  it('refuses a tarball that does not match the registry\'s integrity, and imports nothing of it', async () => {
    registry.tamper('chalk-4.1.1.tgz', await tgz({ 'package/package.json': JSON.stringify({ name: 'chalk', version: '4.1.1' }), 'package/index.js': 'steal()' }));
    const r = await gopkgr(['import', 'npm:chalk@4.1.1', '--registry', registry.url, '--json'], { env });
    expect(r.code).toBe(1);
    expect(r.json.failed).toEqual([expect.objectContaining({ name: 'npm:chalk', version: '4.1.1', code: 'NPM_INTEGRITY_MISMATCH' })]);
    expect((await getJson<{ versions: Array<{ version: string }> }>(`${api}/v1/packages/npm:chalk`)).body.versions.map((v) => v.version)).toEqual(['4.1.2', '2.4.2']);
  });

  it('records InfVer\'s verdict on the step from the newest lower release on chain, beside the step the number declares', async () => {
    registry.tamper('chalk-4.1.1.tgz', undefined);
    const r = await gopkgr(['import', 'npm:chalk@4.1.1', '--registry', registry.url, '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const release = await getJson<{ infver: { prev: string; bump: string; declared: string; agrees: string } }>(`${api}/v1/packages/npm:chalk/4.1.1`);
    // From chalk 2 to 4 the checker finds a major, as the number says.
    expect(release.body.infver).toEqual({ prev: '2.4.2', bump: 'major', declared: 'major', agrees: 'yes' });
    // The first release of a package has nothing to be judged against.
    expect((await getJson<Record<string, unknown>>(`${api}/v1/packages/npm:chalk/2.4.2`)).body).not.toHaveProperty('infver');
  });

  it('the node refuses an import whose tarball is another package, and other bytes for a name@version on chain', async () => {
    const key = keyPairFromSecret(fromHex((JSON.parse(await readFile(path.join(env.GOPKGR_HOME!, 'key.json'), 'utf8')) as { secretKey: string }).secretKey));
    const client = new NodeClient(api);
    const submitImport = async (bytes: Buffer, name: string, version: string): Promise<string> => {
      await client.putBlob(sha256(bytes), bytes);
      try {
        await client.submit(key, 'import', { name, version, integrity: sha512(bytes), contentHash: fromHex(sha256(bytes)), size: bytes.length, deps: {} });
        return 'accepted';
      } catch (err) {
        return (err as { code: string }).code;
      }
    };
    const notThePackage = await tgz({ 'package/package.json': JSON.stringify({ name: 'left-pad', version: '9.9.9' }) });
    expect(await submitImport(notThePackage, 'chalk', '9.9.9')).toBe('NPM_TARBALL_MISMATCH');
    const impostor = await tgz({ 'package/package.json': JSON.stringify({ name: 'chalk', version: '4.1.2' }), 'package/index.js': 'steal()' });
    expect(await submitImport(impostor, 'chalk', '4.1.2')).toBe('NPM_IMPORT_CONFLICT');
    expect(await submitImport(await tgz({ 'README.md': 'no package.json' }), 'chalk', '9.9.8')).toBe('NPM_TARBALL_MISMATCH');
  });

  it('names what is wrong with the command line and an unknown package', async () => {
    const bare = await gopkgr(['import', 'chalk', '--json'], { env });
    expect(bare.code).toBe(2);
    expect((bare.json.error as { code: string }).code).toBe('USAGE');
    const missing = await gopkgr(['import', 'npm:no-such-package-here', '--registry', registry.url, '--json'], { env });
    expect(missing.code, missing.stderr).toBe(0);
    expect(missing.json.unresolved).toEqual([expect.objectContaining({ name: 'no-such-package-here', reason: expect.stringContaining('has no package') })]);
    // A spec is echoed as text: a terminal escape in it reaches the terminal as spaces.
    const hostile = await gopkgr(['import', 'npm:chalk@^4\u001b[2Jx', '--registry', registry.url], { env });
    expect(hostile.stdout + hostile.stderr).toContain('^4 [2Jx');
    // eslint-disable-next-line no-control-regex
    expect(hostile.stdout + hostile.stderr).not.toMatch(/\u001b/);
  });
});
