/**
 * The worker thread of StoreFiles (storeFiles.ts): places the files of each
 * batch it is sent, one batch at a time, removes what a discard names, and
 * writes the tarball cache's files (TarballCache.putAll).
 * Started by OffThreadFiles (offThreadFiles.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PlaceError, StoreFiles, type FileJob } from './storeFiles.ts';
import { writeReplacing } from './writeAtomic.ts';
import type { WriterReply, WriterRequest } from './offThreadFiles.ts';

const { storeDir, filesDir } = workerData as { storeDir: string; filesDir: string };
const files = new StoreFiles(storeDir, filesDir);
const port = parentPort!;

port.on('message', (m: WriterRequest) => {
  let reply: WriterReply;
  if (m.remove !== undefined || m.replace !== undefined) {
    try {
      if (m.remove !== undefined) files.remove(m.remove.files, m.remove.dirs);
      for (const f of m.replace ?? []) writeReplacing(f.file, f.data);
      reply = { id: m.id };
    } catch (err) {
      reply = { id: m.id, error: errorOf(err), created: [], madeDirs: [] };
    }
  } else {
    try {
      reply = { id: m.id, result: files.place(m.jobs as FileJob[]) };
    } catch (err) {
      const e = err as PlaceError;
      reply = { id: m.id, error: errorOf(e.cause), created: e.created, madeDirs: e.madeDirs };
    }
  }
  port.postMessage(reply);
});

function errorOf(err: unknown): { message: string; code?: string } {
  const code = (err as NodeJS.ErrnoException).code;
  return { message: (err as Error).message, ...(code === undefined ? {} : { code }) };
}
