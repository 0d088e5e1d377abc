// /dev/tty (5:0, the caller's controlling terminal) and /dev/console (5:1): both are the host
// terminal the kernel runs on. Opening either without one is ENXIO, as Linux answers a process
// with no controlling terminal. Reads, waits and terminal ioctls go through the same StdinOps
// as the inherited stdin, writes through a StdoutOps: one termios, one line discipline.

import { ENXIO } from "../../errno.ts";
import type { FileOps, FileStat, OpenFile, SyscallResult } from "../../files/open-file.ts";
import { StdinOps, StdoutOps } from "../../files/stdio-file.ts";
import type { PollWaker } from "../../files/poll-mask.ts";
import type { UserMemory } from "../../mm/uaccess.ts";
import { SyscallError } from "../../syscall-error.ts";
import { type DeviceOpenContext, registerCharDevice } from "../char-devices.ts";
import { deviceStat } from "./memory-devices.ts";

export const TTYAUX_MAJOR = 5;
export const TTY_MINOR = 0, CONSOLE_MINOR = 1;

export class TtyOps implements FileOps {
  constructor(
    private readonly input: StdinOps,
    private readonly output: StdoutOps,
    private readonly ctx: DeviceOpenContext,
  ) {}

  read(file: OpenFile, buf: Uint8Array, position: number | null): SyscallResult {
    return this.input.read(file, buf, position);
  }

  readWait(file: OpenFile): Promise<void> | null {
    return this.input.readWait(file);
  }

  readable(): number {
    return this.input.readable();
  }

  poll(file: OpenFile): number {
    return this.input.poll(file);
  }

  pollWatch(file: OpenFile, wake: PollWaker): () => void {
    return this.input.pollWatch(file, wake);
  }

  write(file: OpenFile, data: Uint8Array, position: number | null): SyscallResult {
    return this.output.write(file, data, position);
  }

  ioctl(file: OpenFile, request: number, arg: number, user: UserMemory): SyscallResult {
    return this.input.ioctl(file, request, arg, user);
  }

  /** The node it was opened through: char 5:0 or 5:1. */
  stat(file: OpenFile): FileStat {
    return deviceStat(file, this.ctx.inode);
  }

  /** A terminal cannot seek (ESPIPE). */
  seekableSize(): null {
    return null;
  }
}

function openTerminal(ctx: DeviceOpenContext): FileOps {
  const terminal = ctx.kernel.terminal;
  if (terminal === null) throw new SyscallError(ENXIO);
  return new TtyOps(
    new StdinOps(terminal.input, terminal.tty),
    new StdoutOps(terminal.output, terminal.tty),
    ctx,
  );
}

registerCharDevice(TTYAUX_MAJOR, TTY_MINOR, "/dev/tty", openTerminal);
registerCharDevice(TTYAUX_MAJOR, CONSOLE_MINOR, "/dev/console", openTerminal);
