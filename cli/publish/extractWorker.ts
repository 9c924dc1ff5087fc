/**
 * The worker thread of manifestWorker.ts: extract the API manifest of the
 * package in `workerData.dir` and post it back, or the error (a GopkgrError's
 * code, message and hint, so the caller can raise the same one).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { extractManifest } from '../../infver/index.ts';
import { isGopkgrError } from '../../ledger/index.ts';
import type { ExtractionReply } from './manifestWorker.ts';

const { dir } = workerData as { dir: string };
let reply: ExtractionReply;
try {
  reply = { manifest: await extractManifest(dir) };
} catch (err) {
  reply = isGopkgrError(err)
    ? { error: { code: err.code, message: err.message, ...(err.hint === undefined ? {} : { hint: err.hint }) } }
    : { error: { message: err instanceof Error ? err.message : String(err), ...(err instanceof Error && err.stack !== undefined ? { stack: err.stack } : {}) } };
}
parentPort!.postMessage(reply);
