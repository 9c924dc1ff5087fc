/**
 * Importing a chain file (format.ts) into a node: the file is checked whole
 * first (checksum, order, counts), then against the node (its chain id, blocks
 * that decode for its consensus, heights in order, each the parent of the next,
 * the first building on a block the node has, every tarball named by a block of
 * the file), and only then used: tarballs into the blob store, then each block
 * through FullNode.submitBlock, the path blocks from peers take, so a block is
 * judged exactly as sync judges it. A file that fails any check stores nothing;
 * a block the node refuses stops the import with that block's code, and the
 * blocks before it stay (each was valid on its own).
 *
 * The target is the node whose chain id the file names: on a private node that
 * may be its replica of the public chain (node/network/publicFollower.ts). Only
 * tarballs the file's own blocks name are stored, so a file cannot place other
 * bytes in a replica's store (which the public host serves).
 */
import { GopkgrError } from '../../ledger/errors.ts';
import { toHex } from '../../ledger/encoding.ts';
import { tarballOf } from '../../ledger/tx.ts';
import type { FullNode } from '../fullNode.ts';
import { readFrames, readTarball, verifyChainFile, type ChainFileHeader } from './format.ts';

export interface ChainImportResult {
  chainId: string;
  network: string;
  from: number;
  to: number;
  /** blocks in the file; of them, newly on the main chain, already here, and on a side branch */
  blocks: number;
  connected: number;
  known: number;
  side: number;
  /** tarballs in the file; of them, newly stored */
  blobs: number;
  stored: number;
  /** the target's head after the import */
  height: number;
  head: string;
}

/** The node among `targets` (a node, and a private node's replica) whose chain the file is of. */
export function targetOf(header: ChainFileHeader, targets: readonly FullNode[]): FullNode {
  const target = targets.find((t) => t.chainId === header.chainId);
  if (target === undefined) {
    throw new GopkgrError('CHAIN_FILE_WRONG_CHAIN', `the file holds blocks of chain ${header.chainId.slice(0, 16)}… (${header.network}); this node keeps ${targets.map((t) => `${t.chainId.slice(0, 16)}… (${t.chain.params.name})`).join(' and ')}`, {
      hint: 'export from a node of the chain this node keeps (a private node takes its own chain and its public parent\'s)',
    });
  }
  return target;
}

/** Everything checkable before a byte is stored; returns nothing, throws the first problem's code. */
async function checkAgainst(path: string, header: ChainFileHeader, target: FullNode): Promise<void> {
  const chain = target.chain;
  const named = new Set<string>();
  let previous: string | undefined;
  let height = header.from;
  for await (const frame of readFrames(path)) {
    if (frame.kind === 'B') {
      const block = chain.decode(frame.payload);
      const id = toHex(block.id);
      const parent = toHex(block.header.parent);
      if (block.header.height !== height) throw new GopkgrError('CHAIN_FILE_CORRUPT', `block ${height - header.from} of the file is at height ${block.header.height}, not ${height}`);
      if (previous === undefined) {
        if (chain.entry(id) === undefined && chain.entry(parent) === undefined) {
          throw new GopkgrError('CHAIN_FILE_GAP', `the file starts at height ${header.from} on a block this node does not have (it is at height ${chain.height})`, {
            hint: `export from --from ${chain.height + 1} or lower`,
          });
        }
      } else if (parent !== previous) {
        throw new GopkgrError('CHAIN_FILE_CORRUPT', `block at height ${height} does not build on the block before it in the file`);
      }
      for (const tx of block.txs) {
        const hash = tarballOf(tx);
        if (hash !== undefined) named.add(toHex(hash));
      }
      previous = id;
      height++;
    } else if (frame.kind === 'T') {
      const { hash } = readTarball(frame.payload);
      if (!named.has(hash)) throw new GopkgrError('CHAIN_FILE_BLOB_UNNAMED', `tarball ${hash.slice(0, 16)}… is named by no block before it in the file`, { hint: 'export the range again from a connected node' });
    }
  }
}

export async function importChainFile(path: string, targets: readonly FullNode[], onBlock?: (done: number, total: number) => void): Promise<ChainImportResult> {
  const { header } = await verifyChainFile(path);
  const target = targetOf(header, targets);
  await checkAgainst(path, header, target);
  let stored = 0;
  for await (const frame of readFrames(path)) {
    if (frame.kind !== 'T') continue;
    const { hash, bytes } = readTarball(frame.payload);
    if ((await target.blobs.put(hash, bytes)).stored) stored++;
  }
  let connected = 0;
  let known = 0;
  let side = 0;
  let done = 0;
  for await (const frame of readFrames(path)) {
    if (frame.kind !== 'B') continue;
    const result = await target.submitBlock(frame.payload);
    if (result.status === 'duplicate') known++;
    else if (result.status === 'side') side++;
    else connected++;
    onBlock?.(++done, header.blocks);
  }
  const head = target.chain.head;
  return { chainId: header.chainId, network: header.network, from: header.from, to: header.to, blocks: header.blocks, connected, known, side, blobs: header.blobs, stored, height: head.height, head: head.id };
}
