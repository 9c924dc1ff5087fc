/**
 * Reading POST /v1/blobs answers: frames cut out of chunks split anywhere, a
 * frame announcing more than the cap refused, and an answer cut short giving
 * the whole frames before the cut and nothing of the broken one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobFrameReader } from '../../cli/blobFrames.ts';
import { NodeClient } from '../../cli/client.ts';
import { sha256Hex } from '../../ledger/index.ts';

function frame(bytes: Buffer, hash = sha256Hex(bytes)): Buffer {
  const header = Buffer.alloc(36);
  header.write(hash, 0, 'hex');
  header.writeUInt32BE(bytes.length, 32);
  return Buffer.concat([header, bytes]);
}

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

describe('BlobFrameReader', () => {
  const blobs = [randomBytes(5), Buffer.alloc(0), randomBytes(300)];
  const stream = Buffer.concat(blobs.map((b) => frame(b)));

  it('gives the same frames however the answer is cut into chunks', () => {
    for (const size of [1, 2, 7, 35, 36, 37, 100, stream.length]) {
      const reader = new BlobFrameReader(1000);
      const got: string[] = [];
      for (let i = 0; i < stream.length; i += size) got.push(...reader.push(stream.subarray(i, i + size)).map((f) => `${f.hash}:${sha256Hex(f.bytes)}`));
      expect({ size, got }).toEqual({ size, got: blobs.map((b) => `${sha256Hex(b)}:${sha256Hex(b)}`) });
      expect(reader.atBoundary).toBe(true);
    }
  });

  it('refuses a frame that announces more than the cap, before buffering it', () => {
    const reader = new BlobFrameReader(100);
    expect(() => reader.push(frame(randomBytes(101)).subarray(0, 40))).toThrow(/101 bytes, more than 100/);
  });

  it('a cut inside a frame leaves it out and says so', () => {
    const reader = new BlobFrameReader(1000);
    expect(reader.push(stream.subarray(0, stream.length - 1)).length).toBe(2);
    expect(reader.atBoundary).toBe(false);
  });
});

describe('NodeClient.getBlobBatch', () => {
  it('an answer cut short yields the whole frames before the cut, then ends', async () => {
    const [a, b] = [randomBytes(50), randomBytes(5000)];
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 36 * 2 + 50 + 5000 });
      res.write(frame(a));
      res.write(frame(b).subarray(0, 1000), () => res.destroy());
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const client = new NodeClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const got: string[] = [];
    for await (const f of (await client.getBlobBatch([sha256Hex(a), sha256Hex(b)], 1 << 20))!) got.push(f.hash);
    expect(got).toEqual([sha256Hex(a)]);
  });

  it('undefined from a server without the route (404 or 405)', async () => {
    let status = 404;
    server = createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'POST /v1/blobs not found' } }));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const client = new NodeClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    expect(await client.getBlobBatch(['ab'.repeat(32)], 100)).toBeUndefined();
    status = 405;
    expect(await client.getBlobBatch(['ab'.repeat(32)], 100)).toBeUndefined();
  });
});
