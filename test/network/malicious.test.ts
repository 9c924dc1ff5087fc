/**
 * A peer that gossips invalid blocks is scored down and cut off while the
 * honest nodes keep converging. The attacker is a bare libp2p host written here
 * (gossipsub without our validation, and a status handler so it looks like a
 * gopkgr node): it sends blocks with bad work and bytes that are no block at all
 * to h1. h1 must REJECT each (gossipsub's P4 penalty), never forward them, and
 * disconnect and ban the attacker once its score falls under the threshold;
 * the honest line h1–h2–h3 keeps following new blocks.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { gossipsub, type GossipSub } from '@libp2p/gossipsub';
import { multiaddr } from '@multiformats/multiaddr';
import { DEV_PARAMS, bigIntToBytes32, blockId, buildRewardTx, fromHex, merkleRoot, txId, encodeTx, type DecodedBlock } from '../../ledger/index.ts';
import { assembleBlock, encodeHeader, meetsTarget, type PowHeader } from '../../consensus/pow/index.ts';
import { networkProtocols, gossipTopics } from '../../node/network/index.ts';
import { serve } from '../../node/network/reqresp.ts';
import { encodeStatus } from '../../node/network/messages.ts';
import { keyPair } from '../support/chain.ts';
import { closeAll } from '../support/cleanup.ts';
import { converged, mineVia, spawnNetNode, status, waitPeers } from '../support/network.ts';
import { waitFor } from '../support/waitFor.ts';
import { WAIT_TIMEOUT_MS } from '../support/timeouts.ts';

/** A block on genesis whose id misses its target (bad work), distinct per `i`. */
function badWorkBlock(chainId: string, i: number): DecodedBlock {
  const reward = buildRewardTx(1, keyPair(`evil${i}`).publicKey, [], DEV_PARAMS);
  const header: PowHeader = {
    v: 1, height: 1, parent: fromHex(chainId), txRoot: merkleRoot([txId(encodeTx(reward))]), time: DEV_PARAMS.genesisTime + 1000 + i,
    seal: { kind: 'pow', target: bigIntToBytes32(BigInt('0x' + DEV_PARAMS.powLimit)), nonce: new Uint8Array(8) },
  };
  const view = new DataView(header.seal.nonce.buffer);
  for (let n = 0n; ; n++) {
    view.setBigUint64(0, n);
    if (!meetsTarget(blockId(encodeHeader(header)), header.seal.target)) return assembleBlock({ ...header, seal: { ...header.seal, nonce: header.seal.nonce.slice() } }, [reward]);
  }
}

describe('a peer gossiping invalid blocks', () => {
  let evil: Libp2p<{ identify: ReturnType<ReturnType<typeof identify>>; pubsub: GossipSub }> | undefined;
  afterAll(async () => {
    await evil?.stop();
    await closeAll();
  });

  it('is scored down and cut off while honest nodes keep converging', async () => {
    const h1 = await spawnNetNode('h1');
    const h2 = await spawnNetNode('h2', { peers: [h1.addr] });
    const h3 = await spawnNetNode('h3', { peers: [h2.addr] });
    await waitPeers(h2, 2);
    const chainId = h1.ready.chainId as string;
    const topic = gossipTopics(chainId).blocks;

    evil = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify(), pubsub: gossipsub({ globalSignaturePolicy: 'StrictNoSign', allowPublishToZeroTopicPeers: true }) },
    });
    // Look like a gopkgr node of this chain, so h1 keeps the connection after identify.
    await evil.handle(networkProtocols(chainId).status, serve(() => [encodeStatus({ head: fromHex(chainId), height: 0, work: '10' })]));
    evil.services.pubsub.subscribe(topic);
    await evil.dial(multiaddr(h1.addr));
    await waitFor(async () => (evil!.services.pubsub.getSubscribers(topic).some((p) => p.toString() === h1.peerId) ? true : undefined), WAIT_TIMEOUT_MS, 'h1 to subscribe');
    await waitFor(async () => ((await status(h1)).peerList.some((p) => p.peerId === evil!.peerId.toString()) ? true : undefined), WAIT_TIMEOUT_MS, 'h1 to list the attacker');

    // Invalid blocks, each a distinct message: bad work, then bytes that are no block.
    for (let i = 0; i < 6 && evil.getConnections().length > 0; i++) {
      const data = i % 2 === 0 ? badWorkBlock(chainId, i).bytes : new TextEncoder().encode(`not a block ${i}`);
      await evil.services.pubsub.publish(topic, data).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 150));
    }

    // h1 cuts the attacker off and bans it.
    await waitFor(async () => {
      const s = await status(h1);
      return s.banned >= 1 && !s.peerList.some((p) => p.peerId === evil!.peerId.toString()) ? true : undefined;
    }, WAIT_TIMEOUT_MS, 'h1 to ban the attacker');
    expect(evil.getConnections().filter((c) => c.remotePeer.toString() === h1.peerId)).toHaveLength(0);
    // It cannot come back.
    // It cannot come back: the dial fails, or the connection is closed at once.
    const refused = await evil.dial(multiaddr(h1.addr)).then(
      (c) => waitFor(async () => (c.status !== 'open' ? true : undefined), WAIT_TIMEOUT_MS, 'refusal'),
      () => true,
    );
    expect(refused).toBe(true);
    expect(h1.stderr()).toMatch(/banned .* score -\d+/);
    expect(h1.stderr()).toMatch(/rejected a message .* BLOCK_BAD_POW/);

    // Nothing invalid was forwarded: h2 still rates h1 well, and the honest line converges.
    const h2view = (await status(h2)).peerList.find((p) => p.peerId === h1.peerId);
    expect(h2view?.score ?? -1).toBeGreaterThanOrEqual(0);
    expect(h2.stderr()).not.toMatch(/rejected a message/);
    await mineVia(h3, 5);
    const end = await converged([h1, h2, h3], 5);
    expect(end.height).toBe(5);
  });
});
