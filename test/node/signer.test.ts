/**
 * The authority producer (node/signer.ts) on a real FullNode: it refuses an
 * identity the genesis does not name and a chain without authorities
 * (SIGNER_NOT_AUTHORITY); it seals a block in each of its slots on the head,
 * with the pool's txs, and the chain accepts every one; evidence the node is
 * handed goes on chain as an evidence tx, and the offender leaves the set at
 * the next epoch boundary.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { authorityStateOf, DEV_PARAMS, encodeTx, identityOf, stateKeys, toHex, type ChainParams } from '../../ledger/index.ts';
import { encodeHeader } from '../../ledger/block.ts';
import { authoritySealCodec, signHeader, slotStart, type AuthorityConsensus } from '../../consensus/authority/index.ts';
import { AuthoritySigner, FullNode, silentLogger } from '../../node/index.ts';
import { actor, keyPair } from '../support/chain.ts';
import { closeAll, onClose, tempDir } from '../support/cleanup.ts';
import { waitFor } from '../support/waitFor.ts';
import { codeOf } from '../support/codeOf.ts';

afterEach(closeAll);

const AUTHORITY = keyPair('signer-authority');
const OTHER = keyPair('signer-other');

function params(slotMs: number): ChainParams {
  return {
    ...DEV_PARAMS, name: 'signer-test', blockTimeMs: slotMs, genesisTime: Math.floor(Date.now() / 1000) * 1000,
    consensus: { kind: 'authority', authorities: [identityOf(AUTHORITY.publicKey)], slotMs, epochBlocks: 100 }, namespaces: ['@acme'],
  };
}

async function open(p: ChainParams): Promise<FullNode> {
  const node = await FullNode.open({ dataDir: await tempDir('gopkgr-signer-'), params: p });
  onClose(() => node.close());
  return node;
}

describe('the authority signer', () => {
  it('SIGNER_NOT_AUTHORITY: an identity the genesis does not name, or a proof-of-work chain', async () => {
    const node = await open(params(1000));
    expect(codeOf(() => new AuthoritySigner(node, OTHER, silentLogger))).toBe('SIGNER_NOT_AUTHORITY');
    const pow = await open(DEV_PARAMS);
    expect(codeOf(() => new AuthoritySigner(pow, AUTHORITY, silentLogger))).toBe('SIGNER_NOT_AUTHORITY');
  });

  it('seals a block in each of its slots, with the pool\'s txs, and the chain takes them', async () => {
    const p = params(100);
    const node = await open(p);
    const claim = actor(keyPair('signer-user'), node.chain.chainId).tx('claim', { ns: '@acme' });
    await node.submitTx(encodeTx(claim));
    const signed: Array<{ slot: number; height: number; txs: number }> = [];
    const signer = new AuthoritySigner(node, AUTHORITY, silentLogger, Date.now, (b) => signed.push(b));
    signer.start();
    onClose(() => signer.stop());
    await waitFor(async () => (node.chain.height >= 3 ? true : undefined), 30_000, 'three signed blocks');
    await signer.stop();
    expect(signed.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < signed.length; i++) expect(signed[i]!.slot).toBeGreaterThan(signed[i - 1]!.slot);
    expect(signed[0]!.txs).toBe(1);
    expect(node.mempool.size).toBe(0);
    const block = (await node.chain.getBlock(node.chain.mainIdAt(1)!))!;
    expect(toHex((block.header.seal as unknown as { signer: Uint8Array }).signer)).toBe(toHex(AUTHORITY.publicKey));
    expect(block.txs.map((t) => t.type)).toEqual(['reward', 'claim']);
    expect(node.chain.finalizedHeight()).toBe(node.chain.height - 1);
  });

  it('puts evidence it is handed on chain as a tx; the offender leaves the set at the epoch boundary', async () => {
    const p: ChainParams = { ...params(100), consensus: { kind: 'authority', authorities: [AUTHORITY, OTHER].map((k) => identityOf(k.publicKey)), slotMs: 100, epochBlocks: 4 } };
    const node = await open(p);
    const set = (node.chain.consensus as AuthorityConsensus).set;
    // Two headers OTHER signed for one slot (it never runs here: its slots stay empty).
    const twin = (fill: number): Uint8Array => encodeHeader(signHeader({
      v: 1, height: 1, parent: node.chain.chainId, txRoot: new Uint8Array(32).fill(fill), time: slotStart(1, p, set),
    }, 1, OTHER.publicKey, OTHER.secretKey, node.chain.chainId), authoritySealCodec);
    const signer = new AuthoritySigner(node, AUTHORITY, silentLogger);
    signer.start();
    onClose(() => signer.stop());
    expect(await node.chain.addEvidence(twin(1), twin(2))).toBe(toHex(OTHER.publicKey));
    await waitFor(async () => ((await node.chain.state.get(stateKeys.evidence(toHex(OTHER.publicKey)))) !== undefined ? true : undefined), 30_000, 'the evidence tx in a block');
    await waitFor(async () => (node.chain.authoritiesAt(node.chain.head.id)?.length === 1 ? true : undefined), 30_000, 'the epoch boundary');
    expect(node.chain.authoritiesAt(node.chain.head.id)).toEqual([toHex(AUTHORITY.publicKey)]);
    expect((await node.chain.state.read((s) => authorityStateOf(s, p))).offenders).toEqual([]);
  });
});
