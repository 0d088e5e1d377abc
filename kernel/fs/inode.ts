// The inode contract every filesystem implements (Linux's struct inode + inode_operations +
// file data operations, folded into one class). The VFS does path walking, permission checks,
// existence checks and locking; an Inode only stores and retrieves. Errors are thrown as
// SyscallError(errno): EIO for a corrupt image, ENOSPC, EROFS, ENAMETOOLONG, EMLINK...

import { EINVAL, EISDIR, ENOTDIR } from "../errno.ts";
import { SyscallError } from "../syscall-error.ts";
import type { FileSystem } from "./filesystem.ts";
import type { Path } from "./dentry.ts";

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;

/** d_type values of getdents64. */
export const DT_UNKNOWN = 0, DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_BLK = 6, DT_REG = 8;
export const DT_LNK = 10, DT_SOCK = 12;

export function dtypeOf(mode: number): number {
  return (mode & S_IFMT) >>> 12;
}

export const isDir = (mode: number) => (mode & S_IFMT) === S_IFDIR;
export const isReg = (mode: number) => (mode & S_IFMT) === S_IFREG;
export const isLnk = (mode: number) => (mode & S_IFMT) === S_IFLNK;

export interface Timespec {
  sec: number;
  nsec: number;
}

/** The current wall-clock time, to the microsecond the host gives plus a nanosecond tail. */
export function currentTime(): Timespec {
  const ms = performance.timeOrigin + performance.now();
  const sec = Math.floor(ms / 1000);
  return { sec, nsec: Math.min(999_999_999, Math.floor((ms - sec * 1000) * 1e6)) };
}

export interface DirEntry {
  name: string;
  ino: number;
  /** DT_* */
  type: number;
}

/** Linux's makedev / major / minor (the 64-bit new encoding glibc uses). */
export function makedev(major: number, minor: number): number {
  return (major & 0xfff) * 0x100 + (minor & 0xff) + Math.floor(minor / 0x100) * 0x100000 +
    Math.floor(major / 0x1000) * 0x1000 * 2 ** 32;
}
export function devMajor(dev: number): number {
  return Math.floor(dev / 0x100) % 0x1000 + Math.floor(dev / 2 ** 44) * 0x1000;
}
export function devMinor(dev: number): number {
  return (dev % 0x100) + (Math.floor((dev % 2 ** 32) / 0x1000) & 0xfffff00);
}

/**
 * One file, directory, symlink or device node of a filesystem. Attribute fields are public: the
 * VFS changes mode/uid/gid/times/size-by-truncate through them and then calls markDirty() so the
 * filesystem writes the inode back. Directory methods receive a single name component (never
 * "", "." or ".."; at most 255 bytes when UTF-8 encoded). Names are JS strings decoded from
 * bytes as latin1 ("binary") so any byte sequence round-trips: encode with
 * `nameBytes(name)` (latin1) when storing.
 */
export abstract class Inode {
  mode = 0;
  uid = 0;
  gid = 0;
  nlink = 1;
  /** Byte size (for symlinks: the target's length). */
  size = 0;
  /** Device number for S_IFCHR/S_IFBLK nodes. */
  rdev = 0;
  atime: Timespec = { sec: 0, nsec: 0 };
  mtime: Timespec = { sec: 0, nsec: 0 };
  ctime: Timespec = { sec: 0, nsec: 0 };
  btime: Timespec | null = null;
  /** Open files and mappings referring to it; the VFS evicts an unlinked inode at zero. */
  users = 0;
  /** Open files with write access (execve of such an inode is ETXTBSY). */
  writers = 0;

  constructor(readonly fs: FileSystem, readonly ino: number) {}

  /** 512-byte blocks allocated (st_blocks). */
  abstract get blocks(): number;

  /** Write changed attributes back (no-op for memory filesystems). */
  markDirty(): void {}
  /** Re-read attributes when something else can change them (hostfs); called before stat. */
  refresh(): void {}

  // ---- directories --------------------------------------------------------------------------
  lookup(_name: string): Inode | null {
    throw new SyscallError(ENOTDIR);
  }
  /** Entries other than "." and "..", in the filesystem's own order. */
  readdir(): DirEntry[] {
    throw new SyscallError(ENOTDIR);
  }
  /** A new non-directory, non-symlink inode (regular, char/block device, FIFO, socket). */
  create(_name: string, _mode: number, _uid: number, _gid: number, _rdev: number): Inode {
    throw new SyscallError(ENOTDIR);
  }
  mkdir(_name: string, _mode: number, _uid: number, _gid: number): Inode {
    throw new SyscallError(ENOTDIR);
  }
  symlink(_name: string, _target: string, _uid: number, _gid: number): Inode {
    throw new SyscallError(ENOTDIR);
  }
  /** Add a hard link to `target` (same filesystem, not a directory; the VFS checked). */
  link(_name: string, _target: Inode): void {
    throw new SyscallError(ENOTDIR);
  }
  /** Remove a non-directory entry and drop the inode's link count (not its data: see evict). */
  unlink(_name: string): void {
    throw new SyscallError(ENOTDIR);
  }
  /** Remove an empty directory entry (the VFS checked it is empty). */
  rmdir(_name: string): void {
    throw new SyscallError(ENOTDIR);
  }
  /**
   * Move entry `oldName` of this directory to `newName` in `newDir` (same filesystem). If the
   * target exists it is replaced (the VFS checked the types and emptiness). `exchange` swaps the
   * two entries instead. A moved directory's ".." must follow.
   */
  rename(_oldName: string, _newDir: Inode, _newName: string, _exchange: boolean): void {
    throw new SyscallError(ENOTDIR);
  }

  // ---- regular files ------------------------------------------------------------------------
  /** Read at `offset` into buf; returns bytes read (0 at or past EOF). Holes read as zeros. */
  read(_offset: number, _buf: Uint8Array): number {
    throw new SyscallError(isDir(this.mode) ? EISDIR : EINVAL);
  }
  /** Write at `offset`, growing size as needed; returns bytes written. */
  write(_offset: number, _data: Uint8Array): number {
    throw new SyscallError(isDir(this.mode) ? EISDIR : EINVAL);
  }
  /** Set the size, freeing blocks past it or leaving a hole when growing. */
  truncate(_size: number): void {
    throw new SyscallError(isDir(this.mode) ? EISDIR : EINVAL);
  }
  /** Allocate blocks for [offset, offset+length) without changing data (fallocate mode 0). */
  allocate(offset: number, length: number): void {
    if (offset + length > this.size) this.truncate(offset + length);
  }
  /** First offset >= `offset` holding data (SEEK_DATA), or -1 if none; default: all data. */
  nextData(offset: number): number {
    return offset < this.size ? offset : -1;
  }
  /** First offset >= `offset` inside a hole (SEEK_HOLE); EOF counts as a hole. */
  nextHole(_offset: number): number {
    return this.size;
  }

  // ---- symlinks -----------------------------------------------------------------------------
  readlink(): string {
    throw new SyscallError(EINVAL);
  }
  /**
   * For procfs's magic links (/proc/<pid>/fd/N, cwd, root, exe): the place the link stands for,
   * which a walk jumps to directly (it may be a deleted file or outside the caller's root).
   */
  magicLink(): Path | null {
    return null;
  }

  // ---- lifetime -----------------------------------------------------------------------------
  /** Write data and (unless dataOnly) metadata of this inode through to stable storage. */
  sync(_dataOnly: boolean): void {}
  /** nlink reached 0 and the last user is gone: free the inode and its blocks. */
  evict(): void {}
}

/** The first `length` bytes of `inode` (fewer at its end), read whole; errors are thrown. */
export function readInodeStart(inode: Inode, length: number): Uint8Array {
  const bytes = new Uint8Array(Math.min(length, inode.size));
  let done = 0;
  while (done < bytes.length) {
    const n = inode.read(done, bytes.subarray(done));
    if (n <= 0) break;
    done += n;
  }
  return bytes.subarray(0, done);
}

/** Latin1 ("binary") encoding of a name or path: every byte maps to one char and back. */
export function nameBytes(name: string): Uint8Array {
  const out = new Uint8Array(name.length);
  for (let i = 0; i < name.length; i++) out[i] = name.charCodeAt(i);
  return out;
}

export function bytesName(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return s;
}
