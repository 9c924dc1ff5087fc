/**
 * The persistent peer book, `<data>/peers.json`: peers this node has been
 * connected to, with the addresses they listen on, so a restarted node finds its
 * network again without `--peer`. Written atomically (temp file + rename) and
 * bounded (MAX_PEER_BOOK, least recently seen dropped first); a corrupt file is
 * ignored rather than stopping the node.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_PEER_BOOK } from './constants.ts';

export interface PeerRecord {
  peerId: string;
  /** multiaddrs without the /p2p/ suffix */
  addrs: string[];
  lastSeen: number;
}

export class PeerBook {
  private readonly peers = new Map<string, PeerRecord>();
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly file: string) {}

  static pathIn(dataDir: string): string {
    return join(dataDir, 'peers.json');
  }

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    const list = (parsed as { peers?: unknown } | null)?.peers;
    if (!Array.isArray(list)) return;
    for (const item of list.slice(0, MAX_PEER_BOOK)) {
      const r = item as Partial<PeerRecord> | null;
      if (typeof r?.peerId !== 'string' || !Array.isArray(r.addrs)) continue;
      const addrs = r.addrs.filter((a): a is string => typeof a === 'string' && a.startsWith('/')).slice(0, 8);
      this.peers.set(r.peerId, { peerId: r.peerId, addrs, lastSeen: typeof r.lastSeen === 'number' ? r.lastSeen : 0 });
    }
  }

  list(): PeerRecord[] {
    return [...this.peers.values()].sort((a, b) => b.lastSeen - a.lastSeen);
  }

  get(peerId: string): PeerRecord | undefined {
    return this.peers.get(peerId);
  }

  /** Remember a peer we are connected to and where it listens. */
  seen(peerId: string, addrs: string[], now = Date.now()): void {
    const old = this.peers.get(peerId);
    const merged = addrs.length > 0 ? [...new Set(addrs)].slice(0, 8) : (old?.addrs ?? []);
    if (merged.length === 0) return;
    this.peers.set(peerId, { peerId, addrs: merged, lastSeen: now });
    if (this.peers.size > MAX_PEER_BOOK) {
      const oldest = this.list().at(-1);
      if (oldest !== undefined) this.peers.delete(oldest.peerId);
    }
    this.dirty = true;
  }

  forget(peerId: string): void {
    if (this.peers.delete(peerId)) this.dirty = true;
  }

  /** Write the book if it changed; writes are serialised. */
  flush(): Promise<void> {
    if (!this.dirty) return this.writing;
    this.dirty = false;
    const text = JSON.stringify({ peers: this.list() }, null, 1);
    this.writing = this.writing.then(async () => {
      const tmp = `${this.file}.tmp`;
      await writeFile(tmp, text);
      await rename(tmp, this.file);
    }).catch(() => undefined);
    return this.writing;
  }
}
