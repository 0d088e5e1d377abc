// Open-file objects (Linux's struct file): what an fd points at. An OpenFile holds the status
// flags and the offset and delegates the work to its FileOps, which each kind of file (a host
// stdio stream today; tmpfs, ext2, pipes and devices later) implements. Results are a count or a
// negative errno, possibly asynchronous when the call must wait (a read from the terminal).

import { ESPIPE } from "../errno.ts";
import type { UserMemory } from "../mm/uaccess.ts";
import type { Path } from "../fs/dentry.ts";
import type { Inode, Timespec } from "../fs/inode.ts";
import type { PollWaker } from "./poll-mask.ts";

export const O_ACCMODE = 3;
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const O_ASYNC = 0o20000;
export const O_DIRECT = 0o40000;
export const O_LARGEFILE = 0o100000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;
/** Flags F_SETFL may change. */
export const SETFL_MASK = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

export {
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
} from "../fs/inode.ts";

/** What stat(2) reports, as plain numbers (times in nanoseconds since the epoch). */
export interface FileStat {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blksize: number;
  blocks: number;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
  btime?: Timespec | null;
  /** STATX_ATTR_* bits statx reports (e.g. STATX_ATTR_MOUNT_ROOT). */
  attributes?: number;
  mountId?: number;
}

export type SyscallResult = number | Promise<number>;

export interface FileOps {
  /** Read up to buf.length bytes at `position` (null: the stream has no position). */
  read?(file: OpenFile, buf: Uint8Array, position: number | null): SyscallResult;
  write?(file: OpenFile, data: Uint8Array, position: number | null): SyscallResult;
  ioctl?(file: OpenFile, request: number, arg: number, user: UserMemory): SyscallResult;
  stat(file: OpenFile): FileStat;
  /** Size for SEEK_END, or null when the file cannot seek (pipes, terminals: ESPIPE). */
  seekableSize?(file: OpenFile): number | null;
  /**
   * A device's own lseek (Linux's f_op->llseek), for files whose offset means nothing: returns
   * the new offset. Without it lseek moves the offset within seekableSize's rules.
   */
  llseek?(file: OpenFile, offset: number, whence: number): number;
  /** Bytes readable now without waiting (FIONREAD, and poll later). */
  readable?(file: OpenFile): number;
  /**
   * For files whose reads can wait: null when a read (of `length` bytes, when the caller knows)
   * would not wait, else a promise that resolves when it would not. The caller awaits it
   * interruptibly, then calls read().
   */
  readWait?(file: OpenFile, length?: number): Promise<void> | null;
  /**
   * For files whose writes can wait (pipes, FIFOs, eventfds): write() itself never waits; it takes
   * what fits now and returns -EAGAIN when nothing fits. Unless O_NONBLOCK, the caller then asks
   * writeWait with the bytes the last write() took (0 after -EAGAIN): null means the write is
   * complete as it is, a promise is awaited interruptibly before write() gets the rest. A signal
   * ends the call with the count so far (-ERESTARTSYS when nothing was written).
   */
  writeWait?(file: OpenFile, written: number): Promise<void> | null;
  /**
   * For opens that wait (a FIFO waiting for its other end): null when the open is complete, else
   * a promise to await interruptibly before asking again. An interrupted open puts the file.
   */
  openWait?(file: OpenFile): Promise<void> | null;
  /**
   * Readiness now: POLL* bits (files/poll-mask.ts), as Linux's f_op->poll. Without it a file is
   * always readable and writable to poll and select, and epoll_ctl refuses it (EPERM).
   */
  poll?(file: OpenFile): number;
  /**
   * Call `wake` synchronously whenever poll(file) may have changed, with the POLL* bits the change
   * concerns (0: any), until the returned function is called. Spurious calls are allowed; files
   * whose readiness never changes may leave it out. PollQueue.watch implements it.
   */
  pollWatch?(file: OpenFile, wake: PollWaker): () => void;
  /**
   * Where /proc/<pid>/fd/N leads for a file opened by no path (a pipe's pipefs inode), so that
   * opening the link opens the same object again; files with a location do not need it.
   */
  procFdPath?(file: OpenFile): Path | null;
  release?(file: OpenFile): void;
  /** mmap gives fresh zero-filled memory (/dev/zero); without it only regular files map. */
  mapsAnonymous?: boolean;
}

export class OpenFile {
  offset = 0;
  /** F_SETOWN / F_SETSIG: who gets SIGIO and which signal (kept for O_ASYNC, not yet raised). */
  owner = 0;
  ioSignal = 0;
  /** Where a file opened by path lives (null for pipes and host streams). */
  location: Path | null = null;
  /** Directory reading state (getdents64). */
  dirCursor: { entries: { name: string; ino: number; type: number }[]; pos: number } | null = null;
  /** Runs after the last reference is gone and ops.release ran (inode bookkeeping, locks). */
  onLastClose: (() => void) | null = null;
  private refs = 1;

  constructor(
    readonly ops: FileOps,
    /** Access mode and status flags (O_APPEND, O_NONBLOCK...). */
    public flags: number,
    /** The path it was opened by, for /proc/<pid>/fd and strace. */
    public path: string,
  ) {}

  get readableMode(): boolean {
    return (this.flags & O_ACCMODE) !== O_WRONLY;
  }
  get writableMode(): boolean {
    return (this.flags & O_ACCMODE) !== O_RDONLY;
  }
  get inode(): Inode | null {
    return this.location?.dentry.inode ?? null;
  }
  get seekable(): boolean {
    return this.ops.seekableSize !== undefined && this.ops.seekableSize(this) !== null;
  }

  hold(): OpenFile {
    this.refs++;
    return this;
  }

  /** Drop one reference (an fd closed); the last one releases the file. */
  put(): void {
    if (--this.refs === 0) {
      this.ops.release?.(this);
      this.onLastClose?.();
    }
  }
}

/** Helper for FileOps of streams: positioned I/O is ESPIPE. */
export function noPosition(position: number | null): number {
  return position === null ? 0 : -ESPIPE;
}
