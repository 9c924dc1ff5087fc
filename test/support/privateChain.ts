/**
 * Private chains as real processes: `gopkgr fork` over authorities made with
 * `gopkgr init` in their own data dirs, and `gopkgr node --genesis … --swarm-key …
 * --api-token-file … --sign` for each authority on loopback. Requests to such a
 * node carry the chain's token (`authGet`).
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { tempDir } from './cleanup.ts';
import { freePort } from './ports.ts';
import { gopkgr, spawnNode, type RunningNode } from './processes.ts';

export interface PrivateChain {
  /** the fork's --out dir: genesis.json, swarm.key, api.token */
  dir: string;
  genesis: string;
  swarmKey: string;
  apiToken: string;
  token: string;
  chainId: string;
  /** each authority's data dir and identity, in turn order */
  authorities: Array<{ data: string; identity: string }>;
}

/** `n` authorities (gopkgr init each) and `gopkgr fork` over them (beside the public chain of `publicNode`, when given). */
export async function forkChain(n: number, opts: { name?: string; namespaces?: string[]; slotMs?: number; anchorDepth?: number; epochBlocks?: number; publicNode?: string } = {}): Promise<PrivateChain> {
  const root = await tempDir('gopkgr-private-');
  const authorities = await Promise.all(Array.from({ length: n }, async (_, i) => {
    const data = path.join(root, `authority-${i}`);
    const init = await gopkgr(['init', '--json'], { env: { GOPKGR_HOME: data } });
    if (init.code !== 0) throw new Error(`gopkgr init failed: ${init.stderr}`);
    return { data, identity: init.json.identity as string };
  }));
  const dir = path.join(root, 'chain');
  const args = ['fork', '--json', '--name', opts.name ?? 'acme', '--out', dir, '--slot-ms', String(opts.slotMs ?? 1000),
    ...(opts.namespaces ?? ['@acme']).flatMap((ns) => ['--namespace', ns]), ...authorities.flatMap((a) => ['--authority', a.identity]),
    ...(opts.anchorDepth !== undefined ? ['--anchor-depth', String(opts.anchorDepth)] : []),
    ...(opts.epochBlocks !== undefined ? ['--epoch-blocks', String(opts.epochBlocks)] : []),
    ...(opts.publicNode !== undefined ? ['--node', opts.publicNode] : [])];
  const fork = await gopkgr(args);
  if (fork.code !== 0) throw new Error(`gopkgr fork failed: ${fork.stderr}`);
  const apiToken = fork.json.apiToken as string;
  return {
    dir, genesis: fork.json.genesis as string, swarmKey: fork.json.swarmKey as string, apiToken,
    token: (await readFile(apiToken, 'utf8')).trim(), chainId: fork.json.chainId as string, authorities,
  };
}

export interface PrivateNode extends RunningNode {
  data: string;
  addr: string;
  apiPort: number;
  p2pPort: number;
}

/** Start a node of the chain on `data` (an authority's dir signs with `sign`), on loopback; waits for its ready line. */
export async function spawnPrivateNode(chain: PrivateChain, data: string, opts: { sign?: boolean; peers?: string[]; publicPeers?: string[]; swarmKey?: string; apiPort?: number; p2pPort?: number; extra?: string[] } = {}): Promise<PrivateNode> {
  const apiPort = opts.apiPort ?? (await freePort());
  const p2pPort = opts.p2pPort ?? (await freePort());
  const args = [
    '--genesis', chain.genesis, '--swarm-key', opts.swarmKey ?? chain.swarmKey, '--api-token-file', chain.apiToken,
    '--api', `127.0.0.1:${apiPort}`, '--listen', `/ip4/127.0.0.1/tcp/${p2pPort}`,
    ...(opts.sign === false ? [] : ['--sign']), ...(opts.peers ?? []).flatMap((p) => ['--peer', p]),
    ...(opts.publicPeers ?? []).flatMap((p) => ['--public-peer', p]), ...(opts.extra ?? []),
  ];
  const node = await spawnNode(args, { env: { GOPKGR_HOME: data } });
  return { ...node, data, addr: (node.ready.addresses as string[])[0]!, apiPort, p2pPort };
}

/** GET `path` on a private node with the chain's token. */
export async function authGet<T = Record<string, unknown>>(node: { api: string }, token: string, urlPath: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${node.api}${urlPath}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as T };
}
