/** What createApi is given, and what every route group is built from. */
import type { IncomingMessage } from 'node:http';
import type { FullNode } from '../fullNode.ts';
import type { Json } from '../views.ts';
import type { ApiAccess } from './guard.ts';
import type { BlobQuota, BlobQuotaOptions } from './blobQuota.ts';
import type { Replica } from './replica.ts';

export interface ApiExtras {
  /** extra fields for /v1/status (network layer) */
  status?: () => Record<string, Json>;
  /** routes added by other parts (resolver, network), tried before the built-in ones */
  routes?: Array<{ method: string; pattern: RegExp; handle: (req: IncomingMessage, match: RegExpExecArray, body: () => Promise<Buffer>) => Promise<Json | Uint8Array> }>;
  /** bring a tarball that is not here from elsewhere (the network's peers); true once it is stored */
  fetchBlob?: (hash: string) => Promise<boolean>;
}

export interface ApiOptions {
  /** the bound host and the write token (default: 127.0.0.1, no token) */
  access?: ApiAccess;
  blobQuota?: BlobQuotaOptions;
  /** a private node's replica of the public chain: public names and content are answered from it (replica.ts) */
  replica?: Replica;
}

export interface ApiContext {
  node: FullNode;
  extras: ApiExtras;
  /** room for tarballs no tx names yet, per client */
  quota: BlobQuota;
}
