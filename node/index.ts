/** The full node's public face: what other parts (miner, tester, cli) may use. */
import './polyfill.ts';

export { GopkgrError, isGopkgrError, asGopkgrError } from './errors.ts';
export { encode, decode, toHex, fromHex, bytesEqual, concatBytes, type Canonical } from './encoding.ts';
export { sha256, sha256d, sha256Hex, generateKeyPair, keyPairFromSecret, sign, verify, verifyReference, identityOf, parseIdentity, type KeyPair } from './crypto.ts';
export * from './constants.ts';
export * from './names.ts';
export { encodeTx, decodeTx, txId, signTx, checkTxSignature, signingMessage, leadingZeroBits, type Tx, type SignedTx, type UnsignedTx, type RewardTx, type PublishBody, type SignedTxType, type BodyByType } from './tx.ts';
export { encodeHeader, encodeBlock, decodeBlock, assembleBlock, blockId, merkleRoot, meetsTarget, workOf, bytesToBigInt, bigIntToBytes32, NONCE_BYTES, type Block, type BlockHeader, type DecodedBlock } from './block.ts';
export { DEV_PARAMS, genesisBlock, chainIdOf, validateParams, readParamsFile, type ChainParams } from './params.ts';
export { nextTarget, medianTimePast, MAX_RETARGET_FACTOR } from './difficulty.ts';
export { StateOverlay, keys as stateKeys, getAccount, type StateReader, type StateValue, type VersionState, type PackageState, type NamespaceState } from './state.ts';
export { applySignedTx, applyBlockTxs, buildRewardTx, manifestHash, rotationMessage, NO_HOOKS, type RuleHooks, type TxContext } from './rules.ts';
export { Chain, inlineVerifier, type ImportResult, type SignatureVerifier } from './chain.ts';
export { ChainStore, type BlockIndexEntry } from './store.ts';
export { BlobStore } from './blobs.ts';
export { Mempool, type PendingTx } from './mempool.ts';
export { FullNode, silentLogger, type Logger, type Work, type FullNodeOptions } from './fullNode.ts';
export { createApi, listenApi, type ApiExtras } from './api.ts';
export { jsonOf, packageView, blockView, type Json } from './views.ts';
export { defaultHooks } from './hooks.ts';
export { startWorker } from './workers.ts';
export { WorkerVerifier } from './verifyPool.ts';
export { solve, Solver, requiredByOf, checkLockTree, stateIndex, mapIndex, splitRef, satisfies, admits, excludedByInference, inferenceText, minVersionOf, resolveRequest, ROOT as RESOLVE_ROOT, type IndexVersion, type InferredBreak, type VersionIndex, type SolveOptions, type Solution, type Requirement, type LockSubject, type ResolveResponse } from './resolver/index.ts';
export { lockHash } from './lockHash.ts';
