/**
 * Protocol ids, topic names and limits of the peer-to-peer network, each with
 * the reason for its value.
 *
 * Every id and topic carries the chain id (the genesis block id, hex), so nodes
 * of different chains never mix messages: they fail protocol negotiation and
 * subscribe to disjoint topics, and a peer that speaks none of our protocols is
 * dropped after identify.
 */
import { MAX_BLOCK_BYTES, MAX_TX_BYTES } from '../../ledger/constants.ts';
import { MAX_BLOB_BYTES } from '../constants.ts';
import { GopkgrError } from '../../ledger/errors.ts';

export const PROTOCOL_PREFIX = '/gopkgr';

/** Request/response protocols (one stream per request, lodestar style). */
export const protocols = (chainId: string): { status: string; headers: string; blocks: string; blob: string; mempool: string; snapshots: string; snapshot: string } => ({
  /** the peer's head: who is ahead, and by how much work */
  status: `${PROTOCOL_PREFIX}/${chainId}/status/1`,
  /** headers following a block locator on the peer's main chain (headers-first sync) */
  headers: `${PROTOCOL_PREFIX}/${chainId}/headers/1`,
  /** whole blocks by id, in batches */
  blocks: `${PROTOCOL_PREFIX}/${chainId}/blocks/1`,
  /** a tarball by sha256, in chunks */
  blob: `${PROTOCOL_PREFIX}/${chainId}/blob/1`,
  /** the peer's pending txs, so a node that connects late still learns what was gossiped before */
  mempool: `${PROTOCOL_PREFIX}/${chainId}/mempool/1`,
  /** the signed headers of the state snapshots the peer keeps (node/snapshot/) */
  snapshots: `${PROTOCOL_PREFIX}/${chainId}/snapshots/1`,
  /** a byte range of one snapshot's records file, in chunks */
  snapshot: `${PROTOCOL_PREFIX}/${chainId}/snapshot/1`,
});

/** Gossip topics. Attestations have their own topic so testers can follow only them. */
export const topics = (chainId: string): { blocks: string; txs: string; attestations: string } => ({
  blocks: `${PROTOCOL_PREFIX}/${chainId}/blocks/1`,
  txs: `${PROTOCOL_PREFIX}/${chainId}/txs/1`,
  attestations: `${PROTOCOL_PREFIX}/${chainId}/attestations/1`,
});

// ---------------------------------------------------------------- framing limits

/** A gossip message is one block or one tx; nothing bigger is decoded. */
export const MAX_GOSSIP_BYTES = MAX_BLOCK_BYTES;
/** A request is a small CBOR map (a locator of at most MAX_LOCATOR ids is the biggest). */
export const MAX_REQUEST_BYTES = 8 * 1024;
/** One response frame holds a block pack, a header list or a blob chunk; a pack of one largest block is the biggest. */
export const MAX_FRAME_BYTES = MAX_BLOCK_BYTES + 1024;
/** Blobs travel in chunks so no frame is larger than a block. */
export const BLOB_CHUNK_BYTES = 1024 * 1024;
/** Bytes a reader buffers before they are read: two frames, so a fast sender cannot balloon memory. */
export const MAX_STREAM_BUFFER = 2 * MAX_FRAME_BYTES;
/** A blob response can never be bigger than the largest blob. */
export const MAX_BLOB_RESPONSE = MAX_BLOB_BYTES;
/** A tx on gossip, checked before decoding. */
export const MAX_GOSSIP_TX_BYTES = MAX_TX_BYTES;

// ---------------------------------------------------------------- sync

/** Locator: the last 10 main blocks, then exponentially sparser back to genesis (Bitcoin's shape): ~log2(height)+10 ids. */
export const MAX_LOCATOR = 64;
/** Headers per request: ~130 bytes each, so 2,000 is ~260 KiB, one frame, and many seconds of import work. */
export const MAX_HEADERS = 2_000;
/** Blocks per request: small enough to spread a sync over several peers, big enough to amortise a round trip. */
export const BLOCKS_PER_REQUEST = 128;
/**
 * Blocks travel packed, many to a frame, up to this size (a bigger block goes
 * alone): per-frame costs (a read, a deadline, a noise message) dominated sync
 * time with one small block per frame (0.4 of the import rate; packed ≥ 0.8).
 */
export const BLOCK_PACK_BYTES = 256 * 1024;
/** A server stops adding blocks to a response after this many bytes, so one answer stays bounded. */
export const BLOCKS_RESPONSE_BYTES = 16 * 1024 * 1024;
/** Block batches in flight at once: enough to keep the importer busy while the next batches download. */
export const MAX_BATCHES_IN_FLIGHT = 6;
/** Batches in flight per peer, so one fast peer does not take all the work. */
export const MAX_BATCHES_PER_PEER = 3;

/** Pending txs sent to a peer that asks: the front of the pool, bounded like a block (BIP 35 sends all). */
export const MEMPOOL_RESPONSE_TXS = 2_000;
export const MEMPOOL_RESPONSE_BYTES = 8 * 1024 * 1024;

// ---------------------------------------------------------------- snapshots

/** Snapshot headers listed in one answer: a node keeps two; a few more leaves room, and bounds the answer. */
export const MAX_SNAPSHOTS_LISTED = 8;
/** A records chunk is one frame, no bigger than a blob chunk. */
export const SNAPSHOT_CHUNK_BYTES = 1024 * 1024;
/**
 * Bytes of records one request asks for. At most half the reader's buffer
 * (MAX_STREAM_BUFFER): the reader takes frames in as fast as they come while
 * its consumer writes to LevelDB, so a whole range may sit in its buffer, and a
 * range larger than the buffer overflowed it (measured: 9.4 MB > 8 MiB at 64 MiB
 * ranges). A round trip per 4 MiB costs little even across the world.
 */
export const SNAPSHOT_RANGE_BYTES = 4 * 1024 * 1024;
/** How long a joining node looks for a peer with a snapshot it trusts before it gives up. */
export const SNAPSHOT_JOIN_TIMEOUT_MS = 120_000;

// ---------------------------------------------------------------- timeouts

/** Dialing a peer: loopback and LAN peers answer in milliseconds; remote ones within seconds. */
export const DIAL_TIMEOUT_MS = 5_000;
/** The default of REQUEST_TIMEOUT_MS and FRAME_TIMEOUT_MS: ample for a peer across the world that is not stalling. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** The floor an operator (or a test of slow blocks) may lower the timeout to: loopback answers take a few ms. */
export const MIN_REQUEST_TIMEOUT_MS = 15;

/**
 * The request timeout this process runs with: GOPKGR_REQUEST_TIMEOUT_MS when
 * set (an operator on a slow or congested link raises it; a network of fast
 * local nodes may lower it to notice dead peers sooner), else the default.
 */
export function requestTimeoutFrom(env: NodeJS.ProcessEnv): number {
  const text = env.GOPKGR_REQUEST_TIMEOUT_MS;
  if (text === undefined || text === '') return DEFAULT_REQUEST_TIMEOUT_MS;
  const ms = Number(text);
  if (!Number.isSafeInteger(ms) || ms < MIN_REQUEST_TIMEOUT_MS) {
    throw new GopkgrError('NET_BAD_OPTIONS', `GOPKGR_REQUEST_TIMEOUT_MS is "${text}", not a whole number of milliseconds ≥ ${MIN_REQUEST_TIMEOUT_MS}`, {
      hint: `unset it for the default (${DEFAULT_REQUEST_TIMEOUT_MS}), or give milliseconds, e.g. 20000`,
    });
  }
  return ms;
}

/**
 * A small request (status, headers) answered within this, or the peer is
 * stalling. Counted in awake time (awakeDeadline.ts), so our own busy thread
 * never eats into it.
 */
export const REQUEST_TIMEOUT_MS = requestTimeoutFrom(process.env);
/** Between two frames of a response: a peer that stops sending mid-response is cut off after this. */
export const FRAME_TIMEOUT_MS = REQUEST_TIMEOUT_MS;
/**
 * How long a responder waits on its requester: for the request after the
 * stream opened, and for each write to be read (flow control). A requester
 * importing the blocks of its previous batch reads and writes only between
 * blocks, and a block can take seconds to apply; a requester that has gone
 * away is noticed sooner, by its connection closing. Bounded all the same, so
 * a peer that never sends or never reads holds a stream for at most this long
 * (and libp2p caps the streams of each connection).
 */
export const REQUESTER_PATIENCE_MS = 60_000;
/** Fetching a tarball for a gossiped publish: bounded so validation never hangs. */
export const BLOB_FETCH_TIMEOUT_MS = 20_000;

// ---------------------------------------------------------------- peers

/** Connection cap: enough for a mesh at its high mark (12) plus slack for syncing and inbound peers. */
export const DEFAULT_MAX_CONNECTIONS = 48;
/** New inbound connections accepted per second from one IP: a restart burst of a small cluster, not a flood. */
export const INBOUND_CONNECTIONS_PER_SECOND = 50;
/**
 * Inbound connections still in their handshake, at most (libp2p's default is
 * 10): each is a socket that has not proven anything yet, and at the cap every
 * new inbound connection is refused, so ten idle sockets would lock out every
 * honest peer. Bounded in time too: INBOUND_UPGRADE_TIMEOUT_MS.
 */
export const MAX_PENDING_INBOUND = 64;
/**
 * Of those, at most this many from one address (one IPv4 address, one IPv6
 * /64, which one subscriber gets whole): an address that reopens sockets under
 * the per-IP rate limit could otherwise hold all MAX_PENDING_INBOUND slots
 * and lock every honest peer out. Eight is more than one honest host ever has
 * in its handshake with us at once (a NAT of a few nodes restarting together).
 */
export const MAX_PENDING_INBOUND_PER_IP = 8;
/**
 * A loopback address is every local node's at once (a cluster on one host, the
 * tests): they start together and dial each other in a burst, so it gets more,
 * yet no more than half of all slots, so one local address still cannot hold them all.
 */
export const MAX_PENDING_INBOUND_PER_LOOPBACK_IP = MAX_PENDING_INBOUND / 2;
/** A handshake (multistream, noise, yamux) takes milliseconds on a LAN and well under a second across the world; libp2p waits 10 s. */
export const INBOUND_UPGRADE_TIMEOUT_MS = 5_000;
/** Below this many connections, the node dials known peers from its peer book. */
export const MIN_CONNECTIONS = 8;
/** How often the peer manager redials and asks peers for their status. */
export const MAINTENANCE_INTERVAL_MS = 2_000;
/** Redial backoff per address: doubles from the first value up to the cap. */
export const REDIAL_BACKOFF_MS = 1_000;
export const REDIAL_BACKOFF_MAX_MS = 60_000;
/** Peers remembered in peers.json; the oldest unseen ones are dropped first. */
export const MAX_PEER_BOOK = 256;
/** A banned peer may not reconnect for this long (gossipsub also keeps its bad score for an hour). */
export const BAN_MS = 10 * 60 * 1000;
/** A peer whose gossipsub score falls below this is disconnected and banned (three invalid blocks; see gossipScore.ts). */
export const DISCONNECT_SCORE = -100;
/**
 * A gossiped block more than this beyond the chain's 2-hour future limit is
 * rejected (its sender is penalised): no honest clock is that far off. Between
 * the limit and this, the block is only ignored, since our clock may be the one
 * that is off.
 */
export const FAR_FUTURE_SLACK_MS = 10 * 60 * 1000;
/**
 * An orphan whose target is this many times easier than our next block's is
 * cheap: ignored, not chased, and its sender pays PENALTY.cheapOrphan. Honest
 * difficulty moves at most 4x per retarget, so an honest orphan is this cheap
 * only after a long gap (a partition healing, a crash of hash power): a few of
 * those cost an honest peer little, a flood gets an attacker banned.
 */
export const CHEAP_ORPHAN_FACTOR = 16n;
/** Orphans from one peer start at most one sync from it per this interval (orphan floods). */
export const ORPHAN_SYNC_INTERVAL_MS = 1_000;

// ---------------------------------------------------------------- gossipsub mesh

/**
 * Mesh degree: gossipsub's default of 6. Every mesh peer costs a duplicate of
 * every block (16 nodes at D=8 sent ~130 copies of each, all of them
 * encrypted, framed and parsed); 6 still reaches 16 nodes in ~2 hops and
 * leaves 4..12 peers per topic for eclipse resistance.
 */
export const MESH_D = 6;
export const MESH_D_LOW = 4;
export const MESH_D_HIGH = 12;
/** Heartbeat: 700 ms keeps meshes repaired quickly after reconnects (Ethereum uses 700 ms too). */
export const HEARTBEAT_MS = 700;
