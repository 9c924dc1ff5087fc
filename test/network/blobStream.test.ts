/**
 * Tarballs travel between peers in chunks (the server reads them from disk a
 * chunk at a time): a real Network fetches from a real libp2p peer that serves the
 * blob protocol, honestly (a tarball over several chunks, stored whole and
 * right) or not (bytes that do not hash to the name, or more bytes than the
 * store's cap): then nothing is stored, no temp file is left, and the peer pays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { DEV_PARAMS, fromHex, toHex } from '../../ledger/index.ts';
import { FullNode } from '../../node/index.ts';
import { Network, networkProtocols } from '../../node/network/index.ts';
import { serve } from '../../node/network/reqresp.ts';
import { encodeStatus, readBlobRequest } from '../../node/network/messages.ts';
import { BLOB_CHUNK_BYTES } from '../../node/network/constants.ts';
import { tempDir } from '../support/cleanup.ts';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('tarballs between peers', () => {
  let node: FullNode;
  let net: Network;
  let peer: Libp2p;
  /** what the peer answers for a hash */
  const served = new Map<string, Uint8Array[]>();

  beforeAll(async () => {
    const dir = await tempDir('gopkgr-net-blobstream-');
    node = await FullNode.open({ dataDir: dir, params: DEV_PARAMS });
    net = await Network.create({ node, dataDir: join(dir, 'net'), privateKey: await generateKeyPair('Ed25519'), persistPeers: false });
    await net.start();
    peer = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionMonitor: { enabled: false },
      services: { identify: identify() },
    });
    const p = networkProtocols(node.chainId);
    await peer.handle(p.status, serve(() => [encodeStatus({ head: fromHex(node.chainId), height: 0, work: '1' })]));
    await peer.handle(p.blob, serve((req) => served.get(toHex(readBlobRequest(req))) ?? []));
    await net.host.dial(peer.getMultiaddrs()[0]!);
  });

  afterAll(async () => {
    await peer?.stop();
    await net?.stop();
    await node?.close();
  });

  const temps = async (): Promise<string[]> => (await readdir(node.blobs.dir)).filter((n) => n.startsWith('tmp-'));

  it('a tarball over several chunks is stored whole', async () => {
    const bytes = new Uint8Array(BLOB_CHUNK_BYTES * 2 + 12_345).map((_, i) => (i * 31) & 0xff);
    const hash = sha(bytes);
    served.set(hash, [bytes.subarray(0, BLOB_CHUNK_BYTES), bytes.subarray(BLOB_CHUNK_BYTES, 2 * BLOB_CHUNK_BYTES), bytes.subarray(2 * BLOB_CHUNK_BYTES)]);
    expect(await net.fetchBlob(hash)).toBe(true);
    const stored = await node.blobs.get(hash);
    expect(stored?.length).toBe(bytes.length);
    expect(sha(stored!)).toBe(hash);
    expect(await temps()).toEqual([]);
  });

  it('bytes that do not hash to the name, or more than the cap, are not kept, and the peer is penalised', async () => {
    const id = peer.peerId.toString();
    const claimed = sha(new TextEncoder().encode('what was asked for'));
    served.set(claimed, [new TextEncoder().encode('something else')]);
    expect(await net.fetchBlob(claimed)).toBe(false);
    expect(await node.blobs.has(claimed)).toBe(false);
    const afterMismatch = net.penalties.score(id);
    expect(afterMismatch).toBeLessThan(0);

    const huge = sha(new TextEncoder().encode('a huge one'));
    const chunk = new Uint8Array(BLOB_CHUNK_BYTES);
    served.set(huge, Array.from({ length: Math.ceil(node.blobs.maxBytes / BLOB_CHUNK_BYTES) + 1 }, () => chunk));
    expect(await net.fetchBlob(huge)).toBe(false);
    expect(await node.blobs.has(huge)).toBe(false);
    expect(net.penalties.score(id)).toBeLessThan(afterMismatch);
    expect(await temps()).toEqual([]);
  });
});
