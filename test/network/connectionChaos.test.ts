/**
 * No connection behaviour of a peer can crash a node: sockets reset (RST) at
 * random points of the dial, the handshake and open streams, half-closed and
 * half-open sockets, servers that accept and hang. The victim is a real
 * `gopkgr node` process that follows an honest miner throughout; after
 * hundreds of hostile connections it is alive, answers /v1/status and is on
 * the miner's head.
 *
 *  - inbound: raw `net` clients connect to the victim's p2p port and reset or
 *    hang at random points (before and inside multistream-select and noise);
 *    and a real libp2p client reaches the victim through a proxy that resets
 *    both sides after a random number of bytes, while it asks for headers and
 *    blocks (so resets land in the handshake, in identify, in gossip and mid-response);
 *  - outbound: a raw TCP server the victim is told to dial (POST /v1/peers, and
 *    --peer of a third node) resets at once, resets after garbage, hangs, or
 *    half-closes;
 *  - the dial that surfaces as `connect ECONNRESET` (the peer's RST arrives
 *    before the dialer's event loop sees the connection): provoked in this
 *    process by blocking the loop while a child process resets every
 *    connection, through every way the node dials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Libp2p } from 'libp2p';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { DEV_PARAMS, fromHex } from '../../ledger/index.ts';
import { FullNode } from '../../node/index.ts';
import { Network, networkProtocols } from '../../node/network/index.ts';
import { request, requestOne } from '../../node/network/reqresp.ts';
import { blocksRequest, headersRequest } from '../../node/network/messages.ts';
import { prng, type Prng } from '../support/prng.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { getJson } from '../support/http.ts';
import { buildChain, converged, mineVia, spawnNetNode, status, waitPeers, type NetNode, chainClient } from '../support/network.ts';
import { waitFor } from '../support/waitFor.ts';
import { WAIT_TIMEOUT_MS } from '../support/timeouts.ts';

const RAW_CLIENTS = 300;
const PROXIED_SESSIONS = 60;

const sockets = new Set<Socket>();
const servers: Server[] = [];

function track(s: Socket): Socket {
  sockets.add(s);
  // Resets are what this test does: errors on its own sockets are expected.
  s.on('error', () => undefined);
  s.on('close', () => sockets.delete(s));
  return s;
}

function listen(server: Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

/** multistream-select's first line, as a peer that speaks it would send it. */
const MULTISTREAM = (() => {
  const line = new TextEncoder().encode('/multistream/1.0.0\n');
  return new Uint8Array([line.length, ...line]);
})();
const NOISE = (() => {
  const line = new TextEncoder().encode('/noise\n');
  return new Uint8Array([line.length, ...line]);
})();

/** One raw client that connects to `port` and misbehaves at a random point; resolves when its socket is gone or parked. */
function rawClient(port: number, rand: Prng, parked: Socket[]): Promise<void> {
  return new Promise((resolve) => {
    const s = track(netConnect(port, '127.0.0.1'));
    const mode = rand.int(7);
    const delay = rand.int(30);
    s.on('close', () => resolve());
    s.on('connect', () => {
      switch (mode) {
        case 0: // RST the moment the connection is up
          s.resetAndDestroy();
          break;
        case 1: // garbage, then RST
          s.write(rand.bytes(1 + rand.int(300)));
          setTimeout(() => s.resetAndDestroy(), delay);
          break;
        case 2: // a correct multistream header and a protocol proposal, then RST when the node answers
          s.write(MULTISTREAM);
          s.write(NOISE);
          s.once('data', () => s.resetAndDestroy());
          setTimeout(() => s.resetAndDestroy(), 500);
          break;
        case 3: // start noise's handshake with random key bytes, then RST mid-handshake
          s.write(MULTISTREAM);
          s.write(NOISE);
          setTimeout(() => {
            s.write(new Uint8Array([0, 32, ...rand.bytes(32)]));
            setTimeout(() => s.resetAndDestroy(), delay);
          }, delay);
          break;
        case 4: // half-close: send part of a header, then FIN, and keep the socket
          s.write(MULTISTREAM.subarray(0, 1 + rand.int(MULTISTREAM.length - 1)));
          s.end();
          parked.push(s);
          resolve();
          break;
        case 5: // half-open: connect and never send anything
          parked.push(s);
          resolve();
          break;
        default: // FIN at once
          s.end();
          setTimeout(() => s.resetAndDestroy(), delay);
      }
    });
  });
}

/** A proxy to `target` that resets both sides once `budget()` bytes have passed (either way). */
async function resettingProxy(target: number, budget: () => number): Promise<{ port: number; cuts: () => number }> {
  let cuts = 0;
  const server = createServer((client) => {
    track(client);
    const upstream = track(netConnect(target, '127.0.0.1'));
    let left = budget();
    const cut = (): void => {
      cuts++;
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    };
    const forward = (to: Socket) => (chunk: Buffer): void => {
      if (left <= 0) return;
      if (chunk.length >= left) {
        to.write(chunk.subarray(0, left));
        left = 0;
        cut();
        return;
      }
      left -= chunk.length;
      to.write(chunk);
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  return { port: await listen(server), cuts: () => cuts };
}

type Dialer = 'reset' | 'garbage' | 'hang' | 'halfclose' | 'multistream';
const DIALED: Dialer[] = ['reset', 'garbage', 'hang', 'halfclose', 'multistream'];

/** A server that treats each connection by the next behaviour in turn; counts what it did. */
async function hostileServer(parked: Socket[]): Promise<{ port: number; seen: Record<Dialer, number> }> {
  const seen: Record<Dialer, number> = { reset: 0, garbage: 0, hang: 0, halfclose: 0, multistream: 0 };
  let n = 0;
  const server = createServer((s) => {
    track(s);
    const what = DIALED[n++ % DIALED.length]!;
    seen[what]++;
    switch (what) {
      case 'reset':
        s.resetAndDestroy();
        break;
      case 'garbage':
        s.write(new Uint8Array(200).fill(0xff));
        setTimeout(() => s.resetAndDestroy(), 5);
        break;
      case 'hang':
        parked.push(s);
        break;
      case 'halfclose':
        s.end();
        parked.push(s);
        break;
      case 'multistream':
        s.write(MULTISTREAM);
        s.once('data', () => s.resetAndDestroy());
        break;
    }
  });
  return { port: await listen(server), seen };
}

describe('connection chaos', () => {
  let h: NetNode;
  let v: NetNode;
  let chainId: string;
  const parked: Socket[] = [];
  let client: Libp2p | undefined;

  beforeAll(async () => {
    const dir = await tempDir('gopkgr-net-chaos-');
    await buildChain(dir, 600);
    h = await spawnNetNode('honest', { data: dir });
    v = await spawnNetNode('victim', { peers: [h.addr] });
    chainId = h.ready.chainId as string;
    await waitPeers(v, 1);
    await converged([h, v], 600);
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    for (const srv of servers) srv.close();
    await client?.stop();
    await closeAll();
  });

  it(`${RAW_CLIENTS} raw sockets and ${PROXIED_SESSIONS} libp2p sessions reset at random points do not crash the node`, async () => {
    const rand = prng(0xc4a05);
    const port = v.p2pPort;
    // Raw clients, ten at a time, while the miner keeps producing blocks.
    const mining = mineVia(h, 10);
    for (let i = 0; i < RAW_CLIENTS; i += 10) {
      await Promise.all(Array.from({ length: 10 }, () => rawClient(port, rand, parked)));
    }
    await mining;
    // Half-open and half-closed sockets are hung up on once the handshake deadline passes (5 s, host.ts).
    expect(parked.length).toBeGreaterThan(20);
    await waitFor(async () => (parked.every((x) => x.destroyed) ? true : undefined), WAIT_TIMEOUT_MS, 'the node to drop idle half-open sockets');

    // A real libp2p client through a proxy that cuts after 0..100 KB: in the handshake, identify, gossip or mid-response.
    client = await chainClient(chainId);
    const proxy = await resettingProxy(port, () => rand.int(100_000));
    const target = multiaddr(`/ip4/127.0.0.1/tcp/${proxy.port}/p2p/${v.peerId}`);
    const p = networkProtocols(chainId);
    const outcomes = { ok: 0, failed: 0 };
    for (let i = 0; i < PROXIED_SESSIONS; i++) {
      const c = client;
      const session = async (): Promise<void> => {
        const conn = await c.dial(target, { signal: AbortSignal.timeout(5_000) });
        const peer = conn.remotePeer;
        const genesis = fromHex(chainId);
        await Promise.all([
          requestOne(c, peer, p.status, {}),
          requestOne(c, peer, p.headers, headersRequest({ locator: [genesis], max: 2_000 })),
          (async () => {
            const head = (await status(h)).head;
            for await (const pack of request(c, peer, p.blocks, blocksRequest([fromHex(head)]))) expect(pack.length).toBeGreaterThan(0);
          })(),
        ]);
      };
      await session().then(() => outcomes.ok++, () => outcomes.failed++);
      await Promise.all(c.getConnections().map(async (conn) => conn.abort(new Error('next session'))));
    }
    expect(outcomes.ok + outcomes.failed).toBe(PROXIED_SESSIONS);
    expect(proxy.cuts()).toBeGreaterThan(PROXIED_SESSIONS / 2);
    console.log(`connection chaos: ${RAW_CLIENTS} raw sockets, ${PROXIED_SESSIONS} proxied sessions (${outcomes.ok} completed, ${outcomes.failed} cut), ${proxy.cuts()} resets by the proxy`);

    // The victim is alive, answers, and still follows the miner.
    expect(v.child.exitCode).toBeNull();
    expect(v.child.signalCode).toBeNull();
    const s = await status(v);
    expect(s.peerList.map((x) => x.peerId)).toContain(h.peerId);
    const before = (await status(h)).height;
    await mineVia(h, 3);
    const end = await converged([h, v], before + 3);
    expect(end.height).toBe(before + 3);
    expect(v.stderr()).not.toMatch(/Uncaught|unhandled|ECONNRESET\n\s+at /i);
  });

  it('peers that reset, hang or half-close when dialed (POST /v1/peers and --peer) do not crash the node', async () => {
    const hostile = await hostileServer(parked);
    const fakeId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();
    const withId = `/ip4/127.0.0.1/tcp/${hostile.port}/p2p/${fakeId}`;
    const withoutId = `/ip4/127.0.0.1/tcp/${hostile.port}`;
    const dial = async (addr: string): Promise<{ status: number; body: { error?: { code: string } } }> => {
      const res = await fetch(`${v.api}/v1/peers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ addr }) });
      return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
    };
    // The API dials only addresses that name the peer; the others never reach the network.
    const refused = await dial(withoutId);
    expect(refused.status).toBe(400);
    expect(refused.body.error?.code).toBe('PEER_ADDR_REFUSED');
    // Forty dials through the API, twenty at a time; each fails with a coded error.
    for (let round = 0; round < 2; round++) {
      // A fresh peer id for each dial: libp2p joins concurrent dials to one peer id into one connection.
      const ids = await Promise.all(Array.from({ length: 20 }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()));
      const answers = await Promise.all(ids.map((id) => dial(`/ip4/127.0.0.1/tcp/${hostile.port}/p2p/${id}`)));
      for (const a of answers) {
        expect(a.status).toBe(502);
        expect(a.body.error?.code).toBe('NET_DIAL_FAILED');
      }
    }
    for (const what of DIALED) expect(hostile.seen[what]).toBeGreaterThan(0);

    // A node whose bootstrap list holds the hostile server redials it with backoff, and syncs from the honest peer.
    const w = await spawnNetNode('bootstrapped', { peers: [withId, h.addr] });
    const firstSeen = Object.values(hostile.seen).reduce((a, b) => a + b, 0);
    await mineVia(h, 2);
    const height = (await status(h)).height;
    await converged([h, v, w], height);
    await waitFor(async () => (Object.values(hostile.seen).reduce((a, b) => a + b, 0) >= firstSeen + 3 ? true : undefined), WAIT_TIMEOUT_MS, 'the node to redial the hostile bootstrap peer');
    for (const n of [v, w]) {
      expect(n.child.exitCode).toBeNull();
      expect((await getJson(`${n.api}/v1/status`)).status).toBe(200);
    }
    expect(w.stderr()).toMatch(/cannot dial \/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//);
  });

  it('a dial whose connect fails with ECONNRESET is caught on every dial path', async () => {
    // The RST must arrive before this process's event loop sees the connection: the resetting
    // server lives in a child process, and the loop is blocked right after each dial starts.
    const child: ChildProcess = spawn(process.execPath, ['-e', `
      const net = require('node:net');
      const s = net.createServer((c) => { c.on('error', () => {}); c.resetAndDestroy(); });
      s.listen(0, '127.0.0.1', () => console.log(s.address().port));`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const escaped: unknown[] = [];
    const onEscape = (err: unknown): void => {
      escaped.push(err);
    };
    process.on('uncaughtException', onEscape);
    process.on('unhandledRejection', onEscape);
    const dir = await tempDir('gopkgr-net-rst-');
    const node = await FullNode.open({ dataDir: dir, params: DEV_PARAMS });
    let net: Network | undefined;
    try {
      const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
      const fakeId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();
      const addr = `/ip4/127.0.0.1/tcp/${port}/p2p/${fakeId}`;
      // The peer manager's bootstrap redials go through the same RST.
      net = await Network.create({ node, dataDir: join(dir, 'net'), privateKey: await generateKeyPair('Ed25519'), persistPeers: false, peers: [addr] });
      await net.start();
      const block = (ms: number): void => {
        const end = Date.now() + ms;
        while (Date.now() < end) { /* hold the loop so the RST lands before the connect callback */ }
      };
      const messages: string[] = [];
      const route = net.apiRoutes().find((r) => r.method === 'POST' && r.pattern.test('/v1/peers'))!;
      for (let i = 0; i < 40; i++) {
        const dial = i % 2 === 0
          ? net.host.dial(multiaddr(addr), { signal: AbortSignal.timeout(5_000) })
          : route.handle(undefined as never, /x/.exec('x')!, async () => Buffer.from(JSON.stringify({ addr })));
        block(30);
        await dial.then(() => messages.push('connected'), (err: Error) => messages.push(err.message));
      }
      // Every dial failed, and the RST surfaced at least once as connect's own error.
      expect(messages.filter((m) => m === 'connected')).toHaveLength(0);
      expect(messages.some((m) => /connect ECONNRESET/.test(m))).toBe(true);
      await new Promise((r) => setTimeout(r, 2_500));
      expect(escaped).toEqual([]);
    } finally {
      process.off('uncaughtException', onEscape);
      process.off('unhandledRejection', onEscape);
      child.kill();
      await net?.stop();
      await node.close();
    }
  });
});
