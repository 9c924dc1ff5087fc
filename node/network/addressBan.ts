/**
 * What a ban covers besides the peer id, so that a banned peer cannot come
 * back at once under a fresh key (a peer id costs nothing; an address does).
 *
 * Keys:
 *  - a routable IP bans that IP: its new connections are refused before any
 *    handshake, and we do not dial it;
 *  - a loopback IP is shared by every node on the host (tests, benches, a
 *    local cluster, which would all fall with one bad neighbour), so the key is
 *    the IP plus each TCP port the peer said it listens on (identify), or
 *    "no port" for a peer that announced none. A banned local peer that returns
 *    with a new key on its old port is refused (after identify, where its port
 *    is learned), and other local nodes are not hit.
 *
 * Bans come only from a score under DISCONNECT_SCORE, which only invalid or
 * malformed data, stalling and floods lower (abrupt disconnects cost nothing:
 * see reqresp.ts), so an honest peer behind the same IP is banned only with an
 * attacker it shares the address with.
 */
import type { Multiaddr } from '@multiformats/multiaddr';

function component(ma: Multiaddr, names: readonly string[]): string | undefined {
  return ma.getComponents().find((c) => names.includes(c.name))?.value;
}

export function ipOf(ma: Multiaddr): string | undefined {
  return component(ma, ['ip4', 'ip6']);
}

export function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

function loopbackKey(ip: string, port: string | undefined): string {
  return `${ip}#${port ?? 'no port'}`;
}

/** Keys of a peer seen at `remote` (its connections' addresses) that listens on `listen`. */
export function addressKeys(remote: readonly Multiaddr[], listen: readonly Multiaddr[]): string[] {
  const keys = new Set<string>();
  const ports = [...new Set(listen.map((a) => component(a, ['tcp'])).filter((p): p is string => p !== undefined && p !== '0'))];
  for (const r of remote) {
    const ip = ipOf(r);
    if (ip === undefined) continue;
    if (!isLoopback(ip)) keys.add(ip);
    else if (ports.length === 0) keys.add(loopbackKey(ip, undefined));
    else for (const p of ports) keys.add(loopbackKey(ip, p));
  }
  return [...keys];
}

/** The key a dial to `ma` would meet: its IP, or for loopback its IP and port. */
export function dialKey(ma: Multiaddr): string | undefined {
  const ip = ipOf(ma);
  if (ip === undefined) return undefined;
  return isLoopback(ip) ? loopbackKey(ip, component(ma, ['tcp'])) : ip;
}

/** The key an inbound connection from `ma` meets before its handshake: routable IPs only (a loopback port is ephemeral). */
export function inboundKey(ma: Multiaddr): string | undefined {
  const ip = ipOf(ma);
  return ip === undefined || isLoopback(ip) ? undefined : ip;
}

/** Banned keys with their expiry. */
export class AddressBans {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  ban(keys: readonly string[], ms: number): void {
    const end = this.now() + ms;
    for (const k of keys) this.until.set(k, Math.max(end, this.until.get(k) ?? 0));
  }

  has(key: string | undefined): boolean {
    if (key === undefined) return false;
    const end = this.until.get(key);
    if (end === undefined) return false;
    if (end > this.now()) return true;
    this.until.delete(key);
    return false;
  }

  /** The first of `keys` that is banned. */
  find(keys: readonly string[]): string | undefined {
    return keys.find((k) => this.has(k));
  }
}
