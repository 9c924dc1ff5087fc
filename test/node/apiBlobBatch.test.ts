/**
 * POST /v1/blobs through a real FullNode's API: the frames of the blobs it
 * holds, in the order asked; refusals with their codes; the token asked only
 * where reads need one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../ledger/index.ts';
import { MAX_BLOB_BATCH_BYTES, MAX_BLOB_BATCH_HASHES, MAX_BLOB_BYTES } from '../../node/constants.ts';
import { BlobFrameReader } from '../../cli/blobFrames.ts';
import { NodeClient } from '../../cli/client.ts';
import { startNode, type ApiOptions, type ApiNode } from '../support/apiNode.ts';
import { closeAll } from '../support/cleanup.ts';

afterEach(closeAll);

const TOKEN = 'a-token-of-enough-length';

async function nodeWith(blobs: Uint8Array[], api?: ApiOptions): Promise<ApiNode> {
  const n = await startNode({ prefix: 'gopkgr-batch-', api });
  for (const b of blobs) await n.node.blobs.put(sha256Hex(b), b);
  return n;
}

async function post(n: ApiNode, body: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; bytes: Buffer }> {
  const res = await fetch(`${n.url}/v1/blobs`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', bytes: Buffer.from(await res.arrayBuffer()) };
}

function codeOfAnswer(a: { bytes: Buffer }): unknown {
  return (JSON.parse(a.bytes.toString()) as { error?: { code?: unknown } }).error?.code;
}

describe('POST /v1/blobs', () => {
  it('answers a frame per held blob in the order asked, once each, and leaves out the ones it does not hold', async () => {
    const blobs = [randomBytes(10), randomBytes(70_000), Buffer.alloc(0)];
    const n = await nodeWith(blobs);
    const [a, b, empty] = blobs.map((x) => sha256Hex(x));
    const unknown = sha256Hex(randomBytes(8));
    const answer = await post(n, JSON.stringify({ hashes: [b, unknown, a, b, empty] }));
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('application/octet-stream');
    const frames = new BlobFrameReader(1 << 20).push(answer.bytes);
    expect(frames.map((f) => f.hash)).toEqual([b, a, empty]);
    expect(frames.map((f) => Buffer.from(f.bytes))).toEqual([blobs[1], blobs[0], blobs[2]]);
    // The client's reader gives the same frames from the stream.
    const got: string[] = [];
    for await (const f of (await new NodeClient(n.url).getBlobBatch([a!, unknown, b!], 1 << 20))!) got.push(`${f.hash}:${sha256Hex(f.bytes)}`);
    expect(got).toEqual([`${a}:${a}`, `${b}:${b}`]);
    expect(n.warnings).toEqual([]);
  });

  it(`stops at ${MAX_BLOB_BATCH_BYTES / 2 ** 20} MiB: a blob that would pass it is left out, and a later one that fits is still sent`, async () => {
    const MiB = 2 ** 20;
    // Three of 30 MiB and one of 1 KiB: the first two fit (60 MiB and their headers), the third would pass 64 MiB, the last fits.
    const blobs = [Buffer.alloc(30 * MiB, 1), Buffer.alloc(30 * MiB, 2), Buffer.alloc(30 * MiB, 3), Buffer.alloc(1024, 4)];
    const n = await nodeWith(blobs);
    const hashes = blobs.map((b) => sha256Hex(b));
    const answer = await post(n, JSON.stringify({ hashes }));
    expect(answer.status).toBe(200);
    expect(answer.bytes.length).toBeLessThanOrEqual(MAX_BLOB_BATCH_BYTES);
    const frames = new BlobFrameReader(MAX_BLOB_BYTES).push(answer.bytes);
    expect(frames.map((f) => f.hash)).toEqual([hashes[0], hashes[1], hashes[3]]);
    expect(frames.map((f) => sha256Hex(f.bytes))).toEqual([hashes[0], hashes[1], hashes[3]]);
    expect(answer.bytes.length).toBe(3 * 36 + 60 * MiB + 1024);
  });

  it('none held: an empty answer, not an error', async () => {
    const n = await nodeWith([]);
    const answer = await post(n, JSON.stringify({ hashes: [sha256Hex(randomBytes(4))] }));
    expect({ status: answer.status, length: answer.bytes.length }).toEqual({ status: 200, length: 0 });
  });

  it('refuses a body that is not JSON (BAD_JSON), without hashes (BAD_REQUEST), or with a hash that is not a sha256 (BLOB_BAD_HASH)', async () => {
    const n = await nodeWith([randomBytes(5)]);
    const cases: Array<[string, number, string]> = [
      ['{"hashes": [', 400, 'BAD_JSON'],
      ['null', 400, 'BAD_REQUEST'],
      ['{}', 400, 'BAD_REQUEST'],
      ['{"hashes": []}', 400, 'BAD_REQUEST'],
      ['{"hashes": "ab"}', 400, 'BAD_REQUEST'],
      [JSON.stringify({ hashes: [42] }), 400, 'BAD_REQUEST'],
      [JSON.stringify({ hashes: ['../../etc/passwd'] }), 400, 'BLOB_BAD_HASH'],
      [JSON.stringify({ hashes: ['AB'.repeat(32)] }), 400, 'BLOB_BAD_HASH'],
    ];
    for (const [body, status, code] of cases) {
      const answer = await post(n, body);
      expect({ body, status: answer.status, code: codeOfAnswer(answer) }).toEqual({ body, status, code });
    }
  });

  it(`refuses more than ${MAX_BLOB_BATCH_HASHES} hashes (BAD_REQUEST), and a body over its cap (HTTP_BODY_TOO_LARGE)`, async () => {
    const n = await nodeWith([]);
    const many = Array.from({ length: MAX_BLOB_BATCH_HASHES + 1 }, (_, i) => sha256Hex(Buffer.from(String(i))));
    const tooMany = await post(n, JSON.stringify({ hashes: many }));
    expect({ status: tooMany.status, code: codeOfAnswer(tooMany) }).toEqual({ status: 400, code: 'BAD_REQUEST' });
    expect((await post(n, JSON.stringify({ hashes: many.slice(0, MAX_BLOB_BATCH_HASHES) }))).status).toBe(200);
    const padded = await post(n, JSON.stringify({ hashes: many.slice(0, 1), pad: 'x'.repeat(100_000) }));
    expect({ status: padded.status, code: codeOfAnswer(padded) }).toEqual({ status: 413, code: 'HTTP_BODY_TOO_LARGE' });
  });

  it('is a read: a write token is not asked of it; a private node (tokenForReads) asks it', async () => {
    const blob = randomBytes(20);
    const hashes = JSON.stringify({ hashes: [sha256Hex(blob)] });
    const writes = await nodeWith([blob], { access: { host: '127.0.0.1', token: TOKEN } });
    expect((await post(writes, hashes)).bytes.length).toBe(36 + 20);
    const reads = await nodeWith([blob], { access: { host: '127.0.0.1', token: TOKEN, tokenForReads: true } });
    for (const authorization of [undefined, 'Bearer wrong']) {
      const answer = await post(reads, hashes, authorization === undefined ? {} : { authorization });
      expect({ status: answer.status, code: codeOfAnswer(answer) }).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    }
    expect((await post(reads, hashes, { authorization: `Bearer ${TOKEN}` })).bytes.length).toBe(36 + 20);
    const frames = (await new NodeClient(reads.url, TOKEN).getBlobBatch([sha256Hex(blob)], 1 << 20))!;
    const got: string[] = [];
    for await (const f of frames) got.push(f.hash);
    expect(got).toEqual([sha256Hex(blob)]);
    expect(((await new NodeClient(reads.url).getBlobBatch([sha256Hex(blob)], 1 << 20).catch((e: unknown) => e)) as { code?: string }).code).toBe('UNAUTHORIZED');
  });
});
