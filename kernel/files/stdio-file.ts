// Files for a program's inherited standard streams: each wraps a host endpoint (the terminal, a
// pipe, or a test buffer). A terminal behaves as a Linux pseudo-terminal (character device 136:N
// with termios and a window size); anything else behaves as a pipe (ESPIPE, FIONREAD). Readiness
// for poll and epoll: input is readable once the host has data or end of input, which watchers
// learn through the endpoint's waitReady; output is always writable.

import { currentTime } from "../fs/inode.ts";
import { EAGAIN, EINVAL, ENOTTY, EPIPE } from "../errno.ts";
import type { InputEndpoint, OutputEndpoint } from "../host/stdio.ts";
import type { UserMemory } from "../mm/uaccess.ts";
import {
  type FileOps,
  type FileStat,
  noPosition,
  O_NONBLOCK,
  OpenFile,
  S_IFCHR,
  S_IFIFO,
  type SyscallResult,
} from "./open-file.ts";
import { allocatePipeIno, PIPEFS_DEV, streamFsPath } from "../fs/pipefs.ts";
import type { Path } from "../fs/dentry.ts";
import {
  POLLHUP,
  POLLIN,
  POLLOUT,
  PollQueue,
  POLLRDNORM,
  type PollWaker,
  POLLWRNORM,
} from "./poll-mask.ts";

export const TCGETS = 0x5401;
export const TCSETS = 0x5402;
export const TCSETSW = 0x5403;
export const TCSETSF = 0x5404;
export const TIOCGPGRP = 0x540f;
export const TIOCSPGRP = 0x5410;
export const TIOCGWINSZ = 0x5413;
export const TIOCSWINSZ = 0x5414;
export const FIONREAD = 0x541b;
export const FIONBIO = 0x5421;

const ICRNL = 0o400;
const ISIG = 1;
const ICANON = 2;
const ECHO = 0o10;
const TERMIOS_SIZE = 36;
/** Pseudo-terminal major number (Unix98 pty slaves). */
const PTS_MAJOR = 136;
const DEVPTS_DEV = 0x18;

/** Linux's tty_std_termios: cooked mode, echo, signals, ^C ^\ DEL ^U ^D. */
function defaultTermios(): Uint8Array {
  const t = new Uint8Array(TERMIOS_SIZE);
  const dv = new DataView(t.buffer);
  dv.setUint32(0, 0x500, true); // ICRNL | IXON
  dv.setUint32(4, 0x5, true); // OPOST | ONLCR
  dv.setUint32(8, 0x4bf, true); // B38400 | CS8 | CREAD | HUPCL
  dv.setUint32(12, 0x8a3b, true); // ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN
  const cc = [3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0];
  t.set(cc, 17);
  return t;
}

/** The host terminal as the guest sees it: one termios shared by every fd on it. */
export class Terminal {
  termios = defaultTermios();
  foregroundGroup = 1;
  private raw = false;

  constructor(
    readonly input: InputEndpoint | null,
    private readonly sizeOf: () => { columns: number; rows: number } | null,
  ) {}

  get lflag(): number {
    return new DataView(this.termios.buffer).getUint32(12, true);
  }
  get iflag(): number {
    return new DataView(this.termios.buffer).getUint32(0, true);
  }

  /** Apply new termios: line mode stays with the host terminal, raw mode switches it. */
  set(termios: Uint8Array): void {
    this.termios = termios;
    const lflag = this.lflag;
    const raw = (lflag & (ICANON | ECHO)) !== (ICANON | ECHO);
    if (raw !== this.raw) {
      this.raw = raw;
      this.input?.setRaw?.(raw, (lflag & ISIG) !== 0);
    }
  }

  /** Put the host terminal back as it was. */
  restore(): void {
    if (this.raw) this.input?.setRaw?.(false, false);
    this.raw = false;
  }

  /** In raw mode the host passes CR through; apply the guest's ICRNL as the line discipline. */
  translateInput(data: Uint8Array): Uint8Array {
    if (!this.raw || !(this.iflag & ICRNL)) return data;
    return data.map((b) => b === 13 ? 10 : b);
  }

  /** The window size TIOCSWINSZ set, which then wins over the host's (as on a pty). */
  private setSize: { columns: number; rows: number; xpixel: number; ypixel: number } | null = null;

  windowSize(): { columns: number; rows: number; xpixel: number; ypixel: number } {
    if (this.setSize !== null) return this.setSize;
    const host = this.sizeOf() ?? { columns: 80, rows: 24 };
    return { ...host, xpixel: 0, ypixel: 0 };
  }

  setWindowSize(size: { columns: number; rows: number; xpixel: number; ypixel: number }): void {
    this.setSize = size;
  }
}

/** Who watches a host input's readiness (poll, epoll), shared by every file reading it. */
class InputWatch {
  readonly queue = new PollQueue();
  private armed = false;

  constructor(private readonly input: InputEndpoint) {}

  /** While someone watches an input that is not ready, wait once for it and wake them. */
  arm(): void {
    if (this.armed || !this.queue.hasWatchers || this.input.ready()) return;
    this.armed = true;
    this.input.waitReady().then(() => {
      this.armed = false;
      this.queue.wake(POLLIN | POLLRDNORM);
    });
  }
}

const inputWatches = new WeakMap<InputEndpoint, InputWatch>();

function watchInput(input: InputEndpoint, wake: PollWaker): () => void {
  let watch = inputWatches.get(input);
  if (watch === undefined) inputWatches.set(input, watch = new InputWatch(input));
  const stop = watch.queue.watch(wake);
  watch.arm();
  return stop;
}

/** Input readiness: data, or end of input (a hang-up on a pipe, readable on a terminal). */
function inputMask(input: InputEndpoint, terminal: boolean): number {
  if (input.buffered() > 0) return POLLIN | POLLRDNORM;
  if (!input.ready()) return 0;
  return terminal ? POLLIN | POLLRDNORM : POLLHUP;
}

/** File operations shared by the input and output sides. */
abstract class StdioOps implements FileOps {
  private readonly ino = allocatePipeIno();
  constructor(protected readonly terminal: Terminal | null) {}

  stat(): FileStat {
    const now = currentTime();
    const tty = this.terminal !== null;
    return {
      dev: tty ? DEVPTS_DEV : PIPEFS_DEV,
      ino: tty ? 3 : this.ino,
      mode: tty ? S_IFCHR | 0o620 : S_IFIFO | 0o600,
      nlink: 1,
      uid: 0,
      gid: tty ? 5 : 0,
      rdev: tty ? PTS_MAJOR * 256 : 0, // /dev/pts/0
      size: 0,
      blksize: tty ? 1024 : 4096,
      blocks: 0,
      atime: now,
      mtime: now,
      ctime: now,
    };
  }

  seekableSize(): number | null {
    return null;
  }

  /** /dev/stdin and friends open this stream again (a terminal goes through /dev/pts/0). */
  procFdPath(file: OpenFile): Path | null {
    if (this.terminal !== null) return null;
    return streamFsPath(this, this.ino, (flags) => new OpenFile(this, flags, file.path));
  }

  ioctl(file: OpenFile, request: number, arg: number, user: UserMemory): SyscallResult {
    if (request === FIONREAD) {
      user.writeU32(arg, this.readable(file));
      return 0;
    }
    const tty = this.terminal;
    if (tty === null) return -ENOTTY;
    switch (request) {
      case TCGETS:
        user.write(arg, tty.termios);
        return 0;
      case TCSETS:
      case TCSETSW:
      case TCSETSF:
        tty.set(user.read(arg, TERMIOS_SIZE));
        return 0;
      case TIOCGWINSZ: {
        const size = tty.windowSize();
        const ws = new Uint8Array(8);
        const dv = new DataView(ws.buffer);
        dv.setUint16(0, size.rows, true);
        dv.setUint16(2, size.columns, true);
        dv.setUint16(4, size.xpixel, true);
        dv.setUint16(6, size.ypixel, true);
        user.write(arg, ws);
        return 0;
      }
      case TIOCSWINSZ: {
        const dv = new DataView(user.read(arg, 8).buffer);
        tty.setWindowSize({
          rows: dv.getUint16(0, true),
          columns: dv.getUint16(2, true),
          xpixel: dv.getUint16(4, true),
          ypixel: dv.getUint16(6, true),
        });
        return 0;
      }
      case TIOCGPGRP:
        user.writeU32(arg, tty.foregroundGroup);
        return 0;
      case TIOCSPGRP: {
        const group = user.i32(arg);
        if (group < 0) return -EINVAL;
        tty.foregroundGroup = group;
        return 0;
      }
    }
    return -ENOTTY;
  }

  readable(_file: OpenFile): number {
    return 0;
  }
}

export class StdinOps extends StdioOps {
  constructor(private readonly input: InputEndpoint, terminal: Terminal | null) {
    super(terminal);
  }

  read(_file: OpenFile, buf: Uint8Array, position: number | null): SyscallResult {
    const bad = noPosition(position);
    if (bad < 0) return bad;
    if (buf.length === 0) return 0;
    // Never waits: callers wait through readWait, interruptibly, before reading.
    if (!this.input.ready()) return -EAGAIN;
    const data = this.input.read(buf.length);
    const bytes = this.terminal ? this.terminal.translateInput(data) : data;
    buf.set(bytes);
    inputWatches.get(this.input)?.arm(); // watch for the next input once this is consumed
    return bytes.length;
  }

  readWait(file: OpenFile): Promise<void> | null {
    if (this.input.ready() || (file.flags & O_NONBLOCK)) return null;
    return this.input.waitReady();
  }

  override readable(): number {
    return this.input.buffered();
  }

  /** A terminal is also writable (tty_poll); a pipe's read end is not. */
  poll(_file: OpenFile): number {
    const tty = this.terminal !== null;
    return inputMask(this.input, tty) | (tty ? POLLOUT | POLLWRNORM : 0);
  }

  pollWatch(_file: OpenFile, wake: PollWaker): () => void {
    return watchInput(this.input, wake);
  }
}

export class StdoutOps extends StdioOps {
  constructor(private readonly output: OutputEndpoint, terminal: Terminal | null) {
    super(terminal);
  }

  write(_file: OpenFile, data: Uint8Array, position: number | null): SyscallResult {
    const bad = noPosition(position);
    if (bad < 0) return bad;
    return this.output.write(data) ? data.length : -EPIPE;
  }

  /** Always writable; a terminal also reports its input, as every fd on a tty does. */
  poll(_file: OpenFile): number {
    const input = this.terminal?.input ?? null;
    return POLLOUT | POLLWRNORM | (input !== null ? inputMask(input, true) : 0);
  }

  pollWatch(_file: OpenFile, wake: PollWaker): () => void {
    const input = this.terminal?.input ?? null;
    return input !== null ? watchInput(input, wake) : () => {};
  }
}
