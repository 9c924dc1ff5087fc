/**
 * Awake-time deadlines (node/network/awakeDeadline.ts): our own thread held by
 * a block import must not count against a peer. The clock's accounting with
 * the time passed in, then the shared driver against a real loopback socket:
 * an answer that arrives while the thread is held is read, where a plain
 * AbortSignal.timeout of the same length has already fired.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { awakeDeadline, AwakeClock, MAX_TURN_CREDIT_MS, STALL_MS, TICK_MS } from '../../node/network/awakeDeadline.ts';
import { DEFAULT_REQUEST_TIMEOUT_MS, MIN_REQUEST_TIMEOUT_MS, requestTimeoutFrom } from '../../node/network/constants.ts';

describe('AwakeClock', () => {
  it('expires a deadline after its length of on-time ticks', () => {
    const clock = new AwakeClock(0);
    const d = clock.add(100);
    let t = 0;
    for (; t < 75; t += 25) {
      clock.tick(t + 25);
      expect(d.signal.aborted).toBe(false);
    }
    clock.tick(t + 25);
    expect(d.signal.aborted).toBe(true);
    expect((d.signal.reason as Error).name).toBe('TimeoutError');
    expect(clock.size).toBe(0);
  });

  it('counts a stalled turn, however long, as one turn, and expires nothing on it', () => {
    const clock = new AwakeClock(0);
    const d = clock.add(100);
    clock.tick(40);
    clock.tick(40 + 8_000); // a block applied on the main thread
    expect(clock.elapsed).toBe(40 + MAX_TURN_CREDIT_MS);
    clock.tick(40 + 8_000 + 9);
    expect(d.signal.aborted).toBe(false);
    clock.tick(40 + 8_000 + 9 + 2);
    expect(d.signal.aborted).toBe(true);
  });

  it('a deadline that fell due during a stall expires on the turn after, not on the stalled one', () => {
    const clock = new AwakeClock(0);
    const d = clock.add(30);
    clock.tick(STALL_MS + 1);
    expect(clock.elapsed).toBeGreaterThanOrEqual(30);
    expect(d.signal.aborted).toBe(false);
    clock.tick(STALL_MS + 2);
    expect(d.signal.aborted).toBe(true);
  });

  it('long turns of a busy loop count at most MAX_TURN_CREDIT_MS each', () => {
    const clock = new AwakeClock(0);
    const d = clock.add(4 * MAX_TURN_CREDIT_MS);
    let t = 0;
    for (let i = 0; i < 3; i++) {
      clock.tick((t += STALL_MS - 10));
      expect(d.signal.aborted).toBe(false);
    }
    clock.tick((t += STALL_MS - 10));
    expect(d.signal.aborted).toBe(true);
  });

  it('a cleared deadline never fires', () => {
    const clock = new AwakeClock(0);
    const d = clock.add(10);
    d.clear();
    clock.tick(20);
    expect(d.signal.aborted).toBe(false);
    expect(clock.size).toBe(0);
  });
});

describe('GOPKGR_REQUEST_TIMEOUT_MS', () => {
  it('defaults, accepts whole milliseconds and refuses anything else with NET_BAD_OPTIONS', () => {
    expect(requestTimeoutFrom({})).toBe(DEFAULT_REQUEST_TIMEOUT_MS);
    expect(requestTimeoutFrom({ GOPKGR_REQUEST_TIMEOUT_MS: '' })).toBe(DEFAULT_REQUEST_TIMEOUT_MS);
    expect(requestTimeoutFrom({ GOPKGR_REQUEST_TIMEOUT_MS: '300' })).toBe(300);
    for (const bad of ['0', '-5', '1.5', 'ten', String(MIN_REQUEST_TIMEOUT_MS - 1)]) {
      expect(() => requestTimeoutFrom({ GOPKGR_REQUEST_TIMEOUT_MS: bad }), bad).toThrow(expect.objectContaining({ code: 'NET_BAD_OPTIONS' }));
    }
  });
});

/** Hold the thread, as applying a full block does. */
function hold(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* busy */ }
}

describe('awakeDeadline on a real socket', () => {
  let server: Server | undefined;
  let client: Socket | undefined;
  afterEach(() => {
    client?.destroy();
    server?.close();
  });

  it('an answer that came while our thread was held is read; a plain timeout of the same length gives up first', async () => {
    server = createServer((s) => s.on('data', () => s.write('pong')));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    client = connect(port, '127.0.0.1');
    await new Promise<void>((r) => client!.once('connect', () => r()));

    const LIMIT = 8 * TICK_MS;
    const events: string[] = [];
    const awake = awakeDeadline(LIMIT);
    const plain = AbortSignal.timeout(LIMIT);
    awake.signal.addEventListener('abort', () => events.push('awake deadline'));
    plain.addEventListener('abort', () => events.push('plain timeout'));
    const answered = new Promise<void>((r) => client!.once('data', () => {
      events.push('answer read');
      r();
    }));
    client.write('ping');
    // The answer arrives within a millisecond, while the thread is held for many times the limit.
    hold(LIMIT * 4);
    await answered;
    awake.clear();
    expect(events).toEqual(['plain timeout', 'answer read']);
    expect(awake.signal.aborted).toBe(false);
  });
});
