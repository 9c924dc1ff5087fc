/**
 * Gossip validation of a block (topic /gopkgr/<chain>/blocks/1). Cheap checks
 * first, then the full import, which is the only way to know a block is valid;
 * a block is forwarded only once this node has imported it.
 *
 * Rules, in order, with the verdict when they fail:
 *  1. size ≤ MAX_GOSSIP_BYTES                          REJECT NET_TOO_LARGE
 *  2. decodes as a canonical block                     REJECT (BLOCK_MALFORMED, DECODE_ERROR, …)
 *  3. not already in our index                         IGNORE NET_DUPLICATE (REJECT BLOCK_KNOWN_INVALID if known bad)
 *  4. the seal is sound on its own (consensus.checkSeal; REJECT BLOCK_BAD_POW
 *     pow: the id meets the header's target)
 *  5. time ≤ our clock + 2 h + FAR_FUTURE_SLACK_MS      REJECT BLOCK_TIME_FAR_FUTURE (no clock is that far off;
 *                                                      between 2 h and that, IGNORE at import: it may be our clock)
 *  6. parent known                                     IGNORE BLOCK_PARENT_UNKNOWN (the caller syncs from the sender);
 *                                                      IGNORE BLOCK_ORPHAN_CHEAP when its seal claims less than
 *                                                      1/CHEAP_ORPHAN_FACTOR of the weight of our next block
 *                                                      (consensus.isCheapOrphan; pow: its target is more than
 *                                                      CHEAP_ORPHAN_FACTOR times easier than our next block's)
 *                                                      (the caller charges the sender a small penalty, and
 *                                                      does not chase it)
 *  7. imports (header context, txs, state)             REJECT with the chain's code;
 *                                                      IGNORE BLOCK_TIME_TOO_NEW (depends on our clock)
 *                                                      IGNORE on our own failures (codes with blame none)
 */
import { toHex } from '../../../ledger/encoding.ts';
import type { DecodedBlock } from '../../../ledger/block.ts';
import type { FullNode } from '../../fullNode.ts';
import { MAX_FUTURE_BLOCK_MS } from '../../../ledger/constants.ts';
import { CHEAP_ORPHAN_FACTOR, FAR_FUTURE_SLACK_MS, MAX_GOSSIP_BYTES } from '../constants.ts';
import { accept, ignore, reject, verdictOf, type Verdict } from './verdict.ts';

export interface BlockValidationContext {
  node: FullNode;
  /** called with the block's id right before it is imported (so the gossip layer does not publish it again) */
  beforeImport?: (id: string, block: DecodedBlock) => void;
  /** this node's clock (default Date.now) */
  now?: () => number;
}

export interface BlockVerdict extends Verdict {
  /** the block's id when it decoded */
  id?: string;
}

export async function validateGossipBlock(ctx: BlockValidationContext, data: Uint8Array): Promise<BlockVerdict> {
  // 1. Size, before any decoding work.
  if (data.length > MAX_GOSSIP_BYTES) return reject('NET_TOO_LARGE', `block message is ${data.length} bytes, more than ${MAX_GOSSIP_BYTES}`);
  // 2. Shape: canonical encoding, header fields, tx shapes.
  let block: DecodedBlock;
  try {
    block = ctx.node.chain.decode(data);
  } catch (err) {
    return verdictOf(err);
  }
  const id = toHex(block.id);
  const chain = ctx.node.chain;
  // 3. Duplicates cost a map lookup.
  const known = chain.entry(id);
  if (known !== undefined) {
    if (known.status === 'invalid') return { ...reject('BLOCK_KNOWN_INVALID', `block ${id.slice(0, 16)} was already found invalid`), id };
    return { ...ignore('NET_DUPLICATE', `block ${id.slice(0, 16)} is already known`), id };
  }
  // 4. The seal (pow: two hashes decide whether the sender spent work on it).
  try {
    chain.consensus.checkSeal(block.id, block.header);
  } catch (err) {
    return { ...verdictOf(err), id };
  }
  // 5. A time no honest clock gives: the sender made it so (checked before the parent: orphans too).
  const now = (ctx.now ?? Date.now)();
  if (block.header.time > now + MAX_FUTURE_BLOCK_MS + FAR_FUTURE_SLACK_MS) {
    return { ...reject('BLOCK_TIME_FAR_FUTURE', `block ${id.slice(0, 16)} is ${Math.round((block.header.time - now) / 60_000)} min ahead of this node's clock`), id };
  }
  // 6. Orphans are not kept (an orphan flood costs no memory); the caller asks the sender for the missing history,
  // unless the orphan's work is a fraction of what a block costs now: a claim that cost its sender nothing.
  if (chain.entry(toHex(block.header.parent)) === undefined) {
    if (chain.consensus.isCheapOrphan(block.header, chain.nextTerms(chain.head.id), CHEAP_ORPHAN_FACTOR)) {
      return { ...ignore('BLOCK_ORPHAN_CHEAP', `orphan ${id.slice(0, 16)} carries less than 1/${CHEAP_ORPHAN_FACTOR} of the work of a block here`), id };
    }
    return { ...ignore('BLOCK_PARENT_UNKNOWN', `parent of block ${id.slice(0, 16)} is unknown`), id };
  }
  // 7. Full import.
  ctx.beforeImport?.(id, block);
  try {
    const result = await ctx.node.submitBlock(block);
    if (result.status === 'duplicate') return { ...ignore('NET_DUPLICATE', `block ${id.slice(0, 16)} is already known`), id };
    return { ...accept(result.status), id };
  } catch (err) {
    // Clock-dependent or not-yet-checkable codes (BLOCK_TIME_TOO_NEW, BLOCK_PARENT_UNKNOWN) and our own
    // failures carry blame 'none' in the code table, so they are ignored, not charged to the sender.
    return { ...verdictOf(err), id };
  }
}
