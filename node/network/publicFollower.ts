/**
 * The public follower inside a private node (DESIGN.md "Private chains"): a
 * second FullNode over `<data>/public/` (its own LevelDB, blob store and peer
 * key) and a second libp2p host WITHOUT the swarm key, dialing public peers.
 * It runs exactly what a plain public node runs (headers-first sync, gossip,
 * blob backfill: network.ts), so the replica holds every public block and
 * tarball even when the public network is gone.
 *
 * Why a whole second node instead of a shared one: nothing of the private
 * chain can leak through it. Its mempool, blob store and block store are its
 * own objects; the only things it ever gossips or serves are public blocks,
 * public txs and the tarballs those name. The private node reads the replica
 * (the API, anchors, lock checks); it never writes into it.
 */
import { join } from 'node:path';
import { GopkgrError } from '../../ledger/errors.ts';
import type { ChainParams } from '../../ledger/params.ts';
import { FullNode, silentLogger, type Logger } from '../fullNode.ts';
import { Network } from './network.ts';

export interface PublicFollowerOptions {
  /** the private node's data dir: the replica lives in `<dataDir>/public/` */
  dataDir: string;
  /** the public chain's parameters */
  params: ChainParams;
  /** the chain id the private genesis names as its parent: the replica must be of that chain */
  expectChainId?: string;
  /** public peers to dial (`--public-peer`) */
  peers: string[];
  /** where the public host listens (default: an ephemeral loopback port) */
  listen?: string[];
  log?: Logger;
  stateCacheBytes?: number;
}

export interface ParentStatus {
  chainId: string;
  height: number;
  head: string;
}

/** Where the replica of the public chain lives inside a private node's data dir. */
export function publicDirOf(dataDir: string): string {
  return join(dataDir, 'public');
}

function prefixed(log: Logger): Logger {
  const debug = log.debug;
  return { info: (m) => log.info(`public: ${m}`), warn: (m) => log.warn(`public: ${m}`), ...(debug === undefined ? {} : { debug: (m: string) => debug.call(log, `public: ${m}`) }) };
}

export class PublicFollower {
  private constructor(readonly node: FullNode, readonly network: Network | undefined) {}

  /**
   * Open the replica; with peers, also its host (started). Without peers (an air-gapped node, or `chain import`),
   * the replica is only read and filled by imports.
   */
  static async open(opts: PublicFollowerOptions): Promise<PublicFollower> {
    const log = prefixed(opts.log ?? silentLogger);
    const dir = publicDirOf(opts.dataDir);
    const node = await FullNode.open({ dataDir: dir, params: opts.params, log, stateCacheBytes: opts.stateCacheBytes });
    if (opts.expectChainId !== undefined && node.chainId !== opts.expectChainId) {
      await node.close();
      throw new GopkgrError('PARENT_CHAIN_MISMATCH', `the public chain's genesis gives chain id ${node.chainId.slice(0, 16)}…, but this private chain was forked beside ${opts.expectChainId.slice(0, 16)}…`, {
        hint: 'pass --public-genesis FILE: the genesis of the public chain the fork named (without it, the dev chain)',
      });
    }
    if (opts.peers.length === 0) return new PublicFollower(node, undefined);
    let network: Network | undefined;
    try {
      // No swarm key: this host speaks the public protocol, on the public chain's topics, with a peer key of its own.
      network = await Network.create({ node, dataDir: dir, log, peers: opts.peers, listen: opts.listen });
      await network.start();
    } catch (err) {
      await network?.stop().catch(() => undefined);
      await node.close();
      throw err;
    }
    return new PublicFollower(node, network);
  }

  get chainId(): string {
    return this.node.chainId;
  }

  /** `status.parent` of the private node: where its replica stands. */
  status(): ParentStatus {
    const head = this.node.chain.head;
    return { chainId: this.node.chainId, height: head.height, head: head.id };
  }

  /** The public host's listen addresses (empty without a host). */
  addresses(): string[] {
    return this.network?.addresses() ?? [];
  }

  /**
   * Wait (at most `timeoutMs`) until the replica's head is at least `height`: a private block anchored at a
   * public block this replica has not reached yet is judged once it has, not refused for our lag.
   */
  async reach(height: number, timeoutMs: number): Promise<boolean> {
    if (this.node.chain.height >= height) return true;
    return new Promise((resolve) => {
      const onHead = (): void => {
        if (this.node.chain.height < height) return;
        done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.node.off('head', onHead);
        resolve(ok);
      };
      this.node.on('head', onHead);
    });
  }

  async close(): Promise<void> {
    await this.network?.stop();
    await this.node.close();
  }
}
