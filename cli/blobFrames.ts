/**
 * Reading the answer of the node's POST /v1/blobs (node/api/blobBatch.ts): a
 * run of frames, each a blob's 32-byte sha256, its length as 4 bytes
 * big-endian, then the blob. Frames are cut out of the chunks as they arrive,
 * so a client can use the first blobs while the rest are still coming. Nothing
 * here checks a blob against its hash: the caller does, before any use.
 */
export interface BlobFrame {
  /** the sha256 the frame names, lowercase hex */
  hash: string;
  bytes: Uint8Array;
}

const HEADER_BYTES = 36;

export class BlobFrameReader {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;

  /** `maxBlobBytes`: a frame announcing more is a broken answer (throws), not a reason to buffer without end. */
  constructor(private readonly maxBlobBytes: number) {}

  /** The frames completed by `chunk`. */
  push(chunk: Buffer): BlobFrame[] {
    this.buffered.push(chunk);
    this.bufferedBytes += chunk.length;
    const frames: BlobFrame[] = [];
    while (this.bufferedBytes >= HEADER_BYTES) {
      const head = this.peek(HEADER_BYTES);
      const size = head.readUInt32BE(32);
      if (size > this.maxBlobBytes) throw new Error(`a frame announces ${size} bytes, more than ${this.maxBlobBytes}`);
      if (this.bufferedBytes < HEADER_BYTES + size) break;
      const frame = this.take(HEADER_BYTES + size);
      frames.push({ hash: frame.subarray(0, 32).toString('hex'), bytes: new Uint8Array(frame.buffer, frame.byteOffset + HEADER_BYTES, size) });
    }
    return frames;
  }

  /** Whether the answer ended between frames (false: it was cut inside one). */
  get atBoundary(): boolean {
    return this.bufferedBytes === 0;
  }

  private peek(n: number): Buffer {
    if (this.buffered[0]!.length < n) this.buffered = [Buffer.concat(this.buffered)];
    return this.buffered[0]!.subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.buffered[0]!.length >= n ? this.buffered[0]! : Buffer.concat(this.buffered);
    const rest = all.subarray(n);
    this.buffered = rest.length === 0 ? [] : [rest];
    this.bufferedBytes -= n;
    return all.subarray(0, n);
  }
}
