// The host side of a program's standard streams: the real terminal or pipes of the Deno process,
// or in-memory buffers for tests and benchmarks. The kernel reads and writes these through the
// files in kernel/files/stdio-file.ts; nothing else in the kernel touches Deno's stdio.

export interface InputEndpoint {
  readonly isTerminal: boolean;
  /**
   * Up to `max` bytes that are there now (call only when ready()); an empty array at end of
   * input. Taking data is synchronous so a wait that a signal cuts short consumes nothing.
   */
  read(max: number): Uint8Array;
  /** Bytes that a read would return without waiting (0 when unknown or none). */
  buffered(): number;
  /** True when a read would return at once (data buffered or end of input seen). */
  ready(): boolean;
  /** Resolves when ready() becomes true: the host is awaited, never polled. */
  waitReady(): Promise<void>;
  /** Switch the host terminal between line mode and raw mode (keeping signals if `cbreak`). */
  setRaw?(raw: boolean, cbreak: boolean): void;
}

export interface OutputEndpoint {
  readonly isTerminal: boolean;
  /** Write all of `data`; false when the reader has gone away (a broken pipe). */
  write(data: Uint8Array): boolean;
  /** Window size when the endpoint is a terminal. */
  windowSize?(): { columns: number; rows: number } | null;
}

/** Standard input from a fixed byte string. */
export function bufferInput(bytes: Uint8Array | string = new Uint8Array()): InputEndpoint {
  let data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  return {
    isTerminal: false,
    read(max: number) {
      const chunk = data.subarray(0, max);
      data = data.subarray(chunk.length);
      return chunk;
    },
    buffered: () => data.length,
    ready: () => true,
    waitReady: () => Promise.resolve(),
  };
}

/** Collects everything written, for tests and benchmarks. */
export function collectOutput(): {
  sink: OutputEndpoint;
  bytes(): Uint8Array;
  text(): string;
} {
  const chunks: Uint8Array[] = [];
  const bytes = () => {
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const c of chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  };
  return {
    sink: {
      isTerminal: false,
      write(data) {
        if (data.length) chunks.push(data.slice());
        return true;
      },
    },
    bytes,
    text: () => new TextDecoder().decode(bytes()),
  };
}

/**
 * The Deno process's stdin. One host read is outstanding at a time; its data is buffered so a
 * guest asking for fewer bytes gets the rest on its next read, and non-blocking reads can ask
 * whether anything arrived.
 */
export function hostStdin(): InputEndpoint {
  const terminal = Deno.stdin.isTerminal();
  let pending: Uint8Array = new Uint8Array();
  let eof = false;
  let inFlight: Promise<void> | null = null;
  const fill = (): Promise<void> => {
    inFlight ??= (async () => {
      const buf = new Uint8Array(65536);
      const n = await Deno.stdin.read(buf).catch(() => null);
      if (n === null) eof = true;
      else pending = concat(pending, buf.subarray(0, n));
      inFlight = null;
    })();
    return inFlight;
  };
  const take = (max: number) => {
    const chunk = pending.slice(0, max);
    pending = pending.subarray(chunk.length);
    return chunk;
  };
  const ready = () => pending.length > 0 || eof;
  return {
    isTerminal: terminal,
    read: take,
    buffered: () => pending.length,
    ready() {
      if (ready()) return true;
      void fill();
      return false;
    },
    async waitReady() {
      while (!ready()) await fill();
    },
    setRaw(raw: boolean, cbreak: boolean) {
      if (terminal) Deno.stdin.setRaw(raw, { cbreak });
    },
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b.slice();
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function hostOutput(stream: typeof Deno.stdout | typeof Deno.stderr): OutputEndpoint {
  const terminal = stream.isTerminal();
  return {
    isTerminal: terminal,
    write(data: Uint8Array) {
      let done = 0;
      while (done < data.length) {
        try {
          done += stream.writeSync(data.subarray(done));
        } catch {
          return false; // the reader went away (EPIPE)
        }
      }
      return true;
    },
    windowSize() {
      if (!terminal) return null;
      try {
        return Deno.consoleSize();
      } catch {
        return null;
      }
    },
  };
}

export function hostStdout(): OutputEndpoint {
  return hostOutput(Deno.stdout);
}

export function hostStderr(): OutputEndpoint {
  return hostOutput(Deno.stderr);
}
