/**
 * Who may talk to the API, and with what. A web page in a browser can reach a
 * node on 127.0.0.1 (a "simple" cross-site POST needs no preflight, and DNS
 * rebinding makes an attacker's name resolve to 127.0.0.1), so:
 * - the Host header must name the address the API is bound to (rebinding sends
 *   the attacker's name),
 * - a request carrying an Origin other than the node's own is refused (a page's
 *   fetch always carries its origin),
 * - writes must be CBOR or JSON (or raw bytes), types a page cannot send
 *   cross-site without a CORS preflight, which this API never grants,
 * - with a token configured, every write needs `Authorization: Bearer <token>`;
 *   on a private chain's node every request does, reads included (pnet closes
 *   the peer-to-peer network, not HTTP).
 */
import type { IncomingMessage } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import { GopkgrError } from '../../ledger/errors.ts';

export interface ApiAccess {
  /** the host the API was told to bind (e.g. 127.0.0.1, ::1, 0.0.0.0, node.example.org) */
  host: string;
  /** when set, every write must carry it as a bearer token */
  token?: string;
  /** every request, reads included, must carry the token (a private chain's node) */
  tokenForReads?: boolean;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1'];

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

function isWildcard(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === '0.0.0.0' || h === '::' || h === '';
}

/** Host names (lowercase, IPv6 unbracketed) under which this API may be addressed. */
export function hostNamesFor(bindHost: string): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  const host = bindHost.toLowerCase().replace(/^\[|\]$/g, '');
  if (isWildcard(host)) {
    // Bound everywhere: any of this machine's own addresses, or its name, is legitimate.
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase().replace(/%.*$/, ''));
    names.add(hostname().toLowerCase());
  } else {
    names.add(host);
  }
  return names;
}

/** "name:port" of an authority (Host header value, or URL host), with IPv6 unbracketed; undefined when malformed. */
function splitAuthority(text: string): { name: string; port: number | undefined } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(text.trim());
  if (!m) return undefined;
  return { name: m[1]!.toLowerCase().replace(/^\[|\]$/g, ''), port: m[2] === undefined ? undefined : Number(m[2]) };
}

export function checkHost(req: IncomingMessage, port: number, names: Set<string>): void {
  const header = req.headers.host;
  const authority = header === undefined ? undefined : splitAuthority(header);
  const ok = authority !== undefined && names.has(authority.name) && (authority.port ?? 80) === port;
  if (!ok) {
    throw new GopkgrError('HTTP_HOST_REFUSED', `Host "${String(header ?? '').slice(0, 100)}" is not this node's API address`, {
      hint: `address the node as 127.0.0.1:${port}, localhost:${port} or the host it was started with`,
    });
  }
}

export function checkOrigin(req: IncomingMessage, port: number, names: Set<string>): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let ok = false;
  try {
    const url = new URL(origin);
    const authority = splitAuthority(url.host);
    ok = url.protocol === 'http:' && authority !== undefined && names.has(authority.name) && (authority.port ?? 80) === port;
  } catch {
    ok = false; // "null" and other opaque origins
  }
  if (!ok) throw new GopkgrError('HTTP_ORIGIN_REFUSED', `requests from origin "${origin.slice(0, 100)}" are not accepted`);
}

/** The media type of a request, lowercase, without parameters. */
export function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** `allowed` lists media types; '' in it admits a request without Content-Type. */
export function checkContentType(req: IncomingMessage, allowed: readonly string[]): void {
  const type = mediaType(req);
  if (!allowed.includes(type)) {
    const named = allowed.filter((t) => t !== '').join(' or ');
    throw new GopkgrError('HTTP_UNSUPPORTED_MEDIA_TYPE', `${req.method} ${(req.url ?? '').slice(0, 100)} needs Content-Type ${named}, got ${type === '' ? 'none' : `"${type.slice(0, 60)}"`}`);
  }
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

export function checkToken(req: IncomingMessage, token: string): void {
  const header = String(req.headers.authorization ?? '');
  const given = /^Bearer (\S+)$/i.exec(header)?.[1] ?? '';
  // Equal-length digests make the comparison's time independent of where the strings differ.
  if (!timingSafeEqual(digest(given), digest(token))) {
    throw new GopkgrError('UNAUTHORIZED', given === '' ? 'this node needs an API token' : 'the API token does not match this node\'s', { hint: 'pass --token-file FILE (or GOPKGR_TOKEN)' });
  }
}

/** A private chain's node: every request carries the token, whatever its method. */
export function checkRead(req: IncomingMessage, access: ApiAccess): void {
  if (access.tokenForReads === true && access.token !== undefined) checkToken(req, access.token);
}

/**
 * Writes carry CBOR or JSON (application/octet-stream is taken as raw bytes too):
 * none of these is a type a web page may send cross-site without a preflight,
 * which this API never grants. text/plain, forms and a missing type are refused.
 */
const WRITE_TYPES = ['application/cbor', 'application/json', 'application/octet-stream'];
/** A PUT always needs a preflight, so a tarball may also come without a type. */
const BLOB_TYPES = ['application/octet-stream', 'application/cbor', ''];

/**
 * Every write (a POST or a PUT, whether a route answers it or not) needs the
 * token when one is set, and a type a page cannot send cross-site. POST
 * /v1/resolve and POST /v1/blobs are queries with a JSON body that change
 * nothing: neither is asked of them (checkRead still is).
 */
export function checkWrite(req: IncomingMessage, method: string, path: string, access: ApiAccess): void {
  if (method !== 'POST' && method !== 'PUT') return;
  if (method === 'POST' && (path === '/v1/resolve' || path === '/v1/blobs')) return;
  if (access.token !== undefined) checkToken(req, access.token);
  checkContentType(req, method === 'PUT' && path.startsWith('/v1/blobs/') ? BLOB_TYPES : WRITE_TYPES);
}
