/**
 * The baseline host of the network benchmarks: a bare libp2p host with the
 * node's transport, gossipsub mesh parameters and message ids, but none of its
 * validation or chain, so a benchmark can show what the node adds over gossip
 * alone. `psk` closes it as a private chain's network is (pnet).
 */
import { createHash } from 'node:crypto';
import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { preSharedKey } from '@libp2p/pnet';
import { gossipsub, type GossipSub } from '@libp2p/gossipsub';
import { HEARTBEAT_MS, INBOUND_CONNECTIONS_PER_SECOND, MESH_D, MESH_D_HIGH, MESH_D_LOW } from '../node/network/constants.ts';

export type BareGossipHost = Libp2p<{ identify: ReturnType<ReturnType<typeof identify>>; pubsub: GossipSub }>;

export function bareGossipHost(opts: { psk?: Uint8Array } = {}): Promise<BareGossipHost> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    ...(opts.psk === undefined ? {} : { connectionProtector: preSharedKey({ psk: opts.psk }) }),
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false },
    // As in host.ts: libp2p's default (5 new connections a second per IP) resets the burst of dials on one host.
    connectionManager: { inboundConnectionThreshold: INBOUND_CONNECTIONS_PER_SECOND },
    services: {
      identify: identify(),
      pubsub: gossipsub({
        D: MESH_D, Dlo: MESH_D_LOW, Dhi: MESH_D_HIGH, heartbeatInterval: HEARTBEAT_MS,
        globalSignaturePolicy: 'StrictNoSign', floodPublish: true, allowPublishToZeroTopicPeers: true,
        msgIdFn: (msg) => new Uint8Array(createHash('sha256').update(msg.data).digest()),
      }),
    },
  });
}
