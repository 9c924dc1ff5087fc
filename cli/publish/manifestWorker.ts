/**
 * The release's API manifest, extracted on a worker thread that starts with
 * the publish: InfVer's extraction runs on ts-morph, whose bundled TypeScript
 * is a second compiler to load (~9 MB) besides the one that compiles and
 * checks the package, and its program shares nothing with theirs. Reading
 * only the package directory, it runs while this thread resolves, compiles,
 * packs and checks, and is awaited where the version is decided: a release
 * refused earlier never waits for it, and its errors surface where they did.
 */
import { GopkgrError, type ErrorCode } from '../../ledger/index.ts';
import type { Manifest } from '../../infver/index.ts';
import { startWorker } from '../../node/workers.ts';

/** What the worker (extractWorker.ts) posts back. */
export type ExtractionReply =
  | { manifest: Manifest }
  | { error: { code?: ErrorCode; message: string; hint?: string; stack?: string } };

export interface ManifestExtraction {
  /** the manifest, or the error extraction raised */
  manifest(): Promise<Manifest>;
  /** stop the worker if it is still running (idempotent) */
  stop(): Promise<void>;
}

export function extractManifestInWorker(dir: string): ManifestExtraction {
  const worker = startWorker(new URL('./extractWorker.ts', import.meta.url), { workerData: { dir } });
  let stopped = false;
  const result = new Promise<Manifest>((resolve, reject) => {
    worker.once('message', (reply: ExtractionReply) => {
      if ('manifest' in reply) return resolve(reply.manifest);
      const { code, message, hint, stack } = reply.error;
      if (code !== undefined) return reject(new GopkgrError(code, message, hint === undefined ? {} : { hint }));
      const err = new Error(message);
      if (stack !== undefined) err.stack = stack;
      reject(err);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(stopped ? 'the API extraction was stopped' : `the API extraction thread exited (${code}) without a manifest`)));
  });
  // Awaited only when the version is decided; a release refused before then leaves it unobserved.
  result.catch(() => undefined);
  return {
    manifest: () => result,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await worker.terminate();
    },
  };
}
