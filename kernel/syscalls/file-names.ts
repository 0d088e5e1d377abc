// Syscalls that add, remove and move names: mkdir(at), mknod(at), symlink(at), link(at),
// unlink(at), rmdir, rename, renameat, renameat2. Rules and errnos live in kernel/fs/namespace.ts.

import { EINVAL, ENOENT } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/process.ts";
import {
  makeDirectory,
  makeLink,
  makeNode,
  makeSymlink,
  removeDirectory,
  removeFile,
  renameEntry,
} from "../fs/namespace.ts";
import {
  AT_EMPTY_PATH,
  AT_FDCWD,
  AT_REMOVEDIR,
  AT_SYMLINK_FOLLOW,
  AT_SYMLINK_NOFOLLOW,
  lookupAt,
  parentAt,
} from "../fs/vfs.ts";
import { SyscallError } from "../syscall-error.ts";
import type { SyscallFamily } from "./args.ts";

function mkdirAt(kernel: Kernel, task: Task, dirfd: number, pathAddr: number, mode: number) {
  const p = parentAt(task, kernel.vfs, dirfd, task.proc.user.path(pathAddr));
  makeDirectory(p, mode, task.proc.umask, task.proc.creds);
  return 0;
}

function mknodAt(
  kernel: Kernel,
  task: Task,
  dirfd: number,
  pathAddr: number,
  mode: number,
  dev: number,
) {
  const p = parentAt(task, kernel.vfs, dirfd, task.proc.user.path(pathAddr));
  makeNode(p, mode, dev, task.proc.umask, task.proc.creds);
  return 0;
}

function symlinkAt(
  kernel: Kernel,
  task: Task,
  targetAddr: number,
  dirfd: number,
  pathAddr: number,
) {
  const target = task.proc.user.path(targetAddr);
  const p = parentAt(task, kernel.vfs, dirfd, task.proc.user.path(pathAddr));
  makeSymlink(p, target, task.proc.creds);
  return 0;
}

function linkAt(
  kernel: Kernel,
  task: Task,
  olddirfd: number,
  oldAddr: number,
  newdirfd: number,
  newAddr: number,
  flags: number,
) {
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const oldPath = task.proc.user.path(oldAddr);
  const from = lookupAt(
    task,
    kernel.vfs,
    olddirfd,
    oldPath,
    (flags & AT_SYMLINK_FOLLOW ? 0 : AT_SYMLINK_NOFOLLOW) | (flags & AT_EMPTY_PATH),
  );
  if (from === null) return -ENOENT;
  const p = parentAt(task, kernel.vfs, newdirfd, task.proc.user.path(newAddr));
  makeLink(from, p, task.proc.creds);
  return 0;
}

function renameAt(
  kernel: Kernel,
  task: Task,
  olddirfd: number,
  oldAddr: number,
  newdirfd: number,
  newAddr: number,
  flags: number,
) {
  const from = parentAt(task, kernel.vfs, olddirfd, task.proc.user.path(oldAddr));
  const to = parentAt(task, kernel.vfs, newdirfd, task.proc.user.path(newAddr));
  renameEntry(from, to, flags, task.proc.creds, kernel.vfs.mounts);
  return 0;
}

export const fileNameSyscalls: SyscallFamily = {
  mkdir: (task, a, kernel) => mkdirAt(kernel, task, AT_FDCWD, a.u64(0), a.uint(1)),
  mkdirat: (task, a, kernel) => mkdirAt(kernel, task, a.int(0), a.u64(1), a.uint(2)),
  mknod: (task, a, kernel) => mknodAt(kernel, task, AT_FDCWD, a.u64(0), a.uint(1), a.uint(2)),
  mknodat: (task, a, kernel) => mknodAt(kernel, task, a.int(0), a.u64(1), a.uint(2), a.uint(3)),
  symlink: (task, a, kernel) => symlinkAt(kernel, task, a.u64(0), AT_FDCWD, a.u64(1)),
  symlinkat: (task, a, kernel) => symlinkAt(kernel, task, a.u64(0), a.int(1), a.u64(2)),
  link: (task, a, kernel) => linkAt(kernel, task, AT_FDCWD, a.u64(0), AT_FDCWD, a.u64(1), 0),
  linkat: (task, a, kernel) =>
    linkAt(kernel, task, a.int(0), a.u64(1), a.int(2), a.u64(3), a.int(4)),

  unlink(task, a, kernel) {
    const p = parentAt(task, kernel.vfs, AT_FDCWD, task.proc.user.path(a.u64(0)));
    removeFile(p, task.proc.creds, kernel.vfs.mounts);
    return 0;
  },

  unlinkat(task, a, kernel) {
    const flags = a.int(2);
    if (flags & ~AT_REMOVEDIR) return -EINVAL;
    const p = parentAt(task, kernel.vfs, a.int(0), task.proc.user.path(a.u64(1)));
    if (flags & AT_REMOVEDIR) removeDirectory(p, task.proc.creds, kernel.vfs.mounts);
    else removeFile(p, task.proc.creds, kernel.vfs.mounts);
    return 0;
  },

  rmdir(task, a, kernel) {
    const p = parentAt(task, kernel.vfs, AT_FDCWD, task.proc.user.path(a.u64(0)));
    removeDirectory(p, task.proc.creds, kernel.vfs.mounts);
    return 0;
  },

  rename: (task, a, kernel) => renameAt(kernel, task, AT_FDCWD, a.u64(0), AT_FDCWD, a.u64(1), 0),
  renameat: (task, a, kernel) => renameAt(kernel, task, a.int(0), a.u64(1), a.int(2), a.u64(3), 0),
  renameat2(task, a, kernel) {
    const flags = a.uint(4);
    if (flags & ~7) throw new SyscallError(EINVAL);
    return renameAt(kernel, task, a.int(0), a.u64(1), a.int(2), a.u64(3), flags);
  },
};
