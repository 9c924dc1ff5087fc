/**
 * Peer management: bootstrap peers (`--peer`), the persistent peer book,
 * redialing with backoff (so nodes find each other again after restarts and
 * partitions), the connection cap's floor (MIN_CONNECTIONS), and cutting off
 * peers whose score says they misbehave (banned for BAN_MS, by peer id and by
 * address (addressBan.ts), enforced by the host's connection gater and, for a
 * loopback peer's address, after identify).
 *
 * A peer is kept only if identify shows it speaks this chain's status protocol:
 * nodes of other chains (or other software) are disconnected at once, so they
 * never take a slot under the cap.
 */
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { IdentifyResult, PeerId } from '@libp2p/interface';
import type { Logger } from '../fullNode.ts';
import { BAN_MS, DISCONNECT_SCORE, MAINTENANCE_INTERVAL_MS, MIN_CONNECTIONS, REDIAL_BACKOFF_MAX_MS, REDIAL_BACKOFF_MS } from './constants.ts';
import type { PeerBook } from './peerBook.ts';
import type { Host } from './host.ts';
import { AddressBans, addressKeys, dialKey, inboundKey } from './addressBan.ts';

/**
 * A peer we have heard nothing from (no status, no gossiped block) for this
 * long is asked for its head. Each peer's deadline is spread over another
 * STATUS_REFRESH_JITTER_MS: peers that connected together would otherwise all
 * be asked in the same tick, a burst of streams that delays gossip behind it.
 */
const STATUS_REFRESH_MS = 10_000;
const STATUS_REFRESH_JITTER_MS = 5_000;
/** Bootstrap peers are redialed sooner than book peers: the operator named them. */
const BOOTSTRAP_BACKOFF_MAX_MS = 5_000;

export interface PeerManagerOptions {
  host: Host;
  book: PeerBook | undefined;
  bootstrap: Multiaddr[];
  statusProtocol: string;
  log: Logger;
  /** the peer's combined score (gossipsub, with the application penalties in it) */
  score(peerId: string): number;
  /** a useful peer is connected (identify done): ask for its status */
  onPeer(peer: PeerId): void;
  onPeerGone(peerId: string): void;
}

interface Backoff {
  next: number;
  delay: number;
}

export class PeerManager {
  private readonly bans = new Map<string, number>();
  private readonly addressBans = new AddressBans();
  /** where each identified peer says it listens: a ban covers those addresses too */
  private readonly listenAddrs = new Map<string, Multiaddr[]>();
  private readonly backoff = new Map<string, Backoff>();
  /** when each connected peer's head is next worth asking for */
  private readonly statusDue = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private dialing = new Set<string>();
  private stopped = false;

  constructor(private readonly opts: PeerManagerOptions) {}

  isBanned(peerId: string): boolean {
    const until = this.bans.get(peerId);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.bans.delete(peerId);
    return false;
  }

  /** A dial to `addr` would reach a banned address. */
  isDialBanned(addr: Multiaddr): boolean {
    return this.addressBans.has(dialKey(addr));
  }

  /** An inbound connection from `addr` comes from a banned (routable) address: refused before its handshake. */
  isInboundBanned(addr: Multiaddr): boolean {
    return this.addressBans.has(inboundKey(addr));
  }

  bannedCount(): number {
    for (const p of [...this.bans.keys()]) this.isBanned(p);
    return this.bans.size;
  }

  start(): void {
    const host = this.opts.host;
    host.addEventListener('peer:identify', this.onIdentify);
    host.addEventListener('peer:disconnect', this.onDisconnect);
    this.timer = setInterval(() => this.tick(), MAINTENANCE_INTERVAL_MS);
    this.timer.unref();
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.opts.host.removeEventListener('peer:identify', this.onIdentify);
    this.opts.host.removeEventListener('peer:disconnect', this.onDisconnect);
    await this.opts.book?.flush();
  }

  /** Disconnect and ban a peer now. */
  ban(peerId: string, why: string): void {
    if (this.isBanned(peerId)) return;
    this.bans.set(peerId, Date.now() + BAN_MS);
    this.opts.book?.forget(peerId);
    const peer = this.opts.host.getPeers().find((p) => p.toString() === peerId);
    const remote = peer === undefined ? [] : this.opts.host.getConnections(peer).map((c) => c.remoteAddr);
    const keys = addressKeys(remote, this.listenAddrs.get(peerId) ?? []);
    this.addressBans.ban(keys, BAN_MS);
    this.opts.log.warn(`peers: banned ${peerId.slice(-8)}${keys.length > 0 ? ` and ${keys.join(', ')}` : ''} for ${BAN_MS / 60_000} min: ${why}`);
    if (peer !== undefined) void this.opts.host.hangUp(peer).catch(() => undefined);
  }

  /** Cut off a peer whose score fell under DISCONNECT_SCORE. */
  checkScore(peerId: string): void {
    const score = this.opts.score(peerId);
    if (score < DISCONNECT_SCORE) this.ban(peerId, `score ${score.toFixed(1)} < ${DISCONNECT_SCORE}`);
  }

  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { peerId, protocols, listenAddrs } = evt.detail;
    const id = peerId.toString();
    if (!protocols.includes(this.opts.statusProtocol)) {
      this.opts.log.warn(`peers: ${id.slice(-8)} does not speak this chain's protocols; disconnecting`);
      void this.opts.host.hangUp(peerId).catch(() => undefined);
      return;
    }
    this.listenAddrs.set(id, listenAddrs.slice(0, 8));
    // A banned peer back under a new key: its address gives it away (loopback peers are only known by it here).
    const remote = this.opts.host.getConnections(peerId).map((c) => c.remoteAddr);
    const banned = this.addressBans.find(addressKeys(remote, listenAddrs));
    if (banned !== undefined) {
      this.ban(id, `it comes from ${banned}, which is banned`);
      return;
    }
    // Only addresses another host can dial are worth remembering.
    const addrs = listenAddrs.map((a) => a.toString()).filter((a) => a.includes('/tcp/') && !a.includes('/tcp/0'));
    this.opts.book?.seen(id, addrs);
    this.backoff.delete(id);
    this.heard(id);
    this.opts.onPeer(peerId);
  };

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    const id = evt.detail.toString();
    this.statusDue.delete(id);
    this.listenAddrs.delete(id);
    this.opts.onPeerGone(id);
  };

  /** We learned a peer's head (a status answer or a block it gossiped): no need to ask it for a while. */
  heard(peerId: string): void {
    this.statusDue.set(peerId, Date.now() + STATUS_REFRESH_MS + Math.random() * STATUS_REFRESH_JITTER_MS);
  }

  private tick(): void {
    if (this.stopped) return;
    const host = this.opts.host;
    const now = Date.now();
    const connected = host.getPeers();
    const connectedIds = new Set(connected.map(String));
    for (const peer of connected) {
      const id = peer.toString();
      this.checkScore(id);
      const due = this.statusDue.get(id);
      if (due !== undefined && now > due && !this.isBanned(id)) {
        this.heard(id);
        this.opts.onPeer(peer);
      }
    }
    // Bootstrap peers are always redialed; book peers only while we are short of connections.
    for (const addr of this.opts.bootstrap) {
      const id = addr.getComponents().find((c) => c.name === 'p2p')?.value;
      if (id !== undefined && connectedIds.has(id)) continue;
      if (id === undefined && this.bootstrapConnected(addr)) continue;
      this.dial(addr.toString(), addr, BOOTSTRAP_BACKOFF_MAX_MS);
    }
    if (connected.length < MIN_CONNECTIONS && this.opts.book !== undefined) {
      let budget = MIN_CONNECTIONS - connected.length;
      for (const record of this.opts.book.list()) {
        if (budget <= 0) break;
        if (connectedIds.has(record.peerId) || record.peerId === host.peerId.toString() || this.isBanned(record.peerId)) continue;
        const addr = record.addrs[0];
        if (addr === undefined) continue;
        try {
          if (this.dial(record.peerId, multiaddr(`${addr}/p2p/${record.peerId}`), REDIAL_BACKOFF_MAX_MS)) budget--;
        } catch {
          this.opts.book.forget(record.peerId);
        }
      }
    }
    void this.opts.book?.flush();
  }

  private bootstrapConnected(addr: Multiaddr): boolean {
    const text = addr.toString();
    return this.opts.host.getConnections().some((c) => c.remoteAddr.toString().startsWith(text));
  }

  /** Dial unless a dial is running or the key's backoff has not passed; returns whether it dialed. */
  private dial(key: string, addr: Multiaddr, maxBackoff: number): boolean {
    const now = Date.now();
    const b = this.backoff.get(key);
    if (this.dialing.has(key) || (b !== undefined && b.next > now)) return false;
    this.dialing.add(key);
    this.opts.host.dial(addr).then(
      () => {
        this.backoff.delete(key);
      },
      (err: unknown) => {
        const delay = Math.min(maxBackoff, b === undefined ? REDIAL_BACKOFF_MS : b.delay * 2);
        this.backoff.set(key, { next: Date.now() + delay, delay });
        if (b === undefined) this.opts.log.warn(`peers: cannot dial ${addr.toString()}: ${(err as Error).message}`);
      },
    ).finally(() => this.dialing.delete(key));
    return true;
  }
}
