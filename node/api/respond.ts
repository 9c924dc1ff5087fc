/** Answers: JSON with its length, raw bytes as application/octet-stream; and the one 404. */
import type { ServerResponse } from 'node:http';
import { GopkgrError } from '../../ledger/errors.ts';
import type { Json } from '../views.ts';

export function send(res: ServerResponse, status: number, body: Json | Uint8Array): void {
  if (body instanceof Uint8Array) {
    res.writeHead(status, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function notFound(what: string): GopkgrError {
  return new GopkgrError('NOT_FOUND', `${what} not found`);
}
