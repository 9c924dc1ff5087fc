/** The full node's public face: what other parts (miner, tester, cli) may use. */
import './polyfill.ts';

export * from './constants.ts';
export { readParamsFile } from './paramsFile.ts';
export { Chain, inlineVerifier, type ImportResult, type SignatureVerifier } from './chain.ts';
export { ChainStore, type BlockIndexEntry } from './store.ts';
export { BlobStore } from './blobs.ts';
export { Mempool, type PendingTx } from './mempool.ts';
export { FullNode, chainDirOf, silentLogger, type Logger, type Work, type FullNodeOptions } from './fullNode.ts';
export { createApi, listenApi, type ApiExtras } from './api/index.ts';
export { jsonOf, packageView, blockView, type Json } from './views.ts';
export { defaultHooks } from './hooks.ts';
export { startWorker } from './workers.ts';
export { WorkerVerifier } from './verifyPool.ts';
export { SnapshotFiles } from './snapshot/files.ts';
export { Snapshotter, DEFAULT_SNAPSHOT_EVERY } from './snapshot/writer.ts';
export { loadOrCreateSnapshotKey } from './snapshot/signerKey.ts';
export { parseCheckpoint, type Checkpoint } from './snapshot/checkpoint.ts';
export { newSwarmKey, parseSwarmKey, readSwarmKey } from './swarmKey.ts';
export { AuthoritySigner, type SignedBlockInfo } from './signer.ts';
export { replicaParent, parentRefsOf, nextAnchor, type ParentSource, type ReplicaChain } from './anchors.ts';
export { HeldBlocks, MAX_HELD_BLOCKS } from './heldBlocks.ts';
