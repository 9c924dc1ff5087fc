/**
 * The node's HTTP API (JSON; errors are {"error":{"code","message"}} with a 4xx
 * status). Bound to 127.0.0.1 unless told otherwise. Every body is size-capped
 * before it is read, and every handler validates before it acts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GopkgrError, asGopkgrError } from './errors.ts';
import { fromHex, toHex } from './encoding.ts';
import { MAX_BLOB_BYTES, MAX_BLOCK_BYTES, MAX_TX_BYTES } from './constants.ts';
import { checkBlobHash } from './blobs.ts';
import { getAccount } from './state.ts';
import { parseFullName, isNamespace } from './names.ts';
import { parseIdentity } from './crypto.ts';
import { blockView, jsonOf, namespaceView, packageVersionView, packageView, type Json } from './views.ts';
import type { FullNode } from './fullNode.ts';
import { resolveRequest } from './resolver/index.ts';

export interface ApiExtras {
  /** extra fields for /v1/status (network layer) */
  status?: () => Record<string, Json>;
  /** routes added by other parts (resolver, network), tried before the built-in ones */
  routes?: Array<{ method: string; pattern: RegExp; handle: (req: IncomingMessage, match: RegExpExecArray, body: () => Promise<Buffer>) => Promise<Json | Uint8Array> }>;
}

function notFound(what: string): GopkgrError {
  return new GopkgrError('NOT_FOUND', `${what} not found`, { status: 404 });
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new GopkgrError('BODY_TOO_LARGE', `request body is ${declared} bytes, more than ${limit}`, { status: 413 });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new GopkgrError('BODY_TOO_LARGE', `request body is more than ${limit} bytes`, { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A body that is raw bytes (application/octet-stream or application/cbor) or JSON {"<field>": hex}. */
function bytesFrom(req: IncomingMessage, body: Buffer, field: string): Uint8Array {
  const type = String(req.headers['content-type'] ?? '');
  if (type.startsWith('application/json')) {
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

export function createApi(node: FullNode, extras: ApiExtras = {}): Server {
  const chain = node.chain;

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
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

    for (const r of extras.routes ?? []) {
      if (r.method === method && (m = r.pattern.exec(path)) !== null) {
        send(res, 200, await r.handle(req, m, () => readBody(req, MAX_BLOCK_BYTES)));
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
      else send(res, 200, blockView(block, chain.entry(id), chain.isOnMain(id)));
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
        const body = await readBody(req, MAX_BLOB_BYTES);
        const { stored } = await node.blobs.put(hash, new Uint8Array(body.buffer, body.byteOffset, body.length));
        send(res, stored ? 201 : 200, { sha256: hash, size: body.length, stored });
        return;
      }
      const blob = await node.blobs.get(hash);
      if (blob === undefined) throw notFound(`blob ${hash}`);
      if (method === 'HEAD') {
        res.writeHead(200, { 'content-length': blob.length });
        res.end();
      } else send(res, 200, blob);
      return;
    }
    if (method === 'POST' && path === '/v1/resolve') {
      let parsed: unknown;
      try {
        parsed = JSON.parse((await readBody(req, MAX_TX_BYTES)).toString('utf8'));
      } catch (err) {
        if (err instanceof GopkgrError) throw err;
        throw new GopkgrError('BAD_JSON', 'request body is not valid JSON');
      }
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

  return createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const e = asGopkgrError(err);
      if (e.status >= 500) node.log.warn(`api ${req.method} ${req.url}: ${e.code} ${e.message}`);
      if (!res.headersSent) send(res, e.status, { error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } });
      else res.destroy();
      // Drain what is left of a rejected upload so the client sees the answer.
      req.resume();
    });
  });
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
