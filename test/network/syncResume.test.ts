/**
 * The pure parts of resuming a sync (issue 14): which session ends set a peer
 * aside and which only pause it (node/network/syncResume.ts), and when a slow
 * status answer costs a peer its connection (node/network/peerLiveness.ts).
 * The clock is passed in, so nothing here waits.
 */
import { describe, expect, it } from 'vitest';
import { blamesPeer, RESUME_MAX_MS, RESUME_MIN_MS, SyncResume } from '../../node/network/syncResume.ts';
import { IMPORTING_GRACE_MS, PeerLiveness, STATUS_MISSES_BEFORE_HANGUP, STATUS_SILENCE_MS } from '../../node/network/peerLiveness.ts';

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

describe('SyncResume', () => {
  it('a session that reached the claimed head is done, and clears any backoff', () => {
    const c = clock();
    const r = new SyncResume(c.now);
    r.ended('p', { kind: 'failed', code: 'NET_TIMEOUT', blocks: 0 });
    expect(r.ready('p')).toBe(false);
    expect(r.ended('p', { kind: 'reached' })).toEqual({ action: 'done' });
    expect(r.ready('p')).toBe(true);
  });

  it.each(['NET_TIMEOUT', 'NET_STREAM_ERROR', 'NET_DIAL_FAILED', 'NET_PEER_ERROR', 'SYNC_NO_PEERS', 'SYNC_INTERNAL', 'STORE_ERROR_NOT_A_CODE'])(
    'a session that failed with %s is resumed, not set aside', (code) => {
      const c = clock();
      const r = new SyncResume(c.now);
      const v = r.ended('p', { kind: 'failed', code, blocks: 0 });
      expect(v).toEqual({ action: 'retry', afterMs: RESUME_MIN_MS });
      expect(r.ready('p')).toBe(false);
      c.advance(RESUME_MIN_MS);
      expect(r.ready('p')).toBe(true);
    });

  it.each(['SYNC_BAD_HEADERS', 'SYNC_BAD_BLOCK', 'SYNC_SOURCE_INCOMPLETE', 'BLOCK_BAD_POW', 'NET_BAD_RESPONSE', 'NET_FRAME_TOO_LARGE'])(
    'a session the peer spoiled (%s) sets the peer aside for its claim', (code) => {
      expect(blamesPeer(code)).toBe(true);
      expect(new SyncResume().ended('p', { kind: 'failed', code, blocks: 3 })).toEqual({ action: 'setAside' });
    });

  it('headers that stop short of the claim set the peer aside', () => {
    expect(new SyncResume().ended('p', { kind: 'short' })).toEqual({ action: 'setAside' });
  });

  it('backs off by doubling while sessions make no progress, up to the cap; progress resets it', () => {
    const c = clock();
    const r = new SyncResume(c.now);
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      const v = r.ended('p', { kind: 'failed', code: 'NET_TIMEOUT', blocks: 0 });
      if (v.action !== 'retry') throw new Error(`expected retry, got ${v.action}`);
      delays.push(v.afterMs);
      expect(r.waitFor('p')).toBe(v.afterMs);
    }
    expect(delays.slice(0, 4)).toEqual([RESUME_MIN_MS, 2 * RESUME_MIN_MS, 4 * RESUME_MIN_MS, 8 * RESUME_MIN_MS]);
    expect(delays.at(-1)).toBe(RESUME_MAX_MS);
    expect(r.ended('p', { kind: 'failed', code: 'NET_TIMEOUT', blocks: 5 })).toEqual({ action: 'retry', afterMs: RESUME_MIN_MS });
  });

  it('a peer that reconnects is tried at once, and backoffs are per peer', () => {
    const r = new SyncResume(clock().now);
    for (let i = 0; i < 5; i++) r.ended('a', { kind: 'failed', code: 'NET_STREAM_ERROR', blocks: 0 });
    expect(r.ready('a')).toBe(false);
    expect(r.ready('b')).toBe(true);
    r.forget('a');
    expect(r.ready('a')).toBe(true);
  });
});

describe('PeerLiveness', () => {
  it('never counts a miss against a peer that fetched blocks from us within the grace period', () => {
    const c = clock();
    const l = new PeerLiveness(c.now);
    l.fetched('p');
    // Silent far longer than the silence period, yet importing all along.
    for (let t = 0; t + STATUS_SILENCE_MS <= IMPORTING_GRACE_MS; t += STATUS_SILENCE_MS) {
      expect(l.missed('p')).toBe('importing');
      c.advance(STATUS_SILENCE_MS);
    }
    expect(l.missCount('p')).toBe(0);
    // Once it stops fetching, its silence counts from then.
    c.advance(IMPORTING_GRACE_MS);
    expect(l.importing('p')).toBe(false);
    expect(l.missed('p')).toBe('wait');
    expect(l.missed('p')).toBe('wait');
    c.advance(STATUS_SILENCE_MS);
    expect(l.missed('p')).toBe('hangUp');
  });

  it(`hangs up after ${STATUS_MISSES_BEFORE_HANGUP} misses in a row spanning the silence period, not before`, () => {
    const c = clock();
    const l = new PeerLiveness(c.now);
    // Many quick misses (orphans ask often) are not enough on their own...
    for (let i = 0; i < 2 * STATUS_MISSES_BEFORE_HANGUP; i++) expect(l.missed('p')).toBe('wait');
    // ...nor is the silence period with too few misses.
    const slow = new PeerLiveness(c.now);
    expect(slow.missed('q')).toBe('wait');
    c.advance(STATUS_SILENCE_MS);
    expect(slow.missed('q')).toBe('wait');
    expect(slow.missed('q')).toBe(STATUS_MISSES_BEFORE_HANGUP === 3 ? 'hangUp' : 'wait');
    expect(l.missed('p')).toBe('hangUp');
  });

  it('an answer or a reconnect wipes the misses', () => {
    const c = clock();
    const l = new PeerLiveness(c.now);
    l.missed('p');
    l.missed('p');
    c.advance(STATUS_SILENCE_MS);
    l.answered('p');
    expect(l.missCount('p')).toBe(0);
    expect(l.missed('p')).toBe('wait');
    l.fetched('p');
    l.gone('p');
    expect(l.importing('p')).toBe(false);
    expect(l.missCount('p')).toBe(0);
  });
});
