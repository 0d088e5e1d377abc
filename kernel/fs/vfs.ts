// The VFS entry points shared by the file syscalls: the kernel's mount namespace, the walk
// context of a task (its root and credentials), and resolving a (dirfd, path, flags) triple to a
// Path the way Linux's *at calls do (AT_FDCWD, AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW).

import { EBADF, ENOENT, ENOTDIR } from "../errno.ts";
import type { Task } from "../proc/process.ts";
import { SyscallError } from "../syscall-error.ts";
import type { Path } from "./dentry.ts";
import { isDir } from "./inode.ts";
import { MountTable } from "./mount.ts";
import {
  checkPathLength,
  type ParentWalk,
  resolve,
  resolveParent,
  type WalkContext,
  type WalkOptions,
} from "./path-walk.ts";

export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_NO_AUTOMOUNT = 0x800;
export const AT_EMPTY_PATH = 0x1000;
export const AT_EACCESS = 0x200;

/** openat2's struct open_how.resolve bits. */
export const RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04;
export const RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10, RESOLVE_CACHED = 0x20;

export class Vfs {
  readonly mounts = new MountTable();

  /** The namespace root: where new processes start. */
  rootPath(): Path {
    const root = this.mounts.all()[0];
    if (root === undefined) throw new Error("no root filesystem mounted");
    return { mount: root, dentry: root.root };
  }
}

export function walkContext(task: Task, vfs: Vfs): WalkContext {
  return { mounts: vfs.mounts, root: task.proc.root, creds: task.proc.creds };
}

/**
 * Where a relative path given with `dirfd` starts. A `scoped` walk (openat2's RESOLVE_IN_ROOT or
 * RESOLVE_BENEATH) starts at dirfd even for an absolute path.
 */
export function startingPoint(task: Task, dirfd: number, path: string, scoped = false): Path {
  // Linux copies the name in (ENOENT for "", ENAMETOOLONG) before it looks at dirfd.
  checkPathLength(path);
  if (path.startsWith("/") && !scoped) return task.proc.root;
  if (dirfd === AT_FDCWD) return task.proc.cwd;
  const file = task.proc.fds.get(dirfd);
  if (file === undefined) throw new SyscallError(EBADF);
  if (file.location === null || !isDir(file.location.dentry.inode.mode)) {
    throw new SyscallError(ENOTDIR);
  }
  return file.location;
}

/**
 * Resolve (dirfd, path) with *at flags: AT_EMPTY_PATH with "" names dirfd itself (any file;
 * ENOENT for a pipe has no path, so it is returned as null), AT_SYMLINK_NOFOLLOW keeps a final
 * symlink. Returns null only for an fd without a location (pipes, host streams).
 */
export function lookupAt(
  task: Task,
  vfs: Vfs,
  dirfd: number,
  path: string,
  atFlags: number,
  extra: Partial<WalkOptions> = {},
): Path | null {
  if (path === "") {
    if (!(atFlags & AT_EMPTY_PATH)) throw new SyscallError(ENOENT);
    if (dirfd === AT_FDCWD) return task.proc.cwd;
    const file = task.proc.fds.get(dirfd);
    if (file === undefined) throw new SyscallError(EBADF);
    return file.location;
  }
  const start = startingPoint(task, dirfd, path, extra.inRoot || extra.beneath);
  return resolve(walkContext(task, vfs), start, path, {
    follow: !(atFlags & AT_SYMLINK_NOFOLLOW),
    ...extra,
  });
}

/** Resolve (dirfd, path) up to its last component (for creating and removing names). */
export function parentAt(task: Task, vfs: Vfs, dirfd: number, path: string): ParentWalk {
  checkPathLength(path);
  return resolveParent(walkContext(task, vfs), startingPoint(task, dirfd, path), path);
}
