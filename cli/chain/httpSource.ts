/** A node's HTTP API as the source of a chain export: its own chain, or (`--parent`) a private node's public replica. */
import { GopkgrError } from '../../ledger/index.ts';
import type { NodeClient } from '../client.ts';
import type { ChainSource } from '../../node/chainFile/export.ts';

export interface SourceStatus {
  chainId: string;
  network: string;
  height: number;
}

export async function httpSource(client: NodeClient, parent: boolean): Promise<{ source: ChainSource; status: SourceStatus }> {
  const prefix = parent ? '/v1/parent' : '/v1';
  const status = await client.get<SourceStatus & { parent?: unknown }>(`${prefix}/status`);
  const source: ChainSource = {
    chainId: status.chainId,
    network: status.network,
    block: async (height) => {
      try {
        return await client.request<Uint8Array>('GET', `${prefix}/blocks/${height}?format=raw`);
      } catch (err) {
        if (err instanceof GopkgrError && err.code === 'NOT_FOUND') return undefined;
        throw err;
      }
    },
    // Content-addressed: a private node answers from its own store, then its replica's.
    hasTarball: (hash) => client.has(`/v1/blobs/${hash}`),
    tarball: async (hash) => {
      try {
        return await client.getBlob(hash);
      } catch (err) {
        if (err instanceof GopkgrError && (err.code === 'NOT_FOUND' || err.code === 'HTTP_ERROR')) return undefined;
        throw err;
      }
    },
  };
  return { source, status };
}
