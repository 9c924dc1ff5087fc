/**
 * A real in-process node (apiNode.ts) holding what notices and advisories are
 * about, mined in one block: @acme/lib 1.0.0 (deprecated with a reason), 1.0.1
 * and 2.0.0; @acme/other 1.0.0; @acmex/y 1.0.0 (a namespace whose name starts
 * like @acme's); @empty claimed with no package; two advisories on @acme/lib,
 * `<1.0.1` high and `>=2.0.0` critical, signed by alice.
 */
import { expect } from 'vitest';
import { toHex } from '../../ledger/index.ts';
import { actor, idBytes, idOf, keyPair, mineBlock, publishBody, type Actor } from './chain.ts';
import { startNode, type ApiNode } from './apiNode.ts';

export const DEPRECATION_REASON = 'SECURITY: CVE-2026-0002; move to 1.0.1';

export interface AdvisoryWorld {
  api: ApiNode;
  alice: Actor;
  /** content hashes (hex) by `name@version` */
  hashes: Record<string, string>;
  /** the advisories' ids: `<1.0.1` high, `>=2.0.0` critical */
  low: string;
  critical: string;
}

export async function advisoryWorld(): Promise<AdvisoryWorld> {
  const api = await startNode({ prefix: 'gopkgr-advisories-' });
  const alice = actor(keyPair('alice'), api.node.chain.chainId);
  const claims = ['@acme', '@acmex', '@empty'].map((ns) => alice.tx('claim', { ns }));
  const lib = alice.tx('create', { ns: '@acme', name: 'lib' });
  const other = alice.tx('create', { ns: '@acme', name: 'other' });
  const y = alice.tx('create', { ns: '@acmex', name: 'y' });
  const publishes = [
    ...['1.0.0', '1.0.1', '2.0.0'].map((v) => alice.tx('publish', publishBody(idBytes(lib), v))),
    alice.tx('publish', publishBody(idBytes(other), '1.0.0')),
    alice.tx('publish', publishBody(idBytes(y), '1.0.0')),
  ];
  const deprecate = alice.tx('deprecate', { pkg: idBytes(lib), version: '1.0.0', deprecated: true, reason: DEPRECATION_REASON });
  const low = alice.tx('advisory', { pkg: idBytes(lib), range: '<1.0.1', severity: 'high', text: 'the parser loops on deep input; 1.0.1 fixes it' });
  const critical = alice.tx('advisory', { pkg: idBytes(lib), range: '>=2.0.0', severity: 'critical', text: 'leaks the token \u001b[31min red\u001b[0m' });
  const block = mineBlock(api.node.chain, [...claims, lib, other, y, ...publishes, deprecate, low, critical]);
  const res = await fetch(`${api.url}/v1/blocks`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from(block.bytes) });
  expect(res.status, await res.text()).toBe(200);
  const hashes: Record<string, string> = {};
  for (const p of publishes) {
    const body = p.body as { version: string; contentHash: Uint8Array; pkg: Uint8Array };
    const name = toHex(body.pkg) === idOf(lib) ? '@acme/lib' : toHex(body.pkg) === idOf(other) ? '@acme/other' : '@acmex/y';
    hashes[`${name}@${body.version}`] = toHex(body.contentHash);
  }
  return { api, alice, hashes, low: idOf(low), critical: idOf(critical) };
}
