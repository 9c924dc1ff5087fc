/**
 * bench/blockCost: where the time of importing a full block goes, per tx kind,
 * and what a block at MAX_BLOCK_COST costs in time (how the weights of
 * ledger/blockCost.ts and the limit were chosen).
 *
 * For each kind it builds the state the kind needs (namespaces, packages,
 * earlier versions with their manifests, dependency packages), then a full
 * block of that kind by bytes (MAX_BLOCK_BYTES less the template's 64 KiB room,
 * or MAX_BLOCK_TXS), and times on it, RUNS times (medians): the state rules
 * (applySignedTx tx by tx with the node's hooks: InfVer's validateManifest and
 * manifest lower bound, the resolver's lock-tree check, each timed apart), the
 * decoding (canonical form checked as it is read), the signatures on one core (the chain spreads
 * them over worker threads: counted at half on 2 cores), and the cost rule
 * itself. It prints the block's cost and how long a block of that kind at
 * MAX_BLOCK_COST would take to import. Then a block at MAX_BLOCK_COST of
 * realistic publishes (a 10-export package whose API changed) is imported whole
 * into a node on disk (worker signatures, LevelDB), RUNS times.
 *
 * The baseline is sha256 of the same block bytes, measured in the same run.
 *
 *   npx tsx bench/blockCost.ts [--runs N] [--only 'kind;kind;import']
 */
import '../node/polyfill.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEV_PARAMS, MAX_BLOCK_BYTES, MAX_BLOCK_COST, MAX_BLOCK_TXS, StateOverlay, applyBlockTxs, applySignedTx, blockId, buildRewardTx, decodeTx, encodeTx, generateKeyPair, lockHash,
  manifestHash, merkleRoot, rotationMessage, sha256, sign, signTx, signingMessage, toHex, txId, verify,
  type KeyPair, type PublishBody, type RuleHooks, type SignedTx, type StateReader, type Tx, type UnsignedTx,
} from '../ledger/index.ts';
import { assembleBlock, encodeHeader, genesisBlock, meetsTarget, nextTarget, type PowHeader } from '../consensus/pow/index.ts';
import { FullNode, WorkerVerifier, defaultHooks } from '../node/index.ts';
import { hashExport, type Decl, type Manifest, type ManifestExport, type TypeNode } from '../infver/index.ts';
import { txCost } from '../ledger/blockCost.ts';

const { values } = parseArgs({ options: { runs: { type: 'string' }, only: { type: 'string' } } });
const RUNS = Number(values.runs ?? 3);
const ONLY = values.only?.split(';');
const params = DEV_PARAMS;
const genesis = genesisBlock(params);
const chainId = genesis.id;
/** What the miner's template leaves of a block for txs (miner/template.ts BLOCK_OVERHEAD). */
const ROOM = MAX_BLOCK_BYTES - 64 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

// ---------------------------------------------------------------- manifests

/** A member type from a small rotating vocabulary, so shapes look like real declarations. */
function memberType(i: number): TypeNode {
  switch (i % 5) {
    case 0: return { k: 'kw', n: 'string' };
    case 1: return { k: 'union', t: [{ k: 'kw', n: 'number' }, { k: 'kw', n: 'undefined' }] };
    case 2: return { k: 'ref', n: 'Promise', src: 'lib', a: [{ k: 'kw', n: 'void' }] };
    case 3: return { k: 'fn', s: { p: [{ n: 'value', t: { k: 'kw', n: 'string' } }], r: { k: 'kw', n: 'boolean' } } };
    default: return { k: 'arr', e: { k: 'ref', n: 'Item', src: 'pkg' } };
  }
}

function exportOf(name: string, decls: Decl[]): ManifestExport {
  return { name, kind: decls.map((d) => d.kind).join('+'), hash: hashExport(name, decls), decls };
}

/**
 * A package of `exports` interfaces with `members` properties each, and a
 * function per interface. `changed`: every interface gains an optional member
 * (a minor step), so a comparison must look into every export.
 */
function realisticManifest(exports: number, members: number, changed: boolean): Manifest {
  const out: ManifestExport[] = [];
  for (let e = 0; e < exports; e++) {
    const m = Array.from({ length: members }, (_, i) => ({ k: 'prop' as const, n: `field${i}`, t: memberType(i + e) }));
    if (changed) m.push({ k: 'prop', n: 'zextra', t: { k: 'kw', n: 'string' }, opt: true } as (typeof m)[number]);
    out.push(exportOf(`Iface${String(e).padStart(4, '0')}`, [{ kind: 'interface', m }]));
    const sig = { p: [{ n: 'input', t: { k: 'ref' as const, n: `Iface${String(e).padStart(4, '0')}`, src: 'pkg' as const } }], r: memberType(e) };
    out.push(exportOf(`make${String(e).padStart(4, '0')}`, [{ kind: 'function', s: [sig] }]));
  }
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { format: 'infver/1', name: '@bench/pkg', exports: out, internal: [] };
}

// ---------------------------------------------------------------- txs and state

/** One signer per lane of txs; nonces counted here. */
class Signer {
  nonce = 0;
  constructor(readonly key: KeyPair = generateKeyPair()) {}
  tx(type: UnsignedTx['type'], body: unknown): SignedTx {
    const unsigned = { type, from: this.key.publicKey, nonce: this.nonce++, body } as Omit<UnsignedTx, 'stamp' | 'v'>;
    return signTx(unsigned, this.key.secretKey, chainId, params.txWorkBits);
  }
}

const idOf = (tx: Tx): Uint8Array => txId(encodeTx(tx));

/** Apply setup txs on `s` (rules without InfVer, which changes nothing in state; no cost limit: setup is not a block). */
function applyAll(s: StateOverlay, txs: SignedTx[], height: { n: number }): void {
  for (const tx of txs) applySignedTx(s, tx, { params, chainId, height: height.n, blockId: `setup${height.n}`, txId: toHex(idOf(tx)) });
  height.n++;
}

function publishBody(pkg: Uint8Array, version: string, manifest: Manifest, extra: Partial<PublishBody> = {}): PublishBody {
  return {
    pkg, version, contentHash: sha256(new TextEncoder().encode(`${toHex(pkg)}@${version}`)), size: 10_000,
    manifest: manifest as unknown as PublishBody['manifest'], apiHash: manifestHash(manifest as unknown as PublishBody['manifest'] & object),
    deps: {}, lock: {}, ...extra,
  };
}

interface Scenario {
  kind: string;
  /** state before the block */
  base: StateReader;
  /** the block's txs after the reward, filling it */
  txs: SignedTx[];
}

/** Take txs from `make` until the next would not fit a block. */
function fill(make: (i: number) => SignedTx): SignedTx[] {
  const out: SignedTx[] = [];
  let bytes = 0;
  for (let i = 0; out.length + 1 < MAX_BLOCK_TXS; i++) {
    const tx = make(i);
    const n = encodeTx(tx).length;
    if (bytes + n > ROOM) break;
    out.push(tx);
    bytes += n;
  }
  return out;
}

/** A namespace with `count` packages, each with `versions` published under `manifest` (1.0.0, 1.0.1...). */
function packages(count: number, manifest: Manifest | null, versions = 1): { state: StateOverlay; ids: Uint8Array[]; owner: Signer; height: { n: number } } {
  const state = new StateOverlay({ get: () => undefined });
  const owner = new Signer();
  const height = { n: 1 };
  const setup: SignedTx[] = [owner.tx('claim', { ns: '@bench' })];
  const ids: Uint8Array[] = [];
  for (let p = 0; p < count; p++) {
    const tx = owner.tx('create', { ns: '@bench', name: `p${p}` });
    ids.push(idOf(tx));
    setup.push(tx);
  }
  applyAll(state, setup, height);
  if (manifest !== null) {
    const pubs: SignedTx[] = [];
    for (let v = 0; v < versions; v++) for (const id of ids) pubs.push(owner.tx('publish', publishBody(id, `1.0.${v}`, manifest)));
    applyAll(state, pubs, height);
  }
  return { state, ids, owner, height };
}

/**
 * 1,000 dependency packages: d < 500 depends on d + 500, so a lock of all 1,000 is
 * closed and reached from 500 direct deps (MAX_DEPS is 512). Then either a block
 * of publishes carrying that lock, or (`attest`) a block attesting versions that
 * carry it (each attestation re-hashes its version's lock).
 */
function lockScenario(kind: 'publish' | 'attest'): Scenario {
  const deps = 1000;
  const m = realisticManifest(1, 1, false);
  const { state, ids, owner, height } = packages(deps + 100, null);
  const hash = (d: number): Uint8Array => publishBody(ids[d]!, '1.0.0', m).contentHash;
  const leaves: SignedTx[] = [];
  for (let d = 500; d < deps; d++) leaves.push(owner.tx('publish', publishBody(ids[d]!, '1.0.0', m)));
  applyAll(state, leaves, height);
  const inner: SignedTx[] = [];
  for (let d = 0; d < 500; d++) {
    inner.push(owner.tx('publish', publishBody(ids[d]!, '1.0.0', m, { deps: { [`@bench/p${d + 500}`]: '^1.0.0' }, lock: { [`@bench/p${d + 500}@1.0.0`]: hash(d + 500) } })));
  }
  applyAll(state, inner, height);
  const lock: Record<string, Uint8Array> = {};
  for (let d = 0; d < deps; d++) lock[`@bench/p${d}@1.0.0`] = hash(d);
  const direct: Record<string, string> = {};
  for (let d = 0; d < 500; d++) direct[`@bench/p${d}`] = '^1.0.0';
  const top = (i: number): SignedTx => owner.tx('publish', publishBody(ids[deps + i]!, '1.0.0', m, { deps: direct, lock }));
  if (kind === 'publish') return { kind: 'publish with 1,000-entry lock', base: state, txs: fill(top) };
  const published = Array.from({ length: 40 }, (_, i) => top(i));
  applyAll(state, published, height);
  const lh = lockHash(Object.fromEntries(Object.entries(lock).map(([k, v]) => [k, toHex(v)])));
  return {
    kind: 'attest of versions with 1,000-entry locks', base: state,
    txs: fill((i) => new Signer().tx('attest', {
      pkg: ids[deps + (i % 40)]!, version: '1.0.0', contentHash: publishBody(ids[deps + (i % 40)]!, '1.0.0', m).contentHash, lockHash: lh,
      passed: 10, failed: 0, skipped: 0, resultHash: sha256(new Uint8Array([i & 0xff, i >> 8])), runtimeMs: 100,
    })),
  };
}

const SMALL = { exports: 5, members: 10 };
const LARGE = { exports: 100, members: 30 };

const scenarios: Record<string, () => Scenario> = {
  claim: () => {
    const s = new Signer();
    return { kind: 'claim', base: { get: () => undefined }, txs: fill((i) => s.tx('claim', { ns: `@ns${i}` })) };
  },
  create: () => {
    const { state, owner } = packages(0, null);
    return { kind: 'create', base: state, txs: fill((i) => owner.tx('create', { ns: '@bench', name: `n${i}` })) };
  },
  'publish first (10 exports)': () => {
    const { state, ids, owner } = packages(1000, null);
    const m = realisticManifest(SMALL.exports, SMALL.members, false);
    return { kind: 'publish first (10 exports)', base: state, txs: fill((i) => owner.tx('publish', publishBody(ids[i]!, '1.0.0', m))) };
  },
  'publish next (10 exports, all changed)': () => {
    const { state, ids, owner } = packages(1000, realisticManifest(SMALL.exports, SMALL.members, false));
    const m = realisticManifest(SMALL.exports, SMALL.members, true);
    return { kind: 'publish next (10 exports, all changed)', base: state, txs: fill((i) => owner.tx('publish', publishBody(ids[i]!, '1.1.0', m))) };
  },
  'publish next (10 exports, unchanged)': () => {
    const m = realisticManifest(SMALL.exports, SMALL.members, false);
    const { state, ids, owner } = packages(1000, m);
    return { kind: 'publish next (10 exports, unchanged)', base: state, txs: fill((i) => owner.tx('publish', publishBody(ids[i]!, '1.0.1', m))) };
  },
  'publish next (200 exports, all changed)': () => {
    const { state, ids, owner } = packages(40, realisticManifest(LARGE.exports, LARGE.members, false));
    const m = realisticManifest(LARGE.exports, LARGE.members, true);
    return { kind: 'publish next (200 exports, all changed)', base: state, txs: fill((i) => owner.tx('publish', publishBody(ids[i]!, '1.1.0', m))) };
  },
  'publish with 1,000-entry lock': () => lockScenario('publish'),
  'attest of versions with 1,000-entry locks': () => lockScenario('attest'),
  attest: () => {
    const m = realisticManifest(1, 1, false);
    const { state, ids } = packages(5000, m);
    const tester = new Signer();
    return {
      kind: 'attest', base: state,
      txs: fill((i) => tester.tx('attest', {
        pkg: ids[i]!, version: '1.0.0', contentHash: publishBody(ids[i]!, '1.0.0', m).contentHash, lockHash: lockHash({}),
        passed: 10, failed: 0, skipped: 0, resultHash: sha256(new Uint8Array([i & 0xff])), runtimeMs: 100,
      })),
    };
  },
  deprecate: () => {
    const { state, ids, owner } = packages(5000, realisticManifest(1, 1, false));
    return { kind: 'deprecate', base: state, txs: fill((i) => owner.tx('deprecate', { pkg: ids[i]!, version: '1.0.0', deprecated: true, reason: 'bench' })) };
  },
  rotate: () => {
    return {
      kind: 'rotate', base: { get: () => undefined },
      txs: fill(() => {
        const from = new Signer();
        const to = generateKeyPair();
        return from.tx('rotate', { to: to.publicKey, proof: sign(rotationMessage(chainId, from.key.publicKey, to.publicKey, 0), to.secretKey) });
      }),
    };
  },
};

// ---------------------------------------------------------------- timing

/** The node's hooks, timed. */
function timedHooks(acc: { manifest: number; compare: number; lock: number }): RuleHooks {
  return {
    checkManifest: (m) => {
      const t = performance.now();
      try { defaultHooks.checkManifest!(m); } finally { acc.manifest += performance.now() - t; }
    },
    minimumBump: (a, b) => {
      const t = performance.now();
      try { return defaultHooks.minimumBump(a, b); } finally { acc.compare += performance.now() - t; }
    },
    checkLock: (s, body) => {
      const t = performance.now();
      try { defaultHooks.checkLock!(s, body); } finally { acc.lock += performance.now() - t; }
    },
  };
}

interface Measured { kind: string; txs: number; bytes: number; applyMs: number; sigMs: number; decodeMs: number; shaMs: number; split: string; cost: number }

function measure(sc: Scenario): Measured {
  const miner = generateKeyPair().publicKey;
  const all: Tx[] = [buildRewardTx(1_000_000, miner, sc.txs, params), ...sc.txs];
  const ids = all.map(idOf);
  const encoded = all.map((t) => encodeTx(t));
  const bytes = encoded.reduce((n, b) => n + b.length, 0);
  const joined = new Uint8Array(bytes);
  encoded.reduce((at, b) => (joined.set(b, at), at + b.length), 0);
  const ctx = { params, chainId, height: 1_000_000, blockId: 'bench' };
  const applies: number[] = [];
  const shas: number[] = [];
  const sigs: number[] = [];
  const decodes: number[] = [];
  const costs: number[] = [];
  let split = { manifest: 0, compare: 0, lock: 0 };
  let cost = 0;
  for (let r = 0; r < RUNS; r++) {
    let t = performance.now();
    sha256(joined);
    shas.push(performance.now() - t);
    const acc = { manifest: 0, compare: 0, lock: 0 };
    const hooks = timedHooks(acc);
    // The rules alone (applyBlockTxs less the reward and the cost rule, which would stop an over-limit block).
    const s = new StateOverlay(sc.base);
    t = performance.now();
    sc.txs.forEach((tx, i) => applySignedTx(s, tx, { ...ctx, txId: toHex(ids[i + 1]!) }, hooks));
    applies.push(performance.now() - t);
    if (r === 0) split = acc;
    // The cost rule alone: each tx's cost on the state left by the ones before it.
    const c = new StateOverlay(sc.base);
    let total = 0;
    let costMs = 0;
    sc.txs.forEach((tx, i) => {
      const t1 = performance.now();
      total += txCost(c, tx, encoded[i + 1]!.length);
      costMs += performance.now() - t1;
      applySignedTx(c, tx, { ...ctx, txId: toHex(ids[i + 1]!) });
    });
    cost = total;
    costs.push(costMs);
    t = performance.now();
    for (const tx of sc.txs) if (!verify(tx.sig, signingMessage(tx, chainId), tx.from)) throw new Error('bad signature');
    sigs.push(performance.now() - t);
    // Decoding with the canonical-form check, as decodeTx does.
    t = performance.now();
    for (const b of encoded.slice(1)) decodeTx(b);
    decodes.push(performance.now() - t);
  }
  const fmt = (ms: number): string => ms.toFixed(0);
  return {
    kind: sc.kind, txs: sc.txs.length, bytes, applyMs: median(applies), sigMs: median(sigs), decodeMs: median(decodes), shaMs: median(shas), cost,
    split: `validate ${fmt(split.manifest)} ms, compare ${fmt(split.compare)} ms, lock ${fmt(split.lock)} ms, cost rule ${median(costs).toFixed(1)} ms`,
  };
}

/** A chain of setup blocks and the measured block, mined at the dev target, imported into a node on disk. */
async function importWhole(): Promise<{ importMs: number; applyMs: number; txs: number; bytes: number }> {
  const owner = new Signer();
  const count = 1400;
  const setup: SignedTx[] = [owner.tx('claim', { ns: '@bench' })];
  const ids: Uint8Array[] = [];
  for (let p = 0; p < count; p++) {
    const tx = owner.tx('create', { ns: '@bench', name: `p${p}` });
    ids.push(idOf(tx));
    setup.push(tx);
  }
  const before = realisticManifest(SMALL.exports, SMALL.members, false);
  for (const id of ids) setup.push(owner.tx('publish', publishBody(id, '1.0.0', before)));
  const after = realisticManifest(SMALL.exports, SMALL.members, true);
  const nextVersions = ids.map((id) => owner.tx('publish', publishBody(id, '1.1.0', after)));
  // Blocks as a miner fills them: until the next tx would pass the byte or the cost limit.
  const scratch = new StateOverlay({ get: () => undefined });
  const blocksOf = (txs: SignedTx[]): SignedTx[][] => {
    const out: SignedTx[][] = [[]];
    let bytes = 0;
    let cost = 0;
    for (const tx of txs) {
      const size = encodeTx(tx).length;
      const c = txCost(scratch, tx, size);
      if (bytes + size > ROOM || cost + c > MAX_BLOCK_COST || out.at(-1)!.length + 1 >= MAX_BLOCK_TXS) {
        out.push([]);
        bytes = 0;
        cost = 0;
      }
      out.at(-1)!.push(tx);
      bytes += size;
      cost += c;
      applySignedTx(scratch, tx, { params, chainId, height: 1, blockId: 'scratch', txId: toHex(idOf(tx)) });
    }
    return out;
  };
  const bodies = blocksOf(setup);
  const measured = blocksOf(nextVersions)[0]!;
  bodies.push(measured);
  const miner = generateKeyPair().publicKey;
  const ancestry = [{ time: genesis.header.time, target: genesis.header.seal.target }];
  let parent = genesis.id;
  const blocks = bodies.map((body, i) => {
    const h = i + 1;
    const all: Tx[] = [buildRewardTx(h, miner, body, params), ...body];
    const header: PowHeader = {
      v: 1, height: h, parent, txRoot: merkleRoot(all.map(idOf)), time: params.genesisTime + h * params.blockTimeMs,
      seal: { kind: 'pow', target: nextTarget(ancestry.slice(-(params.retargetWindow + 1)), params), nonce: new Uint8Array(8) },
    };
    const view = new DataView(header.seal.nonce.buffer);
    for (let n = 0; !meetsTarget(blockId(encodeHeader(header)), header.seal.target); n++) view.setUint32(4, n);
    const block = assembleBlock(header, all);
    ancestry.push({ time: header.time, target: header.seal.target });
    parent = block.id;
    return block;
  });
  const imports: number[] = [];
  const applies: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const dir = await mkdtemp(join(tmpdir(), 'gopkgr-bench-cost-'));
    const acc = { manifest: 0, compare: 0, lock: 0 };
    const hooks = timedHooks(acc);
    let applyMs = 0;
    const measuredHooks: RuleHooks = hooks;
    const verifier = new WorkerVerifier();
    const node = await FullNode.open({ dataDir: dir, params, hooks: measuredHooks, verifier });
    for (const b of blocks.slice(0, -1)) await node.submitBlock(b.bytes);
    const last = blocks[blocks.length - 1]!;
    // The state rules alone, on the state as the node holds it (every key loaded first, so no disk read is timed).
    const session = node.chain.state.session({ wholePackages: false });
    const ctx = { params, chainId, height: blocks.length, blockId: toHex(last.id), txSizes: last.txBytes.map((b) => b.length) };
    await session.run(() => applyBlockTxs(new StateOverlay(session), last.txs, last.txIds, ctx, defaultHooks));
    const t0 = performance.now();
    applyBlockTxs(new StateOverlay(session), last.txs, last.txIds, ctx, defaultHooks);
    applyMs = performance.now() - t0;
    const t = performance.now();
    await node.submitBlock(last.bytes);
    imports.push(performance.now() - t);
    applies.push(applyMs);
    if (node.chain.height !== blocks.length) throw new Error('the measured block did not connect');
    await node.close();
    await verifier.close();
    await rm(dir, { recursive: true, force: true });
  }
  const last = blocks[blocks.length - 1]!;
  return { importMs: median(imports), applyMs: median(applies), txs: last.txs.length - 1, bytes: last.bytes.length };
}

const rows: Measured[] = [];
for (const [name, make] of Object.entries(scenarios)) {
  if (ONLY !== undefined && !ONLY.includes(name)) continue;
  const m = measure(make());
  rows.push(m);
  // Import as the chain does it: decode, signatures on two threads, then the rules.
  const importMs = m.applyMs + m.decodeMs + m.sigMs / 2;
  console.log(
    `${m.kind.padEnd(42)} ${String(m.txs).padStart(5)} txs ${(m.bytes / 1e6).toFixed(2)} MB | rules ${m.applyMs.toFixed(0)} ms ` +
    `(${((m.applyMs * 1000) / m.txs).toFixed(0)} µs/tx, ${((m.applyMs * 1e6) / m.bytes).toFixed(0)} ns/B; ${m.split}) | ` +
    `decode ${m.decodeMs.toFixed(0)} ms | sigs 1 core ${m.sigMs.toFixed(0)} ms | import ~${importMs.toFixed(0)} ms | sha256 ${m.shaMs.toFixed(1)} ms | ` +
    `cost ${m.cost} → a block at MAX_BLOCK_COST ~${((importMs * MAX_BLOCK_COST) / m.cost).toFixed(0)} ms`,
  );
}
if (ONLY === undefined || ONLY.includes('import')) {
  const w = await importWhole();
  console.log(`whole import of a block at MAX_BLOCK_COST (${w.txs} publishes of a 10-export package whose API changed, ${(w.bytes / 1e6).toFixed(2)} MB, worker signatures, LevelDB): ${w.importMs.toFixed(0)} ms, of which state rules ~${w.applyMs.toFixed(0)} ms`);
}
const importOf = (m: Measured): number => m.applyMs + m.decodeMs + m.sigMs / 2;
// (--only import: no kind was measured, so there is no worst kind or ratio to print)
if (rows.length === 0) process.exit(0);
const worst = rows.reduce((a, b) => (importOf(b) / b.cost > importOf(a) / a.cost ? b : a), rows[0]!);
console.log(`worst kind per cost unit: ${worst.kind}; a block of it at MAX_BLOCK_COST imports in ~${((importOf(worst) * MAX_BLOCK_COST) / worst.cost).toFixed(0)} ms`);
console.log(`ratio import/sha256 of the same bytes (${worst.kind}): ${(importOf(worst) / worst.shaMs).toFixed(0)}`);
