/**
 * The ledger's public face: the pure rules every node agrees on (encoding,
 * keys, names, txs, blocks, state, params). No I/O, no clock, no network: the
 * floors above (resolver, consensus, infver, node, tester, miner, cli) build on it.
 */
export { GopkgrError, isGopkgrError, asGopkgrError, errorFromAnswer, isErrorCode, errorCodeInfo, ERROR_CODES, type Blame, type ErrorCode, type ErrorCodeInfo } from './errors.ts';
export { encode, decode, toHex, fromHex, bytesEqual, concatBytes, type Canonical } from './encoding.ts';
export { sha256, sha256d, sha256Hex, generateKeyPair, keyPairFromSecret, sign, verify, verifyReference, identityOf, parseIdentity, type KeyPair } from './crypto.ts';
export * from './constants.ts';
export * from './names.ts';
export { compareVersions, newestVersion, predecessorOf, stepBase } from './versionLine.ts';
export {
  isNpmName, isNpmVersion, npmChainName, isPlatformList, platformListAllows, platformMismatch, platformOfManifest, PLATFORM_FIELDS, MAX_PLATFORM_ENTRIES,
  type NpmKey, type NpmPlatform, type Machine, type PlatformField,
} from './npmRelease.ts';
export { encodeTx, decodeTx, txId, tarballOf, signTx, checkTxSignature, signingMessage, leadingZeroBits, feeOf, type Tx, type SignedTx, type UnsignedTx, type RewardTx, type PublishBody, type ImportBody, type SignedTxType, type BodyByType, type TransferBody, type AttestBody, type AdvisoryBody, type RebuildVerdict, REBUILD_VERDICTS, UNPRINTABLE_CHARS } from './tx.ts';
export {
  encodeHeader, encodeBlock, decodeBlock, readHeader, assembleBlock, blockId, merkleRoot, bytesToBigInt, bigIntToBytes32, BLOCK_VERSION, HEADER_NEUTRAL_FIELDS,
  type Block, type BlockHeader, type DecodedBlock, type Seal, type SealCodec,
} from './block.ts';
export { DEV_PARAMS, genesisHeader, validateParams, isPrivateChain, isTrustee, type ChainParams, type ConsensusParams } from './params.ts';
export { StateOverlay, keys as stateKeys, getAccount, ADVISORY_SEVERITIES, type StateReader, type StateValue, type VersionState, type DependentRunState, type PackageState, type NamespaceState, type AdvisoryState, type AdvisorySeverity } from './state.ts';
export { advisoriesOf, advisoryAffects, isSeverity } from './advisory.ts';
export {
  applyAuthorityVote, applyEvidence, applyEpochBoundary, authorityStateOf, epochOf, isEpochBoundary, majorityOf, MAX_AUTHORITY_SET,
  type AuthorityState, type AuthorityProposal, type EvidenceRecord, type EquivocationCheck,
} from './authorityVote.ts';
export { descriptionTokens, searchTokens } from './searchTokens.ts';
export { applySignedTx, applyBlockTxs, buildRewardTx, manifestHash, rotationMessage, NO_HOOKS, type BlockContext, type RuleHooks, type TxContext } from './rules.ts';
export {
  txCost, BlockCostMeter, COST_PER_TX, COST_PER_16_BYTES, COST_PER_PUBLISH_16_BYTES, COST_PER_COMPARED_16_BYTES, COST_PER_LOCK_ENTRY, COST_PER_8_LIST_ITEMS, COST_ROTATE_PROOF,
} from './blockCost.ts';
export { lockHash } from './lockHash.ts';
export { substituteLock, lockedVersionOf, MAX_DEPENDENT_RUNS } from './dependentRun.ts';
export { checkParentLockEntry, isParentName, type ParentLedger, type PublicVersion } from './publicLock.ts';
