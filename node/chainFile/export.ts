/**
 * Writing a chain file (format.ts) from any source of main-chain blocks and
 * tarballs: the CLI's is a node's HTTP API, tests' a FullNode. Blocks are read
 * by height and must link (a reorg under the export is CHAIN_EXPORT_MOVED: run
 * it again); each tarball follows the first block that names it. A tarball the
 * source does not hold (a node still fetching it from peers) is left out and
 * reported, not invented: the importing node fetches it when it has peers.
 */
import { GopkgrError } from '../../ledger/errors.ts';
import type { FullNode } from '../fullNode.ts';
import { ChainFileWriter, tarballPayload, type ChainFileHeader } from './format.ts';
import { blockLink, tarballsNamed } from './blockParts.ts';

export interface ChainSource {
  chainId: string;
  network: string;
  /** the main chain's block at `height`, as stored */
  block(height: number): Promise<Uint8Array | undefined>;
  hasTarball(hash: string): Promise<boolean>;
  tarball(hash: string): Promise<Uint8Array | undefined>;
}

export interface ChainExportResult extends ChainFileHeader {
  file: string;
  /** tarballs the blocks name that the source did not hold */
  missingBlobs: string[];
  bytes: number;
  sha256: string;
}

/** A FullNode as a source (tests; a node's own tools). */
export function nodeSource(node: FullNode): ChainSource {
  return {
    chainId: node.chainId,
    network: node.chain.params.name,
    block: async (height) => {
      const id = node.chain.mainIdAt(height);
      return id === undefined ? undefined : node.chain.getBlockBytes(id);
    },
    hasTarball: (hash) => node.blobs.has(hash),
    tarball: (hash) => node.blobs.get(hash),
  };
}

export async function exportChain(source: ChainSource, range: { from: number; to: number }, out: string, onBlock?: (done: number, total: number) => void): Promise<ChainExportResult> {
  const { from, to } = range;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from) {
    throw new GopkgrError('CHAIN_EXPORT_RANGE', `cannot export heights ${from}..${to}`, { hint: 'pass --from HEIGHT at or below the head (and --to at or above it)' });
  }
  // Tarballs are counted up front for the header: the blocks are read twice (once to list, once to write),
  // which costs reads of the source, never memory for the blocks.
  const named: string[] = [];
  const held = new Set<string>();
  const missingBlobs: string[] = [];
  let previous: string | undefined;
  for (let h = from; h <= to; h++) {
    const bytes = await source.block(h);
    if (bytes === undefined) throw new GopkgrError('CHAIN_EXPORT_RANGE', `the node has no main-chain block at height ${h}`, { hint: 'pass --from and --to at or below its head' });
    const link = blockLink(bytes);
    if (link.height !== h || (previous !== undefined && link.parent !== previous)) {
      throw new GopkgrError('CHAIN_EXPORT_MOVED', `the main chain changed at height ${h} while it was read`, { hint: 'run the export again' });
    }
    previous = link.id;
    for (const hash of tarballsNamed(bytes)) {
      if (held.has(hash) || missingBlobs.includes(hash)) continue;
      if (!(await source.hasTarball(hash))) missingBlobs.push(hash);
      else {
        held.add(hash);
        named.push(hash);
      }
    }
  }
  const writer = await ChainFileWriter.create(out, { chainId: source.chainId, network: source.network, from, to, blocks: to - from + 1, blobs: named.length });
  try {
    const written = new Set<string>();
    const last = previous;
    previous = undefined;
    for (let h = from; h <= to; h++) {
      const bytes = await source.block(h);
      const link = bytes === undefined ? undefined : blockLink(bytes);
      if (bytes === undefined || link === undefined || (previous !== undefined && link.parent !== previous) || (h === to && link.id !== last)) {
        throw new GopkgrError('CHAIN_EXPORT_MOVED', `the main chain changed at height ${h} while it was read`, { hint: 'run the export again' });
      }
      previous = link.id;
      await writer.frame('B', bytes);
      for (const hash of tarballsNamed(bytes)) {
        if (!held.has(hash) || written.has(hash)) continue;
        const blob = await source.tarball(hash);
        if (blob === undefined) throw new GopkgrError('CHAIN_EXPORT_MOVED', `tarball ${hash.slice(0, 16)}… went away while it was read`, { hint: 'run the export again' });
        await writer.frame('T', tarballPayload(hash, blob));
        written.add(hash);
      }
      onBlock?.(h - from + 1, to - from + 1);
    }
    const { bytes, sha256 } = await writer.finish();
    return { file: out, chainId: source.chainId, network: source.network, from, to, blocks: to - from + 1, blobs: named.length, missingBlobs, bytes, sha256 };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
