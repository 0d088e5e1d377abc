// The host side of hostfs: Linux x86-64 syscalls made through Deno FFI (libc's `syscall`, with
// errno from `__errno_location`), and the one confined path resolution every hostfs operation
// starts from: openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
// RESOLVE_NO_XDEV, so no path, symlink, mount point or concurrent rename can lead outside the
// directory the walk starts in. Paths and names are latin1 strings (one char per byte).

import { EINVAL, ENAMETOOLONG, ENOSYS } from "../../errno.ts";
import { SyscallError } from "../../syscall-error.ts";
import type { Timespec } from "../inode.ts";
import type { StatFs } from "../filesystem.ts";
// The host is x86-64 Linux too: its flag values are the guest ABI's, defined once in the kernel.
export {
  AT_EMPTY_PATH,
  AT_FDCWD,
  AT_REMOVEDIR,
  AT_SYMLINK_NOFOLLOW,
  RESOLVE_BENEATH,
  RESOLVE_NO_MAGICLINKS,
  RESOLVE_NO_SYMLINKS,
  RESOLVE_NO_XDEV,
} from "../vfs.ts";
export {
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOCTTY,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_PATH,
  O_RDONLY,
  O_RDWR,
  O_WRONLY,
} from "../../files/open-file.ts";
export { RENAME_EXCHANGE } from "../namespace.ts";
import {
  AT_EMPTY_PATH,
  AT_SYMLINK_NOFOLLOW,
  RESOLVE_BENEATH,
  RESOLVE_NO_MAGICLINKS,
  RESOLVE_NO_SYMLINKS,
  RESOLVE_NO_XDEV,
} from "../vfs.ts";
import { O_CLOEXEC, O_PATH } from "../../files/open-file.ts";

const SYS_CLOSE = 3;
const SYS_LSEEK = 8;
const SYS_PREAD64 = 17;
const SYS_PWRITE64 = 18;
const SYS_FSYNC = 74;
const SYS_FDATASYNC = 75;
const SYS_FTRUNCATE = 77;
const SYS_FCHMOD = 91;
const SYS_FSTATFS = 138;
const SYS_GETDENTS64 = 217;
const SYS_OPENAT = 257;
const SYS_MKDIRAT = 258;
const SYS_MKNODAT = 259;
const SYS_FCHOWNAT = 260;
const SYS_UNLINKAT = 263;
const SYS_LINKAT = 265;
const SYS_SYMLINKAT = 266;
const SYS_READLINKAT = 267;
const SYS_UTIMENSAT = 280;
const SYS_FALLOCATE = 285;
const SYS_SYNCFS = 306;
const SYS_RENAMEAT2 = 316;
const SYS_STATX = 332;
const SYS_OPENAT2 = 437;
const SYS_FCHMODAT2 = 452;

/** What every hostfs path walk uses: stay beneath the start directory, on its mount, no links. */
export const RESOLVE_CONFINED = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
  RESOLVE_NO_XDEV;

export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;
const UTIME_OMIT = (1 << 30) - 2;
const PATH_MAX = 4096;
const EAGAIN_HOST = 11;

/** What statx reports about one host file (the fields hostfs uses). */
export interface HostStat {
  devMajor: number;
  devMinor: number;
  ino: bigint;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  blocks: number;
  rdevMajor: number;
  rdevMinor: number;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
  btime: Timespec | null;
}

/** struct statfs of the host: the same fields the guest's statfs reports. */
export type HostStatFs = StatFs;

const STATX_BASIC_STATS = 0x7ff;
const STATX_BTIME = 0x800;

const libcSymbols = {
  syscall: {
    parameters: ["i64", "i64", "i64", "i64", "i64", "i64", "i64"],
    result: "i64",
  },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

type Arg = number | bigint;

/** A NUL-terminated copy of a latin1 string; EINVAL if it holds a NUL, ENAMETOOLONG past PATH_MAX. */
export function cString(path: string): Uint8Array {
  if (path.length >= PATH_MAX) throw new SyscallError(ENAMETOOLONG);
  const out = new Uint8Array(path.length + 1);
  for (let i = 0; i < path.length; i++) {
    const code = path.charCodeAt(i);
    if (code === 0 || code > 0xff) throw new SyscallError(EINVAL);
    out[i] = code;
  }
  return out;
}

function address(buf: Uint8Array | BigUint64Array | BigInt64Array): Arg {
  return Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf));
}

function timespecAt(view: DataView, offset: number): Timespec {
  return {
    sec: Number(view.getBigInt64(offset, true)),
    nsec: view.getUint32(offset + 8, true),
  };
}

/** The Linux syscalls hostfs needs. Every method throws SyscallError(host errno) on failure. */
export class HostCalls {
  private readonly errnoView: Deno.UnsafePointerView;
  private readonly statxBuffer = new Uint8Array(256);
  private readonly openHow = new BigUint64Array(3);

  private constructor(private readonly libc: Deno.DynamicLibrary<typeof libcSymbols>) {
    const errnoPointer = libc.symbols.__errno_location();
    if (errnoPointer === null) throw new Error("libc gave no errno location");
    this.errnoView = new Deno.UnsafePointerView(errnoPointer);
  }

  /** Open libc; throws an Error with a one-line reason when the host cannot do hostfs. */
  static load(): HostCalls {
    if (Deno.build.os !== "linux" || Deno.build.arch !== "x86_64") {
      throw new Error(
        `hostfs needs an x86-64 Linux host (this is ${Deno.build.os}/${Deno.build.arch})`,
      );
    }
    let libc: Deno.DynamicLibrary<typeof libcSymbols>;
    try {
      libc = Deno.dlopen("libc.so.6", libcSymbols);
    } catch (error) {
      if (
        error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
      ) {
        throw new Error("hostfs needs FFI permission (run deno with --allow-ffi)");
      }
      throw new Error(`hostfs cannot load libc.so.6: ${(error as Error).message}`);
    }
    return new HostCalls(libc);
  }

  close(): void {
    this.libc.close();
  }

  /** The raw syscall: its result, or -errno. */
  private call(nr: number, a: Arg = 0, b: Arg = 0, c: Arg = 0, d: Arg = 0, e: Arg = 0): number {
    const result = this.libc.symbols.syscall(
      BigInt(nr),
      BigInt(a),
      BigInt(b),
      BigInt(c),
      BigInt(d),
      BigInt(e),
      0n,
    );
    if (result === -1n) return -this.errnoView.getInt32();
    return Number(result);
  }

  private check(result: number): number {
    if (result < 0) throw new SyscallError(-result);
    return result;
  }

  /** openat2 with `resolve` flags; retries the EAGAIN a concurrent rename can cause. */
  openat2(dirfd: number, path: string, flags: number, mode: number, resolve: number): number {
    const pathBytes = cString(path);
    for (let attempt = 0;; attempt++) {
      this.openHow[0] = BigInt(flags);
      this.openHow[1] = BigInt(mode);
      this.openHow[2] = BigInt(resolve);
      const fd = this.call(SYS_OPENAT2, dirfd, address(pathBytes), address(this.openHow), 24);
      if (fd !== -EAGAIN_HOST || attempt >= 16) return this.check(fd);
    }
  }

  /** Plain openat: only for the mount directory itself, which the user names on the host. */
  openat(dirfd: number, path: string, flags: number, mode: number): number {
    const pathBytes = cString(path);
    return this.check(this.call(SYS_OPENAT, dirfd, address(pathBytes), flags, mode));
  }

  closeFd(fd: number): void {
    this.call(SYS_CLOSE, fd);
  }

  statx(dirfd: number, path: string, flags: number): HostStat {
    const pathBytes = cString(path);
    const buf = this.statxBuffer;
    this.check(
      this.call(
        SYS_STATX,
        dirfd,
        address(pathBytes),
        flags,
        STATX_BASIC_STATS | STATX_BTIME,
        address(buf),
      ),
    );
    const view = new DataView(buf.buffer);
    const mask = view.getUint32(0, true);
    return {
      nlink: view.getUint32(16, true),
      uid: view.getUint32(20, true),
      gid: view.getUint32(24, true),
      mode: view.getUint16(28, true),
      ino: view.getBigUint64(32, true),
      size: Number(view.getBigUint64(40, true)),
      blocks: Number(view.getBigUint64(48, true)),
      atime: timespecAt(view, 64),
      btime: mask & STATX_BTIME ? timespecAt(view, 80) : null,
      ctime: timespecAt(view, 96),
      mtime: timespecAt(view, 112),
      rdevMajor: view.getUint32(128, true),
      rdevMinor: view.getUint32(132, true),
      devMajor: view.getUint32(136, true),
      devMinor: view.getUint32(140, true),
    };
  }

  /** statx of an open fd (O_PATH fds included). */
  fstat(fd: number): HostStat {
    return this.statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
  }

  mkdirat(dirfd: number, name: string, mode: number): void {
    this.check(this.call(SYS_MKDIRAT, dirfd, address(cString(name)), mode));
  }

  mknodat(dirfd: number, name: string, mode: number, dev: number): void {
    this.check(this.call(SYS_MKNODAT, dirfd, address(cString(name)), mode, dev));
  }

  unlinkat(dirfd: number, name: string, flags: number): void {
    this.check(this.call(SYS_UNLINKAT, dirfd, address(cString(name)), flags));
  }

  renameat2(
    oldDirfd: number,
    oldName: string,
    newDirfd: number,
    newName: string,
    flags: number,
  ): void {
    const oldBytes = cString(oldName), newBytes = cString(newName);
    this.check(
      this.call(SYS_RENAMEAT2, oldDirfd, address(oldBytes), newDirfd, address(newBytes), flags),
    );
  }

  linkat(
    oldDirfd: number,
    oldName: string,
    newDirfd: number,
    newName: string,
    flags: number,
  ): void {
    const oldBytes = cString(oldName), newBytes = cString(newName);
    this.check(
      this.call(SYS_LINKAT, oldDirfd, address(oldBytes), newDirfd, address(newBytes), flags),
    );
  }

  symlinkat(target: string, dirfd: number, name: string): void {
    const targetBytes = cString(target), nameBytes = cString(name);
    this.check(this.call(SYS_SYMLINKAT, address(targetBytes), dirfd, address(nameBytes)));
  }

  /** The link's target bytes (readlinkat never follows the final component). */
  readlinkat(dirfd: number, name: string): Uint8Array {
    const nameBytes = cString(name);
    const buf = new Uint8Array(PATH_MAX);
    const length = this.check(
      this.call(SYS_READLINKAT, dirfd, address(nameBytes), address(buf), buf.length),
    );
    return buf.slice(0, length);
  }

  /** fchmodat2 (Linux 6.6+), which honours AT_SYMLINK_NOFOLLOW; ENOSYS on older kernels. */
  fchmodat2(dirfd: number, name: string, mode: number, flags: number): void {
    this.check(this.call(SYS_FCHMODAT2, dirfd, address(cString(name)), mode, flags));
  }

  fchmod(fd: number, mode: number): void {
    this.check(this.call(SYS_FCHMOD, fd, mode));
  }

  /** uid/gid -1 leave that id unchanged. */
  fchownat(dirfd: number, name: string, uid: number, gid: number, flags: number): void {
    this.check(this.call(SYS_FCHOWNAT, dirfd, address(cString(name)), uid, gid, flags));
  }

  /** Set atime and/or mtime (null: leave it). */
  utimensat(
    dirfd: number,
    name: string,
    atime: Timespec | null,
    mtime: Timespec | null,
    flags: number,
  ): void {
    const times = new BigInt64Array(4);
    times[0] = BigInt(atime ? atime.sec : 0);
    times[1] = BigInt(atime ? atime.nsec : UTIME_OMIT);
    times[2] = BigInt(mtime ? mtime.sec : 0);
    times[3] = BigInt(mtime ? mtime.nsec : UTIME_OMIT);
    this.check(this.call(SYS_UTIMENSAT, dirfd, address(cString(name)), address(times), flags));
  }

  pread(fd: number, buf: Uint8Array, offset: number): number {
    if (buf.length === 0) return 0;
    return this.check(this.call(SYS_PREAD64, fd, address(buf), buf.length, offset));
  }

  pwrite(fd: number, data: Uint8Array, offset: number): number {
    if (data.length === 0) return 0;
    return this.check(this.call(SYS_PWRITE64, fd, address(data), data.length, offset));
  }

  ftruncate(fd: number, size: number): void {
    this.check(this.call(SYS_FTRUNCATE, fd, size));
  }

  fallocate(fd: number, mode: number, offset: number, length: number): void {
    this.check(this.call(SYS_FALLOCATE, fd, mode, offset, length));
  }

  lseek(fd: number, offset: number, whence: number): number {
    return this.check(this.call(SYS_LSEEK, fd, offset, whence));
  }

  fsync(fd: number, dataOnly: boolean): void {
    this.check(this.call(dataOnly ? SYS_FDATASYNC : SYS_FSYNC, fd));
  }

  syncfs(fd: number): void {
    this.check(this.call(SYS_SYNCFS, fd));
  }

  fstatfs(fd: number): HostStatFs {
    const buf = new Uint8Array(120);
    this.check(this.call(SYS_FSTATFS, fd, address(buf)));
    const view = new DataView(buf.buffer);
    const field = (index: number) => Number(view.getBigUint64(index * 8, true));
    return {
      type: field(0),
      bsize: field(1),
      blocks: field(2),
      bfree: field(3),
      bavail: field(4),
      files: field(5),
      ffree: field(6),
      namelen: field(8),
      frsize: field(9),
      flags: field(10),
    };
  }

  /** Fill `buf` with linux_dirent64 records; 0 at the end of the directory. */
  getdents64(fd: number, buf: Uint8Array): number {
    return this.check(this.call(SYS_GETDENTS64, fd, address(buf), buf.length));
  }

  /** ENOSYS when this kernel has no openat2 (before Linux 5.6). */
  probeOpenat2(rootfd: number): void {
    const fd = this.call(
      SYS_OPENAT2,
      rootfd,
      address(cString(".")),
      address(this.howFor(O_PATH)),
      24,
    );
    if (fd === -ENOSYS) throw new SyscallError(ENOSYS);
    this.closeFd(this.check(fd));
  }

  private howFor(flags: number): BigUint64Array {
    this.openHow[0] = BigInt(flags | O_CLOEXEC);
    this.openHow[1] = 0n;
    this.openHow[2] = BigInt(RESOLVE_CONFINED);
    return this.openHow;
  }
}

let shared: HostCalls | null = null;

/** The process-wide HostCalls (libc stays loaded once opened). Throws Error if unavailable. */
export function hostCalls(): HostCalls {
  shared ??= HostCalls.load();
  return shared;
}
