/**
 * A stand-in gopkgr node that records every request it gets: it answers
 * `/v1/status` with a chain id of the test's choosing and 404 NOT_FOUND to
 * anything else, or 401 UNAUTHORIZED to everything, or never answers. Tests of
 * routing read `requests` to show a name was never sent to it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onClose } from './cleanup.ts';

export interface StubRegistry {
  url: string;
  /** method and path of every request, in order */
  requests: string[];
}

export type StubMode = 'answer' | 'unauthorized' | 'hang';

export async function startStubRegistry(chainId: string, mode: StubMode = 'answer'): Promise<StubRegistry> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${decodeURIComponent(req.url ?? '/')}`);
    if (mode === 'hang') return;
    const send = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (mode === 'unauthorized') send(401, { error: { code: 'UNAUTHORIZED', message: 'this node needs its API token' } });
    else if (req.url === '/v1/status') send(200, { chainId, network: 'stub', height: 0, head: '00'.repeat(32), txWorkBits: 0, peerId: null, addresses: [], peers: 0, mempool: 0 });
    else send(404, { error: { code: 'NOT_FOUND', message: `no ${req.url}` } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onClose(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}
