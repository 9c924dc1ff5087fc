/**
 * The chain file of `gopkgr chain export` / `gopkgr chain import`: a range of
 * one chain's main-chain blocks and the tarballs they name, to carry into a node
 * that has no network (docs/PRIVATE.md "Air-gapped nodes"). Its exact bytes:
 *
 *   file   = MAGIC frame*
 *   MAGIC  = "GPKGCHN" 0x01                  (8 bytes; the last is the format version)
 *   frame  = kind (1 byte) ‖ length (u32, big-endian) ‖ payload (length bytes)
 *
 *   'H'  the header, first and once: canonical CBOR of
 *        {"v": 1, "chainId": 32 bytes, "network": text, "from": uint, "to": uint, "blocks": uint, "blobs": uint}
 *   'B'  one block, as stored (canonical CBOR); heights from..to in order, each the parent of the next
 *   'T'  one tarball: its sha256 (32 bytes) ‖ its bytes; after the first block that names it
 *   'E'  the end, last and once: sha256 of every byte before this frame (MAGIC included)
 *
 * Anything after 'E', a missing 'E' (a truncated file), a checksum that does not
 * match, frames out of this order or counts other than the header's: the file is
 * refused before anything in it is used. Blocks are checked by the importing
 * node exactly as blocks from a peer are (FullNode.submitBlock); this file only
 * promises they are whole and in order.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { GopkgrError } from '../../ledger/errors.ts';
import { bytesEqual, decode, encode, toHex, type Canonical } from '../../ledger/encoding.ts';
import { sha256Hex } from '../../ledger/crypto.ts';
import { MAX_BLOCK_BYTES } from '../../ledger/constants.ts';
import { MAX_BLOB_BYTES } from '../constants.ts';

export const CHAIN_FILE_MAGIC = new Uint8Array([0x47, 0x50, 0x4b, 0x47, 0x43, 0x48, 0x4e, 0x01]);
export const CHAIN_FILE_VERSION = 1;
const FRAME_HEAD = 5;
/** The largest header payload: a few numbers, an id and a network name. */
const MAX_HEADER_BYTES = 4096;

export type FrameKind = 'H' | 'B' | 'T' | 'E';

export interface ChainFileHeader {
  chainId: string;
  network: string;
  from: number;
  to: number;
  blocks: number;
  blobs: number;
}

export interface Frame {
  kind: FrameKind;
  payload: Uint8Array;
}

function corrupt(message: string): GopkgrError {
  return new GopkgrError('CHAIN_FILE_CORRUPT', message, { hint: 'export the range again from a connected node' });
}

function truncated(message: string): GopkgrError {
  return new GopkgrError('CHAIN_FILE_TRUNCATED', message, { hint: 'the copy did not finish: copy the file again, or export it again' });
}

function maxPayload(kind: FrameKind): number {
  switch (kind) {
    case 'H':
      return MAX_HEADER_BYTES;
    case 'B':
      return MAX_BLOCK_BYTES;
    case 'T':
      return 32 + MAX_BLOB_BYTES;
    case 'E':
      return 32;
  }
}

export function encodeHeader(h: ChainFileHeader): Uint8Array {
  return encode({ v: CHAIN_FILE_VERSION, chainId: Buffer.from(h.chainId, 'hex'), network: h.network, from: h.from, to: h.to, blocks: h.blocks, blobs: h.blobs } as Canonical);
}

function isUint(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

export function decodeHeader(payload: Uint8Array): ChainFileHeader {
  let value: Canonical;
  try {
    value = decode(payload);
  } catch (err) {
    throw corrupt(`the header does not decode: ${(err as Error).message}`);
  }
  const h = value as Record<string, unknown>;
  if (typeof h !== 'object' || h === null || Array.isArray(h) || h instanceof Uint8Array) throw corrupt('the header is not a map');
  const keys = Object.keys(h).sort().join(',');
  if (keys !== 'blobs,blocks,chainId,from,network,to,v') throw corrupt(`the header has keys ${keys.slice(0, 100)}`);
  if (h.v !== CHAIN_FILE_VERSION) throw corrupt(`the header is of format version ${String(h.v)}, this build reads ${CHAIN_FILE_VERSION}`);
  if (!(h.chainId instanceof Uint8Array) || h.chainId.length !== 32) throw corrupt('the header\'s chain id is not 32 bytes');
  if (typeof h.network !== 'string' || h.network.length > 200) throw corrupt('the header\'s network is not a short text');
  if (!isUint(h.from) || !isUint(h.to) || !isUint(h.blocks) || !isUint(h.blobs)) throw corrupt('the header\'s range and counts are not unsigned integers');
  if (h.to < h.from || h.blocks !== h.to - h.from + 1) throw corrupt(`the header's range ${h.from}..${h.to} does not hold ${h.blocks} block(s)`);
  return { chainId: toHex(h.chainId), network: h.network, from: h.from, to: h.to, blocks: h.blocks, blobs: h.blobs };
}

/** A tarball frame's payload: its hash, then its bytes. */
export function tarballPayload(hash: string, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(32 + bytes.length);
  out.set(Buffer.from(hash, 'hex'), 0);
  out.set(bytes, 32);
  return out;
}

export function readTarball(payload: Uint8Array): { hash: string; bytes: Uint8Array } {
  if (payload.length < 32) throw corrupt('a tarball frame is shorter than its hash');
  const hash = toHex(payload.subarray(0, 32));
  const bytes = payload.subarray(32);
  if (sha256Hex(bytes) !== hash) throw corrupt(`tarball ${hash.slice(0, 16)}… does not hash to its name`);
  return { hash, bytes };
}

function frameHead(kind: FrameKind, length: number): Uint8Array {
  const head = new Uint8Array(FRAME_HEAD);
  head[0] = kind.charCodeAt(0);
  new DataView(head.buffer).setUint32(1, length);
  return head;
}

/**
 * Writes a chain file: to a temp file beside `path`, renamed into place by finish(), so `path` is
 * never a partial file. The header goes first, so its counts are given up front.
 */
export class ChainFileWriter {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private constructor(private readonly fh: FileHandle, private readonly tmp: string, readonly path: string) {}

  static async create(path: string, header: ChainFileHeader): Promise<ChainFileWriter> {
    const tmp = `${path}.part-${randomBytes(6).toString('hex')}`;
    const fh = await open(tmp, 'wx', 0o644);
    const w = new ChainFileWriter(fh, tmp, path);
    try {
      await w.write(CHAIN_FILE_MAGIC);
      await w.frame('H', encodeHeader(header));
    } catch (err) {
      await w.abort();
      throw err;
    }
    return w;
  }

  private async write(bytes: Uint8Array): Promise<void> {
    this.hash.update(bytes);
    this.bytes += bytes.length;
    await this.fh.write(bytes);
  }

  async frame(kind: 'H' | 'B' | 'T', payload: Uint8Array): Promise<void> {
    if (payload.length > maxPayload(kind)) throw corrupt(`a '${kind}' frame of ${payload.length} bytes is more than ${maxPayload(kind)}`);
    await this.write(frameHead(kind, payload.length));
    await this.write(payload);
  }

  /** Close with the checksum and move into place; returns the file's size and checksum. */
  async finish(): Promise<{ bytes: number; sha256: string }> {
    const sum = this.hash.digest();
    try {
      await this.fh.write(frameHead('E', 32));
      await this.fh.write(sum);
      await this.fh.sync();
      await this.fh.close();
      await rename(this.tmp, this.path);
    } catch (err) {
      await this.abort();
      throw err;
    }
    return { bytes: this.bytes + FRAME_HEAD + 32, sha256: toHex(sum) };
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
  }
}

/**
 * The frames of a chain file in order, each checked for its size and place; the checksum is checked
 * when 'E' is reached, so a caller acts on frames only after a complete pass (verifyChainFile) has
 * succeeded. Yields 'H', 'B' and 'T' frames (not 'E').
 */
export async function* readFrames(path: string): AsyncGenerator<Frame> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const hash = createHash('sha256');
    let pos = 0;
    const read = async (n: number, what: string): Promise<Uint8Array> => {
      if (pos + n > size) throw truncated(`the file ends inside ${what} (${size} bytes)`);
      const buf = Buffer.alloc(n);
      let got = 0;
      while (got < n) {
        const { bytesRead } = await fh.read(buf, got, n - got, pos + got);
        if (bytesRead === 0) throw truncated(`the file ends inside ${what}`);
        got += bytesRead;
      }
      pos += n;
      return new Uint8Array(buf.buffer, buf.byteOffset, n);
    };
    const magic = await read(CHAIN_FILE_MAGIC.length, 'its magic').catch(() => {
      throw new GopkgrError('CHAIN_FILE_NOT_EXPORT', `${path} is not a gopkgr chain file (too short)`, { hint: 'pass a file written by `gopkgr chain export`' });
    });
    if (!bytesEqual(magic.subarray(0, 7), CHAIN_FILE_MAGIC.subarray(0, 7))) {
      throw new GopkgrError('CHAIN_FILE_NOT_EXPORT', `${path} is not a gopkgr chain file`, { hint: 'pass a file written by `gopkgr chain export`' });
    }
    if (magic[7] !== CHAIN_FILE_VERSION) throw corrupt(`the file is of format version ${magic[7]}, this build reads ${CHAIN_FILE_VERSION}`);
    hash.update(magic);
    let count = 0;
    for (;;) {
      if (pos === size) throw truncated(`the file ends after ${count} frame(s), before its checksum`);
      const head = await read(FRAME_HEAD, 'a frame head');
      const kind = String.fromCharCode(head[0]!) as FrameKind;
      if (!['H', 'B', 'T', 'E'].includes(kind)) throw corrupt(`frame ${count} is of unknown kind 0x${head[0]!.toString(16)}`);
      const length = new DataView(head.buffer, head.byteOffset, FRAME_HEAD).getUint32(1);
      if (length > maxPayload(kind)) throw corrupt(`frame ${count} ('${kind}') claims ${length} bytes, more than ${maxPayload(kind)}`);
      if ((count === 0) !== (kind === 'H')) throw corrupt(count === 0 ? 'the file does not start with its header' : 'a second header');
      const payload = await read(length, `frame ${count} ('${kind}')`);
      if (kind === 'E') {
        if (length !== 32) throw corrupt('the checksum frame is not 32 bytes');
        if (!bytesEqual(hash.digest(), payload)) throw new GopkgrError('CHAIN_FILE_CHECKSUM', 'the file\'s bytes do not match its checksum', { hint: 'the file was damaged in transit or storage: copy it again, or export it again' });
        if (pos !== size) throw corrupt(`${size - pos} byte(s) after the checksum`);
        return;
      }
      hash.update(head);
      hash.update(payload);
      count++;
      yield { kind, payload };
    }
  } finally {
    await fh.close();
  }
}

export interface ChainFileSummary {
  header: ChainFileHeader;
  /** the blocks' heights in the file, and how many tarballs */
  blocks: number;
  blobs: number;
  bytes: number;
}

/**
 * One whole pass: the checksum, the frame order, the counts, each tarball's hash. Throws a coded
 * error (CHAIN_FILE_*) for anything wrong; nothing is used before this passes.
 */
export async function verifyChainFile(path: string): Promise<ChainFileSummary> {
  let header: ChainFileHeader | undefined;
  let blocks = 0;
  let blobs = 0;
  let bytes = CHAIN_FILE_MAGIC.length + FRAME_HEAD + 32;
  for await (const frame of readFrames(path)) {
    bytes += FRAME_HEAD + frame.payload.length;
    if (frame.kind === 'H') header = decodeHeader(frame.payload);
    else if (frame.kind === 'B') blocks++;
    else {
      if (blocks === 0) throw corrupt('a tarball before any block');
      readTarball(frame.payload);
      blobs++;
    }
  }
  if (header === undefined) throw corrupt('no header');
  if (blocks !== header.blocks || blobs !== header.blobs) throw corrupt(`the file holds ${blocks} block(s) and ${blobs} tarball(s), its header says ${header.blocks} and ${header.blobs}`);
  return { header, blocks, blobs, bytes };
}

/** A whole chain file in memory (the CLI's parts of a file for import, tests): MAGIC, 'H', the frames, 'E'. */
export function encodeChainFile(header: ChainFileHeader, frames: readonly Frame[]): Uint8Array {
  const parts: Uint8Array[] = [CHAIN_FILE_MAGIC];
  const add = (kind: FrameKind, payload: Uint8Array): void => {
    parts.push(frameHead(kind, payload.length), payload);
  };
  add('H', encodeHeader(header));
  for (const f of frames) add(f.kind, f.payload);
  const body = Buffer.concat(parts);
  const sum = createHash('sha256').update(body).digest();
  return new Uint8Array(Buffer.concat([body, frameHead('E', 32), sum]));
}
