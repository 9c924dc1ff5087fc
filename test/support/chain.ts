/**
 * Shared helpers for the ledger tests: deterministic keys, signed txs, blocks
 * mined in-process on top of a real Chain over a real level ChainStore in a temp
 * dir. No mocks: every block these helpers make goes through the same encoding,
 * hashing and proof of work a real node uses.
 *
 * At DEV_PARAMS the target is 0x0fff…, so a block takes about 16 hashes and a tx
 * stamp (4 work bits) about 16 signing digests: mining here is cheap enough to do
 * inline, without worker threads.
 *
 * Typical use:
 *
 *   const t = await openChain();          // fresh temp dir, DEV_PARAMS
 *   afterEach(closeAll);                  // closes every chain opened here (cleanup.ts)
 *   const [alice] = keys(1);
 *   const a = actor(alice, t.chain.chainId);
 *   await t.chain.importBlock(mineBlock(t.chain, [a.tx('claim', { ns: '@acme' })]));
 */
import { join } from 'node:path';
import {
  blockId, buildRewardTx, DEV_PARAMS, encodeTx, fromHex, GopkgrError, keyPairFromSecret, manifestHash,
  merkleRoot, sha256, signTx, StateOverlay, toHex, txId, type BodyByType, type ChainParams, type DecodedBlock,
  type KeyPair, type PublishBody, type RewardTx, type RuleHooks, type SignedTx, type SignedTxType, type StateReader, type StateValue, type Tx, type TxContext,
} from '../../ledger/index.ts';
import type { StateSessionLike, StateSource } from '../../node/state/source.ts';
import { Chain, ChainStore, type ImportResult, type ParentSource } from '../../node/index.ts';
import type { Consensus } from '../../consensus/index.ts';
import { onClose, tempDir } from './cleanup.ts';
import { assembleBlock, encodeHeader, meetsTarget, NONCE_BYTES, powTermsOf, type PowBlock, type PowHeader } from '../../consensus/pow/index.ts';

/** A proof-of-work header's fields with the seal's target beside the others, as the helpers below take them. */
export type HeaderFields = Omit<PowHeader, 'seal'> & { target: Uint8Array };

/** The target the chain expects of a child of `parentId` (proof of work). */
export function targetAfter(chain: Chain, parentId: string): Uint8Array {
  return powTermsOf(chain.nextTerms(parentId)).target;
}

// ---------------------------------------------------------------- chains

export interface OpenChainOptions {
  params?: ChainParams;
  hooks?: RuleHooks;
  /** the chain's clock (future-time rule only) */
  now?: () => number;
  /** default: the one the params name */
  consensus?: Consensus;
  /** bound of the state cache (default: the node's) */
  stateCacheBytes?: number;
  /** a private chain's replica of its public chain (node/anchors.ts) */
  parent?: ParentSource;
}

export interface TestChain {
  chain: Chain;
  store: ChainStore;
  /** the level database's directory */
  dir: string;
  /** close the store (idempotent); `closeAll` does it too */
  close(): Promise<void>;
}

/**
 * Open a Chain on a real level ChainStore in `dir/db` (a fresh temp dir when
 * `dir` is omitted). Closed by `closeAll`. Reopening the same dir after `close()`
 * gives the stored chain back (for restart tests).
 */
export async function openChain(dir?: string, opts: OpenChainOptions = {}): Promise<TestChain> {
  const base = dir ?? (await tempDir());
  const store = new ChainStore(join(base, 'db'));
  await store.open();
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await store.close();
  };
  onClose(close);
  const chain = new Chain(store, { params: opts.params ?? DEV_PARAMS, hooks: opts.hooks, now: opts.now, consensus: opts.consensus, stateCacheBytes: opts.stateCacheBytes, parent: opts.parent });
  await chain.open();
  return { chain, store, dir: base, close };
}

// ---------------------------------------------------------------- keys and txs

/** A deterministic key pair: secret = sha256("gopkgr-test-key/" + seed). Same seed, same key, every run. */
export function keyPair(seed: number | string): KeyPair {
  return keyPairFromSecret(sha256(new TextEncoder().encode(`gopkgr-test-key/${seed}`)));
}

/** `n` distinct deterministic key pairs (seeds offset..offset+n-1). */
export function keys(n: number, offset = 0): KeyPair[] {
  return Array.from({ length: n }, (_, i) => keyPair(offset + i));
}

/** Hex of a key's compressed public key: how state keys and owners name it. */
export function hexOf(key: KeyPair): string {
  return toHex(key.publicKey);
}

/** Sign a tx of `type` with `key`'s secret, stamped for `workBits` (DEV_PARAMS.txWorkBits by default). */
export function signed<K extends SignedTxType>(
  key: KeyPair, type: K, body: BodyByType[K], nonce: number, chainId: Uint8Array, workBits = DEV_PARAMS.txWorkBits, fee = 0,
): SignedTx {
  return signTx({ type, from: key.publicKey, nonce, body, fee } as Parameters<typeof signTx>[0], key.secretKey, chainId, workBits);
}

/** The hex id of a tx (sha256 of its canonical encoding). For a `create`, this is the new package's id. */
export function idOf(tx: Tx): string {
  return toHex(txId(encodeTx(tx)));
}

/** The id of a tx as bytes (what `pkg` fields hold). */
export function idBytes(tx: Tx): Uint8Array {
  return txId(encodeTx(tx));
}

/** sha256 of a string: a stand-in content hash for a tarball. */
export function hashOf(text: string): Uint8Array {
  return sha256(new TextEncoder().encode(text));
}

/** The API manifest of a package with no exports (valid for InfVer; every publish needs one). */
export const EMPTY_MANIFEST = { format: 'infver/1', name: '@test/empty', exports: [], internal: [] };

/**
 * The manifest of `export declare const a: string;` (extracted by InfVer): one
 * export more than EMPTY_MANIFEST, so publishing it after that is a minor step.
 */
export const ONE_EXPORT_MANIFEST = {
  format: 'infver/1', name: '@test/one', internal: [],
  exports: [{
    name: 'a', kind: 'variable', hash: 'sha256:b9087b52fe7e7cddd26be2a8c99081c39a7c81c02c59bc598fba479cd4c22e3b',
    decls: [{ kind: 'variable', t: { k: 'kw', n: 'string' }, const: true }],
  }],
};

/** A publish body with sensible defaults (empty API manifest, no deps, empty lock, contentHash of `pkg@version`). */
export function publishBody(pkg: Uint8Array, version: string, extra: Partial<PublishBody> = {}): PublishBody {
  return {
    pkg, version, contentHash: hashOf(`${toHex(pkg)}@${version}`), size: 1000,
    manifest: EMPTY_MANIFEST, apiHash: manifestHash(EMPTY_MANIFEST), deps: {}, lock: {}, ...extra,
  };
}

/**
 * A signer that counts its own nonces. `tx()` signs with the next nonce and
 * moves the counter; `peek()` signs with the next nonce without moving it (for a
 * tx that is expected to be rejected); `at(nonce)` signs with a given nonce.
 */
export interface Actor {
  key: KeyPair;
  hex: string;
  nonce: number;
  tx<K extends SignedTxType>(type: K, body: BodyByType[K]): SignedTx;
  peek<K extends SignedTxType>(type: K, body: BodyByType[K]): SignedTx;
  at<K extends SignedTxType>(nonce: number, type: K, body: BodyByType[K]): SignedTx;
  /** the next tx, paying `fee` to the block's producer */
  paying<K extends SignedTxType>(fee: number, type: K, body: BodyByType[K]): SignedTx;
}

export function actor(key: KeyPair, chainId: Uint8Array, startNonce = 0, workBits = DEV_PARAMS.txWorkBits): Actor {
  const a: Actor = {
    key,
    hex: toHex(key.publicKey),
    nonce: startNonce,
    tx(type, body) {
      return signed(key, type, body, a.nonce++, chainId, workBits);
    },
    peek(type, body) {
      return signed(key, type, body, a.nonce, chainId, workBits);
    },
    at(nonce, type, body) {
      return signed(key, type, body, nonce, chainId, workBits);
    },
    paying(fee, type, body) {
      return signed(key, type, body, a.nonce++, chainId, workBits, fee);
    },
  };
  return a;
}

// ---------------------------------------------------------------- state without blocks

/** A TxContext for applying txs directly on a StateOverlay (as the mempool does). */
export function txContext(chainId: Uint8Array, tx: Tx, height = 1, params: ChainParams = DEV_PARAMS): TxContext {
  return { params, chainId, height, blockId: '', txId: idOf(tx) };
}

/** An empty state to put a StateOverlay on. */
export const EMPTY_STATE: StateReader = { get: () => undefined };

/** A fresh overlay on an empty state (or on `base`). */
export function overlay(base: StateReader = EMPTY_STATE): StateOverlay {
  return new StateOverlay(base);
}

// ---------------------------------------------------------------- blocks

export interface MineOptions {
  /** who the reward pays (default: keyPair('miner')) */
  miner?: Uint8Array;
  /** header time (default: max(parent time + blockTimeMs, median time + 1)) */
  time?: number;
  /** parent block id hex (default: the chain's head) */
  parent?: string;
  /** replace the reward: a RewardTx, or null to leave it out */
  reward?: RewardTx | null;
  /** the exact tx list (reward included), instead of reward + txs */
  allTxs?: Tx[];
  /** override header fields (height, target, txRoot, v) to build invalid blocks */
  header?: Partial<HeaderFields>;
  /** seal with a nonce whose id does NOT meet the target (for BLOCK_BAD_POW) */
  badPow?: boolean;
}

/** Default miner key of `mineBlock`. */
export const MINER = keyPair('miner');

/** Find a nonce (counting up from 0 in the 8-byte big-endian nonce) so the header meets its target, or misses it with `miss`. */
export function sealHeader({ target, ...header }: HeaderFields, miss = false): PowHeader {
  const nonce = new Uint8Array(NONCE_BYTES);
  const view = new DataView(nonce.buffer);
  for (let n = 0n; ; n++) {
    view.setBigUint64(0, n);
    const h: PowHeader = { ...header, seal: { kind: 'pow', target, nonce: nonce.slice() } };
    if (meetsTarget(blockId(encodeHeader(h)), target) !== miss) return h;
    if (n > 1_000_000n) throw new Error('no nonce in 1e6 tries: is the target that hard?');
  }
}

/**
 * Build and mine a block on `chain` (not imported): reward first (paying
 * `opts.miner` and any attesters, as buildRewardTx does), then `txs`. The header
 * carries the target and a time the chain expects after the parent, so the block
 * is valid unless `opts` says otherwise.
 */
export function mineBlock(chain: Chain, txs: Tx[], opts: MineOptions = {}): PowBlock {
  const parentId = opts.parent ?? chain.head.id;
  const parent = chain.entry(parentId);
  if (parent === undefined) throw new Error(`mineBlock: parent ${parentId.slice(0, 16)} is not in the chain's index`);
  const height = parent.height + 1;
  let all: Tx[];
  if (opts.allTxs !== undefined) all = opts.allTxs;
  else {
    const reward = opts.reward === undefined ? buildRewardTx(height, opts.miner ?? MINER.publicKey, txs, chain.params) : opts.reward;
    all = reward === null ? [...txs] : [reward, ...txs];
  }
  const time = opts.time ?? Math.max(parent.time + chain.params.blockTimeMs, chain.medianTimeAfter(parentId) + 1);
  const header = sealHeader({
    v: 1,
    height,
    parent: fromHex(parentId),
    txRoot: merkleRoot(all.map((tx) => txId(encodeTx(tx)))),
    time,
    target: targetAfter(chain, parentId),
    ...opts.header,
  }, opts.badPow === true);
  return assembleBlock(header, all);
}

/** Mine and import one block on the head; returns the block. Throws if the chain rejects it. */
export async function extend(chain: Chain, txs: Tx[] = [], opts: MineOptions = {}): Promise<PowBlock> {
  const block = mineBlock(chain, txs, opts);
  await chain.importBlock(block);
  return block;
}

/** Import blocks in order; returns each import's result. */
export async function importAll(chain: Chain, blocks: readonly (DecodedBlock | Uint8Array)[]): Promise<ImportResult[]> {
  const out: ImportResult[] = [];
  for (const b of blocks) out.push(await chain.importBlock(b));
  return out;
}

/**
 * Mine and import `n` blocks in a row starting on `parent` (default: the head),
 * each on the previous one, so side branches can be grown too (a lighter branch
 * is stored as 'side'). `txsAt(i)` gives block i's txs; `timeStep` spaces the
 * headers' times (default: the chain's block time). Returns the blocks.
 */
export async function mineChain(chain: Chain, n: number, opts: { parent?: string; miner?: Uint8Array; txsAt?: (i: number) => Tx[]; timeStep?: number } = {}): Promise<PowBlock[]> {
  const out: PowBlock[] = [];
  let parent = opts.parent ?? chain.head.id;
  for (let i = 0; i < n; i++) {
    const p = chain.entry(parent)!;
    const time = opts.timeStep === undefined ? undefined : Math.max(p.time + opts.timeStep, chain.medianTimeAfter(parent) + 1);
    const block = mineBlock(chain, opts.txsAt?.(i) ?? [], { parent, miner: opts.miner, time });
    await chain.importBlock(block);
    out.push(block);
    parent = toHex(block.id);
  }
  return out;
}

/** A state map as [key, value] pairs sorted by key: compare two states with toEqual. */
export function stateDump(state: Map<string, unknown>): Array<[string, unknown]> {
  return [...state.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Every key the chain's disk holds, read through its state cache: a cache that
 * kept a value the disk no longer has shows as a difference from readState().
 */
export async function stateThroughCache(chain: Chain): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const key of (await chain.readState()).keys()) out.set(key, await chain.state.get(key));
  return out;
}

/** Expect a promise or function to fail with a GopkgrError of `code`; returns the error. */
export async function rejectsWith(fn: Promise<unknown> | (() => unknown), code: string): Promise<GopkgrError> {
  try {
    await (typeof fn === 'function' ? fn() : fn);
  } catch (err) {
    if (!(err instanceof GopkgrError)) throw new Error(`expected GopkgrError ${code}, got ${String(err)}`, { cause: err });
    if (err.code !== code) throw new Error(`expected error code ${code}, got ${err.code}: ${err.message}`, { cause: err });
    return err;
  }
  throw new Error(`expected error code ${code}, but nothing was thrown`);
}

/** A state held whole in memory: its sessions never miss. */
export function memoryState(map: ReadonlyMap<string, StateValue> = new Map()): StateSource {
  const session: StateSessionLike = {
    get: (key) => map.get(key),
    run: async (fn) => fn(),
  };
  return { session: () => session };
}
