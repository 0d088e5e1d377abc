// FIFOs (named pipes, Linux's fifo_open): opening an S_IFIFO inode on any filesystem finds the
// inode's one Pipe, or makes it, and keeps it while anyone has it open; the data never touches
// the filesystem. Opening for reading waits until a writer opens (O_NONBLOCK: not at all), opening
// for writing waits until a reader opens (O_NONBLOCK with no reader: ENXIO), O_RDWR never waits.
// The open syscalls do the waiting through FileOps.openWait.

import { EINVAL, ENXIO } from "../errno.ts";
import {
  type FileStat,
  O_ACCMODE,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_WRONLY,
  type OpenFile,
} from "../files/open-file.ts";
import { Pipe, PipeEndOps } from "../files/pipe.ts";
import { SyscallError } from "../syscall-error.ts";
import { currentTime, type Inode } from "./inode.ts";
import { statOfLocation } from "./inode-file.ts";
import { inodeStat } from "./stat.ts";

const pipes = new WeakMap<Inode, Pipe>();

export class FifoOps extends PipeEndOps {
  /** The partner count this open waits to see change (wait_for_partner); null: none. */
  private waitingFor: { counter: "readerOpens" | "writerOpens"; seen: number } | null = null;

  constructor(pipe: Pipe, reads: boolean, writes: boolean, private readonly inode: Inode) {
    super(pipe, reads, writes);
  }

  /** Wait for a partner from now on. */
  awaitPartner(counter: "readerOpens" | "writerOpens"): void {
    this.waitingFor = { counter, seen: this.pipe[counter] };
  }

  openWait(_file: OpenFile): Promise<void> | null {
    const wait = this.waitingFor;
    if (wait === null || this.pipe[wait.counter] !== wait.seen) {
      this.waitingFor = null;
      return null;
    }
    return this.pipe.readQueue.wait();
  }

  /** The FIFO's own inode, wherever it lives. */
  override stat(file: OpenFile): FileStat {
    return file.location !== null ? statOfLocation(file.location) : inodeStat(this.inode);
  }

  /** A write changes the FIFO's mtime and ctime (file_update_time). */
  protected override written(file: OpenFile): void {
    if (file.location?.mount.readOnly) return;
    const now = currentTime();
    this.inode.mtime = now;
    this.inode.ctime = now;
    this.inode.markDirty();
  }

  override release(file: OpenFile): void {
    super.release(file);
    if (this.pipe.files === 0) pipes.delete(this.inode);
  }
}

/**
 * The file operations for one open of FIFO `inode` with open(2) `flags`, counted as a reader
 * and/or writer at once. Throws ENXIO (O_WRONLY|O_NONBLOCK without a reader) or EINVAL.
 */
export function openFifo(inode: Inode, flags: number): FifoOps {
  const access = flags & O_ACCMODE;
  if (access !== O_RDONLY && access !== O_WRONLY && access !== O_RDWR) {
    throw new SyscallError(EINVAL);
  }
  const existing = pipes.get(inode);
  const nonblocking = (flags & O_NONBLOCK) !== 0;
  if (access === O_WRONLY && nonblocking && (existing?.readers ?? 0) === 0) {
    throw new SyscallError(ENXIO);
  }
  const pipe = existing ?? new Pipe(inode.uid, inode.gid);
  pipes.set(inode, pipe);
  const hadReaders = pipe.readers > 0, hadWriters = pipe.writers > 0;
  const ops = new FifoOps(pipe, access !== O_WRONLY, access !== O_RDONLY, inode);
  if (access === O_RDONLY) {
    pipe.readerOpens++;
    if (!hadReaders) pipe.readQueue.wake();
    if (!hadWriters) {
      if (nonblocking) ops.hupSuppressedAt = pipe.writerOpens;
      else ops.awaitPartner("writerOpens");
    }
  } else if (access === O_WRONLY) {
    pipe.writerOpens++;
    if (!hadWriters) pipe.readQueue.wake();
    if (!hadReaders) ops.awaitPartner("readerOpens");
  } else {
    pipe.readerOpens++;
    pipe.writerOpens++;
    if (!hadReaders || !hadWriters) pipe.readQueue.wake();
  }
  return ops;
}
