// Mounting and flushing: mount, umount2, statfs, fstatfs, sync, syncfs, fsync, fdatasync. mount
// creates tmpfs, proc, devtmpfs, and ext2 on a block device node, and remounts read-only or
// read-write.

import {
  EACCES,
  EBADF,
  EBUSY,
  EINVAL,
  ENODEV,
  ENOENT,
  ENOTBLK,
  ENOTDIR,
  ENXIO,
  EPERM,
  EROFS,
} from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import { O_PATH, type OpenFile } from "../files/open-file.ts";
import type { Task } from "../proc/process.ts";
import { SyscallError } from "../syscall-error.ts";
import type { Path } from "../fs/dentry.ts";
import { fileSystemType, MountError, type StatFs } from "../fs/filesystem.ts";
import { isDir, isReg, S_IFBLK, S_IFMT } from "../fs/inode.ts";
import { type Mount, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY } from "../fs/mount.ts";
import { AT_FDCWD, lookupAt } from "../fs/vfs.ts";
import type { SyscallArgs, SyscallFamily } from "./args.ts";
import { setI64 } from "../le64.ts";
import { syncInodeData } from "../fs/page-cache.ts";

const MS_REMOUNT = 0x20, MS_BIND = 0x1000, MS_MOVE = 0x2000, MS_SILENT = 0x8000;
const MS_RELATIME = 1 << 21, MS_STRICTATIME = 1 << 24, MS_NOATIME = 0x400, MS_NODIRATIME = 0x800;
const MS_PROPAGATION = (1 << 20) | (1 << 19) | (1 << 18) | (1 << 17); // shared/slave/private/unbindable
const MNT_FORCE = 1, MNT_DETACH = 2, MNT_EXPIRE = 4, UMOUNT_NOFOLLOW = 8;
const ST_VALID = 0x20, ST_RELATIME = 0x400;
const MOUNT_FLAGS_KEPT = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;

function requireRoot(task: Task): void {
  if (task.proc.creds.euid !== 0) throw new SyscallError(EPERM);
}

function pathAt(kernel: Kernel, task: Task, addr: number, follow = true): Path {
  const at = lookupAt(task, kernel.vfs, AT_FDCWD, task.proc.user.path(addr), follow ? 0 : 0x100);
  if (at === null) throw new SyscallError(ENOENT);
  return at;
}

/** Is anything of a process inside mount `m` (cwd, root, an open file, the executable)? */
function mountInUse(kernel: Kernel, m: Mount): boolean {
  for (const p of kernel.processes.values()) {
    if (p.exitStatus !== null) continue;
    if (p.cwd.mount === m || p.root.mount === m || p.exeLocation?.mount === m) return true;
    for (const fd of p.fds.openFds()) if (p.fds.get(fd)?.location?.mount === m) return true;
    if (p.mm.vmas.areas.some((v) => v.file?.file.location?.mount === m)) return true;
  }
  return false;
}

/** Is a regular file of `fs` open for writing (what makes a read-only remount EBUSY)? */
function openForWriting(kernel: Kernel, fs: Mount["fs"]): boolean {
  const writing = (f: OpenFile | undefined) =>
    f !== undefined && f.writableMode && f.location?.mount.fs === fs &&
    isReg(f.location.dentry.inode.mode);
  for (const p of kernel.processes.values()) {
    if (p.exitStatus !== null) continue;
    for (const fd of p.fds.openFds()) if (writing(p.fds.get(fd))) return true;
    if (p.mm.vmas.areas.some((v) => writing(v.file?.file))) return true;
  }
  return false;
}

/** Is `m` mounted somewhere below `top` (on it, or on one of its descendants)? */
function isBelow(m: Mount, top: Mount): boolean {
  for (let cur = m.parent; cur !== null; cur = cur.parent) if (cur === top) return true;
  return false;
}

function mountNew(
  kernel: Kernel,
  task: Task,
  a: SyscallArgs,
  target: Path,
  flags: number,
): number {
  const typeName = task.proc.user.cString(a.u64(2), 4095);
  const type = fileSystemType(typeName);
  if (type === undefined) return -ENODEV;
  const data = a.u64(4) === 0 ? "" : task.proc.user.cString(a.u64(4), 4095);
  // Mount-wide words belong to the VFS, as in Linux; the rest goes to the filesystem.
  const generic: Record<string, number> = {
    ro: MS_RDONLY,
    rw: 0,
    nosuid: MS_NOSUID,
    nodev: MS_NODEV,
    noexec: MS_NOEXEC,
    suid: 0,
    dev: 0,
    exec: 0,
    sync: 0,
    async: 0,
    relatime: 0,
    noatime: 0,
    strictatime: 0,
    nodiratime: 0,
  };
  const specific: string[] = [];
  for (const word of data.split(",").filter((w) => w !== "")) {
    if (word in generic) flags |= generic[word];
    else specific.push(word);
  }
  const options = specific.join(",");
  const sourceName = a.u64(0) === 0 ? "none" : task.proc.user.path(a.u64(0));
  let device;
  if (type.needsDevice) {
    const source = pathAt(kernel, task, a.u64(0));
    const inode = source.dentry.inode;
    if ((inode.mode & S_IFMT) !== S_IFBLK) return -ENOTBLK;
    if (source.mount.flags & MS_NODEV) return -EACCES;
    if (!kernel.blockDevices.has(inode.rdev)) return -ENXIO;
    if (kernel.blockDevices.isMounted(inode.rdev)) return -EBUSY;
    device = kernel.blockDevices.claim(inode.rdev);
  }
  // The filesystem is read-only only when its device is; MS_RDONLY is the mount's flag, so a
  // remount can lift it.
  const readOnly = device?.readOnly ?? false;
  let fs;
  try {
    fs = type.factory({ device, readOnly, options, source: sourceName, kernel });
  } catch (e) {
    device?.close();
    if (e instanceof MountError) {
      kernel.log(`mount: ${e.message}`);
      return -e.errno;
    }
    throw e;
  }
  kernel.vfs.mounts.mount(fs, target, (flags & MOUNT_FLAGS_KEPT) | (fs.readOnly ? MS_RDONLY : 0));
  return 0;
}

/** struct statfs (120 bytes). */
function encodeStatfs(st: StatFs, m: Mount): Uint8Array {
  const b = new Uint8Array(120);
  const dv = new DataView(b.buffer);
  const v = [st.type, st.bsize, st.blocks, st.bfree, st.bavail, st.files, st.ffree];
  v.forEach((x, i) => setI64(dv, i * 8, x));
  const dev = m.fs.dev;
  dv.setUint32(56, dev % 2 ** 32, true);
  dv.setUint32(60, Math.floor(dev / 2 ** 32), true);
  setI64(dv, 64, st.namelen);
  setI64(dv, 72, st.frsize);
  let flags = ST_VALID | ST_RELATIME | (m.flags & MOUNT_FLAGS_KEPT);
  if (m.readOnly) flags |= MS_RDONLY;
  setI64(dv, 80, flags);
  return b;
}

function fsyncFd(task: Task, fd: number, dataOnly: boolean): number {
  const file = task.proc.fds.get(fd);
  if (file === undefined || file.flags & O_PATH) return -EBADF;
  const inode = file.inode;
  if (inode === null) return -EINVAL;
  syncInodeData(inode);
  inode.sync(dataOnly);
  return 0;
}

export const fileSyncSyscalls: SyscallFamily = {
  mount(task, a, kernel) {
    requireRoot(task);
    let flags = a.u64(3) % 2 ** 32;
    if ((flags & 0xffff0000) === 0xc0ed0000) flags &= 0xffff; // MS_MGC_VAL
    flags &= ~(MS_SILENT | MS_RELATIME | MS_STRICTATIME | MS_NOATIME | MS_NODIRATIME);
    const target = pathAt(kernel, task, a.u64(1));
    if (flags & MS_PROPAGATION) return 0; // one namespace: propagation has nothing to change
    if (flags & MS_REMOUNT) {
      const m = target.mount;
      if (target.dentry !== m.root) return -EINVAL;
      if (!(flags & MS_RDONLY) && m.fs.readOnly) return -EROFS;
      if (flags & MS_RDONLY && !m.readOnly && openForWriting(kernel, m.fs)) return -EBUSY;
      m.flags = flags & MOUNT_FLAGS_KEPT;
      if (flags & MS_RDONLY) m.fs.sync();
      return 0;
    }
    if (flags & (MS_BIND | MS_MOVE)) return -EINVAL;
    if (!isDir(target.dentry.inode.mode)) return -ENOTDIR;
    return mountNew(kernel, task, a, target, flags);
  },

  umount2(task, a, kernel) {
    requireRoot(task);
    const flags = a.int(1);
    if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW)) return -EINVAL;
    if (flags & MNT_EXPIRE && flags & (MNT_FORCE | MNT_DETACH)) return -EINVAL;
    const target = pathAt(kernel, task, a.u64(0), !(flags & UMOUNT_NOFOLLOW));
    const m = target.mount;
    if (target.dentry !== m.root) return -EINVAL;
    if (m.parent === null) return -EBUSY;
    if (flags & MNT_DETACH) {
      // A lazy unmount takes the mounts below it along, deepest first (umount_tree).
      const mounts = kernel.vfs.mounts;
      for (const below of [...mounts.all()].reverse().filter((b) => isBelow(b, m))) {
        mounts.unmount(below, mountInUse(kernel, below), true);
      }
    }
    kernel.vfs.mounts.unmount(m, mountInUse(kernel, m), (flags & MNT_DETACH) !== 0);
    return 0;
  },

  statfs(task, a, kernel) {
    const at = pathAt(kernel, task, a.u64(0));
    task.proc.user.write(a.u64(1), encodeStatfs(at.mount.fs.statfs(), at.mount));
    return 0;
  },

  fstatfs(task, a) {
    const file = task.proc.fds.get(a.int(0));
    if (file === undefined) return -EBADF;
    if (file.location === null) return -EINVAL;
    const m = file.location.mount;
    task.proc.user.write(a.u64(1), encodeStatfs(m.fs.statfs(), m));
    return 0;
  },

  sync(_task, _a, kernel) {
    kernel.syncAll();
    return 0;
  },

  syncfs(task, a, kernel) {
    const file = task.proc.fds.get(a.int(0));
    if (file === undefined || file.flags & O_PATH) return -EBADF;
    if (file.location === null) return 0;
    for (const p of kernel.processes.values()) p.mm.writeBackSharedFiles(file.location.mount.fs);
    file.location.mount.fs.sync();
    return 0;
  },

  fsync: (task, a) => fsyncFd(task, a.int(0), false),
  fdatasync: (task, a) => fsyncFd(task, a.int(0), true),
};
