// File-descriptor I/O syscalls: read, write, readv, writev, pread64, pwrite64, lseek, close,
// dup, dup2, dup3, fcntl and ioctl. They work on any OpenFile; which files exist is the VFS's
// business. User buffers are copied in and out through the process's UserMemory.

import {
  EAGAIN,
  EBADF,
  EINVAL,
  ENOTTY,
  ENXIO,
  EPIPE,
  ERESTARTSYS,
  ESPIPE,
  ESRCH,
} from "../errno.ts";
import { SIGPIPE } from "../signals/signals.ts";
import type { Kernel } from "../kernel.ts";
import {
  O_APPEND,
  O_CLOEXEC,
  O_NONBLOCK,
  O_PATH,
  type OpenFile,
  SETFL_MASK,
  type SyscallResult,
} from "../files/open-file.ts";
import type { Process, Task } from "../proc/process.ts";
import { SyscallError } from "../syscall-error.ts";
import { FIONBIO, FIONREAD } from "../files/stdio-file.ts";
import type { SyscallArgs, SyscallFamily } from "./args.ts";
import { getU64 } from "../le64.ts";
import { fcntlLock, isLockCommand } from "./file-locks.ts";
import { removePrivileges } from "../fs/attributes.ts";
import { F_GETPIPE_SZ, F_SETPIPE_SZ, pipeFcntl } from "../files/pipe.ts";

/** Linux caps one read or write at MAX_RW_COUNT bytes. */
const MAX_RW_COUNT = 0x7ffff000;
/** Bytes moved per step of a large transfer. */
const CHUNK = 1 << 20;
const UIO_MAXIOV = 1024;

export const F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4;
export const F_SETOWN = 8, F_GETOWN = 9, F_SETSIG = 10, F_GETSIG = 11;
export const F_DUPFD_CLOEXEC = 1030;
const FD_CLOEXEC = 1;
const FIONCLEX = 0x5450;
const FIOCLEX = 0x5451;

const SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4;

function fileFor(proc: Process, fd: number): OpenFile {
  const file = proc.fds.get(fd);
  if (file === undefined) throw new SyscallError(EBADF);
  return file;
}

/**
 * The kernel buffer for a read of `wanted` bytes: a stream (a pipe, the terminal) has only what
 * is readable now to give, so a 1 MiB read of a few bytes does not allocate 1 MiB.
 */
function readSize(file: OpenFile, wanted: number): number {
  const size = Math.min(wanted, MAX_RW_COUNT, CHUNK);
  if (file.seekable || file.ops.readable === undefined) return size;
  return Math.min(size, Math.max(1, file.ops.readable(file)));
}

/**
 * When a read of `length` bytes on `file` would wait, wait for it unless a signal comes first;
 * returns a promise of -ERESTARTSYS (interrupted) or of `then()`, or null when no wait is needed.
 */
function afterReadWait(
  kernel: Kernel,
  task: Task,
  file: OpenFile,
  length: number,
  then: () => SyscallResult,
): Promise<number> | null {
  const wait = file.ops.readWait?.(file, length) ?? null;
  if (wait === null) return null;
  return kernel.waitUnlessSignalled(task, wait).then((ready) => ready ? then() : -ERESTARTSYS);
}

/** Read into a kernel buffer, then copy out; `position` null uses and advances the offset. */
function doRead(
  kernel: Kernel,
  task: Task,
  file: OpenFile,
  addr: number,
  count: number,
  position: number | null,
): SyscallResult {
  if (!file.readableMode || file.ops.read === undefined) return -EBADF;
  const waiting = afterReadWait(
    kernel,
    task,
    file,
    count,
    () => doRead(kernel, task, file, addr, count, position),
  );
  if (waiting !== null) return waiting;
  const buf = new Uint8Array(readSize(file, count));
  const at = position ?? (file.seekable ? file.offset : null);
  const finish = (n: number) => {
    if (n > 0) {
      task.proc.user.write(addr, buf.subarray(0, n));
      if (position === null && at !== null) file.offset += n;
    }
    return n;
  };
  const result = file.ops.read(file, buf, at);
  return typeof result === "number" ? finish(result) : result.then(finish);
}

export function doWrite(
  kernel: Kernel,
  task: Task,
  file: OpenFile,
  data: Uint8Array,
  position: number | null,
): SyscallResult {
  if (!file.writableMode || file.ops.write === undefined) return -EBADF;
  const at = position ?? (file.seekable ? file.offset : null);
  const finish = (n: number) => {
    if (n > 0 && position === null && at !== null) {
      // O_APPEND wrote at the end, wherever the offset was.
      file.offset = file.flags & O_APPEND ? file.ops.seekableSize!(file)! : at + n;
    }
    if (n === -EPIPE) kernel.sendSignal(task, SIGPIPE); // the reader is gone
    return n;
  };
  if (file.inode !== null && data.length > 0) removePrivileges(file.inode, task.proc.creds);
  let result = file.ops.write(file, data, at);
  if (file.ops.writeWait !== undefined && typeof result === "number") {
    result = continueWrite(kernel, task, file, data, result);
  }
  return typeof result === "number" ? finish(result) : result.then(finish);
}

/**
 * The rest of a write to a file whose writes wait (FileOps.writeWait: pipes, eventfds), after the
 * first write() returned `first`: unless O_NONBLOCK, wait for room and write more until all is
 * written or writeWait says the write is complete. A signal or an error after some bytes went in
 * ends the call with their count (and a reader gone still raises SIGPIPE, as pipe_write does).
 */
function continueWrite(
  kernel: Kernel,
  task: Task,
  file: OpenFile,
  data: Uint8Array,
  first: number,
): SyscallResult {
  let done = 0;
  /** The call's result, or the promise to wait for before writing more. */
  const step = (n: number): number | Promise<void> => {
    if (n < 0 && n !== -EAGAIN) {
      if (n === -EPIPE && done > 0) kernel.sendSignal(task, SIGPIPE);
      return done > 0 ? done : n;
    }
    if (n > 0) done += n;
    if (done === data.length) return done;
    if (file.flags & O_NONBLOCK) return done > 0 ? done : n;
    return file.ops.writeWait!(file, Math.max(0, n)) ?? (done > 0 ? done : n);
  };
  const outcome = step(first);
  if (typeof outcome === "number") return outcome;
  return (async () => {
    for (let wait = outcome;;) {
      if (!await kernel.waitUnlessSignalled(task, wait)) return done > 0 ? done : -ERESTARTSYS;
      const next = step(await file.ops.write!(file, data.subarray(done), null));
      if (typeof next === "number") return next;
      wait = next;
    }
  })();
}

/** The iovec array at `addr`: [base, len] pairs, with Linux's count and total checks. */
function readIovecs(task: Task, addr: number, count: number): [number, number][] {
  if (count < 0 || count > UIO_MAXIOV) throw new SyscallError(EINVAL);
  const raw = task.proc.user.read(addr, count * 16);
  const dv = new DataView(raw.buffer);
  const out: [number, number][] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const base = getU64(dv, i * 16);
    const lenHigh = dv.getInt32(i * 16 + 12, true);
    if (lenHigh < 0) throw new SyscallError(EINVAL);
    const len = lenHigh * 2 ** 32 + dv.getUint32(i * 16 + 8, true);
    total += len;
    if (total > 2 ** 63) throw new SyscallError(EINVAL);
    out.push([base, len]);
  }
  return out;
}

function readv(
  kernel: Kernel,
  task: Task,
  a: SyscallArgs,
  position: number | null,
): SyscallResult {
  const file = fileFor(task.proc, a.int(0));
  const iov = readIovecs(task, a.u64(1), a.int(2));
  if (!file.readableMode || file.ops.read === undefined) return -EBADF;
  const wanted = iov.reduce((n, [, len]) => n + len, 0);
  const waiting = afterReadWait(kernel, task, file, wanted, () => readv(kernel, task, a, position));
  if (waiting !== null) return waiting;
  const total = readSize(file, wanted);
  for (const [base, len] of iov) task.proc.user.checkWritable(base, Math.min(len, total));
  const buf = new Uint8Array(total);
  const at = position ?? (file.seekable ? file.offset : null);
  const scatter = (n: number) => {
    if (n <= 0) return n;
    let done = 0;
    for (const [base, len] of iov) {
      if (done >= n) break;
      const take = Math.min(len, n - done);
      task.proc.user.write(base, buf.subarray(done, done + take));
      done += take;
    }
    if (position === null && at !== null) file.offset += n;
    return n;
  };
  const result = file.ops.read(file, buf, at);
  return typeof result === "number" ? scatter(result) : result.then(scatter);
}

function writev(
  kernel: Kernel,
  task: Task,
  a: SyscallArgs,
  position: number | null,
): SyscallResult {
  const file = fileFor(task.proc, a.int(0));
  const iov = readIovecs(task, a.u64(1), a.int(2));
  let total = 0;
  const parts: Uint8Array[] = [];
  for (const [base, len] of iov) {
    if (total >= MAX_RW_COUNT) break;
    const take = Math.min(len, MAX_RW_COUNT - total);
    if (take === 0) continue;
    parts.push(task.proc.user.read(base, take));
    total += take;
  }
  const data = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    data.set(p, o);
    o += p.length;
  }
  return doWrite(kernel, task, file, data, position);
}

function positioned(a: SyscallArgs, i: number): number {
  const offset = a.s64(i);
  if (offset < 0) throw new SyscallError(EINVAL);
  return offset;
}

function dupTo(task: Task, oldFd: number, newFd: number, cloexec: boolean): number {
  const fds = task.proc.fds;
  const file = fds.get(oldFd);
  if (file === undefined) return -EBADF;
  if (newFd < 0 || newFd >= fds.limit) return -EBADF;
  fds.installAt(newFd, file.hold(), cloexec);
  return newFd;
}

export const fileIoSyscalls: SyscallFamily = {
  read(task, a, kernel) {
    const file = fileFor(task.proc, a.int(0));
    return doRead(kernel, task, file, a.u64(1), a.u64(2), null);
  },

  write(task, a, kernel) {
    const file = fileFor(task.proc, a.int(0));
    if (!file.writableMode) return -EBADF;
    const count = Math.min(a.u64(2), MAX_RW_COUNT);
    return doWrite(kernel, task, file, task.proc.user.read(a.u64(1), count), null);
  },

  pread64(task, a, kernel) {
    const file = fileFor(task.proc, a.int(0));
    const offset = positioned(a, 3);
    if (!file.seekable) return file.readableMode ? -ESPIPE : -EBADF;
    return doRead(kernel, task, file, a.u64(1), a.u64(2), offset);
  },

  pwrite64(task, a, kernel) {
    const file = fileFor(task.proc, a.int(0));
    const offset = positioned(a, 3);
    if (!file.writableMode) return -EBADF;
    if (!file.seekable) return -ESPIPE;
    const count = Math.min(a.u64(2), MAX_RW_COUNT);
    return doWrite(kernel, task, file, task.proc.user.read(a.u64(1), count), offset);
  },

  readv: (task, a, kernel) => readv(kernel, task, a, null),
  writev: (task, a, kernel) => writev(kernel, task, a, null),
  preadv(task, a, kernel) {
    const file = fileFor(task.proc, a.int(0));
    if (!file.seekable) return -ESPIPE;
    return readv(kernel, task, a, positioned(a, 3));
  },
  pwritev(task, a, kernel) {
    const file = fileFor(task.proc, a.int(0));
    if (!file.seekable) return -ESPIPE;
    return writev(kernel, task, a, positioned(a, 3));
  },

  lseek(task, a) {
    const file = fileFor(task.proc, a.int(0));
    if (file.flags & O_PATH) return -EBADF;
    const offset = a.s64(1), whence = a.uint(2);
    if (file.ops.llseek !== undefined) return file.ops.llseek(file, offset, whence);
    const size = file.ops.seekableSize?.(file) ?? null;
    if (size === null) return -ESPIPE;
    let target: number;
    if (whence === SEEK_SET) target = offset;
    else if (whence === SEEK_CUR) target = file.offset + offset;
    else if (whence === SEEK_END) target = size + offset;
    else if (whence === SEEK_DATA || whence === SEEK_HOLE) {
      const inode = file.inode;
      if (offset < 0 || offset >= size) return -ENXIO;
      if (inode === null) target = whence === SEEK_DATA ? offset : size;
      else {
        target = whence === SEEK_DATA ? inode.nextData(offset) : inode.nextHole(offset);
        if (target < 0) return -ENXIO;
      }
    } else return -EINVAL;
    if (target < 0) return -EINVAL;
    file.offset = target;
    return target;
  },

  close(task, a) {
    return task.proc.fds.close(a.int(0));
  },

  dup(task, a) {
    const file = task.proc.fds.get(a.int(0));
    if (file === undefined) return -EBADF;
    return task.proc.fds.install(file.hold(), false);
  },

  dup2(task, a) {
    const oldFd = a.int(0), newFd = a.int(1);
    if (oldFd === newFd) return task.proc.fds.get(oldFd) === undefined ? -EBADF : newFd;
    return dupTo(task, oldFd, newFd, false);
  },

  dup3(task, a) {
    const oldFd = a.int(0), newFd = a.int(1), flags = a.int(2);
    if (flags & ~O_CLOEXEC) return -EINVAL;
    if (oldFd === newFd) return -EINVAL;
    return dupTo(task, oldFd, newFd, (flags & O_CLOEXEC) !== 0);
  },

  fcntl(task, a, kernel) {
    const fd = a.int(0), cmd = a.int(1);
    const fds = task.proc.fds;
    const file = fileFor(task.proc, fd);
    // An O_PATH descriptor only duplicates and reports its flags (Linux's check_fcntl_cmd).
    const pathSafe = [F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL];
    if (file.flags & O_PATH && !pathSafe.includes(cmd)) return -EBADF;
    switch (cmd) {
      case F_DUPFD:
      case F_DUPFD_CLOEXEC: {
        const min = a.int(2);
        if (min < 0 || min >= fds.limit) return -EINVAL;
        return fds.install(file.hold(), cmd === F_DUPFD_CLOEXEC, min);
      }
      case F_GETFD:
        return fds.cloexec(fd) ? FD_CLOEXEC : 0;
      case F_SETFD:
        fds.setCloexec(fd, (a.int(2) & FD_CLOEXEC) !== 0);
        return 0;
      case F_GETFL:
        return file.flags;
      case F_SETFL:
        file.flags = (file.flags & ~SETFL_MASK) | (a.int(2) & SETFL_MASK);
        return 0;
      case F_GETOWN:
        return file.owner;
      case F_SETOWN: {
        // A pid, or minus a process group; it must exist.
        const owner = a.int(2);
        const exists = owner === 0 ||
          [...kernel.processes.values()].some((p) =>
            owner > 0 ? p.pid === owner : p.pgid === -owner
          );
        if (!exists) return -ESRCH;
        file.owner = owner;
        return 0;
      }
      case F_GETSIG:
        return file.ioSignal;
      case F_SETSIG: {
        const sig = a.int(2);
        if (sig < 0 || sig > 64) return -EINVAL;
        file.ioSignal = sig;
        return 0;
      }
    }
    if (isLockCommand(cmd)) return fcntlLock(kernel, task, file, cmd, a.u64(2));
    if (cmd === F_GETPIPE_SZ || cmd === F_SETPIPE_SZ) {
      return pipeFcntl(file, cmd, a.uint(2), task.proc.creds.euid === 0);
    }
    return -EINVAL;
  },

  ioctl(task, a) {
    const file = fileFor(task.proc, a.int(0));
    if (file.flags & O_PATH) return -EBADF;
    const request = a.uint(1), arg = a.u64(2);
    const user = task.proc.user;
    switch (request) {
      case FIONBIO: {
        const on = user.i32(arg) !== 0;
        file.flags = on ? file.flags | O_NONBLOCK : file.flags & ~O_NONBLOCK;
        return 0;
      }
      case FIOCLEX:
      case FIONCLEX:
        task.proc.fds.setCloexec(a.int(0), request === FIOCLEX);
        return 0;
      case FIONREAD: {
        // A regular file reports what lies between the offset and the end (Linux's do_vfs_ioctl).
        const inode = file.inode;
        if (inode === null || (inode.mode & 0o170000) !== 0o100000) break;
        user.writeU32(arg, Math.max(0, Math.min(2 ** 31 - 1, inode.size - file.offset)));
        return 0;
      }
    }
    if (file.ops.ioctl === undefined) return -ENOTTY;
    return file.ops.ioctl(file, request, arg, user);
  },
};
