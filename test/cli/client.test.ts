import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeClient } from '../../cli/client.ts';
import { GopkgrError } from '../../ledger/index.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A loopback server that resets the sockets of its first `resets` requests, then answers. */
async function flakyServer(resets: number): Promise<{ url: string; seen: () => number }> {
  let seen = 0;
  server = createServer((req, res) => {
    seen++;
    if (seen <= resets) {
      req.socket.resetAndDestroy();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok: true, method: req.method }));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen: () => seen };
}

describe('NodeClient', () => {
  it('sends a request again once when the connection closes under it', async () => {
    const { url, seen } = await flakyServer(1);
    const answer = await new NodeClient(url).request<{ method: string }>('PUT', '/v1/blobs/x', new Uint8Array(3), 'application/octet-stream');
    expect(answer.method).toBe('PUT');
    expect(seen()).toBe(2);
  });

  it('gives up with NODE_UNREACHABLE when the second attempt fails too', async () => {
    const { url, seen } = await flakyServer(5);
    const err = await new NodeClient(url).get('/v1/status').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GopkgrError);
    expect((err as GopkgrError).code).toBe('NODE_UNREACHABLE');
    expect(seen()).toBe(2);
  });

  describe('getBlob (node:http on a kept-alive agent)', () => {
    /** A loopback server answering GET /v1/blobs/<hash> as `answer` says; records the authorization header of each request. */
    async function blobServer(answer: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, n: number) => void): Promise<{ url: string; auth: Array<string | undefined> }> {
      const auth: Array<string | undefined> = [];
      server = createServer((req, res) => {
        auth.push(req.headers.authorization);
        answer(req, res, auth.length);
      });
      await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, auth };
    }
    const HASH = 'ab'.repeat(32);

    it('returns the bytes, sends the bearer token, and keeps one connection for many requests', async () => {
      const sockets = new Set<unknown>();
      const { url, auth } = await blobServer((req, res) => {
        sockets.add(req.socket);
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.from(req.url!));
      });
      const client = new NodeClient(url, 'secret');
      for (let i = 0; i < 3; i++) expect(Buffer.from(await client.getBlob(HASH)).toString()).toBe(`/v1/blobs/${HASH}`);
      expect(auth).toEqual(['Bearer secret', 'Bearer secret', 'Bearer secret']);
      expect(sockets.size).toBe(1);
    });

    it('a coded JSON error is that error (NOT_FOUND); another status is HTTP_ERROR', async () => {
      const { url } = await blobServer((_req, res, n) => {
        if (n === 1) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no blob' } }));
        } else {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end('bad gateway');
        }
      });
      const client = new NodeClient(url);
      expect(((await client.getBlob(HASH).catch((e: unknown) => e)) as GopkgrError).code).toBe('NOT_FOUND');
      expect(((await client.getBlob(HASH).catch((e: unknown) => e)) as GopkgrError).code).toBe('HTTP_ERROR');
    });

    it('asks again once when the connection is reset, and gives up with NODE_UNREACHABLE after two', async () => {
      const { url, auth } = await blobServer((req, res, n) => {
        if (n === 1 || n >= 3) {
          req.socket.resetAndDestroy();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end('ok');
      });
      const client = new NodeClient(url);
      expect(Buffer.from(await client.getBlob(HASH)).toString()).toBe('ok');
      expect(auth.length).toBe(2);
      expect(((await client.getBlob(HASH).catch((e: unknown) => e)) as GopkgrError).code).toBe('NODE_UNREACHABLE');
      expect(auth.length).toBe(4);
    });

    it('a body cut short is NODE_UNREACHABLE, never a shorter tarball', async () => {
      const { url } = await blobServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '100' });
        res.write('only part of it');
        setTimeout(() => req.socket.destroy(), 20);
      });
      const err = await new NodeClient(url).getBlob(HASH).catch((e: unknown) => e);
      expect((err as GopkgrError).code).toBe('NODE_UNREACHABLE');
    });

    it('times out with NODE_UNREACHABLE after the client\'s timeout', async () => {
      const { url } = await blobServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write('never ends');
      });
      const err = await new NodeClient(url, undefined, 200).getBlob(HASH).catch((e: unknown) => e);
      expect((err as GopkgrError).code).toBe('NODE_UNREACHABLE');
      expect((err as GopkgrError).message).toContain('timed out after 200 ms');
      server!.closeAllConnections();
    });
  });

  describe('request and has (node:http, fetch only for a redirect)', () => {
    async function answering(handler: (req: import('node:http').IncomingMessage, body: string, res: import('node:http').ServerResponse) => void): Promise<string> {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => handler(req, Buffer.concat(chunks).toString(), res));
      });
      await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }
    const json = (res: import('node:http').ServerResponse, status: number, value: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(value));
    };

    it('sends the body with its type, length and token, and parses a large JSON answer', async () => {
      const big = Array.from({ length: 20_000 }, (_, i) => ({ name: `@n/p-${i}`, versions: ['1.0.0', '1.0.1'] }));
      const url = await answering((req, body, res) => json(res, 200, { seen: { method: req.method, type: req.headers['content-type'], length: req.headers['content-length'], auth: req.headers.authorization, body: JSON.parse(body) }, big }));
      const answer = await new NodeClient(url, 'tok').request<{ seen: Record<string, unknown>; big: unknown[] }>('POST', '/v1/resolve', JSON.stringify({ requirements: { 'é/x': '^1' } }), 'application/json');
      expect(answer.seen).toEqual({ method: 'POST', type: 'application/json', length: String(Buffer.byteLength(JSON.stringify({ requirements: { 'é/x': '^1' } }))), auth: 'Bearer tok', body: { requirements: { 'é/x': '^1' } } });
      expect(answer.big).toEqual(big);
    });

    it('a coded error is that error; a JSON answer that does not parse is HTTP_ERROR', async () => {
      const url = await answering((req, _body, res) => {
        if (req.url === '/coded') json(res, 409, { error: { code: 'RESOLVE_CONFLICT', message: 'no version fits' } });
        else {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"cut');
        }
      });
      const client = new NodeClient(url);
      const coded = (await client.get('/coded').catch((e: unknown) => e)) as GopkgrError;
      expect([coded.code, coded.message]).toEqual(['RESOLVE_CONFLICT', 'no version fits']);
      const cut = (await client.get('/cut').catch((e: unknown) => e)) as GopkgrError;
      expect([cut.code, cut.message]).toEqual(['HTTP_ERROR', 'GET /cut: HTTP 200 with a body that is not JSON']);
    });

    it('follows a redirect as fetch does', async () => {
      const url = await answering((req, _body, res) => {
        if (req.url === '/v1/status') {
          res.writeHead(301, { location: '/moved/status' });
          res.end();
        } else json(res, 200, { at: req.url });
      });
      expect(await new NodeClient(url).get('/v1/status')).toEqual({ at: '/moved/status' });
    });

    it('has: 200 is true, 404 false, another status HTTP_ERROR, and no node NODE_UNREACHABLE', async () => {
      const url = await answering((req, _body, res) => {
        res.writeHead(req.url === '/yes' ? 200 : req.url === '/no' ? 404 : 500, { 'content-type': 'application/octet-stream', 'content-length': '5' });
        res.end(req.method === 'HEAD' ? undefined : 'bytes');
      });
      const client = new NodeClient(url);
      expect(await client.has('/yes')).toBe(true);
      expect(await client.has('/no')).toBe(false);
      expect(((await client.has('/other').catch((e: unknown) => e)) as GopkgrError).code).toBe('HTTP_ERROR');
      expect(((await new NodeClient('http://127.0.0.1:9').has('/yes').catch((e: unknown) => e)) as GopkgrError).code).toBe('NODE_UNREACHABLE');
    });
  });
});
