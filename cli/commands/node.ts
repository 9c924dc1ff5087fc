import { DEV_PARAMS, GopkgrError, identityOf, isPrivateChain, parseIdentity, toHex, type ChainParams } from '../../ledger/index.ts';
import { join } from 'node:path';
import {
  AuthoritySigner, DEFAULT_SNAPSHOT_EVERY, FullNode, SnapshotFiles, Snapshotter, chainDirOf, createApi, listenApi, loadOrCreateSnapshotKey, parseCheckpoint, readParamsFile,
  readSwarmKey, replicaParent, type Logger,
} from '../../node/index.ts';
import { consensusFor, type AuthorityConsensus } from '../../consensus/index.ts';
import { isLoopbackHost, startingExtras } from '../../node/api/index.ts';
import { readFile } from 'node:fs/promises';
import type { ApiExtras } from '../../node/api/index.ts';
import type { Network, PublicFollower } from '../../node/network/index.ts';
import type { Miner } from '../../miner/index.ts';
import { intOption, parse, usageError } from '../args.ts';
import { loadIdentity } from '../context.ts';
import type { Command } from '../command.ts';
import { untilStopped } from '../signals.ts';
import { StatusLine } from '../statusLine.ts';

const usage = 'gopkgr node [--dev | --genesis FILE] [--mine | --sign] [--swarm-key FILE] [--threads N] [--api HOST:PORT] [--api-token-file FILE] [--listen MULTIADDR]... [--peer MULTIADDR]... [--max-peers N] [--snapshot-every N] [--checkpoint HEIGHT:BLOCKID:STATEROOT] [--snapshot-signer id:HEX]... [--state-cache-mb N] [--public-peer MULTIADDR]... [--public-genesis FILE] [--public-listen MULTIADDR]... [--verbose]';

export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^(\[[0-9a-f:]+\]|[a-zA-Z0-9.-]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw usageError(`--api must be HOST:PORT, got "${text}"`, usage);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** The token writes must carry: required when the API is reachable beyond this machine. */
async function apiToken(file: string | undefined, host: string): Promise<string | undefined> {
  if (file === undefined) {
    if (isLoopbackHost(host)) return undefined;
    throw new GopkgrError('API_TOKEN_REQUIRED', `--api ${host} is reachable from other machines, and writes to it would need no credentials`, {
      hint: 'pass --api-token-file FILE (a file holding a long random token), or bind --api 127.0.0.1:PORT',
    });
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new GopkgrError('API_TOKEN_UNREADABLE', `cannot read the API token file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const token = text.split('\n')[0]!.trim();
  if (token.length < 16 || /\s/.test(token)) throw new GopkgrError('API_TOKEN_WEAK', `the API token in ${file} must be one line of at least 16 characters without spaces`);
  return token;
}

/**
 * The public chain a private node keeps a replica of: the chain its genesis's `parent` names, whose parameters
 * are --public-genesis FILE or, without it, the dev chain's (checked against the id the genesis names when the
 * replica opens). None for a chain without a parent; --public-peer then has nothing to follow.
 */
function publicChainParams(params: ChainParams, file: string | undefined, following: boolean): ChainParams | undefined {
  if (params.parent === undefined) {
    if (!following && file === undefined) return undefined;
    throw new GopkgrError('PARENT_CHAIN_UNKNOWN', `chain ${params.name} names no public chain in its genesis: there is nothing for --public-peer to follow`, {
      hint: 'fork the chain with --node URL of a public node, so that its genesis records the public chain',
    });
  }
  return file === undefined ? DEV_PARAMS : readParamsFile(file);
}

/** Log lines on stderr through `print` (the status line's, once there is one); the line per block only when verbose. */
function stderrLogger(verbose: boolean, print: (line: string) => void): Logger {
  const line = (level: string, msg: string): void => print(`${new Date().toISOString()} ${level} ${msg}`);
  return { info: (m) => line('info', m), warn: (m) => line('warn', m), debug: (m) => (verbose ? line('info', m) : undefined) };
}

export const node: Command = {
  name: 'node',
  summary: 'run a full node (and optionally mine)',
  usage,
  async run(args, ctx) {
    const { values } = parse(args, {
      dev: { type: 'boolean' }, genesis: { type: 'string' }, mine: { type: 'boolean' },
      threads: { type: 'string' }, api: { type: 'string' }, 'api-token-file': { type: 'string' },
      listen: { type: 'string', multiple: true }, peer: { type: 'string', multiple: true }, 'max-peers': { type: 'string' },
      'snapshot-every': { type: 'string' }, checkpoint: { type: 'string' }, 'snapshot-signer': { type: 'string', multiple: true },
      'state-cache-mb': { type: 'string' }, 'swarm-key': { type: 'string' }, sign: { type: 'boolean' },
      'public-peer': { type: 'string', multiple: true }, 'public-genesis': { type: 'string' }, 'public-listen': { type: 'string', multiple: true },
      verbose: { type: 'boolean' },
    }, usage);
    if (values.dev === true && values.genesis !== undefined) throw usageError('--dev and --genesis exclude each other', usage);
    if (values.dev !== true && values.genesis === undefined) {
      throw new GopkgrError('USAGE', 'no chain chosen', { hint: 'pass --dev for a local development chain, or --genesis FILE' });
    }
    const params = values.dev === true ? DEV_PARAMS : readParamsFile(values.genesis as string);
    const threads = intOption(values.threads, 'threads', 1, 256);
    const { host, port } = parseHostPort((values.api as string | undefined) ?? '127.0.0.1:7357');
    const privateChain = isPrivateChain(params);
    if (values.mine === true && values.sign === true) throw usageError('--mine and --sign exclude each other: a chain is mined or signed', usage);
    // A private chain closes libp2p with its swarm key and HTTP with its token: it never starts open.
    let swarmKey: Uint8Array | undefined;
    if (values['swarm-key'] !== undefined) swarmKey = await readSwarmKey(values['swarm-key'] as string);
    else if (privateChain) {
      throw new GopkgrError('SWARM_KEY_REQUIRED', `chain ${params.name} is private: its node does not start without the chain's swarm key`, {
        hint: 'pass --swarm-key FILE (the swarm.key `gopkgr fork` wrote)',
      });
    }
    if (privateChain && values['api-token-file'] === undefined) {
      throw new GopkgrError('API_TOKEN_REQUIRED', `chain ${params.name} is private: every request to its node's API needs a token`, {
        hint: 'pass --api-token-file FILE (the api.token `gopkgr fork` wrote)',
      });
    }
    const token = await apiToken(values['api-token-file'] as string | undefined, host);
    const minerKey = values.mine === true ? (await loadIdentity(ctx.dataDir)).publicKey : undefined;
    const signerKey = values.sign === true ? await loadIdentity(ctx.dataDir) : undefined;
    const maxConnections = intOption(values['max-peers'], 'max-peers', 1, 10_000);
    const snapshotEvery = intOption(values['snapshot-every'], 'snapshot-every', 0, 1_000_000_000) ?? DEFAULT_SNAPSHOT_EVERY;
    const checkpoint = values.checkpoint === undefined ? undefined : parseCheckpoint(values.checkpoint as string);
    const signers = ((values['snapshot-signer'] as string[] | undefined) ?? []).map((s) => parseIdentity(s));
    const peers = (values.peer as string[] | undefined) ?? [];
    const stateCacheMb = intOption(values['state-cache-mb'], 'state-cache-mb', 1, 1_000_000);
    // Without --verbose, a status line (cli/statusLine.ts) stands for the line per block once the node is up.
    const verbose = values.verbose === true;
    let status: StatusLine | undefined;
    const log = stderrLogger(verbose, (line) => (status === undefined ? process.stderr.write(line + '\n') : status.log(line)));
    const publicPeers = (values['public-peer'] as string[] | undefined) ?? [];
    const publicParams = publicChainParams(params, values['public-genesis'] as string | undefined, publicPeers.length > 0);

    // Trusting a checkpoint or a signer: a node still at genesis joins from a snapshot instead of replaying the chain.
    if (checkpoint !== undefined || signers.length > 0) {
      if (peers.length === 0) throw usageError('--checkpoint and --snapshot-signer need a --peer to fetch the snapshot from', usage);
      const { joinFromSnapshot } = await import('../../node/network/index.ts');
      const joined = await joinFromSnapshot({ dataDir: ctx.dataDir, params, peers, checkpoint, signers, log });
      if (!joined.joined) log.info(`snapshot: not needed, this node is at height ${joined.height}`);
    }

    // A private chain forked beside a public one keeps a replica of it (and, with --public-peer, follows it). It opens
    // first: the private chain judges its blocks' anchors and public lock entries against it from the start.
    let follower: PublicFollower | undefined;
    if (publicParams !== undefined) {
      const { PublicFollower } = await import('../../node/network/index.ts');
      follower = await PublicFollower.open({
        dataDir: ctx.dataDir, params: publicParams, expectChainId: params.parent!.chainId, peers: publicPeers, log,
        listen: values['public-listen'] as string[] | undefined,
      });
    }
    const consensus = consensusFor(params);
    const parent = follower === undefined || consensus.kind !== 'authority' ? undefined : replicaParent(follower.node.chain, (consensus as AuthorityConsensus).set.anchorDepth);
    let full: FullNode;
    try {
      full = await FullNode.open({ dataDir: ctx.dataDir, params, log, stateCacheBytes: stateCacheMb === undefined ? undefined : stateCacheMb * 1024 * 1024, parent });
    } catch (err) {
      await follower?.close();
      throw err;
    }
    let snapshots: SnapshotFiles | undefined;
    let snapshotter: Snapshotter | undefined;
    if (snapshotEvery > 0) {
      snapshots = new SnapshotFiles(join(chainDirOf(ctx.dataDir, params), 'snapshots'), full.chain.chainId);
      await snapshots.open();
      snapshotter = new Snapshotter(full.chain, snapshots, await loadOrCreateSnapshotKey(ctx.dataDir), snapshotEvery, log);
      snapshotter.start();
    }
    // The API answers from the chain at once; the network layer (libp2p: most of the start's time is loading
    // its code) joins it when it is up, and its routes answer NODE_STARTING until then.
    const extras = startingExtras();
    let signer: AuthoritySigner | undefined;
    if (signerKey !== undefined) {
      try {
        signer = new AuthoritySigner(full, signerKey, log, Date.now, (b) => {
          if (status === undefined) log.debug?.(`signed block ${b.height} ${b.id.slice(0, 16)} for slot ${b.slot} (${b.txs} txs)`);
          else status.produced('signed', Date.now());
        });
      } catch (err) {
        await snapshotter?.stop();
        await full.close();
        await follower?.close();
        throw err;
      }
    }
    const access = { host, token, tokenForReads: privateChain };
    // The replica's API is not listening: the private node's hands it public names (node/api/replica.ts). It gets no
    // fetchBlob: a hash asked of it is never looked for on the public network (a private tarball's hash stays in).
    const replica = follower === undefined ? undefined : {
      node: follower.node,
      server: createApi(follower.node, { status: () => ({ ...(follower!.network?.statusJson() ?? {}) }) }, { access }),
    };
    const server = createApi(full, extras, { access, replica });
    let network: Network | undefined;
    let address;
    try {
      address = await listenApi(server, host, port);
      const { Network } = await import('../../node/network/index.ts');
      network = await Network.create({
        node: full, dataDir: ctx.dataDir, log, maxConnections,
        listen: (values.listen as string[] | undefined) ?? undefined,
        peers, snapshots, swarmKey,
      });
      await network.start();
    } catch (err) {
      server.close();
      await network?.stop().catch(() => undefined);
      await snapshotter?.stop();
      await follower?.close();
      await full.close();
      throw err;
    }
    const net = network;
    Object.assign(extras, { status: () => ({ ...net.statusJson(), ...(follower === undefined ? {} : { parent: { ...follower.status() } }) }), routes: net.apiRoutes(), fetchBlob: (hash: string) => net.fetchBlob(hash) } satisfies ApiExtras);
    const api = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
    const head = full.chain.head;
    const ready = {
      chainId: full.chainId, network: params.name, api, height: head.height, head: head.id, dataDir: ctx.dataDir, mining: minerKey !== undefined,
      consensus: full.chain.consensus.kind, private: privateChain, signing: signerKey === undefined ? null : identityOf(signerKey.publicKey),
      peerId: net.peerId, addresses: net.addresses(),
      ...(follower === undefined ? {} : { parent: follower.status(), publicAddresses: follower.addresses() }),
    };
    // Up: now the signature workers start, so the first full block does not wait for them.
    full.warmUp();
    if (ctx.json) ctx.out(JSON.stringify(ready));
    else {
      ctx.out(`gopkgr node: chain ${params.name} ${full.chainId.slice(0, 16)}…, height ${head.height}`);
      ctx.out(`  API ${api}   data ${ctx.dataDir}`);
      ctx.out(`  peer id ${net.peerId}`);
      for (const a of net.addresses()) ctx.out(`  listening on ${a}`);
    }

    let miner: Miner | undefined;
    let statusTimer: NodeJS.Timeout | undefined;
    if (!verbose) {
      status = new StatusLine({
        tty: ctx.tty, columns: process.stderr.columns, write: (text) => process.stderr.write(text),
        snapshot: () => ({ height: full.chain.head.height, head: full.chain.head.id, peers: net.status().peers, mempool: full.mempool.size, ...(miner === undefined ? {} : { hashRate: miner.hashRate() }) }),
      });
      statusTimer = setInterval(() => status!.tick(Date.now()), 1000);
      statusTimer.unref();
    }
    if (minerKey !== undefined) {
      const { Miner, localSource } = await import('../../miner/index.ts');
      miner = new Miner(localSource(full), { minerKey, threads, pace: values.dev === true, log });
      let lastReport = 0;
      miner.start((b) => {
        const now = Date.now();
        if (status !== undefined) return status.produced('mined', now);
        // Mining progress: every block that carries txs, and at most one line a second otherwise.
        if (b.txs > 0 || now - lastReport > 1000) {
          lastReport = now;
          log.info(`mined block ${b.height} ${b.id.slice(0, 16)} (${b.txs} txs, ${(miner!.hashRate() / 1e3).toFixed(0)} kH/s)`);
        }
      });
      log.info(`mining to id:${toHex(minerKey)} on ${threads ?? 'all'} thread(s)`);
    }

    if (signer !== undefined) {
      signer.start();
      log.info(`signing this identity's slots as ${identityOf(signerKey!.publicKey)}`);
    }

    await untilStopped();
    clearInterval(statusTimer);
    status?.close();
    status = undefined;
    log.info('stopping');
    await miner?.stop();
    await signer?.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await net.stop();
    await snapshotter?.stop();
    await follower?.close();
    await full.close();
    return 0;
  },
};
