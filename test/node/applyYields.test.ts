/**
 * A long block never holds the node's thread for its whole application: the
 * chain lets other work in between its txs (node/chain.ts, APPLY_SLICE_MS), so
 * protocol handlers and API requests are answered while it applies. Observed
 * through the rules' own hook: a callback queued when the block's first
 * manifest is checked must run while later txs of that block are still to
 * come, not after the last one. Each check is made to cost a millisecond, so
 * the block's application is long on any machine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defaultHooks } from '../../node/index.ts';
import { manifestHash, type RuleHooks, type Tx } from '../../ledger/index.ts';
import { actor, idBytes, keyPair, mineBlock, ONE_EXPORT_MANIFEST, openChain, publishBody } from '../support/chain.ts';
import { closeAll } from '../support/cleanup.ts';

afterEach(closeAll);

const PACKAGES = 300;

describe('block application', () => {
  it('lets the event loop turn between the txs of a long block', { timeout: 120_000 }, async () => {
    let watching = false;
    let checked = 0;
    let checkedWhenLoopTurned: number | undefined;
    const hooks: RuleHooks = {
      ...defaultHooks,
      checkManifest: (manifest) => {
        defaultHooks.checkManifest!(manifest);
        if (!watching) return;
        if (checked++ === 0) setImmediate(() => (checkedWhenLoopTurned = checked));
        // A costly rule, as a large manifest's is: the block then holds the thread for at least
        // PACKAGES ms in all, far past one slice, however fast the machine.
        const until = performance.now() + 1;
        while (performance.now() < until);
      },
    };
    const { chain } = await openChain(undefined, { hooks });
    const alice = actor(keyPair('apply-yields'), chain.chainId);
    const manifest = { apiHash: manifestHash(ONE_EXPORT_MANIFEST), manifest: ONE_EXPORT_MANIFEST };
    const claim = alice.tx('claim', { ns: '@yield' });
    const creates = Array.from({ length: PACKAGES }, (_, i) => alice.tx('create', { ns: '@yield', name: `p${i}` }));
    await chain.importBlock(mineBlock(chain, [claim, ...creates]).bytes);
    await chain.importBlock(mineBlock(chain, creates.map((c) => alice.tx('publish', publishBody(idBytes(c), '1.0.0', manifest)))).bytes);
    const txs: Tx[] = creates.map((c) => alice.tx('publish', publishBody(idBytes(c), '1.0.1', manifest)));
    const block = mineBlock(chain, txs);

    watching = true;
    const result = await chain.importBlock(block.bytes);
    expect(result.status).toBe('connected');
    // Every publish's manifest was checked, at least once each.
    expect(checked).toBeGreaterThanOrEqual(PACKAGES);
    // The loop turned while publishes were still to be checked.
    expect(checkedWhenLoopTurned).toBeDefined();
    expect(checkedWhenLoopTurned!).toBeLessThan(PACKAGES);
  });
});
