/**
 * bench/validate: full validation speed of block import.
 *
 * Builds a dev chain of 1,000 blocks holding 100,000 signed txs (1,000 identities,
 * each claiming a namespace, creating 20 packages, publishing 79 versions and
 * deprecating one), then imports it block by block into a fresh node on disk:
 * decode, proof of work, header rules, tx root, stamps, signatures, registry
 * rules, and one atomic LevelDB batch per block. The baseline is raw
 * node:crypto signature verification on one core over the same txs, measured in
 * the same run (median of 3 rounds interleaved with the imports).
 *
 *   npx tsx bench/validate.ts [--blocks N] [--per-block N]
 */
import '../node/polyfill.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEV_PARAMS, blockId, buildRewardTx, checkTxSignature, encodeTx, generateKeyPair, manifestHash,
  merkleRoot, signTx, signingMessage, txId, verify, type DecodedBlock, type KeyPair, type SignedTx, type Tx,
} from '../ledger/index.ts';
import { assembleBlock, encodeHeader, genesisBlock, meetsTarget, nextTarget, type PowHeader } from '../consensus/pow/index.ts';
import { FullNode, WorkerVerifier, inlineVerifier, type SignatureVerifier } from '../node/index.ts';

const { values } = parseArgs({ options: { blocks: { type: 'string' }, 'per-block': { type: 'string' } } });
const BLOCKS = Number(values.blocks ?? 1000);
const PER_BLOCK = Number(values['per-block'] ?? 100);
const TX_PER_USER = 100;
const USERS = (BLOCKS * PER_BLOCK) / TX_PER_USER;
const params = DEV_PARAMS;
const genesis = genesisBlock(params);
const chainId = genesis.id;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Every version carries an API manifest; an unchanged one makes each later version a patch step. */
const MANIFEST = { format: 'infver/1', name: '@bench/pkg', exports: [], internal: [] };
const MANIFEST_HASH = manifestHash(MANIFEST);

/** The r-th tx of user u: claim, 20 creates, 20 first publishes, patch publishes, one deprecation. */
function userTx(u: number, r: number, key: KeyPair, pkgIds: Uint8Array[], versions: number[]): SignedTx {
  const base = { from: key.publicKey, nonce: r };
  const ns = `@u${u}`;
  let unsigned;
  if (r === 0) unsigned = { ...base, type: 'claim' as const, body: { ns } };
  else if (r <= 20) unsigned = { ...base, type: 'create' as const, body: { ns, name: `p${r - 1}` } };
  else if (r === TX_PER_USER - 1) unsigned = { ...base, type: 'deprecate' as const, body: { pkg: pkgIds[0]!, version: '1.0.0', deprecated: true } };
  else {
    const p = r <= 40 ? r - 21 : (r - 41) % 20;
    const version = `1.0.${versions[p]!}`;
    versions[p]!++;
    const contentHash = new Uint8Array(32).fill((u * 131 + r) & 0xff);
    unsigned = { ...base, type: 'publish' as const, body: { pkg: pkgIds[p]!, version, contentHash, size: 1000 + r, manifest: MANIFEST, apiHash: MANIFEST_HASH, deps: {}, lock: {} } };
  }
  const tx = signTx(unsigned, key.secretKey, chainId, params.txWorkBits);
  if (r >= 1 && r <= 20) pkgIds.push(txId(encodeTx(tx)));
  return tx;
}

function buildChain(): { blocks: DecodedBlock[]; txs: SignedTx[] } {
  const users = Array.from({ length: USERS }, () => ({ key: generateKeyPair(), pkgIds: [] as Uint8Array[], versions: new Array<number>(20).fill(0) }));
  const txs: SignedTx[] = [];
  // Round r holds every user's r-th tx, so each user's nonces stay in order.
  for (let r = 0; r < TX_PER_USER; r++) users.forEach((user, u) => txs.push(userTx(u, r, user.key, user.pkgIds, user.versions)));
  const miner = generateKeyPair().publicKey;
  const blocks: DecodedBlock[] = [];
  const ancestry = [{ time: genesis.header.time, target: genesis.header.seal.target }];
  let parent = genesis.id;
  for (let h = 1; h <= BLOCKS; h++) {
    const body: Tx[] = txs.slice((h - 1) * PER_BLOCK, h * PER_BLOCK);
    const all: Tx[] = [buildRewardTx(h, miner, body, params), ...body];
    const header: PowHeader = {
      v: 1, height: h, parent, txRoot: merkleRoot(all.map((t) => txId(encodeTx(t)))), time: params.genesisTime + h * params.blockTimeMs,
      seal: { kind: 'pow', target: nextTarget(ancestry.slice(-(params.retargetWindow + 1)), params), nonce: new Uint8Array(8) },
    };
    const view = new DataView(header.seal.nonce.buffer);
    for (let n = 0; !meetsTarget(blockId(encodeHeader(header)), header.seal.target); n++) view.setUint32(4, n);
    const block = assembleBlock(header, all);
    blocks.push(block);
    ancestry.push({ time: header.time, target: header.seal.target });
    parent = block.id;
  }
  return { blocks, txs };
}

function rawVerifyRate(txs: SignedTx[], count: number): number {
  const checks = txs.slice(0, count).map((tx) => ({ message: signingMessage(tx, chainId), sig: tx.sig, key: tx.from }));
  const start = performance.now();
  let ok = 0;
  for (const c of checks) if (verify(c.sig, c.message, c.key)) ok++;
  const seconds = (performance.now() - start) / 1000;
  if (ok !== checks.length) throw new Error('baseline signature failed to verify');
  return checks.length / seconds;
}

async function importAll(blocks: DecodedBlock[], verifier: SignatureVerifier): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'gopkgr-bench-validate-'));
  const node = await FullNode.open({ dataDir: dir, params, verifier });
  const start = performance.now();
  // Import from bytes, as from disk; block n+1's signatures verify while block n is applied.
  let next = node.prepareBlock(blocks[0]!.bytes);
  for (let i = 0; i < blocks.length; i++) {
    const current = next;
    if (i + 1 < blocks.length) next = node.prepareBlock(blocks[i + 1]!.bytes);
    await node.submitBlock(current);
  }
  const seconds = (performance.now() - start) / 1000;
  if (node.chain.height !== blocks.length) throw new Error(`imported to height ${node.chain.height}, expected ${blocks.length}`);
  await node.close();
  await rm(dir, { recursive: true, force: true });
  return seconds;
}

const t0 = performance.now();
const { blocks, txs } = buildChain();
checkTxSignature(txs[0]!, chainId, params.txWorkBits);
const totalTxs = txs.length;
console.log(`built ${blocks.length} blocks, ${totalTxs} signed txs, ${(blocks.reduce((n, b) => n + b.bytes.length, 0) / 1e6).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const SAMPLE = Math.min(5000, totalTxs);
const raw: number[] = [rawVerifyRate(txs, SAMPLE)];
const oneCore = await importAll(blocks, inlineVerifier);
raw.push(rawVerifyRate(txs, SAMPLE));
const pool = new WorkerVerifier();
const allCores = await importAll(blocks, pool);
await pool.close();
raw.push(rawVerifyRate(txs, SAMPLE));

const rawRate = median(raw);
const oneRate = totalTxs / oneCore;
const allRate = totalTxs / allCores;
console.log(`raw signature verification, 1 core: ${rawRate.toFixed(0)} sig/s (median of ${raw.length}: ${raw.map((r) => r.toFixed(0)).join(', ')})`);
console.log(`full import, 1 core:   ${oneRate.toFixed(0)} tx/s (${oneCore.toFixed(1)} s, ratio ${(oneRate / rawRate).toFixed(2)})`);
console.log(`full import, all cores: ${allRate.toFixed(0)} tx/s (${allCores.toFixed(1)} s, ${(blocks.length / allCores).toFixed(0)} blocks/s)`);
console.log(`ratio import/raw-verify: ${(allRate / rawRate).toFixed(2)}`);
