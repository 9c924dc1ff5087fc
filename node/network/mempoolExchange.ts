/**
 * Pulling a peer's pending txs when it first connects (Bitcoin's BIP 35
 * `mempool` message): gossip reaches only the peers connected at the time, so a
 * tx submitted before this node joined would otherwise wait for a block. Each
 * tx goes through the same validation as a gossiped one (a publish brings its
 * tarball from the peer first); a tx that is bad whatever the state ends the
 * pull and is the peer's fault.
 */
import type { PeerId } from '@libp2p/interface';
import type { FullNode } from '../fullNode.ts';
import { MAX_GOSSIP_TX_BYTES } from './constants.ts';
import { request } from './reqresp.ts';
import { validateGossipTx } from './validation/validateTx.ts';
import type { Verdict } from './validation/verdict.ts';
import type { Host } from './host.ts';

export interface MempoolPullOptions {
  host: Host;
  node: FullNode;
  protocol: string;
  /** a tx id that arrived from the network: not gossiped again by us */
  markReceived(id: string): void;
  fetchBlob(hash: string, peerId: string): Promise<boolean>;
}

export interface MempoolPull {
  accepted: number;
  ignored: number;
  /** the verdict on the first tx that was invalid on its own, which ended the pull */
  rejected?: Verdict;
}

export async function pullMempool(opts: MempoolPullOptions, peer: PeerId): Promise<MempoolPull> {
  const peerId = peer.toString();
  const out: MempoolPull = { accepted: 0, ignored: 0 };
  for await (const bytes of request(opts.host, peer, opts.protocol, {}, { maxFrame: MAX_GOSSIP_TX_BYTES + 1 })) {
    const verdict = await validateGossipTx({
      node: opts.node,
      beforeSubmit: opts.markReceived,
      fetchBlob: (hash) => opts.fetchBlob(hash, peerId),
    }, bytes.slice());
    if (verdict.result === 'reject') {
      out.rejected = verdict;
      break;
    }
    out[verdict.result === 'accept' ? 'accepted' : 'ignored']++;
  }
  return out;
}
