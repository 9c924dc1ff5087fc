/**
 * What a running node shows on stderr instead of a line per block (a dev chain
 * makes one a second, which buries the lines worth reading):
 *   - on a terminal, one status line rewritten in place (at most 4 times a
 *     second); any other log line is printed above it and the status redrawn;
 *   - elsewhere (a log file, systemd, CI), a status line at most every
 *     `everyMs` (10 s), and only when the chain moved since the last one.
 * `gopkgr node --verbose` keeps the line per block and prints no status line.
 * Time comes in as arguments (the node's timer passes Date.now()), so the
 * behaviour is tested without waiting.
 */

export interface NodeSnapshot {
  height: number;
  head: string;
  peers: number;
  /** pending txs */
  mempool: number;
  /** hashes a second, when mining */
  hashRate?: number;
}

export interface StatusLineOptions {
  /** stderr is a terminal: rewrite one line in place */
  tty: boolean;
  write(text: string): void;
  snapshot(): NodeSnapshot;
  /** non-terminal: the least time between two status lines (default 10 s) */
  everyMs?: number;
  /** terminal width; the status line is cut to fit (default 80) */
  columns?: number;
}

/** Redrawing a terminal line more often than this only costs time. */
const TTY_REDRAW_MS = 250;
const DEFAULT_EVERY_MS = 10_000;

export class StatusLine {
  private mined = 0;
  private signed = 0;
  private shown = false;
  private lastDraw = -Infinity;
  private last: { at: number; height: number } | undefined;

  constructor(private readonly opts: StatusLineOptions) {}

  /** A block this node mined or signed: counted on the status line. */
  produced(kind: 'mined' | 'signed', now: number): void {
    if (kind === 'mined') this.mined++;
    else this.signed++;
    this.tick(now);
  }

  /** Called by the node's timer (and on each event): redraw or print when it is time. */
  tick(now: number): void {
    if (this.opts.tty) {
      if (now - this.lastDraw < TTY_REDRAW_MS) return;
      this.lastDraw = now;
      this.draw();
      return;
    }
    const every = this.opts.everyMs ?? DEFAULT_EVERY_MS;
    const s = this.opts.snapshot();
    if (this.last === undefined) {
      // The first tick sets the baseline: the ready lines already said where the chain is.
      this.last = { at: now, height: s.height };
      return;
    }
    if (now - this.last.at < every || s.height === this.last.height) return;
    const blocks = s.height - this.last.height;
    const seconds = Math.round((now - this.last.at) / 1000);
    this.last = { at: now, height: s.height };
    this.opts.write(`${new Date(now).toISOString()} status ${this.text(s)}, ${blocks >= 0 ? `+${blocks}` : blocks} block${Math.abs(blocks) === 1 ? '' : 's'} in ${seconds} s\n`);
  }

  /** A log line: on a terminal the status line is cleared first and drawn again after it. */
  log(line: string): void {
    if (this.opts.tty && this.shown) this.opts.write('\r\x1b[2K');
    this.opts.write(line + '\n');
    if (this.opts.tty && this.shown) this.draw();
  }

  /** Leave the terminal on a fresh line (the node is stopping). */
  close(): void {
    if (this.opts.tty && this.shown) this.opts.write('\r\x1b[2K');
    this.shown = false;
  }

  /** The status in words: `height 1234 (a1b2c3d4e5f6), 2 peers, 0 pending txs, mined 12 at 512 kH/s`. */
  text(s: NodeSnapshot = this.opts.snapshot()): string {
    const parts = [`height ${s.height} (${s.head.slice(0, 12)})`, `${s.peers} peer${s.peers === 1 ? '' : 's'}`, `${s.mempool} pending tx${s.mempool === 1 ? '' : 's'}`];
    if (s.hashRate !== undefined) parts.push(`mined ${this.mined} at ${(s.hashRate / 1e3).toFixed(0)} kH/s`);
    if (this.signed > 0) parts.push(`signed ${this.signed}`);
    return parts.join(', ');
  }

  private draw(): void {
    const width = Math.max(20, (this.opts.columns ?? 80) - 1);
    this.opts.write(`\r\x1b[2K${this.text().slice(0, width)}`);
    this.shown = true;
  }
}
