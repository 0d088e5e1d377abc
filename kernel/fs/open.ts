// open(2) and friends: resolve or create the named file, check permissions and the mount's
// read-only flag, truncate, and build the OpenFile with the right operations (regular file,
// directory, character device, FIFO, O_PATH handle). A FIFO open that must wait for its other
// end returns at once; the open syscalls then wait through FileOps.openWait.

import {
  EEXIST,
  EINVAL,
  EISDIR,
  ELOOP,
  ENOENT,
  ENOTDIR,
  ENXIO,
  EOPNOTSUPP,
  EROFS,
  ETXTBSY,
  EXDEV,
} from "../errno.ts";
import {
  O_ACCMODE,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOCTTY,
  O_NOFOLLOW,
  O_PATH,
  O_RDONLY,
  O_TRUNC,
  O_WRONLY,
  OpenFile,
} from "../files/open-file.ts";
import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/process.ts";
import { SyscallError } from "../syscall-error.ts";
import { charDevice } from "./char-devices.ts";
import type { Path } from "./dentry.ts";
import {
  currentTime,
  type Inode,
  isDir,
  isLnk,
  S_IFBLK,
  S_IFCHR,
  S_IFIFO,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
} from "./inode.ts";
import { attachInode, directoryOps, pathOnlyOps, regularFileOps } from "./inode-file.ts";
import { checkPermission, MAY_EXEC, MAY_READ, MAY_WRITE, newInodeGroup } from "./permission.ts";
import {
  type ParentWalk,
  pathString,
  resolve,
  resolveParent,
  type WalkOptions,
} from "./path-walk.ts";
import { parentAt, startingPoint, walkContext } from "./vfs.ts";
import { truncateInode } from "./attributes.ts";
import { openFifo } from "./fifo.ts";
import { pipeOfInode, StreamInode } from "./pipefs.ts";
import { reopenPipe } from "../files/pipe.ts";

export const O_TMPFILE = 0o20000000 | O_DIRECTORY;
const MAX_SYMLINKS = 40;

export interface OpenRequest {
  dirfd: number;
  path: string;
  flags: number;
  mode: number;
  /** openat2's resolve restrictions. */
  walk?: Partial<WalkOptions>;
}

/** Linux's ACC_MODE: what access the open needs. */
function accessMask(flags: number): number {
  const acc = flags & O_ACCMODE;
  let mask = acc === O_RDONLY ? MAY_READ : acc === O_WRONLY ? MAY_WRITE : MAY_READ | MAY_WRITE;
  if (flags & O_TRUNC) mask |= MAY_WRITE;
  return mask;
}

/** Find the file, creating it for O_CREAT. Returns where it is and whether it was created. */
function findOrCreate(
  kernel: Kernel,
  task: Task,
  req: OpenRequest,
): { at: Path; created: boolean } {
  const ctx = walkContext(task, kernel.vfs);
  const follow = !(req.flags & O_NOFOLLOW);
  const scoped = req.walk?.inRoot === true || req.walk?.beneath === true;
  if (!(req.flags & O_CREAT)) {
    const start = startingPoint(task, req.dirfd, req.path, scoped);
    const at = resolve(ctx, start, req.path, {
      follow: follow && !(req.flags & O_PATH && req.flags & O_NOFOLLOW),
      directory: (req.flags & O_DIRECTORY) !== 0,
      ...req.walk,
    });
    return { at, created: false };
  }
  let dirfd = req.dirfd;
  let path = req.path;
  let start: Path | null = null;
  // openat2's scope: where RESOLVE_BENEATH/RESOLVE_IN_ROOT stop, also through a followed link.
  const scopeRoot = scoped ? startingPoint(task, req.dirfd, req.path, true) : undefined;
  for (let links = 0;; links++) {
    const parent: ParentWalk = scopeRoot !== undefined
      ? resolveParent(ctx, start ?? scopeRoot, path, { ...req.walk, scopeRoot })
      : start === null
      ? parentAt(task, kernel.vfs, dirfd, path)
      : resolveParent(ctx, start, path);
    const { dir, name, trailingSlash } = parent;
    if (name === "" || name === "." || name === ".." || trailingSlash) {
      throw new SyscallError(EISDIR);
    }
    // A removed directory has no entries and takes none (IS_DEADDIR).
    if (dir.dentry.inode.nlink === 0) throw new SyscallError(ENOENT);
    const existing = dir.dentry.child(name);
    if (existing !== null) {
      if (req.flags & O_EXCL) throw new SyscallError(EEXIST);
      const at = kernel.vfs.mounts.crossDown({ mount: dir.mount, dentry: existing });
      if (!isLnk(at.dentry.inode.mode)) return { at, created: false };
      if (!follow || req.walk?.noSymlinks) throw new SyscallError(ELOOP);
      if (links >= MAX_SYMLINKS) throw new SyscallError(ELOOP);
      // A /proc magic link (/dev/stderr's target) leads straight to what it names.
      const jump = at.dentry.inode.magicLink();
      if (jump !== null) {
        if (req.walk?.noMagicLinks || scoped) throw new SyscallError(ELOOP);
        if (req.flags & O_EXCL) throw new SyscallError(EEXIST);
        return { at: jump, created: false };
      }
      // Follow the link; a dangling one creates its target, as Linux does.
      path = at.dentry.inode.readlink();
      if (path === "") throw new SyscallError(ENOENT);
      if (path.startsWith("/") && req.walk?.beneath) throw new SyscallError(EXDEV);
      start = path.startsWith("/") ? scopeRoot ?? task.proc.root : dir;
      dirfd = -1;
      continue;
    }
    checkPermission(dir.dentry.inode, task.proc.creds, MAY_WRITE | MAY_EXEC);
    if (dir.mount.readOnly) throw new SyscallError(EROFS);
    const creds = task.proc.creds;
    const mode = S_IFREG | (req.mode & 0o7777 & ~task.proc.umask);
    const inode = dir.dentry.inode.create(
      name,
      mode,
      creds.fsuid,
      newInodeGroup(dir.dentry.inode, creds),
      0,
    );
    const dentry = dir.dentry.child(name);
    if (dentry === null || dentry.inode !== inode) throw new SyscallError(ENOENT);
    return { at: { mount: dir.mount, dentry }, created: true };
  }
}

/** Open per `req`; returns the new OpenFile (not yet in the fd table). */
export function openFile(kernel: Kernel, task: Task, req: OpenRequest): OpenFile {
  let flags = req.flags;
  if (flags & O_TMPFILE & ~O_DIRECTORY) {
    // Linux validates O_TMPFILE before asking the filesystem: it needs write access, no O_CREAT.
    if ((flags & (O_TMPFILE | O_CREAT)) !== O_TMPFILE) throw new SyscallError(EINVAL);
    if ((flags & O_ACCMODE) === O_RDONLY) throw new SyscallError(EINVAL);
    throw new SyscallError(EOPNOTSUPP);
  }
  if (flags & O_CREAT && flags & O_DIRECTORY) throw new SyscallError(EINVAL);
  if (flags & O_PATH) flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  const { at, created } = findOrCreate(kernel, task, { ...req, flags });
  const inode = at.dentry.inode;
  const type = inode.mode & S_IFMT;
  const file = (ops: OpenFile["ops"]) => {
    const f = new OpenFile(ops, flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY), "");
    f.path = pathString(at, task.proc.root);
    attachInode(f, at);
    return f;
  };
  if (flags & O_PATH) {
    if (flags & O_DIRECTORY && !isDir(inode.mode)) throw new SyscallError(ENOTDIR);
    return file(pathOnlyOps);
  }
  if (isLnk(inode.mode)) throw new SyscallError(ELOOP);
  if (flags & O_DIRECTORY && type !== 0o040000) throw new SyscallError(ENOTDIR);
  const mask = accessMask(flags);
  if (!created) checkPermission(inode, task.proc.creds, mask);
  if (type === 0o040000) {
    if (mask & MAY_WRITE || flags & O_CREAT) throw new SyscallError(EISDIR);
    return file(directoryOps);
  }
  const wantsWrite = (mask & MAY_WRITE) !== 0;
  if (wantsWrite && at.mount.readOnly && type === S_IFREG) throw new SyscallError(EROFS);
  if (type === S_IFCHR) {
    const device = charDevice(inode.rdev);
    if (device === undefined) throw new SyscallError(ENXIO);
    const ops = device.open({ kernel, task, flags, inode });
    const f = file(ops);
    return f;
  }
  if (type === S_IFBLK || type === S_IFSOCK) throw new SyscallError(ENXIO);
  if (type === S_IFIFO) {
    if (inode instanceof StreamInode) return inode.reopen(flags & ~(O_CREAT | O_EXCL | O_TRUNC));
    const pipe = pipeOfInode(inode); // a pipe reopened through /proc/<pid>/fd
    return pipe !== null ? reopenPipe(pipe, flags) : file(openFifo(inode, flags));
  }
  if (wantsWrite && kernel.isExecutableInUse(inode)) throw new SyscallError(ETXTBSY);
  if (flags & O_TRUNC && !created && wantsWrite && inode.size > 0) truncateInode(inode, 0);
  else if (flags & O_TRUNC && !created && wantsWrite) {
    const now = currentTime();
    inode.mtime = now;
    inode.ctime = now;
    inode.markDirty();
  }
  const opened = file(regularFileOps);
  if (wantsWrite) countWriter(opened, inode);
  return opened;
}

/** An open for writing keeps the inode from being executed (ETXTBSY) until its last close. */
function countWriter(file: OpenFile, inode: Inode): void {
  inode.writers++;
  const previous = file.onLastClose;
  file.onLastClose = () => {
    inode.writers--;
    previous?.();
  };
}
