/**
 * Deadlines that count only the time this process was awake to notice an answer.
 *
 * Applying a full block holds the main thread for seconds. A plain
 * `AbortSignal.timeout` then fires as soon as the event loop turns again, and
 * it fires in the timers phase, before the poll phase reads the answer that
 * arrived meanwhile: a peer that answered at once is blamed for our own stall,
 * the request fails, and the peer gets penalised or hung up on (issue 14).
 *
 * An AwakeClock advances by loop turns, each counted for at most
 * MAX_TURN_CREDIT_MS: a longer gap between two turns means the thread was busy
 * (a block applied, a block decoded, a loaded machine), and the peer's answer
 * may have waited unread through it. A deadline expires when the clock has
 * advanced by its length since it was set, and never on the turn right after a
 * stall (a gap over STALL_MS), so the answers that came during the stall are
 * read first. A peer thus gets its whole allowance in time during which we could
 * read its answer, and an idle loop (a turn every TICK_MS) counts exact time.
 * The accounting is pure (the caller passes the time in); `awakeDeadline`
 * drives one shared clock with one timer.
 */

/** How often the shared clock ticks while a deadline is pending. */
export const TICK_MS = 25;
/** The most one turn of the loop counts for: twice the tick, so a merely loaded loop still counts nearly exact time. */
export const MAX_TURN_CREDIT_MS = 2 * TICK_MS;
/** A gap between two ticks longer than this is a stall of our own thread: nothing expires on the turn after it. */
export const STALL_MS = 250;

export interface Deadline {
  /** aborts (with a TimeoutError) when the deadline passes */
  readonly signal: AbortSignal;
  /** forget the deadline (the request ended first) */
  clear(): void;
}

interface Pending {
  due: number;
  controller: AbortController;
}

export class AwakeClock {
  /** awake milliseconds since the clock started */
  private awake = 0;
  private last: number;
  private readonly pending = new Set<Pending>();

  constructor(now: number) {
    this.last = now;
  }

  /** Awake time so far. */
  get elapsed(): number {
    return this.awake;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Restart the accounting at `now` (the first deadline after an idle spell: the idle time is nobody's). */
  resume(now: number): void {
    this.last = now;
  }

  /** A deadline `ms` of awake time from now. */
  add(ms: number): Deadline {
    const entry: Pending = { due: this.awake + ms, controller: new AbortController() };
    this.pending.add(entry);
    return { signal: entry.controller.signal, clear: () => this.pending.delete(entry) };
  }

  /** One loop turn at `now`: advance by the gap (at most MAX_TURN_CREDIT_MS), then expire what is due unless it was a stall. */
  tick(now: number): void {
    const gap = now - this.last;
    this.last = now;
    if (gap < 0) return;
    this.awake += Math.min(gap, MAX_TURN_CREDIT_MS);
    // Answers that came during a stall are read in this turn's poll phase, after the timers: expire them on a later turn.
    if (gap > STALL_MS) return;
    for (const entry of this.pending) {
      if (entry.due > this.awake) continue;
      this.pending.delete(entry);
      entry.controller.abort(new DOMException('the peer did not answer within the awake-time deadline', 'TimeoutError'));
    }
  }
}

let shared: AwakeClock | undefined;
let timer: NodeJS.Timeout | undefined;

function drive(): void {
  const clock = shared!;
  clock.tick(performance.now());
  if (clock.size === 0) {
    clearInterval(timer);
    timer = undefined;
  }
}

/**
 * A deadline of `ms` awake milliseconds on the process's shared clock. The
 * timer runs only while some deadline is pending and never keeps the process alive.
 */
export function awakeDeadline(ms: number): Deadline {
  shared ??= new AwakeClock(performance.now());
  if (timer === undefined) {
    shared.resume(performance.now());
    timer = setInterval(drive, TICK_MS);
    timer.unref();
  }
  const deadline = shared.add(ms);
  return deadline;
}

/** An awake-time deadline joined with a caller's signal (either aborts it). */
export function awakeSignal(ms: number, signal?: AbortSignal): Deadline {
  const d = awakeDeadline(ms);
  return signal === undefined ? d : { signal: AbortSignal.any([signal, d.signal]), clear: d.clear };
}
