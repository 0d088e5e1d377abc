// Pipes (Linux's fs/pipe.c): a ring of page-sized buffers (16 by default, 64 KiB), shared by the
// read and write ends of pipe(2) and by every opener of a FIFO. A write merges into the last page
// when it fits there, else takes whole free pages, so writes of up to PIPE_BUF bytes are atomic
// and the capacity depends on the write sizes exactly as on Linux. Ends count readers and writers
// by open file (not by fd), so EOF, EPIPE and POLLHUP follow the last close of each side.
// Reads and writes never wait here: the read and write syscalls wait through readWait/writeWait.

import { currentTime, S_IFIFO, type Timespec } from "../fs/inode.ts";
import { EAGAIN, EBADF, EBUSY, EINVAL, ENOTTY, EPERM, EPIPE } from "../errno.ts";
import type { UserMemory } from "../mm/uaccess.ts";
import {
  type FileOps,
  type FileStat,
  noPosition,
  O_ACCMODE,
  O_CREAT,
  O_DIRECT,
  O_EXCL,
  O_NOCTTY,
  O_NONBLOCK,
  O_RDONLY,
  O_TRUNC,
  O_WRONLY,
  OpenFile,
  type SyscallResult,
} from "./open-file.ts";
import type { Path } from "../fs/dentry.ts";
import { SyscallError } from "../syscall-error.ts";
import {
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLOUT,
  PollQueue,
  POLLRDNORM,
  type PollWaker,
  POLLWRNORM,
} from "./poll-mask.ts";
import { allocatePipeIno, PIPEFS_DEV, pipeFsPath } from "../fs/pipefs.ts";
import { FIONREAD } from "./stdio-file.ts";

export const PAGE_SIZE = 4096;
/** Writes up to this size are atomic. */
export const PIPE_BUF = 4096;
const PIPE_DEF_BUFFERS = 16;
/** /proc/sys/fs/pipe-max-size: the most an unprivileged F_SETPIPE_SZ may ask for. */
export const PIPE_MAX_SIZE = 1 << 20;

export const F_SETPIPE_SZ = 1031;
export const F_GETPIPE_SZ = 1032;

interface PipeBuffer {
  page: Uint8Array;
  offset: number;
  len: number;
  /** Later small writes may append to this page (not in packet mode). */
  mergeable: boolean;
  /** Written in packet mode (O_DIRECT): one read takes the whole buffer, discarding the rest. */
  packet: boolean;
}

export class Pipe {
  readers = 0;
  writers = 0;
  /** Open files on this pipe (a FIFO's pipe goes away with the last). */
  files = 0;
  /** Opens of each side so far (Linux's r_counter, w_counter): a FIFO open waits for a change. */
  readerOpens = 1;
  writerOpens = 1;
  /** Ring size in pages (Linux's max_usage). */
  slots = PIPE_DEF_BUFFERS;
  /** Woken when data arrives or a side closes (rd_wait); a FIFO open waits here too. */
  readonly readQueue = new PollQueue();
  /** Woken when a full pipe gets room or a side closes (wr_wait). */
  readonly writeQueue = new PollQueue();
  readonly ino = allocatePipeIno();
  readonly created: Timespec = currentTime();
  private readonly bufs: PipeBuffer[] = [];
  /** Index of the oldest buffer in bufs (entries before it are consumed). */
  private tail = 0;
  /**
   * Consumed pages kept for the next writes (Linux keeps one, tmp_page; a ring's worth here, so a
   * stream of 64 KiB writes allocates nothing).
   */
  private readonly sparePages: Uint8Array[] = [];

  constructor(readonly uid = 0, readonly gid = 0) {}

  /** Pages in use. */
  get occupancy(): number {
    return this.bufs.length - this.tail;
  }
  get empty(): boolean {
    return this.occupancy === 0;
  }
  get full(): boolean {
    return this.occupancy >= this.slots;
  }

  /** Bytes waiting to be read (FIONREAD). */
  get bytes(): number {
    let n = 0;
    for (let i = this.tail; i < this.bufs.length; i++) n += this.bufs[i].len;
    return n;
  }

  /** Take up to out.length bytes (pipe_read's copy loop); 0 when empty. */
  read(out: Uint8Array): number {
    let done = 0;
    let wanted = out.length;
    let freedFromFull = false;
    while (wanted > 0 && !this.empty) {
      const buf = this.bufs[this.tail];
      const chars = Math.min(buf.len, wanted);
      out.set(buf.page.subarray(buf.offset, buf.offset + chars), done);
      done += chars;
      buf.offset += chars;
      buf.len -= chars;
      if (buf.packet) {
        wanted = chars;
        buf.len = 0;
      }
      if (buf.len === 0) {
        freedFromFull ||= this.full;
        this.dropTail();
      }
      wanted -= chars;
    }
    if (freedFromFull) this.writeQueue.wake(POLLOUT | POLLWRNORM);
    return done;
  }

  /** Take what fits of `data` (pipe_write's copy); 0 when nothing does. */
  write(data: Uint8Array, packet: boolean): number {
    let done = 0;
    const partial = data.length & (PAGE_SIZE - 1);
    if (partial !== 0 && !this.empty) {
      const last = this.bufs[this.bufs.length - 1];
      const end = last.offset + last.len;
      if (last.mergeable && end + partial <= PAGE_SIZE) {
        last.page.set(data.subarray(0, partial), end);
        last.len += partial;
        done = partial;
      }
    }
    while (done < data.length && !this.full) {
      const len = Math.min(PAGE_SIZE, data.length - done);
      const page = this.sparePages.pop() ?? new Uint8Array(PAGE_SIZE);
      page.set(data.subarray(done, done + len));
      this.bufs.push({ page, offset: 0, len, mergeable: !packet, packet });
      done += len;
    }
    if (done > 0) this.readQueue.wake(POLLIN | POLLRDNORM);
    return done;
  }

  /** F_SETPIPE_SZ: the new size in bytes, or -errno (pipe_set_size). */
  resize(size: number, privileged: boolean): number {
    if (size > 2 ** 31) return -EINVAL;
    const rounded = size < PAGE_SIZE ? PAGE_SIZE : 2 ** Math.ceil(Math.log2(size));
    const slots = rounded / PAGE_SIZE;
    if (slots > this.slots && rounded > PIPE_MAX_SIZE && !privileged) return -EPERM;
    if (slots < this.occupancy) return -EBUSY;
    this.slots = slots;
    this.writeQueue.wake(POLLOUT | POLLWRNORM);
    return slots * PAGE_SIZE;
  }

  /** A side lost its last file: wake everyone on both queues (pipe_release). */
  sideClosed(): void {
    this.readQueue.wake();
    this.writeQueue.wake();
  }

  private dropTail(): void {
    if (this.sparePages.length < this.slots) this.sparePages.push(this.bufs[this.tail].page);
    this.tail++;
    if (this.tail === this.bufs.length) {
      this.bufs.length = 0;
      this.tail = 0;
    } else if (this.tail >= 64 && this.tail * 2 >= this.bufs.length) {
      this.bufs.splice(0, this.tail);
      this.tail = 0;
    }
  }
}

/**
 * One open file on a pipe: an end of pipe(2) or an open of a FIFO. It counts as a reader and/or a
 * writer from its creation until its release.
 */
export class PipeEndOps implements FileOps {
  /**
   * The writer-open count at which POLLHUP is suppressed (Linux's f_pipe): a FIFO opened
   * O_RDONLY|O_NONBLOCK with no writer reports no hang-up until some writer has come.
   */
  hupSuppressedAt = 0;

  constructor(readonly pipe: Pipe, readonly reads: boolean, readonly writes: boolean) {
    pipe.files++;
    if (reads) pipe.readers++;
    if (writes) pipe.writers++;
  }

  read(_file: OpenFile, buf: Uint8Array, position: number | null): SyscallResult {
    const bad = noPosition(position);
    if (bad < 0) return bad;
    if (buf.length === 0) return 0;
    const n = this.pipe.read(buf);
    if (n > 0 || this.pipe.writers === 0) return n;
    return -EAGAIN;
  }

  readWait(file: OpenFile, length?: number): Promise<void> | null {
    const pipe = this.pipe;
    if (length === 0 || !pipe.empty || pipe.writers === 0 || file.flags & O_NONBLOCK) return null;
    return pipe.readQueue.wait();
  }

  readable(): number {
    return this.pipe.bytes;
  }

  write(file: OpenFile, data: Uint8Array, position: number | null): SyscallResult {
    const bad = noPosition(position);
    if (bad < 0) return bad;
    if (data.length === 0) return 0;
    if (this.pipe.readers === 0) return -EPIPE;
    const n = this.pipe.write(data, (file.flags & O_DIRECT) !== 0);
    if (n > 0) this.written(file);
    return n > 0 ? n : -EAGAIN;
  }

  writeWait(_file: OpenFile, _written: number): Promise<void> {
    const pipe = this.pipe;
    if (!pipe.full || pipe.readers === 0) return Promise.resolve();
    return pipe.writeQueue.wait();
  }

  /** Data went in through `file` (a FIFO's inode notes the time). */
  protected written(_file: OpenFile): void {}

  poll(_file: OpenFile): number {
    const pipe = this.pipe;
    let mask = 0;
    if (this.reads) {
      if (!pipe.empty) mask |= POLLIN | POLLRDNORM;
      if (pipe.writers === 0 && this.hupSuppressedAt !== pipe.writerOpens) mask |= POLLHUP;
    }
    if (this.writes) {
      if (!pipe.full) mask |= POLLOUT | POLLWRNORM;
      if (pipe.readers === 0) mask |= POLLERR;
    }
    return mask;
  }

  pollWatch(_file: OpenFile, wake: PollWaker): () => void {
    const offRead = this.reads ? this.pipe.readQueue.watch(wake) : null;
    const offWrite = this.writes ? this.pipe.writeQueue.watch(wake) : null;
    return () => {
      offRead?.();
      offWrite?.();
    };
  }

  ioctl(_file: OpenFile, request: number, arg: number, user: UserMemory): SyscallResult {
    if (request !== FIONREAD) return -ENOTTY;
    user.writeU32(arg, this.pipe.bytes);
    return 0;
  }

  stat(_file: OpenFile): FileStat {
    const pipe = this.pipe;
    return {
      dev: PIPEFS_DEV,
      ino: pipe.ino,
      mode: S_IFIFO | 0o600,
      nlink: 1,
      uid: pipe.uid,
      gid: pipe.gid,
      rdev: 0,
      size: 0,
      blksize: PAGE_SIZE,
      blocks: 0,
      atime: pipe.created,
      mtime: pipe.created,
      ctime: pipe.created,
    };
  }

  seekableSize(): null {
    return null;
  }

  /** /proc/<pid>/fd/N of a pipe leads to its pipefs inode (opening it reopens the pipe). */
  procFdPath(_file: OpenFile): Path | null {
    return pipeFsPath(this.pipe);
  }

  release(_file: OpenFile): void {
    const pipe = this.pipe;
    pipe.files--;
    if (this.reads) pipe.readers--;
    if (this.writes) pipe.writers--;
    if ((pipe.readers === 0) !== (pipe.writers === 0)) pipe.sideClosed();
  }
}

/** pipe2(): the read and write ends of a new pipe owned by `uid`/`gid` (O_NONBLOCK, O_DIRECT). */
export function createPipe(flags: number, uid: number, gid: number): [OpenFile, OpenFile] {
  const pipe = new Pipe(uid, gid);
  const name = `pipe:[${pipe.ino}]`;
  const reader = new OpenFile(
    new PipeEndOps(pipe, true, false),
    O_RDONLY | (flags & O_NONBLOCK),
    name,
  );
  const writer = new OpenFile(
    new PipeEndOps(pipe, false, true),
    O_WRONLY | (flags & (O_NONBLOCK | O_DIRECT)),
    name,
  );
  return [reader, writer];
}

/**
 * Open `pipe` again through its pipefs inode (/proc/<pid>/fd/N), as fifo_open does for a pipe:
 * never waiting, never ENXIO. `flags` are open(2)'s.
 */
export function reopenPipe(pipe: Pipe, flags: number): OpenFile {
  const access = flags & O_ACCMODE;
  if (access === O_ACCMODE) throw new SyscallError(EINVAL);
  const reads = access !== O_WRONLY, writes = access !== O_RDONLY;
  const lonely = (reads && pipe.readers === 0) || (writes && pipe.writers === 0);
  if (reads) pipe.readerOpens++;
  if (writes) pipe.writerOpens++;
  const file = new OpenFile(
    new PipeEndOps(pipe, reads, writes),
    flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY),
    `pipe:[${pipe.ino}]`,
  );
  if (lonely) pipe.readQueue.wake();
  return file;
}

/** F_GETPIPE_SZ and F_SETPIPE_SZ on `file` (EBADF when it is not a pipe or FIFO). */
export function pipeFcntl(file: OpenFile, cmd: number, arg: number, privileged: boolean): number {
  if (!(file.ops instanceof PipeEndOps)) return -EBADF;
  const pipe = file.ops.pipe;
  if (cmd === F_GETPIPE_SZ) return pipe.slots * PAGE_SIZE;
  if (cmd === F_SETPIPE_SZ) return pipe.resize(arg, privileged);
  return -EINVAL;
}
