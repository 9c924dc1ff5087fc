/**
 * Request/response framing shared by the status, headers, blocks and blob
 * protocols. One stream per request:
 *
 *   requester → one length-prefixed frame: the request, canonical CBOR; then it
 *               closes its write side
 *   responder → length-prefixed frames, each [kind byte][payload]:
 *               0x00 item (payload is protocol-specific bytes)
 *               0x01 end of response (no payload)
 *               0x02 error (payload: UTF-8 "CODE: message"), then the stream ends
 *
 * Every read has a deadline (FRAME_TIMEOUT_MS between frames), every frame a
 * size cap, and the reader buffers at most MAX_STREAM_BUFFER bytes, so a peer
 * that stalls, floods or sends oversized frames costs a bounded amount of time
 * and memory and ends in a coded error, never a crash. Deadlines count awake
 * time (awakeDeadline.ts): while a block import holds our thread, the peer's
 * answer waits unread in the socket, and that wait is ours, not the peer's.
 */
import { lpStream } from '@libp2p/utils';
import type { Libp2p, PeerId, Stream, StreamHandler } from '@libp2p/interface';
import { GopkgrError, asGopkgrError } from '../../ledger/errors.ts';
import { decode, encode, type Canonical } from '../../ledger/encoding.ts';
import { DIAL_TIMEOUT_MS, FRAME_TIMEOUT_MS, MAX_FRAME_BYTES, MAX_REQUEST_BYTES, MAX_STREAM_BUFFER, REQUEST_TIMEOUT_MS, REQUESTER_PATIENCE_MS } from './constants.ts';
import { awakeDeadline, awakeSignal, type Deadline } from './awakeDeadline.ts';

const ITEM = 0x00;
const END = 0x01;
const ERROR = 0x02;

/** Produces the items of a response; throwing a GopkgrError sends an error frame. */
export type Responder = (request: Canonical, peerId: string) => AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

function frame(kind: number, payload?: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + (payload?.length ?? 0));
  out[0] = kind;
  if (payload !== undefined) out.set(payload, 1);
  return out;
}

/** Framing errors: the peer sent bytes that break the protocol (a length over the cap, a bad varint, a flood). */
const FRAMING_ERRORS: ReadonlySet<string> = new Set(['InvalidDataLengthError', 'InvalidDataLengthLengthError', 'InvalidMessageLengthError', 'StreamBufferError', 'InvalidParametersError']);

/**
 * Why a request could not be read. Only framing that breaks the protocol is the
 * peer's fault (NET_BAD_REQUEST, penalised); a stream that ends, resets or
 * stays silent is what a peer that restarts or loses its link does
 * (NET_STREAM_ERROR, not penalised).
 */
function requestReadError(err: unknown): GopkgrError {
  const name = (err as Error | undefined)?.name ?? '';
  const message = (err as Error | undefined)?.message ?? String(err);
  if (FRAMING_ERRORS.has(name)) return new GopkgrError('NET_BAD_REQUEST', `unreadable request: ${message}`);
  return new GopkgrError('NET_STREAM_ERROR', `no request read: ${name} ${message}`.trim());
}

/** Run `op` under an awake-time deadline of `ms`, cleared however it ends. */
async function within<T>(ms: number, op: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const d: Deadline = awakeSignal(ms, signal);
  try {
    return await op(d.signal);
  } finally {
    d.clear();
  }
}

/** Turn a responder into a libp2p stream handler that never throws. */
export function serve(responder: Responder, onError?: (peerId: string, err: GopkgrError) => void): StreamHandler {
  return async (stream: Stream, connection): Promise<void> => {
    const peerId = connection.remotePeer.toString();
    const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES, maxBufferSize: MAX_REQUEST_BYTES * 2 });
    try {
      let request: Canonical;
      let raw: Uint8Array;
      try {
        // A requester that is busy importing sends its request a stall after opening the stream.
        raw = (await within(REQUESTER_PATIENCE_MS, (signal) => lp.read({ signal }))).subarray();
      } catch (err) {
        throw requestReadError(err);
      }
      try {
        request = decode(raw);
      } catch (err) {
        throw new GopkgrError('NET_BAD_REQUEST', `unreadable request: ${(err as Error).message}`);
      }
      // Writes wait on the requester reading (flow control): one that is busy importing the
      // previous batch reads late, so the writer is patient (REQUESTER_PATIENCE_MS).
      for await (const item of responder(request, peerId)) {
        await within(REQUESTER_PATIENCE_MS, (signal) => lp.write(frame(ITEM, item), { signal }));
      }
      await within(REQUESTER_PATIENCE_MS, (signal) => lp.write(frame(END), { signal }));
      await within(REQUESTER_PATIENCE_MS, (signal) => stream.close({ signal }));
    } catch (err) {
      const e = asGopkgrError(err, 'NET_STREAM_ERROR');
      onError?.(peerId, e);
      try {
        await within(1_000, (signal) => lp.write(frame(ERROR, new TextEncoder().encode(`${e.code}: ${e.message}`.slice(0, 512))), { signal }));
        await within(1_000, (signal) => stream.close({ signal }));
      } catch {
        stream.abort(e);
      }
    }
  };
}

export interface RequestOptions {
  /** largest item frame accepted (default MAX_FRAME_BYTES) */
  maxFrame?: number;
  /** deadline between frames (default FRAME_TIMEOUT_MS) */
  frameTimeoutMs?: number;
  /** aborts the whole request */
  signal?: AbortSignal;
}

function peerError(payload: Uint8Array): GopkgrError {
  const text = new TextDecoder().decode(payload.subarray(0, 512));
  const m = /^([A-Z][A-Z0-9_]{1,63}): ([\s\S]*)$/.exec(text);
  return new GopkgrError('NET_PEER_ERROR', m ? `peer answered ${m[1]}: ${m[2]}` : `peer answered an error: ${text}`);
}

function streamError(err: unknown, what: string): GopkgrError {
  if (err instanceof GopkgrError) return err;
  const name = (err as Error | undefined)?.name ?? '';
  const message = (err as Error | undefined)?.message ?? String(err);
  if (name === 'TimeoutError' || name === 'AbortError') return new GopkgrError('NET_TIMEOUT', `${what}: the peer did not answer in time`);
  if (/Length|length/.test(name) || /too long/.test(message)) return new GopkgrError('NET_FRAME_TOO_LARGE', `${what}: ${message}`);
  return new GopkgrError('NET_STREAM_ERROR', `${what}: ${name} ${message}`.trim());
}

/**
 * Send one request and yield the response's items as they arrive. Throws
 * NET_DIAL_FAILED, NET_TIMEOUT, NET_FRAME_TOO_LARGE, NET_BAD_RESPONSE,
 * NET_PEER_ERROR or NET_STREAM_ERROR; the stream is always closed or aborted.
 */
export async function* request(host: Libp2p, peer: PeerId, protocol: string, body: Canonical, opts: RequestOptions = {}): AsyncGenerator<Uint8Array> {
  const what = `${protocol.split('/').slice(-2).join('/')} from ${peer.toString().slice(-8)}`;
  let stream: Stream;
  const dialDeadline = awakeDeadline(DIAL_TIMEOUT_MS);
  try {
    const dialSignal = opts.signal === undefined ? dialDeadline.signal : AbortSignal.any([opts.signal, dialDeadline.signal]);
    stream = await host.dialProtocol(peer, protocol, { signal: dialSignal });
  } catch (err) {
    // Opening a stream on a live connection needs the peer's thread (protocol negotiation): one
    // that is busy is slow, not unreachable.
    if ((dialDeadline.signal.aborted || opts.signal?.aborted === true) && host.getConnections(peer).length > 0) throw new GopkgrError('NET_TIMEOUT', `${what}: the peer did not open a stream in time`);
    throw new GopkgrError('NET_DIAL_FAILED', `${what}: cannot open a stream: ${(err as Error).message}`);
  } finally {
    dialDeadline.clear();
  }
  const maxFrame = opts.maxFrame ?? MAX_FRAME_BYTES;
  const lp = lpStream(stream, { maxDataLength: maxFrame, maxBufferSize: Math.max(MAX_STREAM_BUFFER, maxFrame * 2) });
  let done = false;
  try {
    await within(REQUEST_TIMEOUT_MS, (signal) => lp.write(encode(body), { signal }), opts.signal);
    await within(REQUEST_TIMEOUT_MS, (signal) => stream.close({ signal }), opts.signal);
    for (;;) {
      const data = (await within(opts.frameTimeoutMs ?? FRAME_TIMEOUT_MS, (signal) => lp.read({ signal }), opts.signal)).subarray();
      if (data.length === 0) throw new GopkgrError('NET_BAD_RESPONSE', `${what}: empty frame`);
      const kind = data[0];
      if (kind === END) {
        done = true;
        return;
      }
      if (kind === ERROR) throw peerError(data.subarray(1));
      if (kind !== ITEM) throw new GopkgrError('NET_BAD_RESPONSE', `${what}: unknown frame kind ${kind}`);
      yield data.subarray(1);
    }
  } catch (err) {
    throw streamError(err, what);
  } finally {
    // A consumer that stops early (or an error) aborts the stream; a complete response is already closed.
    if (!done) stream.abort(new Error('request ended early'));
  }
}

/** A request whose response is exactly one item. */
export async function requestOne(host: Libp2p, peer: PeerId, protocol: string, body: Canonical, opts: RequestOptions = {}): Promise<Uint8Array> {
  let first: Uint8Array | undefined;
  for await (const item of request(host, peer, protocol, body, { frameTimeoutMs: REQUEST_TIMEOUT_MS, ...opts })) {
    if (first !== undefined) throw new GopkgrError('NET_BAD_RESPONSE', `${protocol}: more than one item in the response`);
    first = item;
  }
  if (first === undefined) throw new GopkgrError('NET_BAD_RESPONSE', `${protocol}: empty response`);
  return first;
}
