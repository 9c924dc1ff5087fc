/**
 * The node's HTTP API (JSON; errors are {"error":{"code","message"}} with a 4xx
 * status). Bound to 127.0.0.1 unless told otherwise. Every request passes the
 * access checks of api/guard.ts first; every body is size-capped before it is
 * read, tarballs are streamed to disk, and every handler validates before it acts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { GopkgrError, asGopkgrError } from '../ledger/errors.ts';
import { fromHex, toHex } from '../ledger/encoding.ts';
import { MAX_BLOCK_BYTES, MAX_TX_BYTES } from '../ledger/constants.ts';
import { MAX_BLOB_BYTES } from './constants.ts';
import { checkBlobHash } from './blobs.ts';
import { getAccount } from '../ledger/state.ts';
import { parseFullName, isNamespace } from '../ledger/names.ts';
import { parseIdentity } from '../ledger/crypto.ts';
import { blockView, jsonOf, namespaceView, packageVersionView, packageView, type Json } from './views.ts';
import type { FullNode } from './fullNode.ts';
import type { PendingTx } from './mempool.ts';
import type { DecodedBlock } from '../ledger/block.ts';
import { resolveRequest } from '../resolver/index.ts';
import { answerAfterBody, bodyChunks, checkDeclaredLength, readBody, tooLarge } from './api/body.ts';
import { checkContentType, checkHost, checkOrigin, checkToken, hostNamesFor, mediaType, type ApiAccess } from './api/guard.ts';
import { checkDialAddress } from './api/peers.ts';
import { BlobQuota, DEFAULT_BLOB_QUOTA, type BlobQuotaOptions } from './api/blobQuota.ts';

export { isLoopbackHost, type ApiAccess } from './api/guard.ts';
export type { BlobQuotaOptions } from './api/blobQuota.ts';

export interface ApiExtras {
  /** extra fields for /v1/status (network layer) */
  status?: () => Record<string, Json>;
  /** routes added by other parts (resolver, network), tried before the built-in ones */
  routes?: Array<{ method: string; pattern: RegExp; handle: (req: IncomingMessage, match: RegExpExecArray, body: () => Promise<Buffer>) => Promise<Json | Uint8Array> }>;
  /** bring a tarball that is not here from elsewhere (the network's peers); true once it is stored */
  fetchBlob?: (hash: string) => Promise<boolean>;
}

export interface ApiOptions {
  /** the bound host and the write token (default: 127.0.0.1, no token) */
  access?: ApiAccess;
  blobQuota?: BlobQuotaOptions;
}

/**
 * Writes carry CBOR or JSON (application/octet-stream is taken as raw bytes too):
 * none of these is a type a web page may send cross-site without a preflight,
 * which this API never grants. text/plain, forms and a missing type are refused.
 */
const WRITE_TYPES = ['application/cbor', 'application/json', 'application/octet-stream'];
/** A PUT always needs a preflight, so a tarball may also come without a type. */
const BLOB_TYPES = ['application/octet-stream', 'application/cbor', ''];

function notFound(what: string): GopkgrError {
  return new GopkgrError('NOT_FOUND', `${what} not found`, { status: 404 });
}

/** A body that is raw bytes (application/cbor) or JSON {"<field>": hex}. */
function bytesFrom(req: IncomingMessage, body: Buffer, field: string): Uint8Array {
  if (mediaType(req) === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new GopkgrError('BAD_JSON', 'request body is not valid JSON');
    }
    const hex = (parsed as Record<string, unknown> | null)?.[field];
    if (typeof hex !== 'string') throw new GopkgrError('BAD_REQUEST', `request body needs "${field}": hex`);
    return fromHex(hex, field);
  }
  return new Uint8Array(body.buffer, body.byteOffset, body.length);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new GopkgrError('BAD_JSON', 'request body is not valid JSON');
  }
}

function send(res: ServerResponse, status: number, body: Json | Uint8Array): void {
  if (body instanceof Uint8Array) {
    res.writeHead(status, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function createApi(node: FullNode, extras: ApiExtras = {}, opts: ApiOptions = {}): Server {
  const chain = node.chain;
  const access = opts.access ?? { host: '127.0.0.1' };
  const hostNames = hostNamesFor(access.host);
  const quota = new BlobQuota(opts.blobQuota ?? DEFAULT_BLOB_QUOTA);
  // Once a tx names an upload, it is the ledger's, not its uploader's.
  const onTx = (p: PendingTx): void => {
    if (p.tx.type === 'publish') quota.referenced(toHex(p.tx.body.contentHash));
  };
  const onBlock = (b: DecodedBlock): void => {
    for (const tx of b.txs) if (tx.type === 'publish') quota.referenced(toHex(tx.body.contentHash));
  };
  node.on('tx', onTx);
  chain.on('block', onBlock);

  const putBlob = async (req: IncomingMessage, res: ServerResponse, hash: string): Promise<void> => {
    checkDeclaredLength(req, MAX_BLOB_BYTES);
    const existing = await node.blobs.sizeOf(hash);
    if (existing !== undefined) {
      // Already here: nothing is stored, so nothing counts; the body is not needed.
      await node.blobs.touch(hash);
      answerAfterBody(req, res, () => send(res, 200, { sha256: hash, size: existing, stored: false }));
      return;
    }
    const declared = req.headers['content-length'] === undefined ? MAX_BLOB_BYTES : Number(req.headers['content-length']);
    const reservation = quota.reserve(req.socket.remoteAddress ?? 'unknown', declared);
    let result: { stored: boolean; size: number } | undefined;
    try {
      result = await node.blobs.putStream(hash, bodyChunks(req, declared), () => tooLarge(MAX_BLOB_BYTES));
    } finally {
      reservation.settle(result === undefined ? undefined : { ...result, hash });
    }
    send(res, result.stored ? 201 : 200, { sha256: hash, size: result.size, stored: result.stored });
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const port = req.socket.localPort ?? 0;
    checkHost(req, port, hostNames);
    checkOrigin(req, port, hostNames);
    const url = new URL(req.url ?? '/', 'http://localhost');
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      // A malformed %-escape is the client's error (400), not the node's (500).
      throw new GopkgrError('BAD_REQUEST', `request path ${url.pathname.slice(0, 100)} is not valid percent-encoding`);
    }
    const method = req.method ?? 'GET';
    let m: RegExpExecArray | null;
    // Every write route is a POST or a PUT; other methods find no route (404).
    if (method === 'POST' || method === 'PUT') {
      // /v1/resolve is a query with a JSON body that changes nothing: neither a token nor a type is asked of it.
      if (!(method === 'POST' && path === '/v1/resolve')) {
        if (access.token !== undefined) checkToken(req, access.token);
        checkContentType(req, method === 'PUT' && path.startsWith('/v1/blobs/') ? BLOB_TYPES : WRITE_TYPES);
      }
    }

    for (const r of extras.routes ?? []) {
      if (r.method === method && (m = r.pattern.exec(path)) !== null) {
        let body: Promise<Buffer> | undefined;
        const readOnce = (): Promise<Buffer> => (body ??= readBody(req, MAX_BLOCK_BYTES));
        if (method === 'POST' && path === '/v1/peers') {
          const addr = (parseJson(await readOnce()) as { addr?: unknown } | null)?.addr;
          if (typeof addr === 'string') checkDialAddress(addr);
        }
        send(res, 200, await r.handle(req, m, readOnce));
        return;
      }
    }
    if (method === 'GET' && path === '/v1/status') {
      const head = chain.head;
      send(res, 200, {
        chainId: chain.chainIdHex, network: chain.params.name, height: head.height, head: head.id, work: head.work, time: head.time,
        mempool: node.mempool.size, txWorkBits: chain.params.txWorkBits, peerId: null, addresses: [], peers: 0, ...(extras.status?.() ?? {}),
      });
      return;
    }
    if (method === 'GET' && (m = /^\/v1\/blocks\/([0-9a-f]{64}|\d{1,10})$/.exec(path)) !== null) {
      const id = m[1]!.length === 64 ? m[1]! : chain.mainIdAt(Number(m[1]));
      const block = id === undefined ? undefined : await chain.getBlock(id);
      if (block === undefined || id === undefined) throw notFound(`block ${m[1]}`);
      if (url.searchParams.get('format') === 'raw') send(res, 200, block.bytes);
      else send(res, 200, blockView(block, chain.entry(id), chain.isOnMain(id), chain.consensus));
      return;
    }
    if (method === 'GET' && (m = /^\/v1\/packages\/(@[^/]+\/[^/]+)$/.exec(path)) !== null) {
      const { ns, name } = parseFullName(m[1]!);
      const view = packageView(chain.stateReader, `${ns}/${name}`);
      if (view === undefined) throw notFound(`package ${ns}/${name}`);
      send(res, 200, view);
      return;
    }
    if (method === 'GET' && (m = /^\/v1\/packages\/(@[^/]+\/[^/]+)\/([^/]+)$/.exec(path)) !== null) {
      const { ns, name } = parseFullName(m[1]!);
      const view = packageVersionView(chain.stateReader, `${ns}/${name}`, m[2]!);
      if (view === undefined) throw notFound(`${ns}/${name}@${m[2]}`);
      send(res, 200, view);
      return;
    }
    if (method === 'GET' && (m = /^\/v1\/namespaces\/(@[^/]+)$/.exec(path)) !== null) {
      if (!isNamespace(m[1])) throw new GopkgrError('BAD_NAME', `"${m[1]}" is not a namespace`);
      const view = namespaceView(chain.stateReader, m[1]!);
      if (view === undefined) throw notFound(`namespace ${m[1]}`);
      send(res, 200, view);
      return;
    }
    if (method === 'GET' && (m = /^\/v1\/accounts\/(id:[0-9a-f]+)$/.exec(path)) !== null) {
      const hex = toHex(parseIdentity(m[1]!));
      const account = getAccount(chain.stateReader, hex);
      send(res, 200, { identity: m[1]!, nonce: account.nonce, nextNonce: node.mempool.nextNonce(hex), balance: account.balance, rotatedTo: account.rotatedTo === undefined ? null : `id:${account.rotatedTo}` });
      return;
    }
    if (method === 'POST' && path === '/v1/txs') {
      const bytes = bytesFrom(req, await readBody(req, MAX_TX_BYTES * 2 + 64), 'tx');
      send(res, 200, await node.submitTx(bytes));
      return;
    }
    if (method === 'GET' && (m = /^\/v1\/txs\/([0-9a-f]{64})$/.exec(path)) !== null) {
      // The pool first: a tx leaves it only after its block is written, so this order never misses one in between.
      if (node.mempool.has(m[1]!)) {
        send(res, 200, { id: m[1]!, status: 'pending' });
        return;
      }
      const where = await chain.txLocation(m[1]!);
      if (where === undefined) throw notFound(`tx ${m[1]}`);
      send(res, 200, { id: m[1]!, status: 'confirmed', block: where.block, height: where.height, index: where.index, confirmations: chain.height - where.height + 1 });
      return;
    }
    if ((m = /^\/v1\/blobs\/([^/]+)$/.exec(path)) !== null && (method === 'GET' || method === 'PUT' || method === 'HEAD')) {
      const hash = m[1]!;
      checkBlobHash(hash);
      if (method === 'PUT') {
        await putBlob(req, res, hash);
        return;
      }
      let size = await node.blobs.sizeOf(hash);
      // HEAD looks at this node's store alone: it is how a caller asks whether a tarball is here.
      if (size === undefined && method === 'GET' && extras.fetchBlob !== undefined && (await extras.fetchBlob(hash))) size = await node.blobs.sizeOf(hash);
      if (size === undefined) throw notFound(`blob ${hash}`);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
      if (method === 'HEAD') res.end();
      // Streamed from disk: many parallel downloads must not hold tarballs in memory either.
      else await pipeline(createReadStream(node.blobs.pathOf(hash)), res).catch(() => res.destroy());
      return;
    }
    if (method === 'POST' && path === '/v1/resolve') {
      const parsed = parseJson(await readBody(req, MAX_TX_BYTES));
      send(res, 200, resolveRequest(chain.stateReader, parsed) as unknown as Json);
      return;
    }
    if (method === 'GET' && path === '/v1/work') {
      const work = node.work();
      send(res, 200, { ...work, txs: work.txs.map(toHex), params: jsonOf(work.params) });
      return;
    }
    if (method === 'POST' && path === '/v1/blocks') {
      const bytes = bytesFrom(req, await readBody(req, MAX_BLOCK_BYTES * 2 + 64), 'block');
      const result = await node.submitBlock(bytes);
      send(res, 200, { id: result.id, height: result.height, status: result.status });
      return;
    }
    throw notFound(`${method} ${path}`);
  };

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const e = asGopkgrError(err);
      if (e.code === 'HTTP_CLIENT_ABORTED') {
        res.destroy();
        return;
      }
      if (e.status >= 500) node.log.warn(`api ${req.method} ${String(req.url).slice(0, 200)}: ${e.code} ${e.message}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const answer = (): void => send(res, e.status, { error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } });
      if (req.complete || req.destroyed) answer();
      else answerAfterBody(req, res, answer);
    });
  });
  server.on('close', () => {
    node.off('tx', onTx);
    chain.off('block', onBlock);
  });
  return server;
}


export async function listenApi(server: Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new GopkgrError('API_LISTEN_FAILED', `cannot listen on ${host}:${port}: ${err.code ?? err.message}`, {
        hint: err.code === 'EADDRINUSE' ? 'another node is using this port; pass --api 127.0.0.1:<other port>' : undefined,
        status: 500,
      }));
    });
    server.listen(port, host, () => resolve());
  });
  return server.address() as AddressInfo;
}
