/**
 * What POST /v1/peers may make the node dial: a peer of this network, addressed
 * the way the network listens (TCP, with the peer id it must prove). Anything
 * else (other transports, relays, unix sockets, bare host:port) would let a
 * caller point the node's dialer at arbitrary services.
 */
import { multiaddr } from '@multiformats/multiaddr';
import { peerIdFromString } from '@libp2p/peer-id';
import { GopkgrError } from '../../ledger/errors.ts';

const HOST_PROTOCOLS = new Set(['ip4', 'ip6', 'dns4', 'dns6', 'dns']);

function refused(addr: string, why: string): GopkgrError {
  return new GopkgrError('PEER_ADDR_REFUSED', `will not dial "${addr.slice(0, 200)}": ${why}`, { hint: 'give /ip4/<address>/tcp/<port>/p2p/<peer id>' });
}

export function checkDialAddress(addr: string): void {
  if (addr.length > 512) throw refused(addr, 'too long');
  let parts: Array<{ name: string; value?: string }>;
  try {
    parts = multiaddr(addr).getComponents();
  } catch {
    throw refused(addr, 'not a multiaddr');
  }
  const [host, tcp, p2p] = parts;
  if (parts.length !== 3 || host === undefined || !HOST_PROTOCOLS.has(host.name) || tcp?.name !== 'tcp' || p2p?.name !== 'p2p') {
    throw refused(addr, 'only /ip4|ip6|dns4|dns6|dns/<host>/tcp/<port>/p2p/<peer id> is dialed');
  }
  const port = Number(tcp.value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw refused(addr, 'port out of range');
  try {
    peerIdFromString(p2p.value ?? '');
  } catch {
    throw refused(addr, 'the /p2p/ part is not a peer id');
  }
}
