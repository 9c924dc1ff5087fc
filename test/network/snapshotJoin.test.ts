/**
 * Joining from a snapshot with real processes: a node that keeps snapshots
 * every 5 blocks serves them; a fresh node given a checkpoint copied from its
 * /v1/snapshots joins at that height without the blocks before it, then follows
 * new blocks to the same state root as the server; a fresh node trusting the
 * server's snapshot key joins too; a fresh node given a checkpoint with a wrong
 * state root refuses to start; malformed snapshot requests get coded errors.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { multiaddr } from '@multiformats/multiaddr';
import { peerIdFromString } from '@libp2p/peer-id';
import { fromHex, toHex, type Canonical } from '../../ledger/encoding.ts';
import { networkProtocols } from '../../node/network/index.ts';
import { request, requestOne } from '../../node/network/reqresp.ts';
import { decodeHeaders, headersRequest } from '../../node/network/messages.ts';
import { powSealCodec } from '../../consensus/pow/index.ts';
import { tempDir, closeAll, onClose } from '../support/cleanup.ts';
import { chainClient, converged, mineVia, spawnNetNode, submitTx, txBytes } from '../support/network.ts';
import { getJson } from '../support/http.ts';
import { keyPair } from '../support/chain.ts';
import { gopkgr } from '../support/processes.ts';
import { freePort } from '../support/ports.ts';
import { waitFor } from '../support/waitFor.ts';
import { NODE_READY_TIMEOUT_MS, WAIT_TIMEOUT_MS } from '../support/timeouts.ts';

interface SnapshotView {
  height: number;
  blockId: string;
  stateRoot: string;
  records: number;
  bytes: number;
  signer: string;
  checkpoint: string;
}

describe('joining from a snapshot', () => {
  afterAll(closeAll);

  it('joins at a checkpoint or from a trusted signer, follows new blocks, and refuses a wrong checkpoint', async () => {
    const server = await spawnNetNode('snap-server', { extra: ['--snapshot-every', '5'] });
    const chainId = server.ready.chainId;
    // Some state beyond the miner's account: two namespaces claimed.
    const alice = keyPair('snapjoin/alice');
    await submitTx(server, txBytes(alice, 'claim', { ns: '@snapa' }, 0, chainId));
    await submitTx(server, txBytes(alice, 'claim', { ns: '@snapb' }, 1, chainId));
    await mineVia(server, 10);
    const snapshots = await waitFor(async () => {
      const list = (await getJson<SnapshotView[]>(`${server.api}/v1/snapshots`)).body;
      return list.length === 2 && list[0]!.height === 10 ? list : undefined;
    }, WAIT_TIMEOUT_MS, 'the server to keep snapshots at 10 and 5');
    expect(snapshots.map((s) => s.height)).toEqual([10, 5]);
    const at10 = snapshots[0]!;
    const digest10 = (await getJson<{ digest: string; height: number; keys: number }>(`${server.api}/v1/state/digest`)).body;
    expect(digest10.height).toBe(10);
    expect(at10.stateRoot).toBe(digest10.digest);
    expect(at10.records).toBe(digest10.keys);

    // A checkpoint with the right block and a wrong root: refused before anything is stored.
    const wrongDir = await tempDir('gopkgr-net-snap-wrong-');
    const wrong = await gopkgr(['node', '--json', '--dev', '--api', `127.0.0.1:${await freePort()}`, '--listen', '/ip4/127.0.0.1/tcp/0', '--peer', server.addr,
      '--checkpoint', `10:${at10.blockId}:${'00'.repeat(32)}`], { env: { GOPKGR_HOME: wrongDir }, timeoutMs: NODE_READY_TIMEOUT_MS });
    expect(wrong.code).not.toBe(0);
    expect((JSON.parse(wrong.stdout.trim().split('\n').at(-1)!) as { error: { code: string } }).error.code).toBe('CHECKPOINT_MISMATCH');

    // The right checkpoint: the node starts at height 10 and has none of the blocks below it.
    const joiner = await spawnNetNode('snap-joiner', { peers: [server.addr], extra: ['--checkpoint', at10.checkpoint, '--snapshot-every', '0'] });
    expect(joiner.ready.height).toBe(10);
    expect(joiner.ready.head).toBe(at10.blockId);
    expect(joiner.stderr()).toContain('snapshot: joined at height 10');
    const block3 = (await getJson<{ height: number; id: string }>(`${server.api}/v1/blocks/3`)).body;
    const missing = await fetch(`${joiner.api}/v1/blocks/${block3.id}`);
    expect(missing.status).toBe(404);

    // Trusting the server's snapshot key instead.
    const signed = await spawnNetNode('snap-signed', { peers: [server.addr], extra: ['--snapshot-signer', at10.signer, '--snapshot-every', '0'] });
    expect(signed.ready.height).toBe(10);

    // New blocks (and a new namespace) after the checkpoint: all three reach the server's head and state root.
    await submitTx(server, txBytes(alice, 'claim', { ns: '@snapc' }, 2, chainId));
    await mineVia(server, 3);
    const end = await converged([server, joiner, signed], 13, 3 * WAIT_TIMEOUT_MS);
    expect(end.height).toBeGreaterThanOrEqual(13);
    const ns = await getJson<unknown>(`${joiner.api}/v1/namespaces/@snapc`);
    expect(ns.status).toBe(200);

    // Hostile requests on the snapshot protocols get coded errors, and the server keeps serving.
    // Each from a client of its own: the server judges penalties per peer at its next maintenance tick,
    // and one client sending three malformed requests (-120 < -100) is banned at that tick, wherever
    // it falls among the requests. (Last: the clients listen on no port, and a banned loopback peer
    // without a port is every such peer.)
    const client = await chainClient(chainId);
    onClose(async () => { await client.stop(); });
    await client.dial(multiaddr(server.addr));
    const peer = peerIdFromString(server.peerId);
    const p = networkProtocols(chainId);
    const ask = async (body: Canonical): Promise<string> => {
      const own = await chainClient(chainId);
      try {
        await own.dial(multiaddr(server.addr));
        let n = 0;
        for await (const chunk of request(own, peer, p.snapshot, body)) n += chunk.length;
        return `ok: ${n} bytes`;
      } catch (err) {
        return (err as Error).message;
      } finally {
        await own.stop();
      }
    };
    const blockId = fromHex(at10.blockId);
    expect(await ask({ height: 10, blockId, offset: 0, length: 0 })).toContain('NET_BAD_MESSAGE');
    expect(await ask({ height: 10, blockId, offset: 0, length: 1e12 })).toContain('NET_BAD_MESSAGE');
    expect(await ask({ height: 10, blockId: new Uint8Array(3), offset: 0, length: 10 })).toContain('NET_BAD_MESSAGE');
    expect(await ask({ height: 7, blockId, offset: 0, length: 10 })).toContain('NET_NOT_FOUND');
    expect(await ask({ height: 10, blockId, offset: at10.bytes + 1, length: 10 })).toContain('NET_BAD_REQUEST');
    // A well-formed range comes back whole.
    let got = 0;
    for await (const chunk of request(client, peer, p.snapshot, { height: 10, blockId, offset: 0, length: at10.bytes })) got += chunk.length;
    expect(got).toBe(at10.bytes);
    expect((await getJson<{ height: number }>(`${server.api}/v1/status`)).body.height).toBeGreaterThanOrEqual(13);

    // The joined node serves the headers below its checkpoint (it keeps them without the blocks).
    await client.dial(multiaddr(joiner.addr));
    const headers = decodeHeaders(await requestOne(client, peerIdFromString(joiner.peerId), p.headers, headersRequest({ locator: [fromHex(chainId)], max: 100 })), 100, powSealCodec);
    expect(headers.length).toBeGreaterThanOrEqual(13);
    expect(toHex(headers[2]!.id)).toBe(block3.id);
  });
});
