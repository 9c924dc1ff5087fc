/** The CLI's side of the node's HTTP API: calls, coded errors, signed tx submission. */
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

/** undici's codes for a connection that closed under a request it had not yet answered. */
const STALE_SOCKET_CODES = new Set(['UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNRESET', 'EPIPE']);

export class NodeClient {
  /**
   * `token`: sent as a bearer token with every request (a node bound beyond loopback needs it for writes);
   * `timeoutMs`: a request (its body included) that takes longer fails as NODE_UNREACHABLE ("timed out")
   */
  constructor(readonly url: string, private readonly token?: string, private readonly timeoutMs?: number) {}

  async request<T>(method: string, path: string, body?: Uint8Array | string, contentType?: string): Promise<T> {
    const headers: Record<string, string> = {};
    if (contentType !== undefined) headers['content-type'] = contentType;
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    let res: Response | undefined;
    for (let attempt = 1; res === undefined; attempt++) {
      try {
        res = await fetch(this.url + path, { method, body, headers, ...(this.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(this.timeoutMs) }) });
      } catch (err) {
        const cause = (err as Error).name === 'TimeoutError' ? `timed out after ${this.timeoutMs} ms` : (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
        // A kept-alive socket the node closed while this process was busy (publish
        // compiles for seconds between two requests) fails the next request before
        // the node sees it. Every request here is safe to send twice: reads, blob
        // PUTs by hash, and signed txs (a resent tx is answered as known).
        if (attempt === 1 && STALE_SOCKET_CODES.has(cause)) continue;
        throw new GopkgrError('NODE_UNREACHABLE', `cannot reach a gopkgr node at ${this.url} (${cause})`, {
          hint: 'start one with `gopkgr node --dev --mine`, or pass --node URL',
        });
      }
    }
    const type = res.headers.get('content-type') ?? '';
    if (!type.startsWith('application/json')) {
      if (!res.ok) throw new GopkgrError('HTTP_ERROR', `${method} ${path}: HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer()) as T;
    }
    const json = (await res.json()) as { error?: { code?: unknown; message?: unknown; hint?: unknown } };
    if (!res.ok || json.error !== undefined) throw errorFromAnswer(json.error, res.status);
    return json as T;
  }

  /** Whether the node answers a HEAD of `path` with 200 (404: false; anything else is an error). */
  async has(path: string): Promise<boolean> {
    const headers: Record<string, string> = this.token === undefined ? {} : { authorization: `Bearer ${this.token}` };
    let res: Response;
    try {
      res = await fetch(this.url + path, { method: 'HEAD', headers });
    } catch (err) {
      throw new GopkgrError('NODE_UNREACHABLE', `cannot reach a gopkgr node at ${this.url} (${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message})`);
    }
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw new GopkgrError('HTTP_ERROR', `HEAD ${path}: HTTP ${res.status}`);
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

  getBlob(sha256: string): Promise<Uint8Array> {
    return this.request('GET', `/v1/blobs/${sha256}`);
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
