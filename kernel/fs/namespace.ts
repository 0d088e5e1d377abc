// Changing the name tree: mkdir, mknod, symlink, link, unlink, rmdir and rename(2) with its
// NOREPLACE / EXCHANGE flags, with Linux's order of checks and errnos (EEXIST, ENOTEMPTY,
// EISDIR, EXDEV, EBUSY for mount points, EINVAL for moving a directory into itself...).

import {
  EBUSY,
  EEXIST,
  EINVAL,
  EISDIR,
  ENOENT,
  ENOTDIR,
  ENOTEMPTY,
  EPERM,
  EROFS,
  EXDEV,
} from "../errno.ts";
import type { Credentials } from "../proc/process.ts";
import { SyscallError } from "../syscall-error.ts";
import type { Dentry, Path } from "./dentry.ts";
import { type Inode, isDir, S_IFDIR, S_IFMT, S_IFREG, S_ISGID } from "./inode.ts";
import type { MountTable } from "./mount.ts";
import type { ParentWalk } from "./path-walk.ts";
import {
  checkMayDelete,
  checkPermission,
  MAY_EXEC,
  MAY_WRITE,
  newInodeGroup,
} from "./permission.ts";

export const RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2, RENAME_WHITEOUT = 4;

/** The existing entry `name` in the parent, or null. */
function existing(p: ParentWalk): Dentry | null {
  if (p.name === "" || p.name === "." || p.name === "..") return p.dir.dentry;
  return p.dir.dentry.child(p.name);
}

/** Common checks before adding a name: it must not exist, and we must be allowed to write. */
function prepareCreate(p: ParentWalk, creds: Credentials): Inode {
  const dir = p.dir.dentry.inode;
  // A removed directory has no entries and takes none: ENOENT before anything else (IS_DEADDIR).
  if (dir.nlink === 0) throw new SyscallError(ENOENT);
  if (existing(p) !== null) throw new SyscallError(EEXIST);
  checkPermission(dir, creds, MAY_WRITE | MAY_EXEC);
  if (p.dir.mount.readOnly) throw new SyscallError(EROFS);
  return dir;
}

export function makeDirectory(
  p: ParentWalk,
  mode: number,
  umask: number,
  creds: Credentials,
): void {
  const dir = prepareCreate(p, creds);
  let bits = mode & 0o1777 & ~umask;
  if (dir.mode & S_ISGID) bits |= S_ISGID;
  dir.mkdir(p.name, S_IFDIR | bits, creds.fsuid, newInodeGroup(dir, creds));
}

/** mknod: regular files, FIFOs, sockets, and (root only) device nodes. */
export function makeNode(
  p: ParentWalk,
  mode: number,
  rdev: number,
  umask: number,
  creds: Credentials,
): void {
  let type = mode & S_IFMT;
  if (type === 0) type = S_IFREG;
  if (type === S_IFDIR) throw new SyscallError(EPERM);
  const valid = [S_IFREG, 0o020000, 0o060000, 0o010000, 0o140000];
  if (!valid.includes(type)) throw new SyscallError(EINVAL);
  if (p.trailingSlash) throw new SyscallError(ENOENT);
  const isDevice = type === 0o020000 || type === 0o060000;
  const dir = prepareCreate(p, creds);
  // CAP_MKNOD is checked after the directory's permissions (vfs_mknod).
  if (isDevice && creds.euid !== 0) throw new SyscallError(EPERM);
  const bits = mode & 0o7777 & ~umask;
  dir.create(p.name, type | bits, creds.fsuid, newInodeGroup(dir, creds), isDevice ? rdev : 0);
}

export function makeSymlink(p: ParentWalk, target: string, creds: Credentials): void {
  if (target === "") throw new SyscallError(ENOENT);
  if (p.trailingSlash && existing(p) === null) throw new SyscallError(ENOENT);
  const dir = prepareCreate(p, creds);
  dir.symlink(p.name, target, creds.fsuid, newInodeGroup(dir, creds));
}

export function makeLink(from: Path, p: ParentWalk, creds: Credentials): void {
  const target = from.dentry.inode;
  if (isDir(target.mode)) throw new SyscallError(EPERM);
  if (p.trailingSlash) throw new SyscallError(ENOENT);
  if (from.mount !== p.dir.mount) throw new SyscallError(EXDEV);
  const dir = prepareCreate(p, creds);
  if (target.nlink === 0) throw new SyscallError(ENOENT);
  dir.link(p.name, target);
}

function isMountPoint(mounts: MountTable, at: Path, d: Dentry): boolean {
  return mounts.mountedOn(at.mount, d.inode) !== undefined;
}

export function removeFile(p: ParentWalk, creds: Credentials, mounts: MountTable): void {
  if (p.name === "" || p.name === "." || p.name === "..") throw new SyscallError(EISDIR);
  const victim = p.dir.dentry.child(p.name);
  if (victim === null) throw new SyscallError(ENOENT);
  if (isDir(victim.inode.mode)) throw new SyscallError(EISDIR);
  if (p.trailingSlash) throw new SyscallError(ENOTDIR);
  checkMayDelete(p.dir.dentry.inode, victim.inode, creds);
  if (p.dir.mount.readOnly) throw new SyscallError(EROFS);
  if (isMountPoint(mounts, p.dir, victim)) throw new SyscallError(EBUSY);
  p.dir.dentry.inode.unlink(p.name);
  p.dir.dentry.drop(p.name, victim);
  if (victim.inode.nlink === 0 && victim.inode.users === 0) victim.inode.evict();
}

export function removeDirectory(p: ParentWalk, creds: Credentials, mounts: MountTable): void {
  if (p.name === "." || p.name === "") throw new SyscallError(p.name === "" ? EBUSY : EINVAL);
  if (p.name === "..") throw new SyscallError(ENOTEMPTY);
  const victim = p.dir.dentry.child(p.name);
  if (victim === null) throw new SyscallError(ENOENT);
  if (!isDir(victim.inode.mode)) throw new SyscallError(ENOTDIR);
  checkMayDelete(p.dir.dentry.inode, victim.inode, creds);
  if (p.dir.mount.readOnly) throw new SyscallError(EROFS);
  if (isMountPoint(mounts, p.dir, victim)) throw new SyscallError(EBUSY);
  if (victim.inode.readdir().length > 0) throw new SyscallError(ENOTEMPTY);
  p.dir.dentry.inode.rmdir(p.name);
  p.dir.dentry.drop(p.name, victim);
  if (victim.inode.nlink === 0 && victim.inode.users === 0) victim.inode.evict();
}

/** Is `ancestor` one of `d`'s ancestors (or d itself) within one filesystem? */
function isAncestor(ancestor: Dentry, d: Dentry): boolean {
  for (let cur: Dentry | null = d; cur !== null; cur = cur.parent) {
    if (cur === ancestor || cur.inode === ancestor.inode) return true;
  }
  return false;
}

export function renameEntry(
  from: ParentWalk,
  to: ParentWalk,
  flags: number,
  creds: Credentials,
  mounts: MountTable,
): void {
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) {
    throw new SyscallError(EINVAL);
  }
  if (flags & RENAME_NOREPLACE && flags & RENAME_EXCHANGE) throw new SyscallError(EINVAL);
  if (flags & RENAME_WHITEOUT) throw new SyscallError(EINVAL);
  const special = (n: string) => n === "" || n === "." || n === "..";
  if (special(from.name) || special(to.name)) {
    // Linux: "/", "." or ".." as either name is EBUSY (EEXIST as a NOREPLACE target).
    if (from.dir.mount !== to.dir.mount) throw new SyscallError(EXDEV);
    if (special(from.name)) throw new SyscallError(EBUSY);
    throw new SyscallError(flags & RENAME_NOREPLACE ? EEXIST : EBUSY);
  }
  const source = from.dir.dentry.child(from.name);
  if (source === null) throw new SyscallError(ENOENT);
  if (from.dir.mount !== to.dir.mount) throw new SyscallError(EXDEV);
  const target = to.dir.dentry.child(to.name);
  const exchange = (flags & RENAME_EXCHANGE) !== 0;
  if (exchange && target === null) throw new SyscallError(ENOENT);
  if (flags & RENAME_NOREPLACE && target !== null) throw new SyscallError(EEXIST);
  const sourceIsDir = isDir(source.inode.mode);
  if ((from.trailingSlash || to.trailingSlash) && !sourceIsDir) throw new SyscallError(ENOTDIR);
  if (target !== null && target.inode === source.inode) return; // same file: nothing to do
  checkMayDelete(from.dir.dentry.inode, source.inode, creds);
  if (target !== null) checkMayDelete(to.dir.dentry.inode, target.inode, creds);
  else checkPermission(to.dir.dentry.inode, creds, MAY_WRITE | MAY_EXEC);
  if (from.dir.mount.readOnly) throw new SyscallError(EROFS);
  if (sourceIsDir && isAncestor(source, to.dir.dentry)) throw new SyscallError(EINVAL);
  if (target !== null && exchange && isDir(target.inode.mode)) {
    if (isAncestor(target, from.dir.dentry)) throw new SyscallError(EINVAL);
  }
  if (target !== null && !exchange) {
    const targetIsDir = isDir(target.inode.mode);
    if (sourceIsDir && !targetIsDir) throw new SyscallError(ENOTDIR);
    if (!sourceIsDir && targetIsDir) throw new SyscallError(EISDIR);
    if (targetIsDir && target.inode.readdir().length > 0) throw new SyscallError(ENOTEMPTY);
  }
  if (
    isMountPoint(mounts, from.dir, source) ||
    (target !== null && isMountPoint(mounts, to.dir, target))
  ) {
    throw new SyscallError(EBUSY);
  }
  from.dir.dentry.inode.rename(from.name, to.dir.dentry.inode, to.name, exchange);
  // Move the cached dentries to match.
  from.dir.dentry.children.delete(from.name);
  to.dir.dentry.children.delete(to.name);
  source.name = to.name;
  source.parent = to.dir.dentry;
  if (to.dir.dentry.inode.fs.cacheable) to.dir.dentry.children.set(to.name, source);
  if (target !== null) {
    if (exchange) {
      target.name = from.name;
      target.parent = from.dir.dentry;
      if (from.dir.dentry.inode.fs.cacheable) from.dir.dentry.children.set(from.name, target);
    } else {
      target.deleted = true;
      if (target.inode.nlink === 0 && target.inode.users === 0) target.inode.evict();
    }
  }
}
