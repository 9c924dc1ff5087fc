/**
 * One URL for everything inside a company: a private node answers public names
 * from its replica of the public chain (node/network/publicFollower.ts), and
 * its own namespaces from its own chain. Requests for the replica are handed,
 * as they are, to an API over the replica (the same routes a public node
 * serves, the same access checks), so a public name is answered exactly as a
 * public node answers it, with the public chain's id.
 *
 * What goes where (a name of the private chain's namespaces never leaves it:
 * no fall-through from a private name to a public answer, DESIGN.md "The
 * project file"):
 *   GET /v1/packages/@ns/…, /v1/namespaces/@ns   the replica when @ns is not one of the genesis's namespaces
 *   GET|HEAD /v1/blobs/H, GET /v1/manifests/H    this node's store first, then the replica's (content-addressed)
 *   GET /v1/parent/<route>                       the replica's GET /v1/<route> (status, blocks, txs, …)
 * Every answer from the replica carries `gopkgr-chain-id: <public chain id>`.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FullNode } from '../fullNode.ts';
import { stateKeys } from '../../ledger/index.ts';

export const CHAIN_ID_HEADER = 'gopkgr-chain-id';

export interface Replica {
  /** the replica's node (read only here) */
  node: FullNode;
  /** an API over the replica, not listening: requests are handed to it */
  server: Server;
}

export interface ReplicaRouting {
  /** hand the request to the replica when it is for the replica; false: this node answers it */
  route(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<boolean>;
}

const NAME_ROUTE = /^\/v1\/(?:packages|namespaces)\/(@[^/]+)(?:\/|$)/;
const CONTENT_ROUTE = /^\/v1\/(blobs|manifests)\/([0-9a-f]{64})$/;
const PARENT_ROUTE = /^\/v1\/parent(\/.*)$/;

export function replicaRouting(own: FullNode, replica: Replica): ReplicaRouting {
  const namespaces = new Set(own.chain.params.namespaces ?? []);
  const handOver = (req: IncomingMessage, res: ServerResponse): true => {
    res.setHeader(CHAIN_ID_HEADER, replica.node.chainId);
    replica.server.emit('request', req, res);
    return true;
  };
  return {
    async route(req, res, method, path) {
      const parent = PARENT_ROUTE.exec(path);
      if (parent !== null) {
        // Reads only: nothing is written to the replica through this node (its txs come from the public network).
        if (method !== 'GET' && method !== 'HEAD') return false;
        const url = new URL(req.url ?? '/', 'http://localhost');
        req.url = `/v1${url.pathname.slice('/v1/parent'.length)}${url.search}`;
        return handOver(req, res);
      }
      if (method === 'GET') {
        const name = NAME_ROUTE.exec(path);
        if (name !== null) return namespaces.has(name[1]!) ? false : handOver(req, res);
      }
      if (method === 'GET' || method === 'HEAD') {
        const content = CONTENT_ROUTE.exec(path);
        if (content !== null) {
          const hash = content[2]!;
          // Content-addressed: the same bytes whichever chain names them; this chain's store is asked first.
          const has = (node: FullNode): Promise<boolean> => (content[1] === 'blobs'
            ? node.blobs.has(hash)
            : node.chain.state.get(stateKeys.api(hash)).then((m) => m !== undefined));
          if (await has(own)) return false;
          return (await has(replica.node)) ? handOver(req, res) : false;
        }
      }
      return false;
    },
  };
}
