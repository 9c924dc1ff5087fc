/**
 * The hardened HTTP API of a real `gopkgr node --dev` child process: memory stays
 * bounded under many large parallel uploads (the node's RSS is read from
 * /proc/<pid>/status), unreferenced tarballs are refused past the quota and not
 * kept, a non-loopback --api needs a token file and then every write needs the
 * token (which the CLI sends with --token-file or GOPKGR_TOKEN), and /v1/peers
 * dials only TCP multiaddrs with a peer id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MAX_BLOB_BYTES } from '../../node/index.ts';
import { DEFAULT_BLOB_QUOTA } from '../../node/api/blobQuota.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { freePort } from '../support/ports.ts';
import { gopkgr, spawnNode, type RunningNode } from '../support/processes.ts';
import { bigBody, raw, upload, type UploadOutcome } from '../support/http.ts';

const MiB = 1024 * 1024;
const TOKEN = 'e2e-token-' + randomBytes(16).toString('hex');

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`no VmRSS for ${pid}`);
  return kb * 1024;
}

const errorCode = (o: UploadOutcome): unknown => (o.body?.error as { code?: unknown } | undefined)?.code;

describe('a node under upload load', () => {
  let dir: string;
  let node: RunningNode | undefined;
  let port: number;

  beforeAll(async () => {
    dir = await tempDir('gopkgr-e2e-uploads-');
    port = await freePort();
    node = await spawnNode(['--dev', '--api', `127.0.0.1:${port}`, '--data', dir]);
  });

  afterAll(closeAll);

  it('an unreferenced 32 MiB tarball beyond a client\'s quota is refused and not kept', async () => {
    const block = randomBytes(MiB);
    const outcomes: UploadOutcome[] = [];
    const bodies = ['one', 'two', 'three'].map((seed) => bigBody(`single-${seed}`, block, MAX_BLOB_BYTES / MiB - 1));
    for (const b of bodies) outcomes.push(await upload(port, b));
    const perClient = Math.floor(DEFAULT_BLOB_QUOTA.perClientBytes / bodies[0]!.size);
    expect(outcomes.map((o) => o.status)).toEqual(bodies.map((_, i) => (i < perClient ? 201 : 429)));
    expect(errorCode(outcomes[2]!)).toBe('BLOB_QUOTA_EXCEEDED');
    const refused = bodies[2]!.sha256;
    expect((await raw({ port, method: 'GET', path: `/v1/blobs/${refused}` })).status).toBe(404);
    expect((await readdir(join(dir, 'blobs'))).filter((n) => n.startsWith('tmp-'))).toEqual([]);
  });

  it('20 parallel 32 MiB uploads from 20 clients keep the node\'s RSS bounded', async () => {
    const pid = node!.child.pid!;
    await raw({ port, method: 'GET', path: '/v1/status' });
    const baseline = await rssOf(pid);
    let peak = baseline;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await rssOf(pid).catch(() => 0));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const block = randomBytes(MiB);
    const bodies = Array.from({ length: 20 }, (_, i) => bigBody(`parallel-${i}`, block, MAX_BLOB_BYTES / MiB - 1));
    // Each from its own loopback address: 20 clients, so the node-wide bound is what holds them.
    const outcomes = await Promise.all(bodies.map((b, i) => upload(port, b, { localAddress: `127.0.0.${10 + i}` })));
    sampling = false;
    await sampler;
    const growth = peak - baseline;
    console.info(`node RSS: baseline ${(baseline / MiB).toFixed(0)} MiB, peak ${(peak / MiB).toFixed(0)} MiB during 20 parallel uploads`);
    expect(growth, `RSS grew by ${(growth / MiB).toFixed(0)} MiB (baseline ${(baseline / MiB).toFixed(0)} MiB)`).toBeLessThan(200 * MiB);

    const stored = outcomes.filter((o) => o.status === 201).length;
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThanOrEqual(Math.floor(DEFAULT_BLOB_QUOTA.totalBytes / bodies[0]!.size));
    for (const o of outcomes.filter((x) => x.status !== 201)) expect({ status: o.status, code: errorCode(o) }).toEqual({ status: 429, code: 'BLOB_QUOTA_EXCEEDED' });
    for (const [i, b] of bodies.entries()) {
      const held = (await raw({ port, method: 'GET', path: `/v1/blobs/${b.sha256}` })).status;
      expect({ i, held }).toEqual({ i, held: outcomes[i]!.status === 201 ? 200 : 404 });
    }
    expect((await readdir(join(dir, 'blobs'))).filter((n) => n.startsWith('tmp-'))).toEqual([]);
    expect(node!.stderr()).not.toMatch(/INTERNAL|api (PUT|POST|GET)/);
  });
});

describe('a node whose API is reachable from other machines', () => {
  let dir: string;
  let client: string;
  let tokenFile: string;
  let node: RunningNode | undefined;
  let port: number;

  beforeAll(async () => {
    dir = await tempDir('gopkgr-e2e-token-');
    client = join(dir, 'client');
    tokenFile = join(dir, 'api.token');
    await writeFile(tokenFile, TOKEN + '\n', { mode: 0o600 });
    port = await freePort();
  });

  afterAll(closeAll);

  it('does not start without --api-token-file, nor with a weak token', async () => {
    const bare = await gopkgr(['node', '--dev', '--api', `0.0.0.0:${port}`, '--data', join(dir, 'n0'), '--json']);
    expect(bare.code).toBe(1);
    expect(bare.json).toMatchObject({ error: { code: 'API_TOKEN_REQUIRED' } });
    const weakFile = join(dir, 'weak.token');
    await writeFile(weakFile, 'short\n');
    const weak = await gopkgr(['node', '--dev', '--api', `0.0.0.0:${port}`, '--api-token-file', weakFile, '--data', join(dir, 'n0'), '--json']);
    expect(weak.json).toMatchObject({ error: { code: 'API_TOKEN_WEAK' } });
  });

  it('with a token file, writes need the token; the CLI sends it from --token-file or GOPKGR_TOKEN', async () => {
    node = await spawnNode(['--dev', '--api', `0.0.0.0:${port}`, '--api-token-file', tokenFile, '--data', join(dir, 'n1')]);
    const url = `http://127.0.0.1:${port}`;
    expect((await fetch(`${url}/v1/status`)).status).toBe(200);
    const anonymous = await fetch(`${url}/v1/txs`, { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: new Uint8Array([0x80]) });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');

    expect((await gopkgr(['init', '--data', client, '--json'])).code).toBe(0);
    const without = await gopkgr(['namespace', 'claim', '@tok', '--no-wait', '--node', url, '--data', client, '--json'], { env: { GOPKGR_TOKEN: '' } });
    expect(without.json).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    const withFile = await gopkgr(['namespace', 'claim', '@tok', '--no-wait', '--node', url, '--data', client, '--token-file', tokenFile, '--json']);
    expect({ code: withFile.code, status: withFile.json.status }).toEqual({ code: 0, status: 'pending' });
    const withEnv = await gopkgr(['namespace', 'claim', '@tok2', '--no-wait', '--node', url, '--data', client, '--json'], { env: { GOPKGR_TOKEN: TOKEN } });
    expect({ code: withEnv.code, status: withEnv.json.status }).toEqual({ code: 0, status: 'pending' });
  });

  it('POST /v1/peers dials only /ip4|ip6|dns/<host>/tcp/<port>/p2p/<peer id>', async () => {
    const url = `http://127.0.0.1:${port}`;
    const peerId = node!.ready.peerId as string;
    const post = async (addr: string): Promise<{ status: number; code?: string }> => {
      const res = await fetch(`${url}/v1/peers`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ addr }) });
      const body = (await res.json()) as { error?: { code: string } };
      return { status: res.status, code: body.error?.code };
    };
    for (const addr of [
      '/ip4/127.0.0.1/tcp/22',
      `/ip4/127.0.0.1/udp/4001/quic-v1/p2p/${peerId}`,
      '/unix/tmp/gopkgr.sock',
      `/ip4/127.0.0.1/tcp/80/http/p2p/${peerId}`,
      `/dns4/evil.example/tcp/443/tls/ws/p2p/${peerId}`,
      `/ip4/1.2.3.4/tcp/4001/p2p/${peerId}/p2p-circuit/p2p/${peerId}`,
      `/p2p/${peerId}`,
      '/ip4/127.0.0.1/tcp/4001/p2p/not-a-peer-id',
      'http://169.254.169.254/latest/meta-data',
    ]) {
      expect({ addr, ...(await post(addr)) }).toEqual({ addr, status: 400, code: 'PEER_ADDR_REFUSED' });
    }
    // An oversized body is 413, not a JSON error.
    const huge = await fetch(`${url}/v1/peers`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ addr: 'x'.repeat(5 * MiB) }) });
    expect({ status: huge.status, code: ((await huge.json()) as { error?: { code?: string } }).error?.code }).toEqual({ status: 413, code: 'HTTP_BODY_TOO_LARGE' });
    // The one accepted shape is dialed (here a closed port, so the dial itself fails).
    expect(await post(`/ip4/127.0.0.1/tcp/1/p2p/${peerId}`)).toEqual({ status: 502, code: 'NET_DIAL_FAILED' });
  });
});
