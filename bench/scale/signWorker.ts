/**
 * A signing thread for the scale generator: signs batches of planned txs and
 * returns their encodings.
 *
 * signTx re-encodes the whole tx for every stamp it tries (~16 at dev work
 * bits), which for a 3 KB publish is 12 ms a tx and hours at 10^6. Stamps 0-23
 * encode as one byte at one place, so the search here encodes the signing
 * message once and rewrites that byte; the ledger's sign and encodeTx make the
 * result, and a tx that needs a stamp above 23 (~21%) goes through signTx.
 */
import { parentPort } from 'node:worker_threads';
import { encodeTx, leadingZeroBits, sha256, sign, signTx, signingMessage, type UnsignedTx } from '../../ledger/index.ts';
import type { UnsignedPlan } from './generator.ts';

export interface SignRequest {
  id: number;
  txs: UnsignedPlan[];
  chainId: Uint8Array;
  workBits: number;
}
export interface SignAnswer {
  id: number;
  encoded?: Uint8Array[];
  error?: string;
}

/** The largest stamp whose CBOR is a single byte. */
const ONE_BYTE_STAMPS = 23;

function signFast(plan: UnsignedPlan, chainId: Uint8Array, workBits: number): Uint8Array {
  const at = (stamp: number): UnsignedTx => ({ ...plan.unsigned, v: 1, stamp }) as UnsignedTx;
  const m0 = signingMessage(at(0), chainId);
  const m1 = signingMessage(at(1), chainId);
  // The stamp's byte: the only byte in which the messages for stamps 0 and 1 differ.
  let offset = -1;
  for (let i = 0; i < m0.length; i++) if (m0[i] !== m1[i]) offset = offset === -1 ? i : -2;
  if (offset >= 0 && m0.length === m1.length) {
    for (let stamp = 0; stamp <= ONE_BYTE_STAMPS; stamp++) {
      m0[offset] = stamp;
      if (leadingZeroBits(sha256(m0)) >= workBits) return encodeTx({ ...at(stamp), sig: sign(m0, plan.secretKey) });
    }
  }
  return encodeTx(signTx(plan.unsigned, plan.secretKey, chainId, workBits));
}

parentPort!.on('message', (req: SignRequest) => {
  try {
    const encoded = req.txs.map((t) => signFast(t, req.chainId, req.workBits));
    parentPort!.postMessage({ id: req.id, encoded } satisfies SignAnswer);
  } catch (err) {
    parentPort!.postMessage({ id: req.id, error: (err as Error).stack ?? String(err) } satisfies SignAnswer);
  }
});
