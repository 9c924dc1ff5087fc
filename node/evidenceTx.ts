/**
 * An authority that holds equivocation evidence (found at import, or POSTed to
 * /v1/evidence) puts it on the chain as an `evidence` tx, so the offender
 * leaves the set at the next epoch boundary on every node, not only here.
 * A tx the chain already holds evidence for is refused by the rules
 * (TX_EVIDENCE_RECORDED): nothing is lost by trying twice.
 */
import { GopkgrError } from '../ledger/errors.ts';
import { encodeTx, signTx } from '../ledger/tx.ts';
import { toHex } from '../ledger/encoding.ts';
import type { KeyPair } from '../ledger/crypto.ts';
import type { FullNode } from './fullNode.ts';

/** Sign the evidence this node holds against `offender` (hex) with `key` and pool it; the tx id, or undefined when there is none to send. */
export async function submitEvidenceTx(node: FullNode, key: KeyPair, offender: string): Promise<string | undefined> {
  const headers = await node.chain.evidence(offender);
  if (headers === undefined || headers.length !== 2) return undefined;
  const nonce = await node.mempool.nextNonce(toHex(key.publicKey));
  const tx = signTx({ type: 'evidence', from: key.publicKey, nonce, body: { a: headers[0]!, b: headers[1]! } }, key.secretKey, node.chain.chainId, node.chain.params.txWorkBits);
  try {
    return (await node.submitTx(encodeTx(tx))).id;
  } catch (err) {
    // Already recorded on chain, or the offender already left the set: nothing more to do.
    if (err instanceof GopkgrError && (err.code === 'TX_EVIDENCE_RECORDED' || err.code === 'EVIDENCE_INVALID')) return undefined;
    throw err;
  }
}
