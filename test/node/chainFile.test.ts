/**
 * The chain file of `gopkgr chain export|import` (node/chainFile/): a round
 * trip between two real FullNodes (LevelDB, blob store), and every way a file
 * is refused (not a chain file, truncated, a changed byte, another chain, a gap,
 * a tarball no block names, an invalid block), each with its code and with what
 * the receiving node already stored left as it was.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEV_PARAMS, sha256Hex, stateKeys, toHex, type ChainParams } from '../../ledger/index.ts';
import { FullNode } from '../../node/index.ts';
import { exportChain, nodeSource } from '../../node/chainFile/export.ts';
import { importChainFile } from '../../node/chainFile/import.ts';
import { encodeChainFile, readFrames, verifyChainFile, type Frame } from '../../node/chainFile/format.ts';
import { actor, idBytes, keyPair, mineBlock, mineChain, publishBody, rejectsWith } from '../support/chain.ts';
import { closeAll, onClose, tempDir } from '../support/cleanup.ts';
import { startNode } from '../support/apiNode.ts';
import { NodeClient } from '../../cli/client.ts';
import { sendChainFile } from '../../cli/chain/sendFile.ts';

afterEach(closeAll);

async function openNode(params: ChainParams = DEV_PARAMS): Promise<FullNode> {
  const node = await FullNode.open({ dataDir: await tempDir('gopkgr-chainfile-'), params });
  onClose(() => node.close());
  return node;
}

const TARBALL = new TextEncoder().encode('the tarball of @acme/left-pad 1.0.0');
const TARBALL_HASH = sha256Hex(TARBALL);
/** the package id of @acme/left-pad in sourceNode's chain (the create tx's id; the same in every source) */
let pkgId = '';

/** A dev node with 5 blocks: block 2 publishes @acme/left-pad 1.0.0 (its tarball in the blob store). */
async function sourceNode(): Promise<FullNode> {
  const node = await openNode();
  await mineChain(node.chain, 1);
  const alice = actor(keyPair('alice'), node.chain.chainId);
  const claim = alice.tx('claim', { ns: '@acme' });
  const create = alice.tx('create', { ns: '@acme', name: 'left-pad' });
  const publish = alice.tx('publish', publishBody(idBytes(create), '1.0.0', { contentHash: Buffer.from(TARBALL_HASH, 'hex'), size: TARBALL.length }));
  pkgId = toHex(idBytes(create));
  await node.blobs.put(TARBALL_HASH, TARBALL);
  await node.submitBlock(mineBlock(node.chain, [claim, create, publish]).bytes);
  await mineChain(node.chain, 3);
  return node;
}

async function exported(source: FullNode, from = 1, to = source.chain.height): Promise<string> {
  const file = path.join(await tempDir('gopkgr-chainfile-out-'), 'chain.gpkc');
  await exportChain(nodeSource(source), { from, to }, file);
  return file;
}

async function frames(file: string): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const f of readFrames(file)) out.push(f);
  return out;
}

describe('chain files', () => {
  it('round trip: every block and the tarball they name arrive; a second import finds them all here', async () => {
    const source = await sourceNode();
    const file = path.join(await tempDir('gopkgr-chainfile-out-'), 'chain.gpkc');
    const r = await exportChain(nodeSource(source), { from: 1, to: 5 }, file);
    expect(r).toMatchObject({ chainId: source.chainId, network: DEV_PARAMS.name, from: 1, to: 5, blocks: 5, blobs: 1, missingBlobs: [] });
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await verifyChainFile(file)).header).toEqual({ chainId: source.chainId, network: DEV_PARAMS.name, from: 1, to: 5, blocks: 5, blobs: 1 });
    // The tarball follows the block that names it.
    expect((await frames(file)).map((f) => f.kind).join('')).toBe('HBBTBBB');

    const target = await openNode();
    const first = await importChainFile(file, [target]);
    expect(first).toMatchObject({ blocks: 5, connected: 5, known: 0, side: 0, blobs: 1, stored: 1, height: 5, head: source.chain.head.id });
    expect(target.chain.head.id).toBe(source.chain.head.id);
    expect(await target.blobs.get(TARBALL_HASH)).toEqual(TARBALL);
    expect(await target.chain.state.get(stateKeys.version(pkgId, '1.0.0'))).toMatchObject({ contentHash: TARBALL_HASH });
    expect(await importChainFile(file, [target])).toMatchObject({ connected: 0, known: 5, stored: 0, height: 5 });
  });

  it('a file from the middle of the chain imports onto a node that has the blocks before it; onto one without them it is CHAIN_FILE_GAP', async () => {
    const source = await sourceNode();
    const target = await openNode();
    await importChainFile(await exported(source, 1, 2), [target]);
    expect(target.chain.height).toBe(2);
    const tail = await exported(source, 3);
    expect((await importChainFile(tail, [target])).height).toBe(5);
    const fresh = await openNode();
    await rejectsWith(importChainFile(tail, [fresh]), 'CHAIN_FILE_GAP');
    expect(fresh.chain.height).toBe(0);
  });

  it('refuses a file that is not a chain file, a truncated file and a changed byte, storing nothing', async () => {
    const source = await sourceNode();
    const file = await exported(source);
    const bytes = new Uint8Array(await readFile(file));
    const target = await openNode();
    await importChainFile(await exported(source, 1, 1), [target]);
    const before = target.chain.head.id;
    const dir = await tempDir('gopkgr-chainfile-bad-');
    const write = async (name: string, b: Uint8Array): Promise<string> => {
      const p = path.join(dir, name);
      await writeFile(p, b);
      return p;
    };
    await rejectsWith(importChainFile(await write('text', new TextEncoder().encode('{"not": "a chain file"}\n')), [target]), 'CHAIN_FILE_NOT_EXPORT');
    await rejectsWith(importChainFile(await write('empty', new Uint8Array(0)), [target]), 'CHAIN_FILE_NOT_EXPORT');
    // Cut inside the checksum, just before it, and in the middle of a frame.
    for (const cut of [bytes.length - 1, bytes.length - 37, Math.floor(bytes.length / 2), 20]) {
      await rejectsWith(importChainFile(await write(`cut-${cut}`, bytes.subarray(0, cut)), [target]), 'CHAIN_FILE_TRUNCATED');
    }
    // A changed byte inside the last block (its frame is whole, its bytes are not the ones summed).
    const flipped = bytes.slice();
    flipped[bytes.length - 60] ^= 0x01;
    await rejectsWith(importChainFile(await write('flipped', flipped), [target]), 'CHAIN_FILE_CHECKSUM');
    // A changed byte in the tarball: its own hash catches it even before the checksum does.
    const tar = flipped.slice();
    tar.set(bytes.subarray(bytes.length - 60, bytes.length - 59), bytes.length - 60);
    const at = Buffer.from(bytes).indexOf(Buffer.from(TARBALL));
    tar[at] ^= 0x01;
    await rejectsWith(importChainFile(await write('tarball', tar), [target]), 'CHAIN_FILE_CORRUPT');
    // Bytes after the checksum.
    await rejectsWith(importChainFile(await write('tail', new Uint8Array([...bytes, 0])), [target]), 'CHAIN_FILE_CORRUPT');
    expect(target.chain.head.id).toBe(before);
    expect(await target.blobs.has(TARBALL_HASH)).toBe(false);
  });

  it('refuses a file of another chain (CHAIN_FILE_WRONG_CHAIN) and a tarball no block names (CHAIN_FILE_BLOB_UNNAMED)', async () => {
    const source = await sourceNode();
    const other = await openNode({ ...DEV_PARAMS, name: 'gopkgr-other' });
    await rejectsWith(importChainFile(await exported(source), [other]), 'CHAIN_FILE_WRONG_CHAIN');
    expect(other.chain.height).toBe(0);

    const fs = await frames(await exported(source, 1, 1));
    const stray = new TextEncoder().encode('bytes no block names');
    const strayHash = sha256Hex(stray);
    const withStray = encodeChainFile(
      { chainId: source.chainId, network: DEV_PARAMS.name, from: 1, to: 1, blocks: 1, blobs: 1 },
      [...fs.filter((f) => f.kind === 'B'), { kind: 'T', payload: new Uint8Array([...Buffer.from(strayHash, 'hex'), ...stray]) }],
    );
    const file = path.join(await tempDir('gopkgr-chainfile-bad-'), 'stray');
    await writeFile(file, withStray);
    const target = await openNode();
    await rejectsWith(importChainFile(file, [target]), 'CHAIN_FILE_BLOB_UNNAMED');
    expect(await target.blobs.has(strayHash)).toBe(false);
    expect(target.chain.height).toBe(0);
  });

  it('refuses counts other than the header\'s and blocks that do not link (CHAIN_FILE_CORRUPT)', async () => {
    const source = await sourceNode();
    const blocks = (await frames(await exported(source))).filter((f) => f.kind === 'B');
    const dir = await tempDir('gopkgr-chainfile-bad-');
    const header = { chainId: source.chainId, network: DEV_PARAMS.name, from: 1, to: 2, blocks: 2, blobs: 0 };
    const cases: Array<[string, Uint8Array]> = [
      ['count', encodeChainFile(header, [blocks[0]!])],
      ['order', encodeChainFile(header, [blocks[1]!, blocks[0]!])],
      ['skip', encodeChainFile(header, [blocks[0]!, blocks[2]!])],
    ];
    const target = await openNode();
    for (const [name, bytes] of cases) {
      const file = path.join(dir, name);
      await writeFile(file, bytes);
      await rejectsWith(importChainFile(file, [target]), 'CHAIN_FILE_CORRUPT');
    }
    expect(target.chain.height).toBe(0);
  });

  it('a block the node refuses stops the import with the block\'s own code; the valid blocks before it stay', async () => {
    const source = await sourceNode();
    const good = (await frames(await exported(source, 1, 1))).find((f) => f.kind === 'B')!;
    const scratch = await openNode();
    await scratch.submitBlock(good.payload);
    const bad = mineBlock(scratch.chain, [], { badPow: true });
    const file = path.join(await tempDir('gopkgr-chainfile-bad-'), 'badpow');
    await writeFile(file, encodeChainFile({ chainId: source.chainId, network: DEV_PARAMS.name, from: 1, to: 2, blocks: 2, blobs: 0 }, [good, { kind: 'B', payload: bad.bytes }]));
    const target = await openNode();
    await rejectsWith(importChainFile(file, [target]), 'BLOCK_BAD_POW');
    expect(target.chain.height).toBe(1);
  });

  it('exporting past the head is CHAIN_EXPORT_RANGE, and leaves no file', async () => {
    const source = await sourceNode();
    const file = path.join(await tempDir('gopkgr-chainfile-out-'), 'chain.gpkc');
    await rejectsWith(exportChain(nodeSource(source), { from: 2, to: 9 }, file), 'CHAIN_EXPORT_RANGE');
    await rejectsWith(exportChain(nodeSource(source), { from: 4, to: 3 }, file), 'CHAIN_EXPORT_RANGE');
    await expect(readFile(file)).rejects.toThrow();
  });

  it('through the API: the CLI checks the file, sends it in parts to POST /v1/chain/import, and a corrupt body is refused with its code', async () => {
    const source = await sourceNode();
    const file = await exported(source);
    const api = await startNode();
    const r = await sendChainFile(new NodeClient(api.url), file);
    expect(r).toMatchObject({ into: 'chain', parts: 1, connected: 5, stored: 1, height: 5, head: source.chain.head.id });
    const bytes = new Uint8Array(await readFile(file));
    bytes[bytes.length - 60] ^= 0x01;
    const res = await fetch(`${api.url}/v1/chain/import`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('CHAIN_FILE_CHECKSUM');
    const other = await openNode({ ...DEV_PARAMS, name: 'gopkgr-other' });
    const otherFile = path.join(await tempDir('gopkgr-chainfile-out-'), 'other.gpkc');
    await mineChain(other.chain, 1);
    await exportChain(nodeSource(other), { from: 1, to: 1 }, otherFile);
    await rejectsWith(sendChainFile(new NodeClient(api.url), otherFile), 'CHAIN_FILE_WRONG_CHAIN');
    expect(api.node.chain.height).toBe(5);
  });
});
