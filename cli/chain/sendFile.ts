/**
 * `gopkgr chain import FILE`: the file is checked whole here first (checksum,
 * frames, counts; node/chainFile/format.ts), so a damaged file is refused before
 * the node is sent a byte; then it goes to the node in parts, each a chain file
 * of its own (whole blocks, each with the tarballs it names), through
 * `POST /v1/chain/import`, which checks each part again and imports it as sync
 * would. Parts keep each request small and give the progress a person sees.
 */
import { GopkgrError } from '../../ledger/index.ts';
import type { NodeClient } from '../client.ts';
import { encodeChainFile, readFrames, verifyChainFile, type ChainFileHeader, type Frame } from '../../node/chainFile/format.ts';
import type { ChainImportResult } from '../../node/chainFile/import.ts';

/** A part closes at a block boundary once it holds this many blocks or bytes. */
const PART_BLOCKS = 200;
const PART_BYTES = 16 * 1024 * 1024;

export interface SendResult extends ChainImportResult {
  /** 'chain': the node's own chain; 'parent': a private node's replica of the public chain */
  into: 'chain' | 'parent';
  parts: number;
}

interface NodeView {
  chainId: string;
  network: string;
  parent?: { chainId: string };
}

export async function sendChainFile(client: NodeClient, file: string, onProgress?: (done: number, total: number) => void): Promise<SendResult> {
  const { header } = await verifyChainFile(file);
  const node = await client.get<NodeView>('/v1/status');
  const into = header.chainId === node.chainId ? 'chain' : header.chainId === node.parent?.chainId ? 'parent' : undefined;
  if (into === undefined) {
    throw new GopkgrError('CHAIN_FILE_WRONG_CHAIN', `the file holds blocks of chain ${header.chainId.slice(0, 16)}… (${header.network}); the node at ${client.url} keeps ${node.chainId.slice(0, 16)}… (${node.network})${node.parent === undefined ? '' : ` and its parent ${node.parent.chainId.slice(0, 16)}…`}`, {
      hint: 'export from a node of the chain this node keeps (a private node takes its own chain and its public parent\'s)',
    });
  }
  const total: SendResult = { ...header, connected: 0, known: 0, side: 0, stored: 0, height: 0, head: '', into, parts: 0 };
  let frames: Frame[] = [];
  let blocks = 0;
  let blobs = 0;
  let bytes = 0;
  let from = header.from;
  const flush = async (): Promise<void> => {
    if (blocks === 0) return;
    const part: ChainFileHeader = { ...header, from, to: from + blocks - 1, blocks, blobs };
    const r = await client.request<ChainImportResult>('POST', '/v1/chain/import', encodeChainFile(part, frames), 'application/octet-stream');
    total.connected += r.connected;
    total.known += r.known;
    total.side += r.side;
    total.stored += r.stored;
    total.height = r.height;
    total.head = r.head;
    total.parts++;
    from += blocks;
    onProgress?.(from - header.from, header.blocks);
    frames = [];
    blocks = blobs = bytes = 0;
  };
  for await (const frame of readFrames(file)) {
    if (frame.kind === 'H') continue;
    if (frame.kind === 'B' && (blocks >= PART_BLOCKS || bytes >= PART_BYTES)) await flush();
    frames.push(frame);
    bytes += frame.payload.length;
    if (frame.kind === 'B') blocks++;
    else blobs++;
  }
  await flush();
  return total;
}
