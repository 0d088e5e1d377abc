// Syscalls that describe files and the process's place among them: fstat, newfstatat, statx,
// readlink, readlinkat, getcwd, umask. Until the VFS exists only open fds (AT_EMPTY_PATH) and
// /proc/self/exe resolve; every other path is ENOENT.

import { EBADF, EINVAL, ENOENT, ERANGE } from "../errno.ts";
import type { FileStat, OpenFile } from "../files/open-file.ts";
import type { Task } from "../proc/process.ts";
import { SyscallError } from "../syscall-error.ts";
import type { SyscallFamily } from "./args.ts";
import { setI64 } from "../le64.ts";

export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_NO_AUTOMOUNT = 0x800;
export const AT_EMPTY_PATH = 0x1000;
const AT_STATX_SYNC_TYPE = 0x6000;
const STATX_BASIC_STATS = 0x7ff;
const STATX_BTIME = 0x800;
const STATX_RESERVED = 0x80000000;
const PATH_MAX = 4096;

const NS = 1e9;

/** struct stat as x86-64 Linux lays it out (144 bytes). */
export function encodeStat(st: FileStat): Uint8Array {
  const b = new Uint8Array(144);
  const dv = new DataView(b.buffer);
  const u64 = (off: number, v: number) => setI64(dv, off, v);
  const time = (off: number, ns: number) => {
    u64(off, Math.floor(ns / NS));
    u64(off + 8, ns % NS);
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
  time(72, st.atimeNs);
  time(88, st.mtimeNs);
  time(104, st.ctimeNs);
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
  const time = (off: number, ns: number) => {
    u64(off, Math.floor(ns / NS));
    dv.setUint32(off + 8, ns % NS, true);
  };
  const mask = STATX_BASIC_STATS | (st.btimeNs !== undefined ? STATX_BTIME : 0);
  dv.setUint32(0, mask, true);
  dv.setUint32(4, st.blksize, true);
  dv.setUint32(16, st.nlink, true);
  dv.setUint32(20, st.uid, true);
  dv.setUint32(24, st.gid, true);
  dv.setUint16(28, st.mode, true);
  u64(32, st.ino);
  u64(40, st.size);
  u64(48, st.blocks);
  time(64, st.atimeNs);
  if (st.btimeNs !== undefined) time(80, st.btimeNs);
  time(96, st.ctimeNs);
  time(112, st.mtimeNs);
  dv.setUint32(128, major(st.rdev), true);
  dv.setUint32(132, minor(st.rdev), true);
  dv.setUint32(136, major(st.dev), true);
  dv.setUint32(140, minor(st.dev), true);
  return b;
}

function fdFile(task: Task, fd: number): OpenFile {
  const file = task.proc.fds.get(fd);
  if (file === undefined) throw new SyscallError(EBADF);
  return file;
}

/** The file a (dirfd, path, flags) triple names; only fds (AT_EMPTY_PATH) exist so far. */
function lookupAt(task: Task, dirfd: number, pathAddr: number, flags: number): OpenFile {
  const path = task.proc.user.cString(pathAddr, PATH_MAX);
  if (path === "") {
    if (!(flags & AT_EMPTY_PATH)) throw new SyscallError(ENOENT);
    if (dirfd === AT_FDCWD) throw new SyscallError(ENOENT);
    return fdFile(task, dirfd);
  }
  throw new SyscallError(ENOENT);
}

function readlinkPath(task: Task, path: string, bufAddr: number, size: number): number {
  if (size <= 0) return -EINVAL;
  if (path !== "/proc/self/exe" && path !== `/proc/${task.proc.pid}/exe`) return -ENOENT;
  const target = new TextEncoder().encode(task.proc.exePath);
  const n = Math.min(size, target.length);
  task.proc.user.write(bufAddr, target.subarray(0, n));
  return n;
}

export const fileInfoSyscalls: SyscallFamily = {
  fstat(task, a) {
    const file = fdFile(task, a.int(0));
    task.proc.user.write(a.u64(1), encodeStat(file.ops.stat(file)));
    return 0;
  },

  newfstatat(task, a) {
    const flags = a.int(3);
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)) return -EINVAL;
    const file = lookupAt(task, a.int(0), a.u64(1), flags);
    task.proc.user.write(a.u64(2), encodeStat(file.ops.stat(file)));
    return 0;
  },

  statx(task, a) {
    const flags = a.int(2), mask = a.uint(3);
    const allowed = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE;
    if (flags & ~allowed) return -EINVAL;
    if ((flags & AT_STATX_SYNC_TYPE) === AT_STATX_SYNC_TYPE) return -EINVAL;
    if (mask & STATX_RESERVED) return -EINVAL;
    const file = lookupAt(task, a.int(0), a.u64(1), flags);
    task.proc.user.write(a.u64(4), encodeStatx(file.ops.stat(file)));
    return 0;
  },

  readlink(task, a) {
    const path = task.proc.user.cString(a.u64(0), PATH_MAX);
    return readlinkPath(task, path, a.u64(1), a.int(2));
  },

  readlinkat(task, a) {
    const path = task.proc.user.cString(a.u64(1), PATH_MAX);
    if (path === "") return -ENOENT;
    return readlinkPath(task, path, a.u64(2), a.int(3));
  },

  getcwd(task, a) {
    const cwd = new TextEncoder().encode(task.proc.cwd + "\0");
    if (a.u64(1) < cwd.length) return -ERANGE;
    task.proc.user.write(a.u64(0), cwd);
    return cwd.length;
  },

  umask(task, a) {
    const old = task.proc.umask;
    task.proc.umask = a.uint(0) & 0o777;
    return old;
  },
};
