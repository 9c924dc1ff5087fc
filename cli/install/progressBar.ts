/**
 * A one-line progress bar on stderr, redrawn in place; silent when stderr is not
 * a terminal (CI logs and --json runs get no control characters).
 */
export class ProgressBar {
  private done = 0;
  private bytes = 0;
  private lastDraw = 0;

  constructor(private readonly total: number, private readonly label: string, private readonly enabled: boolean, private readonly stream: NodeJS.WriteStream = process.stderr) {}

  tick(bytes: number): void {
    this.done += 1;
    this.bytes += bytes;
    const now = Date.now();
    // Redrawing more than ~20 times a second only costs time.
    if (this.done === this.total || now - this.lastDraw > 50) {
      this.lastDraw = now;
      this.draw();
    }
  }

  private draw(): void {
    if (!this.enabled || this.total === 0) return;
    const width = 24;
    const filled = Math.round((this.done / this.total) * width);
    const mb = (this.bytes / (1024 * 1024)).toFixed(1);
    this.stream.write(`\r${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.done}/${this.total} ${mb} MiB`);
  }

  finish(): void {
    if (this.enabled && this.total > 0) this.stream.write('\r\x1b[K');
  }
}
