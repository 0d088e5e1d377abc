// Changing what stat(2) shows: truncate, chmod, chown (with Linux's rules for who may change
// what and the set-id bits it clears), utimensat's times (UTIME_NOW / UTIME_OMIT and the owner
// rule), and access(2)'s check with real or effective ids.

import { EACCES, EINVAL, EISDIR, EPERM, EROFS } from "../errno.ts";
import type { Credentials } from "../proc/process.ts";
import { SyscallError } from "../syscall-error.ts";
import type { Path } from "./dentry.ts";
import {
  currentTime,
  type Inode,
  isDir,
  isLnk,
  isReg,
  S_ISGID,
  S_ISUID,
  type Timespec,
} from "./inode.ts";
import { checkPermission, inGroup, isOwnerOrRoot, MAY_WRITE, permitted } from "./permission.ts";
import { truncateCachedPages } from "./page-cache.ts";

export const UTIME_NOW = (1 << 30) - 1;
export const UTIME_OMIT = (1 << 30) - 2;
/** Linux's MAX_LFS_FILESIZE. */
export const MAX_FILE_SIZE = 2 ** 63 - 1;

function touchChanged(inode: Inode): void {
  inode.ctime = currentTime();
  inode.markDirty();
}

/**
 * Linux's file_remove_privs: writing to or truncating a regular file without CAP_FSETID (not
 * root) drops set-user-ID, and set-group-ID when the file is group-executable.
 */
export function removePrivileges(inode: Inode, creds: Credentials): void {
  if (!isReg(inode.mode) || creds.euid === 0) return;
  let drop = inode.mode & S_ISUID;
  if (inode.mode & S_ISGID && inode.mode & 0o010) drop |= S_ISGID;
  if (drop === 0) return;
  inode.mode &= ~drop;
  touchChanged(inode);
}

/** Set the size of a regular file (the caller checked access). */
export function truncateInode(inode: Inode, size: number): void {
  if (isDir(inode.mode)) throw new SyscallError(EISDIR);
  if (!isReg(inode.mode)) throw new SyscallError(EINVAL);
  inode.truncate(size);
  truncateCachedPages(inode, size);
  const now = currentTime();
  inode.mtime = now;
  inode.ctime = now;
  inode.markDirty();
}

/** truncate(2) by path: needs write permission and a writable mount. */
export function truncatePath(at: Path, size: number, creds: Credentials): void {
  const inode = at.dentry.inode;
  if (size < 0) throw new SyscallError(EINVAL);
  if (isDir(inode.mode)) throw new SyscallError(EISDIR);
  if (!isReg(inode.mode)) throw new SyscallError(EINVAL);
  checkPermission(inode, creds, MAY_WRITE);
  if (at.mount.readOnly) throw new SyscallError(EROFS);
  removePrivileges(inode, creds);
  truncateInode(inode, size);
}

export function changeMode(at: Path, mode: number, creds: Credentials): void {
  const inode = at.dentry.inode;
  if (!isOwnerOrRoot(inode, creds)) throw new SyscallError(EPERM);
  if (at.mount.readOnly) throw new SyscallError(EROFS);
  let bits = mode & 0o7777;
  // Only a member of the file's group (or root) may set S_ISGID on it.
  if (creds.fsuid !== 0 && !inGroup(creds, inode.gid)) bits &= ~S_ISGID;
  inode.mode = (inode.mode & ~0o7777) | bits;
  touchChanged(inode);
}

/** chown: -1 (as u32 0xffffffff) leaves an id unchanged. */
export function changeOwner(at: Path, uid: number, gid: number, creds: Credentials): void {
  const inode = at.dentry.inode;
  const keepUid = uid === -1 || uid === 0xffffffff;
  const keepGid = gid === -1 || gid === 0xffffffff;
  const newUid = keepUid ? inode.uid : uid >>> 0;
  const newGid = keepGid ? inode.gid : gid >>> 0;
  if (creds.fsuid !== 0) {
    if (newUid !== inode.uid) throw new SyscallError(EPERM);
    if (newGid !== inode.gid && (creds.fsuid !== inode.uid || !inGroup(creds, newGid))) {
      throw new SyscallError(EPERM);
    }
  }
  if (at.mount.readOnly) throw new SyscallError(EROFS);
  if (!isLnk(inode.mode) && (!keepUid || !keepGid)) {
    // Changing ownership drops set-user-ID, and set-group-ID when group-executable.
    if (!isDir(inode.mode)) {
      let drop = S_ISUID;
      if (inode.mode & 0o010) drop |= S_ISGID;
      inode.mode &= ~drop;
    }
  }
  inode.uid = newUid;
  inode.gid = newGid;
  touchChanged(inode);
}

/** utimensat: `times` null means both now; each may be UTIME_NOW or UTIME_OMIT in nsec. */
export function changeTimes(
  at: Path,
  times: [Timespec, Timespec] | null,
  creds: Credentials,
): void {
  const inode = at.dentry.inode;
  const now = currentTime();
  const explicit = times !== null &&
    !(times[0].nsec === UTIME_NOW && times[1].nsec === UTIME_NOW);
  if (times !== null) {
    for (const t of times) {
      if (t.nsec !== UTIME_NOW && t.nsec !== UTIME_OMIT && (t.nsec < 0 || t.nsec > 999_999_999)) {
        throw new SyscallError(EINVAL);
      }
    }
    if (times[0].nsec === UTIME_OMIT && times[1].nsec === UTIME_OMIT) return;
  }
  if (explicit) {
    if (!isOwnerOrRoot(inode, creds)) throw new SyscallError(EPERM);
  } else if (!isOwnerOrRoot(inode, creds) && !permitted(inode, creds, MAY_WRITE)) {
    throw new SyscallError(EACCES);
  }
  if (at.mount.readOnly) throw new SyscallError(EROFS);
  const pick = (t: Timespec | undefined, old: Timespec) =>
    t === undefined || t.nsec === UTIME_NOW ? now : t.nsec === UTIME_OMIT ? old : t;
  inode.atime = pick(times?.[0], inode.atime);
  inode.mtime = pick(times?.[1], inode.mtime);
  inode.ctime = now;
  inode.markDirty();
}

/** access/faccessat: check `mode` (R_OK 4, W_OK 2, X_OK 1, F_OK 0; the caller validated it). */
export function checkAccess(at: Path, mode: number, creds: Credentials): void {
  const inode = at.dentry.inode;
  if (mode === 0) return;
  if (mode & MAY_WRITE && at.mount.readOnly && !isLnk(inode.mode)) {
    const type = inode.mode & 0o170000;
    if (type === 0o100000 || type === 0o040000) throw new SyscallError(EROFS);
  }
  checkPermission(inode, creds, mode);
}
