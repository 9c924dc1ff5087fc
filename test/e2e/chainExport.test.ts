/**
 * Air-gapped nodes through real processes (docs/PRIVATE.md "Air-gapped nodes"):
 * a public dev node with a published package; `gopkgr chain export` from it;
 * `gopkgr chain import` into a public node with no peers and into a private
 * node that has no public peer (into its replica of the public chain). The
 * importing nodes end on the exporter's head and serve the tarball; a corrupt
 * file is refused with its code and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { DEV_PARAMS, fromHex, sha256Hex, toHex } from '../../ledger/index.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { gopkgr } from '../support/processes.ts';
import { mineVia, spawnNetNode, status, submitTx, txBytes, type NetNode } from '../support/network.ts';
import { idBytes, keyPair, publishBody, signed } from '../support/chain.ts';
import { authGet, forkChain, spawnPrivateNode, type PrivateChain, type PrivateNode } from '../support/privateChain.ts';

const TARBALL = new TextEncoder().encode('the tarball of @pub/lib 1.0.0, carried across an air gap');
const HASH = sha256Hex(TARBALL);

describe('chain export and import', () => {
  let source: NetNode;
  let lonely: NetNode;
  let chain: PrivateChain;
  let closed: PrivateNode;
  let work: string;
  let file: string;
  let exported: Record<string, unknown>;

  beforeAll(async () => {
    work = await tempDir('gopkgr-e2e-export-');
    source = await spawnNetNode('source');
    const { chainId } = await status(source);
    const alice = keyPair('alice');
    const create = signed(alice, 'create', { ns: '@pub', name: 'lib' }, 1, fromHex(chainId));
    await submitTx(source, txBytes(alice, 'claim', { ns: '@pub' }, 0, chainId));
    await submitTx(source, txBytes(alice, 'create', { ns: '@pub', name: 'lib' }, 1, chainId));
    const put = await fetch(`${source.api}/v1/blobs/${HASH}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: TARBALL });
    expect(put.status).toBe(201);
    await submitTx(source, txBytes(alice, 'publish', publishBody(idBytes(create), '1.0.0', { contentHash: Buffer.from(HASH, 'hex'), size: TARBALL.length }), 2, chainId));
    await mineVia(source, 1);
    await mineVia(source, 3);
    lonely = await spawnNetNode('lonely');
    chain = await forkChain(1, { publicNode: source.api });
    closed = await spawnPrivateNode(chain, chain.authorities[0]!.data, { sign: false });
    file = path.join(work, 'public.gpkc');
  });

  afterAll(closeAll);

  it('exports the public chain from height 1 with the tarball its blocks name', async () => {
    const head = await status(source);
    expect(head.height).toBe(4);
    const r = await gopkgr(['chain', 'export', '--from', '1', '--out', file, '--json', '--node', source.api]);
    expect(r.code, r.stderr).toBe(0);
    exported = r.json;
    expect(exported).toMatchObject({ file, chainId: head.chainId, network: DEV_PARAMS.name, from: 1, to: 4, blocks: 4, blobs: 1, missingBlobs: [] });
    // The checksum it reports is the file's last 32 bytes (the 'E' frame).
    expect(exported.sha256).toBe(toHex(new Uint8Array(await readFile(file)).subarray(-32)));
  });

  it('imports into a node with no peers: it ends on the exporter\'s head and serves the tarball', async () => {
    expect((await status(lonely)).peers).toBe(0);
    const r = await gopkgr(['chain', 'import', file, '--json', '--node', lonely.api]);
    expect(r.code, r.stderr).toBe(0);
    const head = await status(source);
    expect(r.json).toMatchObject({ into: 'chain', blocks: 4, connected: 4, known: 0, stored: 1, height: 4, head: head.head });
    expect(await status(lonely)).toMatchObject({ height: 4, head: head.head });
    const blob = await fetch(`${lonely.api}/v1/blobs/${HASH}`);
    expect(Buffer.from(await blob.arrayBuffer())).toEqual(Buffer.from(TARBALL));
    expect((await fetch(`${lonely.api}/v1/packages/@pub/lib`)).status).toBe(200);
    // Again: everything is already here.
    const again = await gopkgr(['chain', 'import', file, '--json', '--node', lonely.api]);
    expect(again.json).toMatchObject({ connected: 0, known: 4, stored: 0, height: 4 });
  });

  it('imports into a private node\'s public replica when it has no public peer; the token is required', async () => {
    const before = (await authGet<{ parent?: { height: number } }>(closed, chain.token, '/v1/status')).body.parent;
    expect(before?.height).toBe(0);
    const refused = await gopkgr(['chain', 'import', file, '--json', '--node', closed.api], { env: { GOPKGR_TOKEN: '' } });
    expect(refused.code).toBe(1);
    expect(refused.json).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    const r = await gopkgr(['chain', 'import', file, '--json', '--node', closed.api, '--token-file', chain.apiToken]);
    expect(r.code, r.stderr).toBe(0);
    const head = await status(source);
    expect(r.json).toMatchObject({ into: 'parent', chainId: head.chainId, connected: 4, stored: 1, height: 4, head: head.head });
    const s = (await authGet<{ chainId: string; height: number; parent: { chainId: string; height: number; head: string } }>(closed, chain.token, '/v1/status')).body;
    expect(s.chainId).toBe(chain.chainId);
    expect(s.parent).toEqual({ chainId: head.chainId, height: 4, head: head.head });
    const pkg = await authGet<{ chainId?: string; versions: Array<{ contentHash: string }> }>(closed, chain.token, '/v1/packages/@pub/lib');
    expect(pkg.status).toBe(200);
    expect(pkg.body.versions[0]!.contentHash).toBe(HASH);
    const blob = await fetch(`${closed.api}/v1/blobs/${HASH}`, { headers: { authorization: `Bearer ${chain.token}` } });
    expect(Buffer.from(await blob.arrayBuffer())).toEqual(Buffer.from(TARBALL));
    // The replica exports again what it imported (--parent): the same blocks and tarball, so the same bytes.
    const again = path.join(work, 'again.gpkc');
    const ex = await gopkgr(['chain', 'export', '--parent', '--from', '1', '--out', again, '--json', '--node', closed.api, '--token-file', chain.apiToken]);
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.json).toMatchObject({ chainId: head.chainId, blocks: 4, blobs: 1, sha256: exported.sha256 });
    expect(await readFile(again)).toEqual(await readFile(file));
  });

  it('refuses a corrupt file and a truncated one with their codes, and the node keeps what it had', async () => {
    const bytes = new Uint8Array(await readFile(file));
    const corrupt = path.join(work, 'corrupt.gpkc');
    const flipped = bytes.slice();
    flipped[bytes.length - 60] ^= 0x01;
    await writeFile(corrupt, flipped);
    const truncated = path.join(work, 'truncated.gpkc');
    await writeFile(truncated, bytes.subarray(0, bytes.length - 10));
    const fresh = await spawnNetNode('fresh');
    for (const [f, code] of [[corrupt, 'CHAIN_FILE_CHECKSUM'], [truncated, 'CHAIN_FILE_TRUNCATED']] as const) {
      const r = await gopkgr(['chain', 'import', f, '--json', '--node', fresh.api]);
      expect(r.code).toBe(1);
      expect(r.json).toMatchObject({ error: { code } });
    }
    expect((await status(fresh)).height).toBe(0);
    // A file of another chain: the private node's own chain id is not the public one's, so a public node refuses it.
    const own = path.join(work, 'private.gpkc');
    const ex = await gopkgr(['chain', 'export', '--from', '0', '--to', '0', '--out', own, '--json', '--node', closed.api, '--token-file', chain.apiToken]);
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.json).toMatchObject({ chainId: chain.chainId, blocks: 1 });
    const wrong = await gopkgr(['chain', 'import', own, '--json', '--node', fresh.api]);
    expect(wrong.json).toMatchObject({ error: { code: 'CHAIN_FILE_WRONG_CHAIN' } });
  });
});
