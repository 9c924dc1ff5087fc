/**
 * What a ban covers besides a peer id (addressBan.ts): a routable IP as a
 * whole, a loopback peer only by the ports it listens on, so that honest local
 * nodes on the same IP are not hit; and bans expire.
 */
import { describe, expect, it } from 'vitest';
import { multiaddr } from '@multiformats/multiaddr';
import { AddressBans, addressKeys, dialKey, inboundKey } from '../../node/network/addressBan.ts';

const ma = (s: string) => multiaddr(s);

describe('address bans', () => {
  it('key a routable peer by its IP, and a loopback peer by IP and listen port', () => {
    expect(addressKeys([ma('/ip4/203.0.113.7/tcp/51234')], [ma('/ip4/203.0.113.7/tcp/4001')])).toEqual(['203.0.113.7']);
    expect(addressKeys([ma('/ip6/2001:db8::1/tcp/51234')], [])).toEqual(['2001:db8::1']);
    expect(addressKeys([ma('/ip4/127.0.0.1/tcp/51234')], [ma('/ip4/127.0.0.1/tcp/4001'), ma('/ip4/127.0.0.1/tcp/4001'), ma('/ip4/127.0.0.1/tcp/4002')]))
      .toEqual(['127.0.0.1#4001', '127.0.0.1#4002']);
    // A loopback peer that announces no listen port is keyed as such (not by its ephemeral port).
    expect(addressKeys([ma('/ip4/127.0.0.1/tcp/51234')], [])).toEqual(['127.0.0.1#no port']);
    expect(addressKeys([ma('/ip4/127.0.0.1/tcp/51234')], [ma('/ip4/127.0.0.1/tcp/0')])).toEqual(['127.0.0.1#no port']);
  });

  it('check dials by IP (loopback: IP and port) and inbound connections by routable IP only', () => {
    expect(dialKey(ma('/ip4/203.0.113.7/tcp/4001/p2p/12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf'))).toBe('203.0.113.7');
    expect(dialKey(ma('/ip4/127.0.0.1/tcp/4001'))).toBe('127.0.0.1#4001');
    expect(dialKey(ma('/dns4/example.org/tcp/4001'))).toBeUndefined();
    expect(inboundKey(ma('/ip4/203.0.113.7/tcp/51234'))).toBe('203.0.113.7');
    expect(inboundKey(ma('/ip4/127.0.0.1/tcp/51234'))).toBeUndefined();
  });

  it('ban keys until they expire, and honest neighbours on loopback stay free', () => {
    let now = 1_000;
    const bans = new AddressBans(() => now);
    bans.ban(addressKeys([ma('/ip4/127.0.0.1/tcp/50000')], [ma('/ip4/127.0.0.1/tcp/4001')]), 60_000);
    bans.ban(['203.0.113.7'], 60_000);
    expect(bans.has(dialKey(ma('/ip4/127.0.0.1/tcp/4001')))).toBe(true);
    expect(bans.has(dialKey(ma('/ip4/127.0.0.1/tcp/4002')))).toBe(false);
    expect(bans.find(addressKeys([ma('/ip4/127.0.0.1/tcp/50001')], [ma('/ip4/127.0.0.1/tcp/4001')]))).toBe('127.0.0.1#4001');
    expect(bans.find(addressKeys([ma('/ip4/127.0.0.1/tcp/50002')], [ma('/ip4/127.0.0.1/tcp/4003')]))).toBeUndefined();
    expect(bans.has(inboundKey(ma('/ip4/203.0.113.7/tcp/1')))).toBe(true);
    expect(bans.has(undefined)).toBe(false);
    now += 60_001;
    expect(bans.has('127.0.0.1#4001')).toBe(false);
    expect(bans.has('203.0.113.7')).toBe(false);
  });
});
