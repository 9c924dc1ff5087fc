/**
 * The inputs of `gopkgr infver diff`: a directory, a .tgz (gopkgr's own packer
 * and npm's layout), @ns/name@version from a real node behind its real HTTP
 * API, and each bad argument as one INFVER_BAD_INPUT naming it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeTx, GopkgrError, type Tx } from '../../ledger/index.ts';
import { NodeClient } from '../../cli/client.ts';
import { run, usage } from '../../cli/commands/infver.ts';
import { materializeInput } from '../../cli/infver/inputs.ts';
import { packPackage } from '../../cli/pack.ts';
import { preparePublish, submitPublish } from '../../cli/publish/index.ts';
import { publicSurface } from '../../infver/surface.ts';
import { actor, keyPair, mineBlock } from '../support/chain.ts';
import { startNode } from '../support/apiNode.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { tarball } from '../support/tarballs.ts';

// Each test gets its own TMPDIR, so what inputs leave behind is counted there, whatever else runs on the machine.
const realTmp = process.env.TMPDIR;
let privateTmp = '';
beforeEach(async () => {
  privateTmp = await tempDir('infver-inputs-tmp-');
  process.env.TMPDIR = privateTmp;
});
afterEach(async () => {
  if (realTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = realTmp;
  await closeAll();
});

async function writePackage(dir: string, files: Record<string, string>): Promise<string> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}

const PKG = JSON.stringify({ name: '@acme/pad', version: '1.0.0', types: 'index.d.ts' });

async function failure(p: Promise<unknown>): Promise<GopkgrError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(GopkgrError);
    return err as GopkgrError;
  }
  throw new Error('expected a failure');
}

/** The gopkgr-infver- temp dirs that exist now: an input must leave none behind once cleaned up. */
function infverTempDirs(): string[] {
  return readdirSync(privateTmp).filter((n) => n.startsWith('gopkgr-infver-'));
}

describe('materializeInput', () => {
  it('a directory is read where it is, and cleanup leaves it alone', async () => {
    const dir = await writePackage(await tempDir('infver-in-'), { 'package.json': PKG, 'index.d.ts': 'export declare const a: string;\n' });
    const input = await materializeInput(dir);
    expect(input).toMatchObject({ dir, label: dir });
    await input.cleanup();
    expect(existsSync(join(dir, 'index.d.ts'))).toBe(true);
  });

  it("a .tgz from gopkgr's own packer is unpacked into a temp dir that cleanup removes", async () => {
    const src = await writePackage(await tempDir('infver-in-'), { 'package.json': PKG, 'index.d.ts': 'export declare const a: string;\n' });
    const packed = await packPackage(src);
    const file = join(await tempDir('infver-tgz-'), 'pad-1.0.0.tgz');
    await writeFile(file, packed.tarball);
    const input = await materializeInput(file);
    expect(input.label).toBe(file);
    expect(dirname(input.dir)).toBe(join(privateTmp, infverTempDirs()[0]!));
    expect(readFileSync(join(input.dir, 'index.d.ts'), 'utf8')).toBe('export declare const a: string;\n');
    expect(publicSurface(input.dir).entries.map((e) => [e.subpath, e.condition])).toEqual([['.', 'legacy']]);
    await input.cleanup();
    expect(existsSync(input.dir)).toBe(false);
    expect(existsSync(dirname(input.dir))).toBe(false);
  });

  it("an npm tarball (package/ top folder) is unpacked the same way", async () => {
    const file = join(await tempDir('infver-tgz-'), 'pad-1.0.0.tar.gz');
    await writeFile(file, await tarball([
      { name: 'package/package.json', body: JSON.stringify({ name: 'pad', exports: { '.': { types: './lib/index.d.ts' } } }) },
      { name: 'package/lib/index.d.ts', body: 'export declare function pad(s: string): string;\n' },
    ]));
    const input = await materializeInput(file);
    expect(publicSurface(input.dir).entries.map((e) => [e.subpath, e.condition, e.file.slice(input.dir.length)])).toEqual([['.', 'types', '/lib/index.d.ts']]);
    await input.cleanup();
    expect(existsSync(input.dir)).toBe(false);
  });

  it('each bad argument is one INFVER_BAD_INPUT naming it, and leaves no temp dir', async () => {
    const work = await tempDir('infver-bad-');
    const missing = join(work, 'nope');
    const text = join(work, 'notes.txt');
    const garbage = join(work, 'broken.tgz');
    await writeFile(text, 'hello');
    await writeFile(garbage, 'not gzip at all');
    for (const [arg, why] of [
      [missing, 'no such directory or file'],
      [text, 'not a .tgz'],
      [garbage, 'not a package tarball'],
      ['@acme', 'no such directory or file'],
      ['@acme/pad@one', 'is not a version'],
    ] as const) {
      const err = await failure(materializeInput(arg));
      expect([arg, err.code]).toEqual([arg, 'INFVER_BAD_INPUT']);
      expect(err.message).toContain(arg);
      expect(err.message).toContain(why);
    }
    expect(infverTempDirs()).toEqual([]);
  });

  it('a tarball whose entries leave the package writes nothing, not even its temp dir', async () => {
    const file = join(await tempDir('infver-tgz-'), 'evil.tgz');
    await writeFile(file, await tarball([
      { name: 'package/package.json', body: '{"name":"evil"}' },
      { name: 'package/../../escaped.d.ts', body: 'export {};' },
    ]));
    const err = await failure(materializeInput(file));
    expect(err.code).toBe('TARBALL_UNSAFE');
    expect(infverTempDirs()).toEqual([]);
  });
});

describe('gopkgr infver diff with tarballs', () => {
  it('prints the bump between two .tgz files, as between their directories', async () => {
    const work = await tempDir('infver-diff-');
    const files: string[] = [];
    for (const [v, decl] of [['1.0.0', 'export declare const a: string;\n'], ['1.1.0', 'export declare const a: string;\nexport declare const b: number;\n']] as const) {
      const src = await writePackage(join(work, v), { 'package.json': JSON.stringify({ name: '@acme/pad', version: v, types: 'index.d.ts' }), 'index.d.ts': decl });
      const file = join(work, `pad-${v}.tgz`);
      await writeFile(file, (await packPackage(src)).tarball);
      files.push(file);
    }
    const lines: string[] = [];
    expect(await run(['diff', files[0]!, files[1]!], { json: false, out: (l) => lines.push(l) })).toBe(0);
    expect(lines[0]).toBe('minor');
    expect(lines.slice(1).join('\n')).toContain('b');
    const dirLines: string[] = [];
    await run(['diff', join(work, '1.0.0'), join(work, '1.1.0')], { json: false, out: (l) => dirLines.push(l) });
    expect(lines).toEqual(dirLines);
    expect(infverTempDirs()).toEqual([]);
    expect(usage).toBe('gopkgr infver api DIR | gopkgr infver diff OLD NEW');
  });
});

describe('@ns/name@version from a node', () => {
  it('fetches the version from the node, checks its hash, caches it; unknown versions and packages are bad input', async () => {
    const { node, url } = await startNode({ prefix: 'gopkgr-node-infver-' });
    const client = new NodeClient(url);
    const alice = keyPair('alice');
    const mine = async (): Promise<void> => {
      const txs: Tx[] = node.mempool.ordered().map((p) => p.tx);
      await node.submitBlock(mineBlock(node.chain, txs));
    };
    await node.submitTx(encodeTx(actor(alice, node.chain.chainId).tx('claim', { ns: '@acme' })));
    await mine();
    const src = await writePackage(await tempDir('infver-pub-'), {
      'package.json': JSON.stringify({ name: '@acme/pad', type: 'module', exports: { '.': './src/index.ts' } }),
      'src/index.ts': 'export function pad(s: string): string { return s; }\n',
    });
    const release = await preparePublish(src, client, alice);
    await submitPublish(client, { sha256: release.packed.sha256, bytes: release.packed.tarball }, release.signed, { wait: false, timeoutMs: 10_000 });
    await mine();

    const dataDir = await tempDir('infver-data-');
    const input = await materializeInput('@acme/pad@1.0.0', { nodeUrl: url, dataDir });
    expect(input.label).toBe('@acme/pad@1.0.0');
    expect(publicSurface(input.dir).name).toBe('@acme/pad');
    expect(readdirSync(join(dataDir, 'cache'))).toEqual([release.packed.sha256]);
    await input.cleanup();
    expect(existsSync(input.dir)).toBe(false);

    // The command takes the node's version as OLD and the checkout as NEW: same API, a patch.
    const lines: string[] = [];
    expect(await run(['diff', '@acme/pad@1.0.0', src], { json: true, out: (l) => lines.push(l), nodeUrl: url })).toBe(0);
    expect(JSON.parse(lines[0]!)).toEqual({ bump: 'patch', changes: [] });
    expect(infverTempDirs()).toEqual([]);

    for (const arg of ['@acme/pad@9.9.9', '@acme/none@1.0.0']) {
      const err = await failure(materializeInput(arg, { nodeUrl: url }));
      expect([arg, err.code]).toEqual([arg, 'INFVER_BAD_INPUT']);
      expect(err.message).toContain(arg);
    }
  });
});
