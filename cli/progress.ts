// A one-line progress bar on stderr, redrawn in place: bytes and files done out of the totals.
// Silent when stderr is not a terminal (scripts and tests see only errors).

const encoder = new TextEncoder();
const REDRAW_MS = 100;
const WIDTH = 30;

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

export class Progress {
  private bytes = 0;
  private files = 0;
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly totalBytes: number,
    private readonly totalFiles: number,
    private readonly enabled = Deno.stderr.isTerminal(),
  ) {}

  advance(bytes: number, files: number): void {
    this.bytes += bytes;
    this.files += files;
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.lastDraw >= REDRAW_MS) {
      this.lastDraw = now;
      this.draw();
    }
  }

  /** The bar's text for the current counts. */
  line(): string {
    const fraction = this.totalBytes > 0
      ? Math.min(1, this.bytes / this.totalBytes)
      : this.totalFiles > 0
      ? Math.min(1, this.files / this.totalFiles)
      : 1;
    const filled = Math.round(fraction * WIDTH);
    const bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
    return `${this.label} [${bar}] ${Math.floor(fraction * 100)}% ` +
      `${mib(this.bytes)}/${mib(this.totalBytes)} MiB, ${this.files}/${this.totalFiles} files`;
  }

  private draw(): void {
    Deno.stderr.writeSync(encoder.encode(`\r${this.line()}\x1b[K`));
    this.drawn = true;
  }

  /** Draw the final state and end the line (or erase it when `erase`). */
  finish(erase = false): void {
    if (!this.enabled) return;
    if (erase) {
      if (this.drawn) Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
      return;
    }
    this.draw();
    Deno.stderr.writeSync(encoder.encode("\n"));
  }
}
