/** The network's public face: a part of the node of its own, imported apart so that commands that never go online do not load libp2p. */
export { Network, parseMultiaddr, type NetworkOptions, type NetworkStatus, type PeerView } from './network.ts';
export { protocols as networkProtocols, topics as gossipTopics } from './constants.ts';
export { validateGossipBlock, type BlockValidationContext, type BlockVerdict } from './validation/validateBlock.ts';
export { validateGossipTx, type TxValidationContext } from './validation/validateTx.ts';
export type { Verdict, VerdictResult } from './validation/verdict.ts';
export { loadOrCreatePeerKey, peerKeyPath } from './peerKey.ts';
export { PeerBook, type PeerRecord } from './peerBook.ts';
export { stateDigest } from './stateDigest.ts';
export type { SyncProgress } from './sync.ts';
export { joinFromSnapshot, type JoinOptions, type JoinResult } from './snapshotJoin.ts';
export { PublicFollower, publicDirOf, type ParentStatus, type PublicFollowerOptions } from './publicFollower.ts';
