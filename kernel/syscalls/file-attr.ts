// Syscalls that change or check a file's attributes: chmod family, chown family, utimensat and
// the older utime/utimes/futimesat, truncate/ftruncate, fallocate, access/faccessat(2). The
// permission rules are in kernel/fs/attributes.ts.

import {
  EBADF,
  EFAULT,
  EFBIG,
  EINVAL,
  EISDIR,
  ENODEV,
  ENOENT,
  EOPNOTSUPP,
  EROFS,
  ESPIPE,
} from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import { O_PATH } from "../files/open-file.ts";
import type { Credentials, Task } from "../proc/process.ts";
import { SyscallError } from "../syscall-error.ts";
import {
  changeMode,
  changeOwner,
  changeTimes,
  checkAccess,
  MAX_FILE_SIZE,
  removePrivileges,
  truncateInode,
  truncatePath,
} from "../fs/attributes.ts";
import type { Path } from "../fs/dentry.ts";
import { isDir, isReg, type Timespec } from "../fs/inode.ts";
import { AT_EACCESS, AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, lookupAt } from "../fs/vfs.ts";
import type { SyscallArgs, SyscallFamily } from "./args.ts";
import { getI64 } from "../le64.ts";

function at(kernel: Kernel, task: Task, dirfd: number, addr: number, flags: number): Path {
  const found = lookupAt(task, kernel.vfs, dirfd, task.proc.user.path(addr), flags);
  if (found === null) throw new SyscallError(ENOENT);
  return found;
}

function fdPath(task: Task, fd: number): Path {
  const file = task.proc.fds.get(fd);
  if (file === undefined || file.flags & O_PATH) throw new SyscallError(EBADF);
  if (file.location === null) throw new SyscallError(EBADF);
  return file.location;
}

function chmodAt(kernel: Kernel, task: Task, a: SyscallArgs, flags: number): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const p = at(kernel, task, a.int(0), a.u64(1), flags);
  if (flags & AT_SYMLINK_NOFOLLOW && (p.dentry.inode.mode & 0o170000) === 0o120000) {
    return -EOPNOTSUPP;
  }
  changeMode(p, a.uint(2), task.proc.creds);
  return 0;
}

function chownAt(task: Task, p: Path, a: SyscallArgs, first: number): number {
  changeOwner(p, a.int(first), a.int(first + 1), task.proc.creds);
  return 0;
}

/** struct timespec[2] (or null for "now") from user memory. */
function readTimespecs(task: Task, addr: number): [Timespec, Timespec] | null {
  if (addr === 0) return null;
  const b = task.proc.user.read(addr, 32);
  const dv = new DataView(b.buffer, b.byteOffset);
  const one = (o: number): Timespec => ({ sec: getI64(dv, o), nsec: getI64(dv, o + 8) });
  return [one(0), one(16)];
}

/** struct timeval[2] (utimes/futimesat): microseconds, validated like Linux. */
function readTimevals(task: Task, addr: number): [Timespec, Timespec] | null {
  if (addr === 0) return null;
  const b = task.proc.user.read(addr, 32);
  const dv = new DataView(b.buffer, b.byteOffset);
  const one = (o: number): Timespec => {
    const usec = getI64(dv, o + 8);
    if (usec < 0 || usec >= 1_000_000) throw new SyscallError(EINVAL);
    return { sec: getI64(dv, o), nsec: usec * 1000 };
  };
  return [one(0), one(16)];
}

function setTimes(
  kernel: Kernel,
  task: Task,
  dirfd: number,
  pathAddr: number,
  times: [Timespec, Timespec] | null,
  flags: number,
): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  let p: Path;
  if (pathAddr === 0) {
    // utimensat(fd, NULL, ...) is futimens.
    if (flags & AT_SYMLINK_NOFOLLOW) return -EINVAL;
    if (dirfd === AT_FDCWD) return -EFAULT;
    p = fdPath(task, dirfd);
  } else {
    p = at(kernel, task, dirfd, pathAddr, flags);
  }
  changeTimes(p, times, task.proc.creds);
  return 0;
}

function accessAt(
  kernel: Kernel,
  task: Task,
  dirfd: number,
  pathAddr: number,
  mode: number,
  flags: number,
) {
  if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  if (mode & ~7) return -EINVAL;
  const c = task.proc.creds;
  // Without AT_EACCESS the check uses the real ids, as if they were the filesystem ids.
  const creds: Credentials = flags & AT_EACCESS ? c : { ...c, fsuid: c.uid, fsgid: c.gid };
  const p = at(kernel, task, dirfd, pathAddr, flags & ~AT_EACCESS);
  checkAccess(p, mode, creds);
  return 0;
}

export const fileAttrSyscalls: SyscallFamily = {
  chmod(task, a, kernel) {
    changeMode(at(kernel, task, AT_FDCWD, a.u64(0), 0), a.uint(1), task.proc.creds);
    return 0;
  },
  fchmod(task, a) {
    changeMode(fdPath(task, a.int(0)), a.uint(1), task.proc.creds);
    return 0;
  },
  fchmodat(task, a, kernel) {
    changeMode(at(kernel, task, a.int(0), a.u64(1), 0), a.uint(2), task.proc.creds);
    return 0;
  },
  fchmodat2: (task, a, kernel) => chmodAt(kernel, task, a, a.int(3)),

  chown: (task, a, kernel) => chownAt(task, at(kernel, task, AT_FDCWD, a.u64(0), 0), a, 1),
  lchown: (task, a, kernel) =>
    chownAt(task, at(kernel, task, AT_FDCWD, a.u64(0), AT_SYMLINK_NOFOLLOW), a, 1),
  fchown: (task, a) => chownAt(task, fdPath(task, a.int(0)), a, 1),
  fchownat(task, a, kernel) {
    const flags = a.int(4);
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
    return chownAt(task, at(kernel, task, a.int(0), a.u64(1), flags), a, 2);
  },

  utimensat: (task, a, kernel) =>
    setTimes(kernel, task, a.int(0), a.u64(1), readTimespecs(task, a.u64(2)), a.int(3)),
  utimes: (task, a, kernel) =>
    setTimes(kernel, task, AT_FDCWD, a.u64(0), readTimevals(task, a.u64(1)), 0),
  futimesat: (task, a, kernel) =>
    setTimes(kernel, task, a.int(0), a.u64(1), readTimevals(task, a.u64(2)), 0),
  utime(task, a, kernel) {
    const addr = a.u64(1);
    let times: [Timespec, Timespec] | null = null;
    if (addr !== 0) {
      const b = task.proc.user.read(addr, 16);
      const dv = new DataView(b.buffer, b.byteOffset);
      times = [{ sec: getI64(dv, 0), nsec: 0 }, { sec: getI64(dv, 8), nsec: 0 }];
    }
    return setTimes(kernel, task, AT_FDCWD, a.u64(0), times, 0);
  },

  truncate(task, a, kernel) {
    const size = a.s64(1);
    if (size < 0) return -EINVAL;
    truncatePath(at(kernel, task, AT_FDCWD, a.u64(0), 0), size, task.proc.creds);
    return 0;
  },

  ftruncate(task, a) {
    const file = task.proc.fds.get(a.int(0));
    if (file === undefined || file.flags & O_PATH) return -EBADF;
    const size = a.s64(1);
    if (size < 0) return -EINVAL;
    const inode = file.inode;
    if (inode === null || !isReg(inode.mode) || !file.writableMode) return -EINVAL;
    if (file.location!.mount.readOnly) return -EROFS;
    removePrivileges(inode, task.proc.creds);
    truncateInode(inode, size);
    return 0;
  },

  fallocate(task, a) {
    const file = task.proc.fds.get(a.int(0));
    if (file === undefined) return -EBADF;
    const mode = a.int(1), offset = a.s64(2), length = a.s64(3);
    if (offset < 0 || length <= 0) return -EINVAL;
    if (!file.writableMode) return -EBADF;
    const inode = file.inode;
    if (inode === null) return -ESPIPE;
    if (isDir(inode.mode)) return -EISDIR;
    if (!isReg(inode.mode)) return -ENODEV;
    if (mode !== 0) return -EOPNOTSUPP;
    if (offset + length > MAX_FILE_SIZE) return -EFBIG;
    if (file.location!.mount.readOnly) return -EROFS;
    inode.allocate(offset, length);
    return 0;
  },

  access: (task, a, kernel) => accessAt(kernel, task, AT_FDCWD, a.u64(0), a.int(1), 0),
  faccessat: (task, a, kernel) => accessAt(kernel, task, a.int(0), a.u64(1), a.int(2), 0),
  faccessat2: (task, a, kernel) => accessAt(kernel, task, a.int(0), a.u64(1), a.int(2), a.int(3)),
};
