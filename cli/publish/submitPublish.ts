/**
 * Put a signed release on chain: upload the tarball (a node takes a publish
 * only once it holds the bytes), submit the create tx if any, then the publish,
 * and (unless told not to) wait until the publish is mined.
 */
import type { NodeClient, TxReceipt } from '../client.ts';
import type { SignedRelease } from './signRelease.ts';

export interface SubmitOptions {
  wait: boolean;
  timeoutMs: number;
  /** while waiting for the publish to be mined */
  onWaiting?: (txId: string, elapsedMs: number) => void;
}

export async function submitPublish(client: NodeClient, tarball: { sha256: string; bytes: Uint8Array }, signed: SignedRelease, opts: SubmitOptions): Promise<TxReceipt> {
  await client.putBlob(tarball.sha256, tarball.bytes);
  if (signed.create !== undefined) await client.postTx(signed.create);
  const receipt = await client.postTx(signed.publish);
  if (!opts.wait) return receipt;
  return client.waitForTx(receipt.id, opts.timeoutMs, (elapsed) => opts.onWaiting?.(receipt.id, elapsed));
}
