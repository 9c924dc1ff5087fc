/**
 * A per-address cap on inbound connections still in their handshake.
 *
 * libp2p caps pending inbound connections only in total (MAX_PENDING_INBOUND),
 * and rate-limits new ones per IP; a single address that opens sockets just
 * under that rate and never speaks holds every slot until the handshake
 * deadline, and at the cap every other inbound connection is refused. The
 * gater counts, per address key, the connections it has let into their
 * handshake and refuses one more past the cap; a slot is given back when the
 * handshake ends either way (the connection upgraded, or its socket closed).
 *
 * Keys: an IPv4 address; an IPv6 /64, since one subscriber gets a whole /64
 * and could otherwise take a fresh address per socket; a loopback address on
 * its own, with a higher cap (see MAX_PENDING_INBOUND_PER_LOOPBACK_IP).
 */
import type { Multiaddr } from '@multiformats/multiaddr';
import { ipOf, isLoopback } from './addressBan.ts';

/** The part of libp2p's MultiaddrConnection used here. */
export interface PendingConnection {
  remoteAddr: Multiaddr;
  addEventListener(type: 'close', listener: () => void, options?: { once?: boolean }): void;
}

/** The eight 16-bit groups of an IPv6 address, or undefined when it is malformed. */
function ipv6Groups(ip: string): number[] | undefined {
  // A dotted IPv4 tail (::ffff:1.2.3.4) is two groups.
  const dotted = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (dotted !== null) {
    const b = dotted.slice(2).map(Number);
    if (b.some((x) => x > 255)) return undefined;
    ip = `${dotted[1]}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const part = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.map((g) => parseInt(g, 16));
}

/** The key an inbound connection from `ma` is counted under, or undefined for one without an IP. */
export function pendingKey(ma: Multiaddr): string | undefined {
  const ip = ipOf(ma);
  if (ip === undefined) return undefined;
  if (!ip.includes(':') || isLoopback(ip)) return ip;
  const groups = ipv6Groups(ip);
  // Not an address we can split: counted whole, as the text it came as.
  if (groups === undefined) return ip;
  // An IPv4-mapped address (a dual-stack listener's IPv4 peer) is that IPv4 address.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

export interface PendingInboundLimits {
  perAddress: number;
  perLoopbackAddress: number;
  /** a slot is given back after this at the latest, should neither end of the handshake be seen */
  releaseAfterMs: number;
}

export class PendingInbound {
  private readonly counts = new Map<string, number>();
  /** the connections counted, each with the function that gives its slot back */
  private readonly held = new WeakMap<object, () => void>();

  constructor(private readonly limits: PendingInboundLimits) {}

  /** Count `conn` into its handshake; false (and nothing counted) when its address is at its cap. */
  admit(conn: PendingConnection): boolean {
    const key = pendingKey(conn.remoteAddr);
    if (key === undefined) return true;
    const cap = isLoopback(key) ? this.limits.perLoopbackAddress : this.limits.perAddress;
    const count = this.counts.get(key) ?? 0;
    if (count >= cap) return false;
    this.counts.set(key, count + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      this.held.delete(conn);
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left <= 0) this.counts.delete(key);
      else this.counts.set(key, left);
    };
    // libp2p aborts a handshake at its own deadline and closes the socket; this only guards the count against a path that would leak it.
    const timer = setTimeout(release, this.limits.releaseAfterMs);
    timer.unref();
    this.held.set(conn, release);
    conn.addEventListener('close', release, { once: true });
    return true;
  }

  /** The handshake of `conn` is done: its slot is free (the connection itself lives on). */
  upgraded(conn: object): void {
    this.held.get(conn)?.();
  }

  /** Connections in their handshake from the address key `key` (pendingKey). */
  pending(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}
