/** Codes of the node's HTTP API: access checks, bodies, routes. */
import type { ErrorCodeInfo } from './types.ts';

export const API_CODES = {
  BAD_REQUEST: { status: 400, blame: 'sender', summary: 'a request without the fields or form it needs' },
  BAD_JSON: { status: 400, blame: 'sender', summary: 'a request body that is not valid JSON' },
  NOT_FOUND: { status: 404, blame: 'sender', summary: 'no such route, block, tx, package, namespace, manifest or blob' },
  BAD_QUERY: { status: 400, blame: 'sender', summary: 'a search query or its limit is malformed' },
  UNAUTHORIZED: { status: 401, blame: 'sender', summary: 'a write without the node\'s API token' },
  HTTP_HOST_REFUSED: { status: 403, blame: 'sender', summary: 'a Host header that is not this node\'s API address' },
  HTTP_ORIGIN_REFUSED: { status: 403, blame: 'sender', summary: 'a request from another origin' },
  HTTP_UNSUPPORTED_MEDIA_TYPE: { status: 415, blame: 'sender', summary: 'a write with a Content-Type a web page can send cross-site' },
  HTTP_BODY_TOO_LARGE: { status: 413, blame: 'sender', summary: 'a request body over the route\'s limit' },
  HTTP_CLIENT_ABORTED: { status: 400, blame: 'none', summary: 'the client closed the connection before the body ended' },
  PEER_ADDR_REFUSED: { status: 400, blame: 'sender', summary: 'a multiaddr the API will not dial' },
  NODE_STARTING: { status: 503, blame: 'none', summary: 'a network route asked for while the node\'s network layer is still starting' },
  API_LISTEN_FAILED: { status: 500, blame: 'none', summary: 'the API cannot listen on its address' },
  API_TOKEN_REQUIRED: { status: 400, blame: 'sender', summary: 'an API reachable from other machines needs a token file' },
  API_TOKEN_UNREADABLE: { status: 400, blame: 'none', summary: 'the API token file cannot be read' },
  API_TOKEN_WEAK: { status: 400, blame: 'sender', summary: 'the API token is shorter than 16 characters or holds spaces' },
} as const satisfies Record<string, ErrorCodeInfo>;
