/**
 * HTTP for API tests: `getJson` for plain reads, and raw HTTP/1.1 requests for
 * tests that need what fetch hides or normalises:
 * an arbitrary Host or Origin header, a source address, a body streamed in
 * pieces, or a client that hangs up halfway through its body.
 */
import { request } from 'node:http';
import { createHash } from 'node:crypto';

/** GET a URL and parse its JSON body (whatever the status). */
export async function getJson<T = Record<string, unknown>>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

export interface RawReply {
  status: number;
  body: Record<string, unknown>;
}

export interface RawRequest {
  port: number;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** bind the client side to this address (e.g. 127.0.0.7: another "client" on loopback) */
  localAddress?: string;
  /** false: send no Host header at all */
  setHost?: boolean;
}

function parse(text: string): Record<string, unknown> {
  try {
    return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    return { text };
  }
}

export function raw(r: RawRequest): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: r.port, method: r.method, path: r.path, headers: r.headers, localAddress: r.localAddress, setHost: r.setHost, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: parse(text) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : Buffer.from(r.body));
  });
}

/**
 * A large body made of `seed` (unique per upload) followed by one shared block
 * repeated: streamed without ever existing whole, its sha256 known in advance.
 */
export interface BigBody {
  size: number;
  sha256: string;
  pieces(): Generator<Buffer>;
}

export function bigBody(seed: string, block: Buffer, repeats: number): BigBody {
  const head = Buffer.from(seed.padEnd(32, '.'));
  const h = createHash('sha256').update(head);
  for (let i = 0; i < repeats; i++) h.update(block);
  return {
    size: head.length + block.length * repeats,
    sha256: h.digest('hex'),
    *pieces() {
      yield head;
      for (let i = 0; i < repeats; i++) yield block;
    },
  };
}

export interface UploadOutcome {
  /** the status the server answered with, if it answered before the connection ended */
  status?: number;
  body?: Record<string, unknown>;
  /** the client-side error, if the connection broke (a refused upload may be cut after its answer) */
  error?: string;
}

/** PUT a big body to /v1/blobs/<sha256>, honouring backpressure; never rejects. */
/** `chunked`: send no Content-Length, so the server learns the size only by reading. */
export function upload(port: number, body: BigBody, opts: { localAddress?: string; headers?: Record<string, string>; chunked?: boolean } = {}): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    const outcome: UploadOutcome = {};
    let settled = false;
    const done = (): void => {
      if (!settled) {
        settled = true;
        resolve(outcome);
      }
    };
    const req = request({
      host: '127.0.0.1', port, method: 'PUT', path: `/v1/blobs/${body.sha256}`, localAddress: opts.localAddress, agent: false,
      headers: { 'content-type': 'application/octet-stream', ...(opts.chunked === true ? {} : { 'content-length': String(body.size) }), ...opts.headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        outcome.status = res.statusCode;
        outcome.body = parse(text);
        done();
      });
      res.on('error', (err) => {
        outcome.error = err.message;
        done();
      });
    });
    req.on('error', (err) => {
      outcome.error = err.message;
      // A refused upload's answer may already be on its way; give it a moment.
      setTimeout(done, 200);
    });
    const pieces = body.pieces();
    const pump = (): void => {
      for (;;) {
        const next = pieces.next();
        if (next.done === true) {
          req.end();
          return;
        }
        if (!req.write(next.value)) {
          req.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}
