// eventfd objects (Linux's fs/eventfd.c): a 64-bit counter behind a file. A write of exactly 8
// bytes adds to it (waiting while the sum would reach 2^64-1), a read of at least 8 bytes takes it
// all or, in semaphore mode, one (waiting while it is 0). Readable while non-zero, writable while below
// 2^64-2.

import { EAGAIN, EINVAL } from "../errno.ts";
import { anonInodePath, anonInodeStat } from "./anon-inode.ts";
import {
  type FileOps,
  type FileStat,
  O_NONBLOCK,
  O_RDWR,
  OpenFile,
  type SyscallResult,
} from "./open-file.ts";
import { POLLERR, POLLIN, POLLOUT, PollQueue, type PollWaker } from "./poll-mask.ts";

export const EFD_SEMAPHORE = 1;
const COUNT_MAX = 0xffffffffffffffffn;

export class EventFdOps implements FileOps {
  private readonly queue = new PollQueue();

  constructor(private count: bigint, private readonly semaphore: boolean) {}

  read(_file: OpenFile, buf: Uint8Array, _position: number | null): SyscallResult {
    if (buf.length < 8) return -EINVAL;
    if (this.count === 0n) return -EAGAIN;
    const value = this.semaphore ? 1n : this.count;
    this.count -= value;
    new DataView(buf.buffer, buf.byteOffset, 8).setBigUint64(0, value, true);
    this.queue.wake(POLLOUT);
    return 8;
  }

  readWait(file: OpenFile, length?: number): Promise<void> | null {
    if ((length !== undefined && length < 8) || this.count > 0n || file.flags & O_NONBLOCK) {
      return null;
    }
    return this.queue.wait();
  }

  write(_file: OpenFile, data: Uint8Array, _position: number | null): SyscallResult {
    if (data.length !== 8) return -EINVAL;
    const value = new DataView(data.buffer, data.byteOffset, 8).getBigUint64(0, true);
    if (value === COUNT_MAX) return -EINVAL;
    if (COUNT_MAX - this.count <= value) return -EAGAIN;
    this.count += value;
    this.queue.wake(POLLIN);
    return 8;
  }

  /** A write adds one value: once it went in, the call is complete. */
  writeWait(_file: OpenFile, written: number): Promise<void> | null {
    return written > 0 ? null : this.queue.wait();
  }

  poll(_file: OpenFile): number {
    let mask = 0;
    if (this.count > 0n) mask |= POLLIN;
    if (this.count === COUNT_MAX) mask |= POLLERR;
    if (COUNT_MAX - 1n > this.count) mask |= POLLOUT;
    return mask;
  }

  pollWatch(_file: OpenFile, wake: PollWaker): () => void {
    return this.queue.watch(wake);
  }

  /** noop_llseek: the offset stays where it is (0). */
  llseek(file: OpenFile): number {
    return file.offset;
  }

  stat(): FileStat {
    return anonInodeStat();
  }
}

/** eventfd2(): a new eventfd file with counter `initial` (EFD_NONBLOCK and EFD_SEMAPHORE). */
export function createEventFd(initial: number, flags: number): OpenFile {
  const ops = new EventFdOps(BigInt(initial), (flags & EFD_SEMAPHORE) !== 0);
  return new OpenFile(ops, O_RDWR | (flags & O_NONBLOCK), anonInodePath("eventfd"));
}
