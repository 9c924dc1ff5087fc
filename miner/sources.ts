/** Where a miner gets work from: a node in this process, or one over HTTP. */
import { GopkgrError, errorFromAnswer, fromHex, validateParams } from '../ledger/index.ts';
import type { FullNode, Work } from '../node/index.ts';
import type { WorkSource } from './miner.ts';

export function localSource(node: FullNode): WorkSource {
  return {
    getWork: async () => node.work(),
    submit: async (bytes) => {
      const r = await node.submitBlock(bytes);
      return { status: r.status, height: r.height, id: r.id };
    },
    subscribe: (listener) => {
      const onHead = (): void => listener('head');
      const onTx = (): void => listener('tx');
      node.on('head', onHead);
      node.on('tx', onTx);
      return () => {
        node.off('head', onHead);
        node.off('tx', onTx);
      };
    },
  };
}

interface WorkJson extends Omit<Work, 'txs' | 'params'> {
  txs: string[];
  params: unknown;
}

async function call<T>(url: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    throw new GopkgrError('NODE_UNREACHABLE', `cannot reach the node at ${new URL(url).origin}: ${(err as Error).message}`, { hint: 'start one with `gopkgr node --dev` or pass --node URL' });
  }
  const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } } & T;
  if (!res.ok) throw errorFromAnswer(body.error, res.status);
  return body;
}

/** Polls the node's /v1/work; a changed parent or pool is reported as new work. */
export function httpSource(nodeUrl: string, pollMs = 250, token?: string): WorkSource {
  const auth: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  let last = '';
  return {
    getWork: async () => {
      const w = await call<WorkJson>(`${nodeUrl}/v1/work`, { headers: auth });
      last = `${w.parent}:${w.txs.length}`;
      return { ...w, txs: w.txs.map((t) => fromHex(t)), params: validateParams(w.params) };
    },
    submit: (bytes) => call(`${nodeUrl}/v1/blocks`, { method: 'POST', headers: { ...auth, 'content-type': 'application/cbor' }, body: bytes }),
    subscribe: (listener) => {
      const timer = setInterval(() => {
        call<WorkJson>(`${nodeUrl}/v1/work`, { headers: auth }).then((w) => {
          const now = `${w.parent}:${w.txs.length}`;
          if (now !== last) listener(w.parent !== last.split(':')[0] ? 'head' : 'tx');
        }, () => undefined);
      }, pollMs);
      return () => clearInterval(timer);
    },
  };
}
