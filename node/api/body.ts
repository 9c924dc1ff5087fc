/**
 * Request bodies: capped before they are read (413), and a client that hangs up
 * mid-body is its own doing, not the node's (coded HTTP_CLIENT_ABORTED, never
 * logged as an internal error). Parsed only after they are read whole.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GopkgrError } from '../../ledger/errors.ts';
import { fromHex } from '../../ledger/encoding.ts';
import { MAX_BLOB_BYTES } from '../constants.ts';
import { mediaType } from './guard.ts';

export function tooLarge(limit: number, declared?: number): GopkgrError {
  return new GopkgrError('HTTP_BODY_TOO_LARGE', declared === undefined ? `request body is more than ${limit} bytes` : `request body is ${declared} bytes, more than ${limit}`);
}

export function clientAborted(): GopkgrError {
  return new GopkgrError('HTTP_CLIENT_ABORTED', 'the client closed the connection before the body ended');
}

/** Refuse a declared Content-Length over `limit` before reading a byte. */
export function checkDeclaredLength(req: IncomingMessage, limit: number): void {
  const header = req.headers['content-length'];
  if (header === undefined) return;
  const declared = Number(header);
  if (!Number.isSafeInteger(declared) || declared < 0) throw new GopkgrError('BAD_REQUEST', 'Content-Length is not a byte count');
  if (declared > limit) throw tooLarge(limit, declared);
}

/**
 * The body's chunks, at most `limit` bytes in all. Iteration pauses the socket
 * between chunks, so a slow consumer never makes the node buffer the body.
 */
export async function* bodyChunks(req: IncomingMessage, limit: number): AsyncGenerator<Buffer> {
  checkDeclaredLength(req, limit);
  let size = 0;
  try {
    // An early stop must not destroy the request: the refusal still has to be answered on it.
    for await (const chunk of req.iterator({ destroyOnReturn: false })) {
      size += (chunk as Buffer).length;
      if (size > limit) throw tooLarge(limit);
      yield chunk as Buffer;
    }
  } catch (err) {
    if (err instanceof GopkgrError) throw err;
    // 'aborted' / ECONNRESET from the socket: the client went away.
    throw clientAborted();
  }
  if (!req.complete) throw clientAborted();
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of bodyChunks(req, limit)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * Bytes of a refused request's body read and thrown away before the connection
 * is cut. Closing at once would make the client's next write reset the
 * connection, and a reset can destroy the answer before the client reads it;
 * so a body up to the largest legitimate size is drained, and only more is cut.
 */
const DRAIN_LIMIT = MAX_BLOB_BYTES + 1024 * 1024;

/**
 * Answer a request (typically a refusal) only once its unread body is read and
 * thrown away: the client is still writing it, and closing the connection under
 * a writing client resets it, which can destroy the answer before the client
 * reads it. A body longer than DRAIN_LIMIT is not waited for: answered and cut.
 */
export function answerAfterBody(req: IncomingMessage, res: ServerResponse, answer: () => void): void {
  if (req.readableEnded) {
    answer();
    return;
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  const cut = (): void => {
    res.setHeader('connection', 'close');
    answer();
    res.once('finish', () => req.socket.destroy());
  };
  if (declared > DRAIN_LIMIT) {
    cut();
    return;
  }
  let drained = 0;
  let answered = false;
  const once = (fn: () => void): void => {
    if (!answered) {
      answered = true;
      fn();
    }
  };
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT) once(cut);
  });
  req.on('end', () => once(answer));
  req.on('error', () => undefined);
  req.on('close', () => once(() => res.destroy()));
  req.resume();
}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new GopkgrError('BAD_JSON', 'request body is not valid JSON');
  }
}

/** A body that is raw bytes (application/cbor) or JSON {"<field>": hex}. */
export function bytesFrom(req: IncomingMessage, body: Buffer, field: string): Uint8Array {
  if (mediaType(req) === 'application/json') {
    const hex = (parseJson(body) as Record<string, unknown> | null)?.[field];
    if (typeof hex !== 'string') throw new GopkgrError('BAD_REQUEST', `request body needs "${field}": hex`);
    return fromHex(hex, field);
  }
  return new Uint8Array(body.buffer, body.byteOffset, body.length);
}
