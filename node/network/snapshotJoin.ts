/**
 * Joining a chain from a state snapshot instead of replaying it, before the
 * node starts (the node then opens the database as any other and syncs the
 * blocks after the checkpoint normally). The user says what to trust:
 *
 *   --checkpoint HEIGHT:BLOCKID:STATEROOT   a block and the root of the state after it
 *   --snapshot-signer id:<hex>              whatever that key signs (the newest such snapshot)
 *
 * Steps, each refusing with a code and storing nothing on failure:
 *  1. Ask the peers for their snapshot headers (signatures checked) and keep
 *     those the trust allows. A peer offering the checkpoint's block with
 *     another root refuses the checkpoint (CHECKPOINT_MISMATCH); no trusted
 *     snapshot within SNAPSHOT_JOIN_TIMEOUT_MS is SNAPSHOT_UNAVAILABLE.
 *  2. Fetch the header chain from genesis to the snapshot's block from that
 *     peer and check every header as the chain would (links, heights, the
 *     seal: proof of work; the header after its ancestors: the retarget's
 *     target and the time rules). Its block at the height must be the
 *     snapshot's (and the checkpoint's). A peer that fails this is passed
 *     over (its error is reported if no other peer serves).
 *  3. Stream the records in, recomputing the root (node/snapshot/import.ts):
 *     SNAPSHOT_BAD_RECORDS or SNAPSHOT_ROOT_MISMATCH, and nothing kept.
 *  4. Commit: index entries of the header chain, the checkpoint, the head.
 *
 * It runs on a host of its own with the node's peer key, which answers status
 * as a node at genesis (so serving peers keep it connected) and serves nothing else.
 */
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { PeerId } from '@libp2p/interface';
import { GopkgrError } from '../../ledger/errors.ts';
import { bytesEqual, decode, fromHex, toHex } from '../../ledger/encoding.ts';
import type { ChainParams } from '../../ledger/params.ts';
import { Chain } from '../chain.ts';
import { ChainStore, type BlockIndexEntry } from '../store.ts';
import { chainDirOf, type Logger } from '../fullNode.ts';
import type { Checkpoint } from '../snapshot/checkpoint.ts';
import type { SnapshotHeader } from '../snapshot/header.ts';
import { checkpointText } from '../snapshot/header.ts';
import { commitJoin, discardUnfinishedJoin, importRecords, type JoinedHeader } from '../snapshot/import.ts';
import { DIAL_TIMEOUT_MS, MAX_HEADERS, SNAPSHOT_JOIN_TIMEOUT_MS, protocols as protocolIds, topics as topicNames } from './constants.ts';
import { createHost, type Host } from './host.ts';
import { decodeHeader, encodeStatus, headersRequest } from './messages.ts';
import { loadOrCreatePeerKey } from './peerKey.ts';
import { requestOne, serve } from './reqresp.ts';
import { fetchRecords, listSnapshots } from './snapshotExchange.ts';
import { parseMultiaddr } from './network.ts';

export interface JoinOptions {
  dataDir: string;
  params: ChainParams;
  /** bootstrap peers (multiaddrs with /p2p/<id>) */
  peers: string[];
  checkpoint?: Checkpoint;
  /** trusted snapshot signers (33-byte keys) */
  signers?: Uint8Array[];
  log: Logger;
  timeoutMs?: number;
}

export interface JoinResult {
  joined: boolean;
  height: number;
  blockId?: string;
  records?: number;
  bytes?: number;
  ms?: number;
}

/** Which offered snapshots the user's trust allows: the checkpoint's exact one, and/or ones signed by a named signer. */
function trusted(h: SnapshotHeader, opts: JoinOptions): boolean {
  const cp = opts.checkpoint;
  if (cp !== undefined && (h.height !== cp.height || toHex(h.blockId) !== cp.blockId || toHex(h.stateRoot) !== cp.stateRoot)) return false;
  if (opts.signers !== undefined && opts.signers.length > 0 && !opts.signers.some((s) => bytesEqual(s, h.signer))) return false;
  return true;
}

/** Join from a snapshot if the node's database is still at genesis; otherwise check the checkpoint against it and do nothing. */
export async function joinFromSnapshot(opts: JoinOptions): Promise<JoinResult> {
  const chainDir = chainDirOf(opts.dataDir, opts.params);
  await mkdir(chainDir, { recursive: true });
  const store = new ChainStore(join(chainDir, 'db'));
  await store.open();
  try {
    if (await discardUnfinishedJoin(store)) opts.log.warn('snapshot: removed the records of an unfinished join');
    const chain = new Chain(store, { params: opts.params });
    await chain.open();
    if (chain.height > 0) {
      const cp = opts.checkpoint;
      if (cp !== undefined && chain.height >= cp.height && chain.mainIdAt(cp.height) !== cp.blockId) {
        throw new GopkgrError('CHECKPOINT_MISMATCH', `this node's chain has block ${chain.mainIdAt(cp.height)?.slice(0, 16)}… at height ${cp.height}, not the checkpoint's ${cp.blockId.slice(0, 16)}…`, {
          hint: 'check the checkpoint, or start with an empty --data dir',
        });
      }
      return { joined: false, height: chain.height };
    }
    return await joinOnline(chain, store, opts);
  } finally {
    await store.close();
  }
}

async function joinOnline(chain: Chain, store: ChainStore, opts: JoinOptions): Promise<JoinResult> {
  const started = Date.now();
  const protocols = protocolIds(chain.chainIdHex);
  const host = await createHost({
    privateKey: await loadOrCreatePeerKey(opts.dataDir),
    listen: [],
    maxConnections: 16,
    topics: topicNames(chain.chainIdHex),
    isBanned: () => false,
    appScore: () => 0,
  });
  try {
    const genesis = chain.head;
    // Answer status as a node at genesis: serving peers hang up on a peer that does not.
    await host.handle(protocols.status, serve(() => [encodeStatus({ head: fromHex(genesis.id), height: 0, work: genesis.work })]));
    const addrs = opts.peers.map((p) => parseMultiaddr(p, '--peer'));
    const deadline = started + (opts.timeoutMs ?? SNAPSHOT_JOIN_TIMEOUT_MS);
    let lastError: GopkgrError | undefined;
    while (Date.now() < deadline) {
      await Promise.all(addrs.map((a) => host.dial(a, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) }).catch(() => undefined)));
      for (const peer of host.getPeers()) {
        let offered: SnapshotHeader[];
        try {
          offered = await listSnapshots(host, peer, protocols.snapshots, chain.chainId);
        } catch (err) {
          lastError = asGopkgr(err);
          opts.log.warn(`snapshot: ${peer.toString().slice(-8)} lists no usable snapshots: ${lastError.code} ${lastError.message}`);
          continue;
        }
        const cp = opts.checkpoint;
        const clash = cp === undefined ? undefined : offered.find((h) => h.height === cp.height && toHex(h.blockId) === cp.blockId && toHex(h.stateRoot) !== cp.stateRoot);
        if (clash !== undefined) {
          throw new GopkgrError('CHECKPOINT_MISMATCH', `peer ${peer.toString().slice(-8)} vouches for state root ${toHex(clash.stateRoot).slice(0, 16)}… at the checkpoint's block, not ${cp!.stateRoot.slice(0, 16)}…`, {
            hint: 'check the checkpoint with the node you copied it from',
          });
        }
        const best = offered.filter((h) => trusted(h, opts)).sort((a, b) => b.height - a.height)[0];
        if (best === undefined) continue;
        opts.log.info(`snapshot: joining from ${peer.toString().slice(-8)} at ${checkpointText(best)} (${best.records} records, ${best.bytes} bytes)`);
        let headers: JoinedHeader[];
        try {
          headers = await fetchHeaderChain(host, peer, protocols.headers, chain, best);
        } catch (err) {
          // A peer whose headers do not lead to its own snapshot lies or is on another branch: try the others.
          lastError = asGopkgr(err);
          opts.log.warn(`snapshot: the header chain from ${peer.toString().slice(-8)} was refused: ${lastError.code} ${lastError.message}`);
          continue;
        }
        try {
          await importRecords(store, best, fetchRecords(host, peer, protocols.snapshot, best));
        } catch (err) {
          const e = asGopkgr(err);
          // Records that break the header's root or framing come from a signer or checkpoint the user trusted: refuse.
          if (e.code === 'SNAPSHOT_ROOT_MISMATCH' || e.code === 'SNAPSHOT_BAD_RECORDS') throw e;
          lastError = e;
          opts.log.warn(`snapshot: fetching records from ${peer.toString().slice(-8)} failed: ${e.code} ${e.message}`);
          continue;
        }
        await commitJoin(store, headers);
        const ms = Date.now() - started;
        opts.log.info(`snapshot: joined at height ${best.height} in ${ms} ms`);
        return { joined: true, height: best.height, blockId: toHex(best.blockId), records: best.records, bytes: best.bytes, ms };
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    throw new GopkgrError('SNAPSHOT_UNAVAILABLE', `no peer served a trusted snapshot within ${Math.round((opts.timeoutMs ?? SNAPSHOT_JOIN_TIMEOUT_MS) / 1000)} s${lastError === undefined ? '' : ` (last: ${lastError.code} ${lastError.message})`}`, {
      hint: 'pass --peer with a node that keeps snapshots, or start without --checkpoint/--snapshot-signer to replay the chain',
    });
  } finally {
    await host.stop();
  }
}

function asGopkgr(err: unknown): GopkgrError {
  return err instanceof GopkgrError ? err : new GopkgrError('NET_STREAM_ERROR', err instanceof Error ? err.message : String(err));
}

/**
 * The header chain from genesis to the snapshot's block, from one peer, every
 * header checked as the chain checks it (seal, then the header after its
 * ancestors), with the index entries the chain will keep.
 */
async function fetchHeaderChain(host: Host, peer: PeerId, protocol: string, chain: Chain, target: SnapshotHeader): Promise<JoinedHeader[]> {
  const consensus = chain.consensus;
  const out: JoinedHeader[] = [];
  let prev: BlockIndexEntry = chain.head;
  const window: BlockIndexEntry[] = [prev];
  while (prev.height < target.height) {
    const locator = [fromHex(prev.id), fromHex(chain.head.id)];
    const item = await requestOne(host, peer, protocol, headersRequest({ locator, max: MAX_HEADERS }));
    const list = decode(item);
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_HEADERS) {
      throw new GopkgrError('CHECKPOINT_MISMATCH', `the peer's chain ends at height ${prev.height}, below the snapshot's ${target.height}`);
    }
    for (const raw of list) {
      if (!(raw instanceof Uint8Array)) throw new GopkgrError('SYNC_BAD_HEADERS', 'a header entry is not bytes');
      const { header, id: idBytes } = decodeHeader(raw, consensus.seal);
      const id = toHex(idBytes);
      // Rules: each header links to the one before, heights count up, the seal is sound, and the header is valid after its ancestors.
      if (toHex(header.parent) !== prev.id || header.height !== prev.height + 1) throw new GopkgrError('SYNC_BAD_HEADERS', `header ${id.slice(0, 16)} does not follow the one before it`);
      try {
        consensus.checkSeal(idBytes, header);
        consensus.checkHeader(idBytes, header, { ancestors: window, now: Date.now() });
      } catch (err) {
        throw new GopkgrError('SYNC_BAD_HEADERS', `header ${id.slice(0, 16)} at height ${header.height}: ${(err as Error).message}`);
      }
      const entry: BlockIndexEntry = {
        id, parent: prev.id, height: header.height, time: header.time, ...consensus.indexFields(header),
        work: (BigInt('0x' + prev.work) + consensus.weightOf(header)).toString(16), status: 'valid',
      };
      out.push({ entry, bytes: raw });
      prev = entry;
      window.push(entry);
      if (window.length > consensus.ancestryDepth) window.shift();
      if (entry.height === target.height) break;
    }
  }
  // Rule: the chain passes through the snapshot's block (and so the checkpoint's).
  if (prev.id !== toHex(target.blockId)) {
    throw new GopkgrError('CHECKPOINT_MISMATCH', `the peer's chain has block ${prev.id.slice(0, 16)}… at height ${target.height}, not the snapshot's ${toHex(target.blockId).slice(0, 16)}…`);
  }
  return out;
}
