/** The CLI's side of the node's HTTP API: calls, coded errors, signed tx submission. */
import type { IncomingMessage } from 'node:http';
import { BlobFrameReader, type BlobFrame } from './blobFrames.ts';
import { GopkgrError, errorFromAnswer, fromHex, signTx, toHex, encodeTx, type BodyByType, type KeyPair, type SignedTx, type SignedTxType, type UnsignedTx } from '../ledger/index.ts';

/** Signs one tx on the next nonce of the key it was made for. */
export type TxSigner = <K extends SignedTxType>(type: K, body: BodyByType[K]) => SignedTx;

export interface NodeStatus {
  chainId: string;
  network: string;
  height: number;
  head: string;
  txWorkBits: number;
  /** InfVer: the TypeScript release the chain pins for testers' verdicts */
  infverTypescript?: string;
  peerId: string | null;
  addresses: string[];
  peers: number;
  mempool: number;
}

export interface TxReceipt {
  id: string;
  status: 'pending' | 'confirmed' | 'known';
  block?: string;
  height?: number;
}

/** undici's and node:http's codes for a connection that closed under a request it had not yet answered. */
const STALE_SOCKET_CODES = new Set(['UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNRESET', 'EPIPE']);

type HttpModule = typeof import('node:http') | typeof import('node:https');

/** One kept-alive agent per protocol (an idle kept-alive socket does not hold the process open). */
const agents = new Map<string, import('node:http').Agent>();

/** A request that timed out (NodeClient's timeoutMs). */
class RequestTimeout extends Error {}

/** `text` as a URL node:http(s) can take, else undefined. */
function httpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function unreachable(nodeUrl: string, cause: string): GopkgrError {
  return new GopkgrError('NODE_UNREACHABLE', `cannot reach a gopkgr node at ${nodeUrl} (${cause})`, {
    hint: 'start one with `gopkgr node --dev --mine`, or pass --node URL',
  });
}

/** The answer to a call, read whole: status, content type, body. */
interface RawAnswer {
  status: number;
  type: string;
  body: Buffer;
}

/** A batch answer's frames as they arrive; a connection lost or cut inside a frame ends them early. */
async function* framesOf(res: IncomingMessage, maxBlobBytes: number): AsyncGenerator<BlobFrame> {
  const reader = new BlobFrameReader(maxBlobBytes);
  try {
    for await (const chunk of res) yield* reader.push(chunk as Buffer);
  } catch {
    // Lost connection, a timeout, or a malformed frame: what arrived whole stands, the rest is asked for again.
  } finally {
    res.destroy();
  }
}

export class NodeClient {
  /**
   * `token`: sent as a bearer token with every request (a node bound beyond loopback needs it for writes);
   * `timeoutMs`: a request (its body included) that takes longer fails as NODE_UNREACHABLE ("timed out")
   */
  constructor(readonly url: string, private readonly token?: string, private readonly timeoutMs?: number) {}

  /**
   * One call to the node. Through node:http(s) on a kept-alive agent rather than fetch: undici costs a
   * CLI start ~20 ms to load, and reading a large answer (POST /v1/resolve answers a 500-package tree in
   * ~1.8 MB) takes it longer. A redirect, which fetch would follow, is left to fetch.
   */
  async request<T>(method: string, path: string, body?: Uint8Array | string, contentType?: string): Promise<T> {
    const url = httpUrl(this.url + path);
    let answer = url === undefined ? undefined : await this.rawCall(url, (http, agent) => this.callRaw(http, agent, url, method, body, contentType));
    if (answer === undefined || (answer.status >= 300 && answer.status <= 399)) answer = await this.fetchRaw(method, path, body, contentType);
    const ok = answer.status >= 200 && answer.status <= 299;
    if (!answer.type.startsWith('application/json')) {
      if (!ok) throw new GopkgrError('HTTP_ERROR', `${method} ${path}: HTTP ${answer.status}`);
      return new Uint8Array(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength) as T;
    }
    let json: { error?: { code?: unknown; message?: unknown; hint?: unknown } };
    try {
      json = JSON.parse(answer.body.toString('utf8')) as typeof json;
    } catch {
      throw new GopkgrError('HTTP_ERROR', `${method} ${path}: HTTP ${answer.status} with a body that is not JSON`);
    }
    if (!ok || json.error !== undefined) throw errorFromAnswer(json.error, answer.status);
    return json as T;
  }

  /** The headers of a call: its body's type and length, and the token. */
  private headersOf(body?: Uint8Array | string, contentType?: string): Record<string, string> {
    const headers: Record<string, string> = {};
    if (contentType !== undefined) headers['content-type'] = contentType;
    if (body !== undefined) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    return headers;
  }

  /** One call by fetch, its answer read whole: for a URL node:http cannot take, and to follow a redirect. */
  private async fetchRaw(method: string, path: string, body?: Uint8Array | string, contentType?: string): Promise<RawAnswer> {
    // Without the body: fetch sets its length itself.
    const headers = this.headersOf(undefined, contentType);
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(this.url + path, { method, body, headers, ...(this.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(this.timeoutMs) }) });
        return { status: res.status, type: res.headers.get('content-type') ?? '', body: Buffer.from(await res.arrayBuffer()) };
      } catch (err) {
        const cause = (err as Error).name === 'TimeoutError' ? `timed out after ${this.timeoutMs} ms` : (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
        // A kept-alive socket the node closed while this process was busy (publish
        // compiles for seconds between two requests) fails the next request before
        // the node sees it. Every request here is safe to send twice: reads, blob
        // PUTs by hash, and signed txs (a resent tx is answered as known).
        if (attempt === 1 && STALE_SOCKET_CODES.has(cause)) continue;
        throw unreachable(this.url, cause);
      }
    }
  }

  /** Whether the node answers a HEAD of `path` with 200 (404: false; anything else is an error). */
  async has(path: string): Promise<boolean> {
    const url = httpUrl(this.url + path);
    if (url === undefined) throw unreachable(this.url, 'not an http(s) URL');
    const { status } = await this.rawCall(url, (http, agent) => this.callRaw(http, agent, url, 'HEAD'));
    if (status === 200) return true;
    if (status === 404) return false;
    throw new GopkgrError('HTTP_ERROR', `HEAD ${path}: HTTP ${status}`);
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  async getOptional<T>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (err) {
      if (err instanceof GopkgrError && err.code === 'NOT_FOUND') return undefined;
      throw err;
    }
  }

  status(): Promise<NodeStatus> {
    return this.get<NodeStatus>('/v1/status');
  }

  putBlob(sha256: string, bytes: Uint8Array): Promise<{ stored: boolean }> {
    return this.request('PUT', `/v1/blobs/${sha256}`, bytes, 'application/octet-stream');
  }

  /**
   * A tarball by its hash (request goes through node:http: on bench/install's
   * 500 tarballs fetch took ~0.85 s of this process's CPU where node:http took
   * ~0.3 s).
   */
  async getBlob(sha256: string): Promise<Uint8Array> {
    const path = `/v1/blobs/${sha256}`;
    const answer = await this.request<unknown>('GET', path);
    if (!(answer instanceof Uint8Array)) throw new GopkgrError('HTTP_ERROR', `GET ${path}: JSON where a blob was expected`);
    return answer;
  }

  /**
   * Many tarballs in one request (the node's POST /v1/blobs), as frames while
   * they arrive; undefined when the node does not answer that route (an older
   * node: ask getBlob one by one). The frames hold only blobs the node has; an
   * answer cut short simply ends (the caller asks for what it lacks one by
   * one). The bytes are unverified: the caller checks each blob's sha256.
   * `timeoutMs` here is the longest wait for the next bytes.
   */
  async getBlobBatch(hashes: readonly string[], maxBlobBytes: number): Promise<AsyncIterable<BlobFrame> | undefined> {
    const url = httpUrl(this.url + '/v1/blobs');
    if (url === undefined) return undefined;
    const body = JSON.stringify({ hashes });
    const res = await this.rawCall(url, (http, agent) => this.postRaw(http, agent, url, body));
    const status = res.statusCode ?? 0;
    if (status === 200 && !String(res.headers['content-type']).startsWith('application/json')) return framesOf(res, maxBlobBytes);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    let json: { error?: { code?: unknown; message?: unknown; hint?: unknown } } | undefined;
    try {
      json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof json;
    } catch {
      json = undefined;
    }
    // An older node has no such route (404), or a server in front of it no such method (405).
    if (status === 404 || status === 405) return undefined;
    if (json?.error === undefined) throw new GopkgrError('HTTP_ERROR', `POST /v1/blobs: HTTP ${status}`);
    throw errorFromAnswer(json.error, status);
  }

  /**
   * A call through node:http(s) on the kept-alive agent: a kept-alive socket the node closed fails
   * once before the node sees the request, so that is tried again once (as request does); anything else
   * is NODE_UNREACHABLE.
   */
  private async rawCall<T>(url: URL, call: (http: HttpModule, agent: import('node:http').Agent) => Promise<T>): Promise<T> {
    const http: HttpModule = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
    let agent = agents.get(url.protocol);
    if (agent === undefined) agents.set(url.protocol, (agent = new http.Agent({ keepAlive: true })));
    for (let attempt = 1; ; attempt++) {
      try {
        return await call(http, agent);
      } catch (err) {
        const cause = err instanceof RequestTimeout ? `timed out after ${this.timeoutMs} ms` : (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        if (attempt === 1 && STALE_SOCKET_CODES.has(cause)) continue;
        throw unreachable(this.url, cause);
      }
    }
  }

  private postRaw(http: HttpModule, agent: import('node:http').Agent, url: URL, body: string): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent, headers: this.headersOf(body, 'application/json') }, resolve);
      if (this.timeoutMs !== undefined) req.setTimeout(this.timeoutMs, () => req.destroy(new RequestTimeout()));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** One request with its whole answer read; `timeoutMs` bounds all of it. */
  private callRaw(http: HttpModule, agent: import('node:http').Agent, url: URL, method: string, body?: Uint8Array | string, contentType?: string): Promise<RawAnswer> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (then: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        then();
      };
      const incomplete = (): void => settle(() => reject(Object.assign(new Error('the connection closed before the answer was complete'), { code: 'ECONNRESET' })));
      const req = http.request(url, { method, agent, headers: this.headersOf(body, contentType) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (err) => settle(() => reject(err)));
        res.on('end', () => (res.complete ? settle(() => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body: Buffer.concat(chunks) })) : incomplete()));
        res.on('close', incomplete);
      });
      if (this.timeoutMs !== undefined) timer = setTimeout(() => req.destroy(new RequestTimeout()), this.timeoutMs);
      req.on('error', (err) => settle(() => reject(err)));
      req.end(body);
    });
  }

  /** Signs txs of one key on consecutive nonces, starting from its next nonce on the node's chain; each pays `fee` (0: none). */
  async signerFor(key: KeyPair, fee = 0): Promise<TxSigner> {
    const status = await this.status();
    const account = await this.get<{ nextNonce: number }>(`/v1/accounts/id:${toHex(key.publicKey)}`);
    const chainId = fromHex(status.chainId);
    let nonce = account.nextNonce;
    return (type, body) =>
      signTx({ type, from: key.publicKey, nonce: nonce++, body, fee } as Omit<UnsignedTx, 'stamp' | 'v'>, key.secretKey, chainId, status.txWorkBits);
  }

  postTx(tx: SignedTx): Promise<TxReceipt> {
    return this.request<TxReceipt>('POST', '/v1/txs', encodeTx(tx), 'application/cbor');
  }

  /** Sign a tx with the next nonce (paying `fee` to the block's producer) and submit it. */
  async submit<K extends SignedTxType>(key: KeyPair, type: K, body: BodyByType[K], fee = 0): Promise<TxReceipt> {
    const sign = await this.signerFor(key, fee);
    return this.postTx(sign(type, body));
  }

  /** Wait until a tx is in a block on the main chain. */
  async waitForTx(id: string, timeoutMs: number, onWait?: (elapsedMs: number) => void): Promise<TxReceipt> {
    const start = Date.now();
    for (;;) {
      const receipt = await this.get<TxReceipt>(`/v1/txs/${id}`);
      if (receipt.status === 'confirmed') return receipt;
      const elapsed = Date.now() - start;
      if (elapsed > timeoutMs) {
        throw new GopkgrError('TX_NOT_MINED', `tx ${id.slice(0, 16)} is still pending after ${Math.round(timeoutMs / 1000)} s`, {
          hint: 'is a miner running? (`gopkgr node --dev --mine` or `gopkgr mine`); the tx stays in the pool',
        });
      }
      onWait?.(elapsed);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
