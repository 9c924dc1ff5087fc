import { parse } from '../args.ts';
import { NodeClient, type NodeStatus } from '../client.ts';
import { report, type Command } from '../command.ts';

const usage = 'gopkgr status';

interface PeerView {
  peerId: string;
  address: string | null;
  height: number | null;
  score: number;
}

interface SyncView {
  syncing: boolean;
  startHeight: number;
  targetHeight: number;
  height: number;
  peer: string | null;
}

/** /v1/status with the network's fields (node/network): absent on a node without them. */
type FullStatus = NodeStatus & { peerList?: PeerView[]; sync?: SyncView; banned?: number; blobsMissing?: number };

function fraction(s: SyncView): number {
  const span = s.targetHeight - s.startHeight;
  return span <= 0 ? 1 : Math.min(1, Math.max(0, (s.height - s.startHeight) / span));
}

function bar(s: SyncView, width = 30): string {
  const f = fraction(s);
  const filled = Math.round(f * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(f * 100).toFixed(1).padStart(5)}%  ${s.height}/${s.targetHeight}`;
}

function syncLine(s: SyncView | undefined): string {
  if (s === undefined) return 'sync     unknown';
  if (!s.syncing) return s.targetHeight > s.height ? `sync     behind (best peer at ${s.targetHeight})` : 'sync     up to date';
  return `sync     ${bar(s)} from ${s.peer?.slice(-8) ?? '?'}`;
}

export const status: Command = {
  name: 'status',
  summary: "show the node's chain, head, peers and sync progress",
  usage,
  async run(args, ctx) {
    parse(args, {}, usage);
    const client = new NodeClient(ctx.nodeUrl, ctx.token);
    let s = (await client.status()) as FullStatus;
    // On a terminal, follow a running sync with a redrawn progress bar until it ends.
    if (ctx.tty && s.sync?.syncing === true) {
      while (s.sync?.syncing === true) {
        process.stderr.write(`\r${bar(s.sync)} `);
        await new Promise((r) => setTimeout(r, 500));
        s = (await client.status()) as FullStatus;
      }
      process.stderr.write('\r\x1b[K');
    }
    const peers = (s.peerList ?? []).map((p) => `  ${p.peerId}  ${p.address ?? ''}  height ${p.height ?? '?'}  score ${p.score}`);
    report(ctx, s, [
      `chain    ${s.network} ${s.chainId}`,
      `head     ${s.height} ${s.head}`,
      `mempool  ${s.mempool} tx(s)`,
      syncLine(s.sync),
      ...(s.blobsMissing ? [`tarballs ${s.blobsMissing} referenced on chain still being fetched from peers`] : []),
      `node     ${s.peerId ?? 'no p2p'}`,
      ...(s.addresses ?? []).map((a) => `  listening on ${a}`),
      `peers    ${s.peers}${s.banned ? ` (${s.banned} banned)` : ''}`,
      ...peers,
    ]);
    return 0;
  },
};
