/**
 * StoreFiles (storeFiles.ts) behind a worker thread (storeWriter.ts): the same
 * calls, answered asynchronously, so that the kernel work of creating store
 * files runs on another core while this thread downloads and parses tarballs.
 * The worker holds the process open only while a batch is in flight.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../node/workers.ts';
import { PlaceError, type FileJob, type PlaceResult } from './storeFiles.ts';
import type { FileWriter } from './tarballCache.ts';

export interface WriterRequest {
  id: number;
  jobs?: FileJob[];
  remove?: { files: string[]; dirs: string[] };
  /** files written whole by writeReplacing (the tarball cache's) */
  replace?: Array<{ file: string; data: Uint8Array }>;
}

export type WriterReply =
  | { id: number; result?: PlaceResult; error?: undefined }
  | { id: number; error: { message: string; code?: string }; created: string[]; madeDirs: string[] };

export class OffThreadFiles implements FileWriter {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (r: WriterReply) => void; reject: (err: unknown) => void }>();

  constructor(private readonly storeDir: string, private readonly filesDir: string) {}

  /** Place the jobs' files; rejects with a PlaceError naming what was created before the failure. */
  async place(jobs: FileJob[]): Promise<PlaceResult> {
    const reply = await this.ask({ id: this.nextId++, jobs });
    if (reply.error !== undefined) throw new PlaceError(errorFrom(reply.error), reply.created, reply.madeDirs);
    return reply.result!;
  }

  async remove(files: string[], dirs: string[]): Promise<void> {
    const reply = await this.ask({ id: this.nextId++, remove: { files, dirs } });
    if (reply.error !== undefined) throw errorFrom(reply.error);
  }

  /** Write each file by writeReplacing (atomic against a kill; made durable by nobody: see TarballCache). */
  async replace(files: Array<{ file: string; data: Uint8Array }>): Promise<void> {
    const reply = await this.ask({ id: this.nextId++, replace: files });
    if (reply.error !== undefined) throw errorFrom(reply.error);
  }

  /** Stop the worker (a later call starts another). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }

  private ask(m: WriterRequest): Promise<WriterReply> {
    const w = this.start();
    if (this.waiting.size === 0) w.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(m.id, { resolve, reject });
      w.postMessage(m);
    });
  }

  private start(): Worker {
    if (this.worker !== undefined) return this.worker;
    const w = startWorker(new URL('./storeWriter.ts', import.meta.url), { workerData: { storeDir: this.storeDir, filesDir: this.filesDir } });
    w.on('message', (reply: WriterReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) w.unref();
      waiter?.resolve(reply);
    });
    const fail = (err: unknown): void => {
      if (this.worker === w) this.worker = undefined;
      for (const waiter of this.waiting.values()) waiter.reject(err);
      this.waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`internal: the store writer thread exited (${code})`)));
    this.worker = w;
    return w;
  }
}

function errorFrom(e: { message: string; code?: string }): Error {
  return Object.assign(new Error(e.message), e.code === undefined ? {} : { code: e.code });
}
