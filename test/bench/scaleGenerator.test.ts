/**
 * The scale benchmark's generator (bench/scale/): the chain it builds must be
 * one a real node accepts block by block, and every version it claims to have
 * published must be readable through the node's API, or the benchmark would
 * measure a chain other than the one it describes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEV_PARAMS, encodeTx, signTx } from '../../ledger/index.ts';
import { ChainAssembler } from '../../bench/scale/assemble.ts';
import { generateBlocks, type PlannedBlock, type UnsignedPlan } from '../../bench/scale/generator.ts';
import { checkManifestShapes } from '../../bench/scale/manifests.ts';
import { startNode } from '../support/apiNode.ts';
import { closeAll } from '../support/cleanup.ts';

afterEach(closeAll);

const VERSIONS = 200;

describe('scale generator', () => {
  it('builds a chain of 200 versions that a FullNode imports, every version readable', async () => {
    const { node, url } = await startNode({ prefix: 'gopkgr-scale-gen-' });
    const assembler = new ChainAssembler(DEV_PARAMS);
    const signHere = async (txs: UnsignedPlan[]): Promise<Uint8Array[]> =>
      txs.map((t) => encodeTx(signTx(t.unsigned, t.secretKey, assembler.chainId, DEV_PARAMS.txWorkBits)));
    const plans: PlannedBlock[] = [];
    for await (const plan of generateBlocks({ versions: VERSIONS, signNow: signHere, cohort: 2, blockBytes: 128 * 1024 })) {
      // Small cohorts and blocks, so that later packages have deps in earlier blocks.
      // The extra block (a full one on top, for the import measurement) is not needed here.
      if (plan.extra) break;
      const unsigned = await signHere(plan.txs.filter((t): t is UnsignedPlan => !('signed' in t)));
      let k = 0;
      const block = assembler.next(plan.txs.map((t) => ('signed' in t ? t.signed : unsigned[k++]!)));
      const result = await node.submitBlock(block.bytes);
      expect(result.height).toBe(assembler.height);
      plans.push(plan);
    }
    expect(node.chain.head.id).toBe(assembler.headId);
    expect(plans.length).toBeGreaterThan(3);
    const refs = plans.flatMap((p) => p.refs);
    expect(refs).toHaveLength(VERSIONS);
    expect(plans.reduce((n, p) => n + p.publishes, 0)).toBe(VERSIONS);

    let minorSteps = 0;
    let withLock = 0;
    for (const { ref, tree } of refs) {
      const at = ref.lastIndexOf('@');
      const res = await fetch(`${url}/v1/packages/${ref.slice(0, at)}/${ref.slice(at + 1)}`);
      expect(res.status, ref).toBe(200);
      const view = (await res.json()) as { version: string; lock?: Record<string, string> };
      expect(view.version).toBe(ref.slice(at + 1));
      if (!ref.endsWith('.0.0') && ref.endsWith('.0')) minorSteps++;
      if (tree > 1) withLock++;
    }
    // Realistic records, not only 1.0.x: some minor steps and some versions with dependencies.
    expect(minorSteps).toBeGreaterThan(0);
    expect(withLock).toBeGreaterThan(0);
  });

  it('crafts manifests that infver accepts, the large one about 100 KB', () => {
    const sizes = checkManifestShapes();
    expect(sizes.base).toBeGreaterThan(1000);
    expect(sizes.large).toBeGreaterThan(90_000);
    expect(sizes.large).toBeLessThan(256 * 1024 - 16 * 1024);
  });
});
