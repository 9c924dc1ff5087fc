/**
 * Request bodies: capped before they are read (413), and a client that hangs up
 * mid-body is its own doing, not the node's (coded HTTP_CLIENT_ABORTED, never
 * logged as an internal error).
 */
import type { IncomingMessage } from 'node:http';
import { GopkgrError } from '../errors.ts';

export function tooLarge(limit: number, declared?: number): GopkgrError {
  return new GopkgrError('HTTP_BODY_TOO_LARGE', declared === undefined ? `request body is more than ${limit} bytes` : `request body is ${declared} bytes, more than ${limit}`, { status: 413 });
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
    for await (const chunk of req) {
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
