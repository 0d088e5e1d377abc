// POSIX permission checks: owner/group/other bits against the caller's filesystem ids and
// supplementary groups, root's override as POSIX and Linux define it (read/write always, execute
// only when some execute bit is set or for directories), the sticky-directory deletion rule and
// the setgid-directory inheritance of new files.

import { EACCES, EPERM } from "../errno.ts";
import type { Credentials } from "../proc/process.ts";
import { SyscallError } from "../syscall-error.ts";
import { type Inode, isDir, S_ISGID, S_ISVTX } from "./inode.ts";

export const MAY_EXEC = 1, MAY_WRITE = 2, MAY_READ = 4;

export function inGroup(creds: Credentials, gid: number): boolean {
  return creds.fsgid === gid || creds.groups.includes(gid);
}

/** Whether `creds` may access `inode` for every bit in `mask` (MAY_*). */
export function permitted(inode: Inode, creds: Credentials, mask: number): boolean {
  const mode = inode.mode;
  if (creds.fsuid === 0) {
    if (!(mask & MAY_EXEC) || isDir(mode)) return true;
    return (mode & 0o111) !== 0;
  }
  let bits: number;
  if (creds.fsuid === inode.uid) bits = (mode >> 6) & 7;
  else if (inGroup(creds, inode.gid)) bits = (mode >> 3) & 7;
  else bits = mode & 7;
  return (bits & mask) === mask;
}

export function checkPermission(inode: Inode, creds: Credentials, mask: number): void {
  if (!permitted(inode, creds, mask)) throw new SyscallError(EACCES);
}

/** May `creds` remove or rename `victim` out of directory `dir`? */
export function checkMayDelete(dir: Inode, victim: Inode, creds: Credentials): void {
  checkPermission(dir, creds, MAY_WRITE | MAY_EXEC);
  if (
    (dir.mode & S_ISVTX) && creds.fsuid !== 0 && creds.fsuid !== victim.uid &&
    creds.fsuid !== dir.uid
  ) {
    throw new SyscallError(EPERM);
  }
}

/** Owner of the file or root (CAP_FOWNER): chmod, utimes with explicit times. */
export function isOwnerOrRoot(inode: Inode, creds: Credentials): boolean {
  return creds.fsuid === 0 || creds.fsuid === inode.uid;
}

/** The group a new inode in `dir` gets, and whether a new directory inherits S_ISGID. */
export function newInodeGroup(dir: Inode, creds: Credentials): number {
  return (dir.mode & S_ISGID) ? dir.gid : creds.fsgid;
}
