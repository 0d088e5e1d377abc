// File-lock syscalls: flock(2), and fcntl's record-lock commands (F_GETLK, F_SETLK, F_SETLKW and
// the open-file-description forms F_OFD_*), which file-io.ts's fcntl hands to fcntlLock. Decodes
// struct flock, applies Linux's argument checks in Linux's order, and leaves the lock state to
// kernel/fs/locks.ts.

import { EBADF, EINVAL } from "../errno.ts";
import {
  O_ACCMODE,
  O_PATH,
  O_RDONLY,
  O_RDWR,
  O_WRONLY,
  type OpenFile,
} from "../files/open-file.ts";
import {
  F_RDLCK,
  F_UNLCK,
  F_WRLCK,
  type LockWait,
  rangeOf,
  type RecordLock,
  reportedLength,
  setFlock,
  setRecordLock,
  testRecordLock,
} from "../fs/locks.ts";
import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/process.ts";
import { SyscallError } from "../syscall-error.ts";
import type { SyscallFamily } from "./args.ts";

export const F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7;
export const F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38;
const LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;
/** Removed in Linux 5.17: flock ignores any request with this bit and returns 0. */
const LOCK_MAND = 32;

/** struct flock (x86-64): l_type s16 @0, l_whence s16 @2, l_start s64 @8, l_len s64 @16, l_pid s32 @24. */
const FLOCK_SIZE = 32;

export function isLockCommand(cmd: number): boolean {
  return (cmd >= F_GETLK && cmd <= F_SETLKW) || (cmd >= F_OFD_GETLK && cmd <= F_OFD_SETLKW);
}

/** FMODE_READ / FMODE_WRITE: access mode 3 grants neither. */
function canRead(file: OpenFile): boolean {
  const mode = file.flags & O_ACCMODE;
  return mode === O_RDONLY || mode === O_RDWR;
}
function canWrite(file: OpenFile): boolean {
  const mode = file.flags & O_ACCMODE;
  return mode === O_WRONLY || mode === O_RDWR;
}

function interruptibleWait(kernel: Kernel, task: Task): LockWait {
  return (wake) => kernel.waitUnlessSignalled(task, wake);
}

/** The request a struct flock describes (flock64_to_posix_lock), owned by `owner`. */
function requestOf(
  file: OpenFile,
  view: DataView,
  owner: object,
  ofd: boolean,
  pid: number,
): RecordLock {
  const range = rangeOf(
    view.getInt16(2, true),
    view.getBigInt64(8, true),
    view.getBigInt64(16, true),
    file.offset,
    file.inode?.size ?? file.ops.seekableSize?.(file) ?? 0,
  );
  const type = view.getInt16(0, true);
  if (type !== F_RDLCK && type !== F_WRLCK && type !== F_UNLCK) throw new SyscallError(EINVAL);
  return { owner, ofd, type, ...range, pid };
}

/** fcntl's lock commands on `file`; `addr` points at the caller's struct flock. */
export function fcntlLock(
  kernel: Kernel,
  task: Task,
  file: OpenFile,
  cmd: number,
  addr: number,
): number | Promise<number> {
  if (file.flags & O_PATH) return -EBADF;
  const user = task.proc.user;
  const raw = user.read(addr, FLOCK_SIZE);
  const view = new DataView(raw.buffer, raw.byteOffset, FLOCK_SIZE);
  const ofd = cmd >= F_OFD_GETLK;
  const owner = ofd ? file : task.proc.fds;
  const pid = task.proc.pid;
  if (cmd === F_GETLK || cmd === F_OFD_GETLK) {
    const type = view.getInt16(0, true);
    if (cmd === F_GETLK && type !== F_RDLCK && type !== F_WRLCK) return -EINVAL;
    const request = requestOf(file, view, owner, ofd, pid);
    if (ofd && view.getInt32(24, true) !== 0) return -EINVAL;
    const found = testRecordLock(file, request);
    if (found === null) view.setInt16(0, F_UNLCK, true);
    else {
      view.setInt16(0, found.type, true);
      view.setInt16(2, 0, true);
      view.setBigInt64(8, found.start, true);
      view.setBigInt64(16, reportedLength(found), true);
      view.setInt32(24, found.ofd ? -1 : found.pid, true);
    }
    user.write(addr, raw);
    return 0;
  }
  const request = requestOf(file, view, owner, ofd, pid);
  if (request.type === F_RDLCK && !canRead(file)) return -EBADF;
  if (request.type === F_WRLCK && !canWrite(file)) return -EBADF;
  if (ofd && view.getInt32(24, true) !== 0) return -EINVAL;
  const waits = cmd === F_SETLKW || cmd === F_OFD_SETLKW;
  return setRecordLock(file, request, waits ? interruptibleWait(kernel, task) : null);
}

export const fileLockSyscalls: SyscallFamily = {
  flock(task, a, kernel) {
    const op = a.uint(1);
    if (op & LOCK_MAND) return 0;
    const action = op & ~LOCK_NB;
    const type = action === LOCK_SH
      ? F_RDLCK
      : action === LOCK_EX
      ? F_WRLCK
      : action === LOCK_UN
      ? F_UNLCK
      : -1;
    if (type < 0) return -EINVAL;
    const file = task.proc.fds.get(a.int(0));
    if (file === undefined || file.flags & O_PATH) return -EBADF;
    if (type !== F_UNLCK && !canRead(file) && !canWrite(file)) return -EBADF;
    const wait = op & LOCK_NB ? null : interruptibleWait(kernel, task);
    return setFlock(file, type, task.proc.pid, wait);
  },
};
