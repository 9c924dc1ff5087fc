/**
 * Gossipsub peer scoring (gossipsub v1.1 §peer scoring) tuned for a chain of
 * about one block a second.
 *
 * What counts:
 *  - P4, invalid messages: -20 × n² per topic (blocks weigh 1, txs 0.5), decaying
 *    by 1% a second (half-life ~70 s). One invalid block: -20 (below the gossip
 *    threshold: no more IHAVE to it); two: -80 (below the publish threshold);
 *    three: -180, under DISCONNECT_SCORE (-100): the peer manager disconnects
 *    and bans it.
 *  - P1/P2, time in mesh and first deliveries: small positive credit (≤ 8 in
 *    all) so good behaviour cannot buy room for more than a bad message or two.
 *  - P3, mesh delivery rate: off. Blocks come at the miners' pace, not a fixed
 *    rate, so a quiet honest peer would look like a failing one.
 *  - P5, application score: the sync protocol's penalties (bad headers, bad
 *    blocks, stalls), see PeerPenalties.
 *  - P6, IP colocation: loopback is exempt (tests and benches run many nodes on
 *    one host); real addresses keep gossipsub's default cliff.
 */
import type { PeerScoreParams, PeerScoreThresholds, TopicScoreParams } from '@libp2p/gossipsub/score';

function topicParams(weight: number): Partial<TopicScoreParams> {
  return {
    topicWeight: weight,
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1_000,
    timeInMeshCap: 300,
    firstMessageDeliveriesWeight: 1,
    firstMessageDeliveriesDecay: 0.9,
    firstMessageDeliveriesCap: 5,
    meshMessageDeliveriesWeight: 0,
    meshFailurePenaltyWeight: 0,
    invalidMessageDeliveriesWeight: -20,
    invalidMessageDeliveriesDecay: 0.99,
  };
}

export function scoreParams(topics: { blocks: string; txs: string; attestations: string }, appScore: (peerId: string) => number): Partial<PeerScoreParams> {
  return {
    topics: {
      [topics.blocks]: topicParams(1) as TopicScoreParams,
      [topics.txs]: topicParams(0.5) as TopicScoreParams,
      [topics.attestations]: topicParams(0.5) as TopicScoreParams,
    },
    topicScoreCap: 10,
    appSpecificScore: appScore,
    appSpecificWeight: 1,
    IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1']),
    decayInterval: 1_000,
    decayToZero: 0.01,
    // A disconnected peer's score is kept this long, so reconnecting does not wash it.
    retainScore: 60 * 60 * 1000,
  };
}

export const scoreThresholds: Partial<PeerScoreThresholds> = {
  gossipThreshold: -10,
  publishThreshold: -50,
  // Below DISCONNECT_SCORE (-100) on purpose: a misbehaving peer is cut off and banned by the peer
  // manager before gossipsub would merely start ignoring it (a graylisted peer's further invalid
  // messages would no longer lower its score).
  graylistThreshold: -150,
  acceptPXThreshold: 100,
  opportunisticGraftThreshold: 5,
};
