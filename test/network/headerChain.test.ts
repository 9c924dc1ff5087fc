/**
 * verifyHeaderChain (node/network/headerChain.ts): the pure checks sync runs on
 * a peer's headers before it downloads a block, with the dev chain's proof of
 * work as the consensus.
 */
import { describe, expect, it } from 'vitest';
import { blockId, DEV_PARAMS, GopkgrError, sha256, toHex } from '../../ledger/index.ts';
import { consensusFor, genesisBlock } from '../../consensus/index.ts';
import { encodeHeader, meetsTarget, NONCE_BYTES, type PowHeader } from '../../consensus/pow/index.ts';
import { verifyHeaderChain, type HeaderAnchor } from '../../node/network/headerChain.ts';
import type { WireHeader } from '../../node/network/messages.ts';

const consensus = consensusFor(DEV_PARAMS);
const genesis = genesisBlock(DEV_PARAMS);
const ANCHOR: HeaderAnchor = { id: toHex(genesis.id), height: 0 };
const TARGET = genesis.header.seal as PowHeader['seal'];

/** A header on `parent` sealed with the first nonce that meets (or, with `miss`, misses) the dev target. */
function wire(parent: Uint8Array, height: number, miss = false): WireHeader {
  for (let n = 0n; ; n++) {
    const nonce = new Uint8Array(NONCE_BYTES);
    new DataView(nonce.buffer).setBigUint64(0, n);
    const header: PowHeader = {
      v: 1, height, parent, txRoot: sha256(new Uint8Array([height])), time: DEV_PARAMS.genesisTime + height * 1000,
      seal: { kind: 'pow', target: TARGET.target, nonce },
    };
    const id = blockId(encodeHeader(header));
    if (meetsTarget(id, TARGET.target) !== miss) return { header, id };
  }
}

function chainOf(n: number): WireHeader[] {
  const out: WireHeader[] = [];
  let parent = genesis.id;
  for (let h = 1; h <= n; h++) {
    const w = wire(parent, h);
    out.push(w);
    parent = w.id;
  }
  return out;
}

function failure(fn: () => unknown): { code: string; message: string } | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof GopkgrError) return { code: err.code, message: err.message };
    throw err;
  }
  return undefined;
}

describe('verifyHeaderChain', () => {
  it('accepts a valid chain after the anchor and returns each header id and height', () => {
    const headers = chainOf(4);
    expect(verifyHeaderChain(headers, ANCHOR, consensus)).toEqual(headers.map((w) => ({ id: toHex(w.id), height: w.header.height })));
    expect(verifyHeaderChain([], ANCHOR, consensus)).toEqual([]);
  });

  it('rejects a header that does not link to the one before it (or to the anchor)', () => {
    const headers = chainOf(3);
    const stray = wire(headers[0]!.id, 3); // height 3 on block 1: skips block 2's link
    expect(failure(() => verifyHeaderChain([headers[0]!, headers[1]!, stray], ANCHOR, consensus))).toMatchObject({ code: 'SYNC_BAD_HEADERS', message: expect.stringContaining('does not link') });
    expect(failure(() => verifyHeaderChain(headers, { id: toHex(headers[0]!.id), height: 1 }, consensus))?.code).toBe('SYNC_BAD_HEADERS');
  });

  it('rejects heights that do not count up by one', () => {
    const first = wire(genesis.id, 1);
    const same = wire(first.id, 1); // links, but does not count up
    expect(failure(() => verifyHeaderChain([first, same], ANCHOR, consensus))).toMatchObject({ code: 'SYNC_BAD_HEADERS', message: expect.stringContaining('expected 2') });
    const jump = wire(first.id, 5);
    expect(failure(() => verifyHeaderChain([first, jump], ANCHOR, consensus))?.code).toBe('SYNC_BAD_HEADERS');
    // The anchor's height counts too.
    expect(failure(() => verifyHeaderChain([first], { ...ANCHOR, height: 7 }, consensus))?.code).toBe('SYNC_BAD_HEADERS');
  });

  it('rejects a header whose seal is not sound (its id misses its target)', () => {
    const first = wire(genesis.id, 1);
    const unsealed = wire(first.id, 2, true);
    expect(failure(() => verifyHeaderChain([first, unsealed], ANCHOR, consensus))).toMatchObject({ code: 'SYNC_BAD_HEADERS', message: expect.stringContaining('does not meet its target') });
    // A header passed off under another block's id is refused as well.
    const lying = { header: wire(first.id, 2).header, id: unsealed.id };
    expect(failure(() => verifyHeaderChain([first, lying], ANCHOR, consensus))?.code).toBe('SYNC_BAD_HEADERS');
  });
});
