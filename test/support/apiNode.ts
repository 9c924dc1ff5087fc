/**
 * A node in the test process: a real FullNode (level store, blob store,
 * mempool) on a temp dir, serving its real HTTP API on 127.0.0.1 (port 0).
 * For tests that talk to the API without a child process; both are closed by `closeAll`.
 */
import type { Server } from 'node:http';
import { DEV_PARAMS } from '../../ledger/index.ts';
import { createApi, FullNode, listenApi, type ApiExtras } from '../../node/index.ts';
import { onClose, tempDir } from './cleanup.ts';

/** The API's options (access, quotas), as createApi takes them. */
export type ApiOptions = NonNullable<Parameters<typeof createApi>[2]>;

export interface ApiNode {
  node: FullNode;
  /** http://127.0.0.1:port */
  url: string;
  port: number;
  dataDir: string;
  /** what the node logged as warnings (its info lines are dropped) */
  warnings: string[];
  /** the HTTP server (e.g. to record the requests it gets) */
  server: Server;
}

export interface StartNodeOptions {
  /** the data dir (a fresh temp dir named `prefix...` when omitted) */
  dataDir?: string;
  prefix?: string;
  api?: ApiOptions;
  /** what other layers add to the API (default none) */
  extras?: ApiExtras;
  blobGraceMs?: number;
}

/** Open a FullNode at DEV_PARAMS and serve its API; `closeAll` stops the server, then closes the node. */
export async function startNode(opts: StartNodeOptions = {}): Promise<ApiNode> {
  const dataDir = opts.dataDir ?? (await tempDir(opts.prefix ?? 'gopkgr-api-'));
  const warnings: string[] = [];
  const node = await FullNode.open({ dataDir, params: DEV_PARAMS, blobGraceMs: opts.blobGraceMs, log: { info: () => undefined, warn: (m) => warnings.push(m) } });
  onClose(() => node.close());
  const server: Server = createApi(node, opts.extras ?? {}, opts.api);
  const addr = await listenApi(server, '127.0.0.1', 0);
  onClose(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { node, url: `http://127.0.0.1:${addr.port}`, port: addr.port, dataDir, warnings, server };
}
