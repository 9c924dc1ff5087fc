/** Codes of the p2p network: gossip verdicts, request/response streams, sync. */
import type { ErrorCodeInfo } from './types.ts';

export const NETWORK_CODES = {
  // A private chain's closed network (pnet).
  SWARM_KEY_REQUIRED: { status: 400, blame: 'none', summary: 'a private chain\'s node started without its swarm key' },
  SWARM_KEY_INVALID: { status: 400, blame: 'none', summary: 'the swarm key file is not in libp2p\'s pre-shared key format' },
  // A private node's public follower (node/network/publicFollower.ts).
  PARENT_CHAIN_MISMATCH: { status: 400, blame: 'none', summary: 'the public chain a private node would follow is not the one its genesis names' },
  PARENT_CHAIN_UNKNOWN: { status: 400, blame: 'none', summary: 'a private node asked to follow a public chain its genesis names none of' },
  SWARM_KEY_UNREADABLE: { status: 400, blame: 'none', summary: 'the swarm key file cannot be read' },
  // Gossip verdicts.
  NET_TOO_LARGE: { status: 400, blame: 'sender', summary: 'a gossip message larger than its topic allows' },
  NET_WRONG_TOPIC: { status: 400, blame: 'sender', summary: 'a message on a topic that does not carry its kind' },
  NET_UNKNOWN_TOPIC: { status: 400, blame: 'sender', summary: 'a message on a topic this node does not serve' },
  NET_DUPLICATE: { status: 400, blame: 'none', summary: 'a message already known here' },
  NET_BLOB_UNAVAILABLE: { status: 400, blame: 'none', summary: 'the tarball of a gossiped publish could not be fetched' },
  NET_BUSY: { status: 400, blame: 'none', summary: 'too many messages are waiting for validation' },
  NET_INTERNAL: { status: 500, blame: 'none', summary: 'validation failed inside this node' },
  // Requests and responses.
  NET_BAD_MESSAGE: { status: 400, blame: 'sender', summary: 'a message that does not decode as its protocol\'s' },
  NET_BAD_REQUEST: { status: 400, blame: 'sender', summary: 'an unreadable request' },
  NET_BAD_RESPONSE: { status: 400, blame: 'sender', summary: 'an unreadable or unexpected response' },
  NET_FRAME_TOO_LARGE: { status: 400, blame: 'sender', summary: 'a frame larger than the stream allows' },
  NET_PEER_ERROR: { status: 400, blame: 'none', summary: 'the peer answered with an error' },
  NET_NOT_FOUND: { status: 400, blame: 'none', summary: 'the peer does not have what was asked' },
  NET_TIMEOUT: { status: 400, blame: 'none', summary: 'the peer did not answer in time' },
  NET_STREAM_ERROR: { status: 400, blame: 'none', summary: 'the stream failed' },
  NET_DIAL_FAILED: { status: 502, blame: 'none', summary: 'a peer cannot be dialled' },
  // The host.
  NET_BAD_MULTIADDR: { status: 400, blame: 'sender', summary: 'not a multiaddr' },
  NET_BAD_PEER_KEY: { status: 500, blame: 'none', summary: 'the peer key file does not hold a libp2p private key' },
  NET_LISTEN_FAILED: { status: 500, blame: 'none', summary: 'the p2p host cannot listen' },
  NET_BAD_OPTIONS: { status: 400, blame: 'sender', summary: 'a network setting out of range' },
  NET_GOSSIPSUB_API: { status: 500, blame: 'none', summary: 'the installed gossipsub lacks an API this node needs' },
  // Sync.
  SYNC_BAD_HEADERS: { status: 400, blame: 'sender', summary: 'headers that do not link to each other or to a known block' },
  SYNC_BAD_BLOCK: { status: 400, blame: 'sender', summary: 'a peer sent a block other than the one asked for' },
  SYNC_SOURCE_INCOMPLETE: { status: 400, blame: 'sender', summary: 'a peer cannot serve the blocks of its own headers' },
  SYNC_NO_PEERS: { status: 400, blame: 'none', summary: 'no connected peer can serve the blocks needed' },
  SYNC_INTERNAL: { status: 500, blame: 'none', summary: 'sync failed inside this node' },
} as const satisfies Record<string, ErrorCodeInfo>;
