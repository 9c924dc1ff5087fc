/**
 * The scale generator: a deterministic stream of realistic ledger records,
 * packed into full blocks.
 *
 * Records. Namespace i is `@org<i>`, owned by a key derived from its index;
 * it holds 2-6 packages, each published 3-18 times: 1.0.0, then patch steps
 * (manifest unchanged) and, one step in five, a minor step (one export added),
 * so every step is the one InfVer implies. One package in a hundred carries a
 * ~100 KB manifest (about 1% of versions). A package depends on up to 4
 * earlier packages (biased towards the oldest, as ecosystems have hubs), each
 * with `^1.0.0`; its lock tree names, for every package in its transitive
 * closure (at most 49), the newest version already in an earlier block, so a
 * tree never holds two versions of one package and is closed by construction.
 *
 * Order. Namespaces come in cohorts of 50: the cohort's claims, its creates,
 * then its publishes round by round, so one block mixes many senders while
 * each sender's nonces stay in order.
 *
 * Blocks. Txs fill a block up to the miner's own limits (bytes less its 64 KiB
 * overhead, tx count less the reward); the stream stops after exactly
 * `versions` publishes (the last chain block may be partial) and then yields
 * one more full block: the block the import measurement submits on top of the
 * head. The sizes of unsigned txs are estimates from above (signature and
 * stamp added), so the miner's template takes every planned tx. Blocks also
 * stop at MAX_BLOCK_COST, each tx priced by the ledger's own txCost on the
 * few state records it reads (kept here as the txs are planned).
 *
 * Creates must be signed before their publishes name them (a package id is its
 * creating tx's id): the generator asks `signNow` for those; publishes and
 * claims are yielded unsigned and signed by the caller, off this thread.
 */
import {
  MAX_BLOCK_BYTES, MAX_BLOCK_TXS, decodeTx, encodeTx, keyPairFromSecret, manifestHash, sha256, stateKeys, toHex, txId,
  type Canonical, type KeyPair, type PackageState, type SignedTx, type StateValue, type UnsignedTx,
} from '../../ledger/index.ts';
import { txCost } from '../../ledger/blockCost.ts';
import { MAX_BLOCK_COST } from '../../ledger/constants.ts';
import { manifestFor } from './manifests.ts';

/** Bump when the records or their order change: cached chains are keyed by it. */
export const GENERATOR_VERSION = 2;

/** Room the miner's template (miner/template.ts) keeps for the header, the reward and framing. */
const BLOCK_OVERHEAD = 64 * 1024;
const BLOCK_BUDGET = MAX_BLOCK_BYTES - BLOCK_OVERHEAD;
/** The template stops one short of MAX_BLOCK_TXS: the reward is a tx too. */
const BLOCK_MAX_TXS = MAX_BLOCK_TXS - 1;
/** `sig` (key and 64-byte string) and a stamp of up to 5 bytes, over the unsigned encoding with stamp 0. */
const SIGNED_OVERHEAD = 4 + 2 + 64 + 5;

const COHORT = 50;
const MAX_CLOSURE = 49;
const MAX_DEPS = 4;
const MINOR_SHARE = 0.2;
const LARGE_SHARE = 0.01;

/** An unsigned tx as signTx takes it, with the key that signs it. */
export interface UnsignedPlan {
  unsigned: Omit<UnsignedTx, 'stamp' | 'v'>;
  secretKey: Uint8Array;
}
/** A planned tx: signed already (creates), or to be signed. */
export type PlannedTx = { signed: Uint8Array } | UnsignedPlan;

export interface PlannedBlock {
  txs: PlannedTx[];
  /** publishes in this block */
  publishes: number;
  /** each publish's `@ns/name@version` and the size of its tree (itself and its lock) */
  refs: Array<{ ref: string; tree: number }>;
  /** the block past the chain's head, for the import measurement */
  extra: boolean;
}

export interface GeneratorOptions {
  /** publishes in the chain (the extra block comes on top) */
  versions: number;
  /** signs a batch of creates now, returning each signed tx's encoding */
  signNow: (txs: UnsignedPlan[]) => Promise<Uint8Array[]>;
  /** varies every record; the cache key includes it */
  seed?: string;
  /** namespaces per cohort (default 50); small chains in tests use fewer, so later cohorts have deps */
  cohort?: number;
  /** bytes per block (default: the miner's limit); small chains in tests use less, so they span blocks */
  blockBytes?: number;
}

/** mulberry32: small, fast and the same everywhere, so a seed gives the same chain. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Pkg {
  full: string;
  id: Uint8Array;
  ns: number;
  target: number;
  large: boolean;
  deps: Record<string, string>;
  /** package indexes of the transitive closure of its deps */
  closure: number[];
  minor: number;
  patch: number;
  features: number;
  /** published versions, their content hashes and the block each landed in */
  versions: string[];
  hashes: Uint8Array[];
  blocks: number[];
}

const text = new TextEncoder();

/** The content hash of a version: stands for its tarball, distinct per version. */
export function contentHashOf(full: string, version: string): Uint8Array {
  return sha256(text.encode(`gopkgr-scale/content/${full}@${version}`));
}

/** The key that owns namespace i. */
export function namespaceKey(seed: string, i: number): KeyPair {
  return keyPairFromSecret(sha256(text.encode(`gopkgr-scale/${seed}/ns/${i}`)));
}

export function namespaceName(i: number): string {
  return `@org${i}`;
}

function estimateSize(unsigned: Omit<UnsignedTx, 'stamp' | 'v'>): number {
  return encodeTx({ ...unsigned, v: 1, stamp: 0 } as UnsignedTx).length + SIGNED_OVERHEAD;
}

/** Yields the chain's blocks in order, then the extra block. */
export async function* generateBlocks(opts: GeneratorOptions): AsyncGenerator<PlannedBlock> {
  const seed = opts.seed ?? 'v1';
  const seedBytes = sha256(text.encode(seed));
  const rand = prng(new DataView(seedBytes.buffer, seedBytes.byteOffset, 4).getUint32(0));
  const cohortSize = opts.cohort ?? COHORT;
  const budget = Math.min(opts.blockBytes ?? BLOCK_BUDGET, BLOCK_BUDGET);
  const pkgs: Pkg[] = [];
  let published = 0;
  let block: PlannedBlock = { txs: [], publishes: 0, refs: [], extra: false };
  let blockBytes = 0;
  let blockCost = 0;
  let blockIndex = 0;
  // The records txCost reads (owned lists, packages, their latest version, manifests), as the planned txs leave them.
  const costState = new Map<string, StateValue>();
  const costReader = { get: (key: string): StateValue | undefined => costState.get(key) };
  const priceAndRecord = (tx: PlannedTx, size: number): number => {
    const t = ('signed' in tx ? decodeTx(tx.signed) : tx.unsigned) as SignedTx;
    const cost = txCost(costReader, t, size);
    const from = toHex(t.from);
    if (t.type === 'claim') costState.set(stateKeys.owned(from), [...((costState.get(stateKeys.owned(from)) as string[] | undefined) ?? []), t.body.ns]);
    else if (t.type === 'create' && 'signed' in tx) {
      const id = toHex(txId(tx.signed));
      costState.set(stateKeys.pkg(id), { id, ns: t.body.ns, name: t.body.name, creator: from, height: 0, versions: [] });
    } else if (t.type === 'publish') {
      const id = toHex(t.body.pkg);
      const pkg = costState.get(stateKeys.pkg(id)) as PackageState;
      const apiHash = toHex(t.body.apiHash!);
      costState.set(stateKeys.pkg(id), { ...pkg, versions: [...pkg.versions, t.body.version] });
      costState.set(stateKeys.version(id, t.body.version), { apiHash } as unknown as StateValue);
      if (!costState.has(stateKeys.api(apiHash))) costState.set(stateKeys.api(apiHash), t.body.manifest!);
    }
    return cost;
  };
  let chainDone = false;
  const ready: PlannedBlock[] = [];

  const close = (): void => {
    ready.push(block);
    blockIndex++;
    block = { txs: [], publishes: 0, refs: [], extra: chainDone };
    blockBytes = 0;
    blockCost = 0;
  };
  /** Adds a tx; returns the index of the block it went into, or -1 when the extra block is full (generation ends). */
  const add = (tx: PlannedTx, size: number, publish?: { ref: string; tree: number }): number => {
    const cost = priceAndRecord(tx, size);
    if (block.txs.length + 1 > BLOCK_MAX_TXS || blockBytes + size > budget || blockCost + cost > MAX_BLOCK_COST) {
      if (block.extra) return -1;
      close();
    }
    const at = blockIndex;
    block.txs.push(tx);
    blockBytes += size;
    blockCost += cost;
    if (publish !== undefined) {
      block.publishes++;
      block.refs.push(publish);
      published++;
      if (!chainDone && published === opts.versions) {
        chainDone = true;
        close();
      }
    }
    return at;
  };

  /** Newest version of package q in a block before the open one, or -1. */
  const visible = (q: number): number => {
    const p = pkgs[q]!;
    for (let v = p.versions.length - 1; v >= 0; v--) if (p.blocks[v]! < blockIndex) return v;
    return -1;
  };

  const chooseDeps = (p: Pkg, before: number): void => {
    const count = Math.floor(rand() * (MAX_DEPS + 1));
    const closure = new Set<number>();
    for (let tries = 0; tries < count * 3 && Object.keys(p.deps).length < count && before > 0; tries++) {
      const q = Math.floor(before * rand() * rand());
      const dep = pkgs[q]!;
      if (p.deps[dep.full] !== undefined || visible(q) < 0) continue;
      const union = new Set([...closure, q, ...dep.closure]);
      if (union.size > MAX_CLOSURE) continue;
      p.deps[dep.full] = '^1.0.0';
      for (const c of union) closure.add(c);
    }
    p.closure = [...closure].sort((a, b) => a - b);
  };

  let ns = 0;
  let ended = false;
  while (!ended) {
    // One cohort of namespaces: claims, creates (signed now: publishes need their ids), publishes.
    const cohort = Array.from({ length: cohortSize }, (_, k) => ({ i: ns + k, key: namespaceKey(seed, ns + k), nonce: 0, pkgs: [] as number[] }));
    ns += cohortSize;
    const before = pkgs.length;
    for (const o of cohort) {
      const unsigned = { type: 'claim' as const, from: o.key.publicKey, nonce: o.nonce++, body: { ns: namespaceName(o.i) } };
      if (add({ unsigned, secretKey: o.key.secretKey }, estimateSize(unsigned)) < 0) ended = true;
      while (ready.length > 0) yield ready.shift()!;
      if (ended) break;
    }
    if (ended) break;
    const creates: UnsignedPlan[] = [];
    const owners: Array<{ o: (typeof cohort)[number]; name: string }> = [];
    for (const o of cohort) {
      const count = 2 + Math.floor(rand() * 5);
      for (let j = 0; j < count; j++) {
        const name = `lib${j}`;
        creates.push({ unsigned: { type: 'create', from: o.key.publicKey, nonce: o.nonce++, body: { ns: namespaceName(o.i), name } }, secretKey: o.key.secretKey });
        owners.push({ o, name });
      }
    }
    const signed = await opts.signNow(creates);
    for (let k = 0; k < signed.length; k++) {
      const { o, name } = owners[k]!;
      const full = `${namespaceName(o.i)}/${name}`;
      o.pkgs.push(pkgs.length);
      pkgs.push({
        full, id: txId(signed[k]!), ns: o.i, target: 3 + Math.floor(rand() * 16), large: rand() < LARGE_SHARE, deps: {}, closure: [],
        minor: 0, patch: 0, features: 0, versions: [], hashes: [], blocks: [],
      });
      if (add({ signed: signed[k]! }, signed[k]!.length) < 0) ended = true;
      while (ready.length > 0) yield ready.shift()!;
      if (ended) break;
    }
    if (ended) break;
    for (let round = 0; !ended; round++) {
      let any = false;
      for (const o of cohort) {
        for (const q of o.pkgs) {
          const p = pkgs[q]!;
          if (p.versions.length > round || round >= p.target) continue;
          any = true;
          if (round === 0) chooseDeps(p, before);
          else if (rand() < MINOR_SHARE) {
            p.minor++;
            p.patch = 0;
            p.features++;
          } else p.patch++;
          const version = `1.${p.minor}.${p.patch}`;
          const manifest = manifestFor(p.full, p.features, p.large) as unknown as Canonical;
          const lock: Record<string, Uint8Array> = {};
          for (const c of p.closure) {
            const dep = pkgs[c]!;
            const v = visible(c);
            lock[`${dep.full}@${dep.versions[v]!}`] = dep.hashes[v]!;
          }
          const contentHash = contentHashOf(p.full, version);
          const unsigned = {
            type: 'publish' as const, from: o.key.publicKey, nonce: o.nonce++,
            body: { pkg: p.id, version, contentHash, size: 1000 + Math.floor(rand() * 200_000), manifest, apiHash: manifestHash(manifest), deps: p.deps, lock },
          };
          const at = add({ unsigned, secretKey: o.key.secretKey }, estimateSize(unsigned), { ref: `${p.full}@${version}`, tree: p.closure.length + 1 });
          if (at < 0) {
            ended = true;
            break;
          }
          p.versions.push(version);
          p.hashes.push(contentHash);
          p.blocks.push(at);
          while (ready.length > 0) yield ready.shift()!;
        }
        if (ended) break;
      }
      if (!any) break;
    }
  }
  // The extra block ended generation by filling up: it is the last one.
  yield block;
}
