// Syscalls that describe files: stat, lstat, fstat, newfstatat, statx, readlink(at), and the
// umask. Paths resolve through the VFS (kernel/fs/vfs.ts lookupAt).

import { EBADF, EINVAL, ENOENT } from "../errno.ts";
import type { FileStat, OpenFile } from "../files/open-file.ts";
import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/process.ts";
import { SyscallError } from "../syscall-error.ts";
import type { SyscallFamily } from "./args.ts";
import { setI64 } from "../le64.ts";
import { statOfLocation } from "../fs/inode-file.ts";
import { isLnk, nameBytes } from "../fs/inode.ts";
import {
  AT_EMPTY_PATH,
  AT_FDCWD,
  AT_NO_AUTOMOUNT,
  AT_SYMLINK_NOFOLLOW,
  lookupAt,
} from "../fs/vfs.ts";
import type { Timespec } from "../fs/inode.ts";

const AT_STATX_SYNC_TYPE = 0x6000;
const STATX_BASIC_STATS = 0x7ff;
const STATX_BTIME = 0x800;
const STATX_RESERVED = 0x80000000;

const STATX_MNT_ID = 0x1000;
const STATX_ATTR_MOUNT_ROOT = 0x2000;

/** struct stat as x86-64 Linux lays it out (144 bytes). */
export function encodeStat(st: FileStat): Uint8Array {
  const b = new Uint8Array(144);
  const dv = new DataView(b.buffer);
  const u64 = (off: number, v: number) => setI64(dv, off, v);
  const time = (off: number, t: Timespec) => {
    u64(off, t.sec);
    u64(off + 8, t.nsec);
  };
  u64(0, st.dev);
  u64(8, st.ino);
  u64(16, st.nlink);
  dv.setUint32(24, st.mode, true);
  dv.setUint32(28, st.uid, true);
  dv.setUint32(32, st.gid, true);
  u64(40, st.rdev);
  u64(48, st.size);
  u64(56, st.blksize);
  u64(64, st.blocks);
  time(72, st.atime);
  time(88, st.mtime);
  time(104, st.ctime);
  return b;
}

/** Linux's new_encode_dev-style split of a dev_t into major and minor. */
function major(dev: number): number {
  return ((dev >>> 8) & 0xfff) | (Math.floor(dev / 2 ** 32) & ~0xfff);
}
function minor(dev: number): number {
  return (dev & 0xff) | ((dev >>> 12) & ~0xff);
}

/** struct statx (256 bytes) with the fields a file can report. */
export function encodeStatx(st: FileStat): Uint8Array {
  const b = new Uint8Array(256);
  const dv = new DataView(b.buffer);
  const u64 = (off: number, v: number) => setI64(dv, off, v);
  const time = (off: number, t: Timespec) => {
    u64(off, t.sec);
    dv.setUint32(off + 8, t.nsec, true);
  };
  const hasBtime = st.btime !== undefined && st.btime !== null;
  const mask = STATX_BASIC_STATS | (hasBtime ? STATX_BTIME : 0) |
    (st.mountId !== undefined ? STATX_MNT_ID : 0);
  dv.setUint32(0, mask, true);
  dv.setUint32(4, st.blksize, true);
  dv.setUint32(16, st.nlink, true);
  dv.setUint32(20, st.uid, true);
  dv.setUint32(24, st.gid, true);
  dv.setUint16(28, st.mode, true);
  u64(32, st.ino);
  u64(40, st.size);
  u64(48, st.blocks);
  u64(8, st.attributes ?? 0);
  u64(56, STATX_ATTR_MOUNT_ROOT);
  time(64, st.atime);
  if (hasBtime) time(80, st.btime!);
  time(96, st.ctime);
  time(112, st.mtime);
  dv.setUint32(128, major(st.rdev), true);
  dv.setUint32(132, minor(st.rdev), true);
  dv.setUint32(136, major(st.dev), true);
  dv.setUint32(140, minor(st.dev), true);
  if (st.mountId !== undefined) u64(144, st.mountId);
  return b;
}

function fdFile(task: Task, fd: number): OpenFile {
  const file = task.proc.fds.get(fd);
  if (file === undefined) throw new SyscallError(EBADF);
  return file;
}

function fileStat(file: OpenFile): FileStat {
  return file.location !== null ? statOfLocation(file.location) : file.ops.stat(file);
}

/** stat of (dirfd, path, flags): a path through the VFS, or with AT_EMPTY_PATH the fd itself. */
function statAt(
  kernel: Kernel,
  task: Task,
  dirfd: number,
  pathAddr: number,
  flags: number,
): FileStat {
  const path = task.proc.user.path(pathAddr);
  const at = lookupAt(task, kernel.vfs, dirfd, path, flags);
  if (at !== null) return statOfLocation(at);
  return fileStat(fdFile(task, dirfd));
}

function readlinkAt(
  kernel: Kernel,
  task: Task,
  dirfd: number,
  path: string,
  bufAddr: number,
  size: number,
): number {
  if (size <= 0) return -EINVAL;
  const at = lookupAt(
    task,
    kernel.vfs,
    dirfd,
    path,
    AT_SYMLINK_NOFOLLOW | (path === "" ? AT_EMPTY_PATH : 0),
  );
  if (at === null) return -ENOENT;
  const inode = at.dentry.inode;
  if (!isLnk(inode.mode)) return -EINVAL;
  const target = nameBytes(inode.readlink());
  const n = Math.min(size, target.length);
  task.proc.user.write(bufAddr, target.subarray(0, n));
  return n;
}

export const fileInfoSyscalls: SyscallFamily = {
  fstat(task, a) {
    task.proc.user.write(a.u64(1), encodeStat(fileStat(fdFile(task, a.int(0)))));
    return 0;
  },

  stat(task, a, kernel) {
    task.proc.user.write(a.u64(1), encodeStat(statAt(kernel, task, AT_FDCWD, a.u64(0), 0)));
    return 0;
  },

  lstat(task, a, kernel) {
    const st = statAt(kernel, task, AT_FDCWD, a.u64(0), AT_SYMLINK_NOFOLLOW);
    task.proc.user.write(a.u64(1), encodeStat(st));
    return 0;
  },

  newfstatat(task, a, kernel) {
    const flags = a.int(3);
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)) return -EINVAL;
    task.proc.user.write(a.u64(2), encodeStat(statAt(kernel, task, a.int(0), a.u64(1), flags)));
    return 0;
  },

  statx(task, a, kernel) {
    const flags = a.int(2), mask = a.uint(3);
    const allowed = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE;
    if (flags & ~allowed) return -EINVAL;
    if ((flags & AT_STATX_SYNC_TYPE) === AT_STATX_SYNC_TYPE) return -EINVAL;
    if (mask & STATX_RESERVED) return -EINVAL;
    const st = statAt(kernel, task, a.int(0), a.u64(1), flags);
    task.proc.user.write(a.u64(4), encodeStatx(st));
    return 0;
  },

  readlink(task, a, kernel) {
    const path = task.proc.user.path(a.u64(0));
    return readlinkAt(kernel, task, AT_FDCWD, path, a.u64(1), a.int(2));
  },

  readlinkat(task, a, kernel) {
    const path = task.proc.user.path(a.u64(1));
    return readlinkAt(kernel, task, a.int(0), path, a.u64(2), a.int(3));
  },

  umask(task, a) {
    const old = task.proc.umask;
    task.proc.umask = a.uint(0) & 0o777;
    return old;
  },
};
