/**
 * Gossip validation of a tx (topics /gopkgr/<chain>/txs/1 and
 * /gopkgr/<chain>/attestations/1). A tx is forwarded only once it is in this
 * node's pool.
 *
 * Rules, in order, with the verdict when they fail:
 *  1. size ≤ MAX_GOSSIP_TX_BYTES                      REJECT NET_TOO_LARGE
 *  2. decodes as a canonical tx                       REJECT (DECODE_ERROR, TX_MALFORMED, …)
 *  3. not a reward tx                                 REJECT TX_REWARD_NOT_ALLOWED
 *  4. on the attestations topic, an attest tx         REJECT NET_WRONG_TOPIC
 *  5. not already pooled or on chain                  IGNORE NET_DUPLICATE
 *  6. stamp and signature                             REJECT TX_BAD_STAMP / TX_BAD_SIGNATURE
 *  7. a publish's tarball is here, or fetched from
 *     the sender and verified                         IGNORE NET_BLOB_UNAVAILABLE
 *  8. applies on the pool's state                     IGNORE (nonce gaps, taken names, full pool:
 *                                                     they depend on what this node has seen)
 */
import { toHex } from '../../../ledger/encoding.ts';
import { checkTxSignature, decodeTx, tarballOf, txId, type Tx } from '../../../ledger/tx.ts';
import type { FullNode } from '../../fullNode.ts';
import { MAX_GOSSIP_TX_BYTES } from '../constants.ts';
import { accept, ignore, reject, verdictOf, type Verdict } from './verdict.ts';

export interface TxValidationContext {
  node: FullNode;
  /** fetch a missing tarball (by sha256 hex) from the sender or other peers; true once it is stored */
  fetchBlob?: (hash: string) => Promise<boolean>;
  /** called with the tx id right before it is pooled */
  beforeSubmit?: (id: string) => void;
  /** the attestations topic carries only attest txs */
  attestationsOnly?: boolean;
}

/** Codes that say the tx itself is bad, whatever the state: the sender is at fault. */
const STATELESS_CODES: ReadonlySet<string> = new Set(['DECODE_ERROR', 'TX_MALFORMED', 'TX_TOO_LARGE', 'TX_BAD_STAMP', 'TX_BAD_SIGNATURE', 'TX_REWARD_NOT_ALLOWED']);

/** Everything else submitTx can say depends on state: ignore. */
function txVerdict(err: unknown): Verdict {
  const v = verdictOf(err);
  return v.result === 'reject' && !STATELESS_CODES.has(v.reason) ? { ...v, result: 'ignore' } : v;
}

export async function validateGossipTx(ctx: TxValidationContext, data: Uint8Array): Promise<Verdict & { id?: string }> {
  // 1. Size before decoding.
  if (data.length > MAX_GOSSIP_TX_BYTES) return reject('NET_TOO_LARGE', `tx message is ${data.length} bytes, more than ${MAX_GOSSIP_TX_BYTES}`);
  // 2. Shape.
  let tx: Tx;
  try {
    tx = decodeTx(data);
  } catch (err) {
    return verdictOf(err, new Set());
  }
  // 3. Rewards exist only inside blocks.
  if (tx.type === 'reward') return reject('TX_REWARD_NOT_ALLOWED', 'a reward tx only exists inside a block');
  // 4. Topic discipline.
  if (ctx.attestationsOnly === true && tx.type !== 'attest') return reject('NET_WRONG_TOPIC', `a ${tx.type} tx on the attestations topic`);
  const id = toHex(txId(data));
  const node = ctx.node;
  // 5. Duplicates.
  if (node.mempool.has(id) || (await node.chain.txLocation(id)) !== undefined) return { ...ignore('NET_DUPLICATE', `tx ${id.slice(0, 16)} is already known`), id };
  const tarball = tarballOf(tx);
  if (tarball !== undefined) {
    const hash = toHex(tarball);
    if (!(await node.blobs.has(hash))) {
      // 6. Check the signature before spending bandwidth on its tarball.
      try {
        checkTxSignature(tx, node.chain.chainId, node.chain.params.txWorkBits);
      } catch (err) {
        return { ...txVerdict(err), id };
      }
      // 7. The tarball, verified by the blob store against its sha256.
      const fetched = ctx.fetchBlob === undefined ? false : await ctx.fetchBlob(hash).catch(() => false);
      if (!fetched) return { ...ignore('NET_BLOB_UNAVAILABLE', `the tarball ${hash.slice(0, 16)}… of ${tx.type} ${id.slice(0, 16)} could not be fetched`), id };
    }
  }
  // 6 and 8. Stamp, signature and state, as for a tx from the API.
  ctx.beforeSubmit?.(id);
  try {
    const r = await node.submitTx(data);
    return r.status === 'known' ? { ...ignore('NET_DUPLICATE', `tx ${id.slice(0, 16)} is already known`), id } : { ...accept('pending'), id };
  } catch (err) {
    return { ...txVerdict(err), id };
  }
}
