/**
 * What a chain file's writer and its splitter need of a block without knowing
 * its chain's consensus (so without its seal codec): its id, parent and height
 * to check that blocks link, and the tarballs its txs name. Every block is still
 * decoded and validated in full by the node that imports it.
 */
import { GopkgrError } from '../../ledger/errors.ts';
import { decodeUnchecked, encode, toHex, type Canonical } from '../../ledger/encoding.ts';
import { blockId } from '../../ledger/block.ts';
import { readTx, tarballOf } from '../../ledger/tx.ts';

export interface BlockLink {
  id: string;
  parent: string;
  height: number;
}

function parts(bytes: Uint8Array): [Canonical[], Canonical[]] {
  const value = decodeUnchecked(bytes);
  if (!Array.isArray(value) || value.length !== 2 || !Array.isArray(value[0]) || !Array.isArray(value[1])) {
    throw new GopkgrError('BLOCK_MALFORMED', 'a block must be [header, txs]');
  }
  return [value[0], value[1]];
}

export function blockLink(bytes: Uint8Array): BlockLink {
  const [header] = parts(bytes);
  const [, height, parent] = header;
  if (typeof height !== 'number' || !(parent instanceof Uint8Array)) throw new GopkgrError('BLOCK_MALFORMED', 'a block header without height and parent');
  // Stored blocks are canonical: the header re-encoded is the header's bytes.
  return { id: toHex(blockId(encode(header))), parent: toHex(parent), height };
}

/** The sha256 (hex) of every tarball the block's txs name, in tx order, without repeats. */
export function tarballsNamed(bytes: Uint8Array): string[] {
  const [, txs] = parts(bytes);
  const out = new Set<string>();
  for (const raw of txs) {
    const hash = tarballOf(readTx(raw));
    if (hash !== undefined) out.add(toHex(hash));
  }
  return [...out];
}
