/**
 * Progress for long CLI runs, on stderr so stdout stays clean for results: a redrawn bar when stderr is a
 * terminal, otherwise a line at each 10 % step (logs and CI output stay short).
 */
export class Progress {
  private lastDraw = 0;
  private lastStep = -1;
  private lastPhase = '';
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, total: number, phase = ''): void {
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const text = `${this.label}${phase ? ` (${phase})` : ''}`;
    if (this.stream.isTTY) {
      const now = Date.now();
      if (now - this.lastDraw < 100 && done < total && phase === this.lastPhase) return;
      this.lastDraw = now;
      this.lastPhase = phase;
      const width = 24;
      const filled = Math.round(fraction * width);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
      this.stream.write(`\r\x1b[2K${text} [${bar}] ${Math.floor(fraction * 100)}% ${done}/${total}`);
      this.drawn = true;
      return;
    }
    const step = Math.floor(fraction * 10);
    if (step === this.lastStep && phase === this.lastPhase) return;
    this.lastStep = step;
    this.lastPhase = phase;
    this.stream.write(`${text}: ${Math.floor(fraction * 100)}% (${done}/${total})\n`);
  }

  /** Clear the bar (TTY) before the final message. */
  end(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}
