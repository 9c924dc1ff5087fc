/**
 * POST /v1/chain/import: a chain file (node/chainFile/format.ts) as the body,
 * `application/octet-stream`. The body is streamed to a temp file under the
 * node's data dir (never held in memory), checked whole and imported into the
 * node whose chain it is of: this node's chain, or a private node's replica of
 * the public chain (node/chainFile/import.ts). One import at a time; answers
 * ChainImportResult. Writes need what every write needs (guard.ts): the token
 * on a private node.
 */
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ApiContext } from './types.ts';
import { route, type Route } from './router.ts';
import { bodyChunks } from './body.ts';
import { send } from './respond.ts';
import type { FullNode } from '../fullNode.ts';
import { MAX_CHAIN_IMPORT_BYTES } from '../constants.ts';
import { importChainFile } from '../chainFile/import.ts';
import type { Json } from '../views.ts';

export function chainImportRoutes({ node }: ApiContext, replica: FullNode | undefined): Route[] {
  const dir = join(node.dataDir, 'import-tmp');
  // A node that stopped during an import left its upload behind; nothing else lives here. Created on the first import.
  const ready = rm(dir, { recursive: true, force: true }).catch(() => undefined);
  let queue: Promise<unknown> = Promise.resolve();
  return [
    route('POST', /^\/v1\/chain\/import$/, async ({ req, res }) => {
      await ready;
      await mkdir(dir, { recursive: true });
      const file = join(dir, `upload-${randomBytes(8).toString('hex')}`);
      try {
        const fh = await open(file, 'wx', 0o600);
        try {
          for await (const chunk of bodyChunks(req, MAX_CHAIN_IMPORT_BYTES)) await fh.write(chunk);
        } finally {
          await fh.close();
        }
        const run = queue.then(() => importChainFile(file, replica === undefined ? [node] : [node, replica]));
        queue = run.catch(() => undefined);
        send(res, 200, (await run) as unknown as Json);
      } finally {
        await rm(file, { force: true });
      }
    }),
  ];
}
