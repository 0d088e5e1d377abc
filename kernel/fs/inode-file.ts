// File operations for files opened by path: regular files (read/write through the inode, with
// O_APPEND and relatime), directories (EISDIR; getdents64 reads the cursor), O_PATH handles, and
// the bookkeeping when the last reference goes: an unlinked inode is evicted once no one uses it.

import { EBADF, EISDIR } from "../errno.ts";
import {
  type FileOps,
  type FileStat,
  O_APPEND,
  O_NOATIME,
  type OpenFile,
} from "../files/open-file.ts";
import { SyscallError } from "../syscall-error.ts";
import type { Path } from "./dentry.ts";
import { currentTime, type Inode } from "./inode.ts";
import { readThroughCache, writeThroughCache } from "./page-cache.ts";
import { inodeStat } from "./stat.ts";

function inodeOf(file: OpenFile): Inode {
  return file.location!.dentry.inode;
}

export function statOfLocation(p: Path): FileStat {
  return inodeStat(p.dentry.inode, p.mount.id, p.dentry === p.mount.root);
}

/** relatime: update atime when it is older than mtime/ctime or more than a day old. */
function touchAccessed(file: OpenFile, inode: Inode): void {
  if (file.flags & O_NOATIME || file.location!.mount.readOnly) return;
  const a = inode.atime, m = inode.mtime, c = inode.ctime;
  const now = currentTime();
  const older = (x: typeof a, y: typeof a) =>
    x.sec < y.sec || (x.sec === y.sec && x.nsec <= y.nsec);
  if (older(a, m) || older(a, c) || now.sec - a.sec >= 86400) {
    inode.atime = now;
    inode.markDirty();
  }
}

export const regularFileOps: FileOps = {
  read(file, buf, position) {
    const inode = inodeOf(file);
    const n = readThroughCache(inode, position ?? file.offset, buf);
    touchAccessed(file, inode);
    return n;
  },
  write(file, data, position) {
    const inode = inodeOf(file);
    if (file.flags & O_APPEND) inode.refresh(); // the host may have appended (hostfs)
    const at = file.flags & O_APPEND ? inode.size : (position ?? file.offset);
    return writeThroughCache(inode, at, data);
  },
  stat: (file) => statOfLocation(file.location!),
  seekableSize: (file) => inodeOf(file).size,
  readable: (file) => Math.max(0, inodeOf(file).size - file.offset),
};

export const directoryOps: FileOps = {
  read() {
    throw new SyscallError(EISDIR);
  },
  write() {
    throw new SyscallError(EISDIR);
  },
  stat: (file) => statOfLocation(file.location!),
  seekableSize: () => 0,
};

/** O_PATH: a handle for *at calls, fstat and fchdir; no I/O. */
export const pathOnlyOps: FileOps = {
  read: () => -EBADF,
  write: () => -EBADF,
  ioctl: () => -EBADF,
  stat: (file) => statOfLocation(file.location!),
  seekableSize: () => null,
};

/** Count `file` as a user of its inode until its last close. */
export function attachInode(file: OpenFile, location: Path): void {
  file.location = location;
  const inode = location.dentry.inode;
  inode.users++;
  const previous = file.onLastClose;
  file.onLastClose = () => {
    previous?.();
    releaseInode(inode);
  };
}

/** One user fewer; an inode with no links and no users is freed. */
export function releaseInode(inode: Inode): void {
  inode.users--;
  if (inode.users <= 0 && inode.nlink === 0) inode.evict();
}
