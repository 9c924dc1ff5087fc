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
});
