/**
 * The libp2p host: TCP, noise, yamux, identify, ping and gossipsub, with a
 * connection cap and a gater that keeps banned peers out and caps the
 * handshakes in progress per address (pendingInbound.ts). The network's own
 * protocols are registered on it by the services (network.ts).
 */
import { createHash } from 'node:crypto';
import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify, type Identify } from '@libp2p/identify';
import { ping, type Ping } from '@libp2p/ping';
import { gossipsub, type GossipSub, type Message } from '@libp2p/gossipsub';
import { preSharedKey } from '@libp2p/pnet';
import type { PrivateKey } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import {
  DIAL_TIMEOUT_MS, HEARTBEAT_MS, INBOUND_CONNECTIONS_PER_SECOND, INBOUND_UPGRADE_TIMEOUT_MS, MAX_GOSSIP_BYTES, MAX_PENDING_INBOUND,
  MAX_PENDING_INBOUND_PER_IP, MAX_PENDING_INBOUND_PER_LOOPBACK_IP, MESH_D, MESH_D_HIGH, MESH_D_LOW,
} from './constants.ts';
import { PendingInbound, type PendingConnection } from './pendingInbound.ts';
import { scoreParams, scoreThresholds } from './gossipScore.ts';

// A type alias, not an interface: libp2p's ServiceMap wants an index signature.
export type HostServices = {
  identify: Identify;
  ping: Ping;
  pubsub: GossipSub;
};

export type Host = Libp2p<HostServices>;

export interface HostOptions {
  privateKey: PrivateKey;
  listen: string[];
  maxConnections: number;
  topics: { blocks: string; txs: string; attestations: string };
  /** peers refused at every stage of a connection */
  isBanned: (peerId: string) => boolean;
  /** banned addresses: not dialed, and (routable ones) refused before the handshake */
  isDialBanned?: (addr: Multiaddr) => boolean;
  isInboundBanned?: (addr: Multiaddr) => boolean;
  /** the application-specific part of a peer's gossipsub score */
  appScore: (peerId: string) => number;
  /** a private chain's swarm key file bytes: every connection is protected with it (pnet) */
  swarmKey?: Uint8Array;
}

/** Message ids are the sha256 of the data: the same block from two peers is one message. */
function msgId(msg: Message): Uint8Array {
  return new Uint8Array(createHash('sha256').update(msg.data).digest());
}

export async function createHost(opts: HostOptions): Promise<Host> {
  const denyPeer = (peerId: { toString(): string }): boolean => opts.isBanned(peerId.toString());
  const pending = new PendingInbound({
    perAddress: MAX_PENDING_INBOUND_PER_IP,
    perLoopbackAddress: MAX_PENDING_INBOUND_PER_LOOPBACK_IP,
    releaseAfterMs: INBOUND_UPGRADE_TIMEOUT_MS + 5_000,
  });
  return createLibp2p({
    privateKey: opts.privateKey,
    addresses: { listen: opts.listen },
    transports: [tcp()],
    // A private chain: the pre-shared key wraps each connection before noise, so a peer
    // without it fails the handshake and learns nothing of the chain (DESIGN.md "Private chains").
    ...(opts.swarmKey !== undefined ? { connectionProtector: preSharedKey({ psk: opts.swarmKey }) } : {}),
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      maxConnections: opts.maxConnections,
      dialTimeout: DIAL_TIMEOUT_MS,
      // libp2p's default (5 a second per source IP) resets a burst of peers behind one address
      // (a NAT, or many nodes on one host at start-up); the cap and the gater still apply.
      inboundConnectionThreshold: INBOUND_CONNECTIONS_PER_SECOND,
      // Half-open sockets hold a pending slot until the upgrade times out: more slots, less time (constants.ts).
      maxIncomingPendingConnections: MAX_PENDING_INBOUND,
      inboundUpgradeTimeout: INBOUND_UPGRADE_TIMEOUT_MS,
    },
    // libp2p's monitor pings every connection in the same tick every 10 s: a burst of
    // streams that stalls gossip behind it. Liveness comes from the peer manager instead,
    // which asks only silent peers for their status, each at its own jittered time, and
    // hangs up on those that do not answer (network.ts refreshPeer).
    connectionMonitor: { enabled: false },
    connectionGater: {
      denyDialMultiaddr: (addr: Multiaddr) => opts.isDialBanned?.(addr) ?? false,
      // libp2p has already counted the connection as pending when it asks; a refusal here frees that slot at once.
      denyInboundConnection: (conn: PendingConnection) => (opts.isInboundBanned?.(conn.remoteAddr) ?? false) || !pending.admit(conn),
      denyDialPeer: denyPeer,
      denyInboundEncryptedConnection: denyPeer,
      denyOutboundEncryptedConnection: denyPeer,
      // The last step of an inbound handshake: the connection is no longer pending.
      denyInboundUpgradedConnection: (_peer: unknown, conn: object) => {
        pending.upgraded(conn);
        return false;
      },
    },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        D: MESH_D,
        Dlo: MESH_D_LOW,
        Dhi: MESH_D_HIGH,
        heartbeatInterval: HEARTBEAT_MS,
        // Messages carry no author signature: blocks and txs are authenticated by work and their own signatures.
        globalSignaturePolicy: 'StrictNoSign',
        msgIdFn: msgId,
        // We decide forwarding after our own validation (lodestar style): reportMessageValidationResult.
        asyncValidation: true,
        // A lone node still mines and publishes; peers that join later sync.
        allowPublishToZeroTopicPeers: true,
        ignoreDuplicatePublishError: true,
        // Our own blocks go to every connected peer at once, not only the mesh: the first hop matters most.
        floodPublish: true,
        // An RPC holds one block at most, plus framing.
        maxInboundDataLength: MAX_GOSSIP_BYTES + 64 * 1024,
        scoreParams: scoreParams(opts.topics, opts.appScore),
        scoreThresholds,
        doPX: false,
      }),
    },
  });
}
