// Directories as a process sees them: getdents64/getdents (reading entries, with "." and ".."
// first and offsets lseek accepts), chdir, fchdir, getcwd and chroot.

import { EBADF, EINVAL, ENOENT, ENOTDIR, EPERM, ERANGE } from "../errno.ts";
import { O_PATH, type OpenFile } from "../files/open-file.ts";
import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/process.ts";
import { SyscallError } from "../syscall-error.ts";
import type { Path } from "../fs/dentry.ts";
import { DT_DIR, isDir, nameBytes } from "../fs/inode.ts";
import { isReachable, pathString } from "../fs/path-walk.ts";
import { checkPermission, MAY_EXEC } from "../fs/permission.ts";
import { AT_FDCWD, lookupAt } from "../fs/vfs.ts";
import type { SyscallFamily } from "./args.ts";
import { setI64 } from "../le64.ts";

/** The inode number ".." shows: the parent directory, across a mount point if need be. */
function parentIno(p: Path, root: Path): number {
  let cur = p;
  if (cur.mount === root.mount && cur.dentry === root.dentry) return cur.dentry.inode.ino;
  while (cur.dentry === cur.mount.root && cur.mount.parent !== null) {
    cur = { mount: cur.mount.parent, dentry: cur.mount.mountpoint! };
  }
  return (cur.dentry.parent ?? cur.dentry).inode.ino;
}

function directoryFile(task: Task, fd: number): OpenFile {
  const file = task.proc.fds.get(fd);
  if (file === undefined || file.flags & O_PATH) throw new SyscallError(EBADF);
  const inode = file.inode;
  if (inode === null || !file.readableMode) {
    throw new SyscallError(inode === null ? ENOTDIR : EBADF);
  }
  if (!isDir(inode.mode)) throw new SyscallError(ENOTDIR);
  // A removed directory cannot be read (Linux's IS_DEADDIR check in iterate_dir).
  if (inode.nlink === 0) throw new SyscallError(ENOENT);
  return file;
}

/** Entries from the file's position on, snapshotting the directory at offset 0. */
function cursorOf(task: Task, file: OpenFile) {
  const at = file.location!;
  if (file.dirCursor === null || file.offset === 0) {
    const inode = at.dentry.inode;
    const entries = inode.nlink === 0 ? [] : [
      { name: ".", ino: inode.ino, type: DT_DIR },
      { name: "..", ino: parentIno(at, task.proc.root), type: DT_DIR },
      ...inode.readdir(),
    ];
    file.dirCursor = { entries, pos: 0 };
  }
  file.dirCursor.pos = file.offset;
  return file.dirCursor;
}

type Encoder = (e: { name: string; ino: number; type: number }, next: number) => Uint8Array;

const dirent64: Encoder = (e, next) => {
  const name = nameBytes(e.name);
  const len = (19 + name.length + 1 + 7) & ~7;
  const b = new Uint8Array(len);
  const dv = new DataView(b.buffer);
  setI64(dv, 0, e.ino);
  setI64(dv, 8, next);
  dv.setUint16(16, len, true);
  b[18] = e.type;
  b.set(name, 19);
  return b;
};

const direntOld: Encoder = (e, next) => {
  const name = nameBytes(e.name);
  const len = (18 + name.length + 2 + 7) & ~7;
  const b = new Uint8Array(len);
  const dv = new DataView(b.buffer);
  setI64(dv, 0, e.ino);
  setI64(dv, 8, next);
  dv.setUint16(16, len, true);
  b.set(name, 18);
  b[len - 1] = e.type;
  return b;
};

function getdents(task: Task, fd: number, addr: number, count: number, encode: Encoder): number {
  const file = directoryFile(task, fd);
  const cursor = cursorOf(task, file);
  const out: Uint8Array[] = [];
  let used = 0;
  while (cursor.pos < cursor.entries.length) {
    const rec = encode(cursor.entries[cursor.pos], cursor.pos + 1);
    if (used + rec.length > count) {
      if (used === 0) throw new SyscallError(EINVAL);
      break;
    }
    out.push(rec);
    used += rec.length;
    cursor.pos++;
  }
  const buf = new Uint8Array(used);
  let o = 0;
  for (const rec of out) {
    buf.set(rec, o);
    o += rec.length;
  }
  if (used > 0) task.proc.user.write(addr, buf);
  file.offset = cursor.pos;
  return used;
}

function directoryAt(kernel: Kernel, task: Task, pathAddr: number): Path {
  const at = lookupAt(task, kernel.vfs, AT_FDCWD, task.proc.user.path(pathAddr), 0);
  if (at === null) throw new SyscallError(ENOENT);
  if (!isDir(at.dentry.inode.mode)) throw new SyscallError(ENOTDIR);
  checkPermission(at.dentry.inode, task.proc.creds, MAY_EXEC);
  return at;
}

export const fileDirSyscalls: SyscallFamily = {
  getdents64: (task, a) => getdents(task, a.int(0), a.u64(1), a.uint(2), dirent64),
  getdents: (task, a) => getdents(task, a.int(0), a.u64(1), a.uint(2), direntOld),

  chdir(task, a, kernel) {
    task.proc.cwd = directoryAt(kernel, task, a.u64(0));
    return 0;
  },

  fchdir(task, a) {
    const file = task.proc.fds.get(a.int(0));
    if (file === undefined) return -EBADF;
    const at = file.location;
    if (at === null || !isDir(at.dentry.inode.mode)) return -ENOTDIR;
    checkPermission(at.dentry.inode, task.proc.creds, MAY_EXEC);
    task.proc.cwd = at;
    return 0;
  },

  getcwd(task, a) {
    const cwd = task.proc.cwd;
    // An unlinked working directory has no name (its dentry may not be the one rmdir saw when the
    // filesystem does not cache names, so its link count counts too).
    if (cwd.dentry.deleted || cwd.dentry.inode.nlink === 0) return -ENOENT;
    const name = pathString(cwd, task.proc.root);
    const unreachable = isReachable(cwd, task.proc.root) ? "" : "(unreachable)";
    const bytes = nameBytes(unreachable + name + "\0");
    if (a.u64(1) < bytes.length) return -ERANGE;
    task.proc.user.write(a.u64(0), bytes);
    return bytes.length;
  },

  chroot(task, a, kernel) {
    const at = directoryAt(kernel, task, a.u64(0));
    if (task.proc.creds.euid !== 0) return -EPERM;
    task.proc.root = at;
    return 0;
  },
};
