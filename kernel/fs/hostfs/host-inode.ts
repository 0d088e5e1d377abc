// HostInode: one host file, directory, symlink, FIFO or socket of a hostfs mount. It knows where
// the host has it (parent HostInode + name, so renames of an ancestor carry it along), takes its
// attributes from the host and pushes attribute changes back with no-follow calls. Every
// operation goes through HostFileSystem's confined descriptors; names are checked here too.

import {
  EACCES,
  EINVAL,
  EISDIR,
  ELOOP,
  ENAMETOOLONG,
  ENOENT,
  ENOTDIR,
  ENXIO,
  EPERM,
  EROFS,
  ESTALE,
  ETXTBSY,
  EXDEV,
} from "../../errno.ts";
import { SyscallError } from "../../syscall-error.ts";
import {
  bytesName,
  type DirEntry,
  Inode,
  isDir,
  isLnk,
  isReg,
  makedev,
  S_IFBLK,
  S_IFCHR,
  S_IFIFO,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
  type Timespec,
} from "../inode.ts";
import {
  AT_EMPTY_PATH,
  AT_REMOVEDIR,
  AT_SYMLINK_NOFOLLOW,
  type HostStat,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOCTTY,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_PATH,
  O_RDONLY,
  O_RDWR,
  RENAME_EXCHANGE,
  RESOLVE_CONFINED,
  SEEK_DATA,
  SEEK_HOLE,
} from "./host-calls.ts";
import type { OpenHostFile } from "./host-fd-cache.ts";
import type { HostFileSystem } from "./hostfs.ts";

/** Deeper parent chains than this are a cycle in our picture of the host tree. */
const MAX_DEPTH = 2048;
const NAME_MAX = 255;

export interface HostLocation {
  parent: HostInode;
  name: string;
}

/** The attributes the host had when last read, to see what markDirty must push. */
interface HostAttributes {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  atime: Timespec;
  mtime: Timespec;
}

export function hostKey(stat: HostStat): string {
  return `${stat.devMajor}:${stat.devMinor}:${stat.ino}`;
}

/** A name the host may see: one component, no "/", NUL, ".", ".." or char above 0xff. */
export function checkName(name: string): void {
  if (name.length === 0) throw new SyscallError(ENOENT);
  if (name.length > NAME_MAX) throw new SyscallError(ENAMETOOLONG);
  if (name === "." || name === "..") throw new SyscallError(EINVAL);
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code === 0 || code === 0x2f || code > 0xff) throw new SyscallError(EINVAL);
  }
}

/** Is `ancestor` `node` itself or one of the directories above it? */
export function isAncestorOrSelf(ancestor: HostInode, node: HostInode): boolean {
  let current: HostInode | undefined = node;
  for (let depth = 0; current && depth <= MAX_DEPTH; depth++) {
    if (current === ancestor) return true;
    current = current.location?.parent;
  }
  return false;
}

/** "a/b/c" from the root to `inode` ("." for the root); ESTALE if a link of the chain was removed. */
function pathBeneathRoot(inode: HostInode): string {
  const root = inode.fs.root;
  if (inode === root) return ".";
  const names: string[] = [];
  let current = inode;
  while (current !== root) {
    if (!current.location) throw new SyscallError(ESTALE);
    if (names.length > MAX_DEPTH) throw new SyscallError(ELOOP);
    names.push(current.location.name);
    current = current.location.parent;
  }
  return names.reverse().join("/");
}

function sameTime(a: Timespec, b: Timespec): boolean {
  return a.sec === b.sec && a.nsec === b.nsec;
}

function errnoOf(error: unknown): number {
  return error instanceof SyscallError ? error.errno : -1;
}

export class HostInode extends Inode {
  declare readonly fs: HostFileSystem;
  /** Where the host has it; null for the root and for an inode whose last known name is gone. */
  location: HostLocation | null;
  private hostBlocks = 0;
  private host!: HostAttributes;

  constructor(
    fs: HostFileSystem,
    readonly hostKey: string,
    stat: HostStat,
    location: HostLocation | null,
  ) {
    super(fs, Number(stat.ino));
    this.location = location;
    this.applyStat(stat);
  }

  get blocks(): number {
    return this.hostBlocks;
  }

  /** Its path beneath the mount root, as the host spells it. */
  relPath(): string {
    return pathBeneathRoot(this);
  }

  /** Take every attribute from a host stat. */
  applyStat(stat: HostStat): void {
    this.mode = stat.mode;
    this.uid = stat.uid;
    this.gid = stat.gid;
    this.nlink = stat.nlink;
    this.size = stat.size;
    this.rdev = makedev(stat.rdevMajor, stat.rdevMinor);
    this.atime = stat.atime;
    this.mtime = stat.mtime;
    this.ctime = stat.ctime;
    this.btime = stat.btime;
    this.hostBlocks = stat.blocks;
    this.host = {
      mode: stat.mode,
      uid: stat.uid,
      gid: stat.gid,
      size: stat.size,
      atime: stat.atime,
      mtime: stat.mtime,
    };
  }

  /** A lookup found it as `name` in `parent`. */
  relocate(parent: HostInode, name: string): void {
    this.location = { parent, name };
    this.fs.fds.setPinned(this, false);
  }

  /** Re-read the attributes from the host (the VFS calls this before stat: the host may change). */
  override refresh(): void {
    const open = this.fs.fds.get(this);
    if (open) {
      this.applyStat(this.fs.calls.fstat(open.fd));
      return;
    }
    // Removed (an open directory after rmdir, a removed cwd): the last attributes stand, as the
    // host has no name left to ask about.
    if (this !== this.fs.root && this.location === null) return;
    this.atLocation((dirfd, name) => this.applyStat(this.statSelf(dirfd, name)));
  }

  /** Push changed mode/uid/gid/atime/mtime (and size) to the host, without following links. */
  override markDirty(): void {
    const want = {
      mode: this.mode,
      uid: this.uid,
      gid: this.gid,
      size: this.size,
      atime: this.atime,
      mtime: this.mtime,
    };
    const host = this.host;
    const modeChanged = (want.mode & 0o7777) !== (host.mode & 0o7777);
    const ownerChanged = want.uid !== host.uid || want.gid !== host.gid;
    const atimeChanged = !sameTime(want.atime, host.atime);
    const mtimeChanged = !sameTime(want.mtime, host.mtime);
    const sizeChanged = isReg(want.mode) && want.size !== host.size;
    if (!modeChanged && !ownerChanged && !atimeChanged && !mtimeChanged && !sizeChanged) return;
    if (this.fs.readOnly) {
      this.restoreHostAttributes();
      // Like a read-only Linux mount, reads leave atime alone rather than fail.
      if (modeChanged || ownerChanged || mtimeChanged || sizeChanged) throw new SyscallError(EROFS);
      return;
    }
    try {
      if (sizeChanged) this.fs.calls.ftruncate(this.dataFile(true).fd, want.size);
      if (this !== this.fs.root && this.location === null) {
        // Unlinked but still open: no name to change on the host; the guest's fds see the
        // values kept here until the last one closes.
        this.host = { ...want };
        return;
      }
      this.atLocation((dirfd, name) => {
        const calls = this.fs.calls;
        this.statSelf(dirfd, name);
        if (ownerChanged) {
          const uid = want.uid !== host.uid ? want.uid : -1;
          const gid = want.gid !== host.gid ? want.gid : -1;
          calls.fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW);
        }
        // chown clears set-id bits on the host, so compare with what it has now.
        if (
          !isLnk(want.mode) &&
          (calls.statx(dirfd, name, AT_SYMLINK_NOFOLLOW).mode & 0o7777) !== (want.mode & 0o7777)
        ) {
          this.fs.chmodAt(dirfd, name, want.mode & 0o7777);
        }
        if (atimeChanged || mtimeChanged) {
          calls.utimensat(
            dirfd,
            name,
            atimeChanged ? want.atime : null,
            mtimeChanged ? want.mtime : null,
            AT_SYMLINK_NOFOLLOW,
          );
        }
        this.applyStat(this.statSelf(dirfd, name));
      });
    } catch (error) {
      this.restoreHostAttributes();
      throw error;
    }
  }

  // ---- directories --------------------------------------------------------------------------
  override lookup(name: string): HostInode | null {
    this.requireDir();
    checkName(name);
    const calls = this.fs.calls;
    return this.fs.withDirFd(this, (dirfd) => {
      let fd: number;
      try {
        fd = calls.openat2(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, RESOLVE_CONFINED);
      } catch (error) {
        if (errnoOf(error) === ENOENT) return null;
        throw error;
      }
      let stat: HostStat;
      try {
        stat = calls.fstat(fd);
      } finally {
        calls.closeFd(fd);
      }
      return this.fs.inodeAt(stat, this, name);
    });
  }

  override readdir(): DirEntry[] {
    this.requireDir();
    const calls = this.fs.calls;
    const fd = this.fs.openInode(this, O_RDONLY | O_DIRECTORY);
    const entries: DirEntry[] = [];
    const buf = new Uint8Array(32768);
    const view = new DataView(buf.buffer);
    try {
      for (;;) {
        const length = calls.getdents64(fd, buf);
        if (length === 0) break;
        for (let offset = 0; offset < length;) {
          const recordLength = view.getUint16(offset + 16, true);
          const nameStart = offset + 19;
          let nameEnd = nameStart;
          while (nameEnd < offset + recordLength && buf[nameEnd] !== 0) nameEnd++;
          const name = bytesName(buf.subarray(nameStart, nameEnd));
          if (name !== "." && name !== "..") {
            entries.push({
              name,
              ino: Number(view.getBigUint64(offset, true)),
              type: buf[offset + 18],
            });
          }
          offset += recordLength;
        }
      }
    } finally {
      calls.closeFd(fd);
    }
    return entries;
  }

  override create(name: string, mode: number, uid: number, gid: number, _rdev: number): HostInode {
    this.requireWritableDir();
    checkName(name);
    const type = mode & S_IFMT;
    // A device node on the host would be a door to the host's devices (the classic chroot
    // escape), so none is made, whatever the guest's privileges.
    if (type === S_IFCHR || type === S_IFBLK) throw new SyscallError(EPERM);
    if (type !== S_IFREG && type !== S_IFIFO && type !== S_IFSOCK) throw new SyscallError(EINVAL);
    const perms = mode & 0o7777;
    const calls = this.fs.calls;
    return this.fs.withDirFd(this, (dirfd) => {
      if (type !== S_IFREG) {
        calls.mknodat(dirfd, name, type | perms, 0);
        return this.adoptCreated(dirfd, name, perms, uid, gid, -1);
      }
      const flags = O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
      const fd = calls.openat2(dirfd, name, flags, perms, RESOLVE_CONFINED);
      try {
        return this.adoptCreated(dirfd, name, perms, uid, gid, fd);
      } catch (error) {
        calls.closeFd(fd);
        throw error;
      }
    });
  }

  override mkdir(name: string, mode: number, uid: number, gid: number): HostInode {
    this.requireWritableDir();
    checkName(name);
    return this.fs.withDirFd(this, (dirfd) => {
      this.fs.calls.mkdirat(dirfd, name, mode & 0o7777);
      return this.adoptCreated(dirfd, name, mode & 0o7777, uid, gid, -1);
    });
  }

  override symlink(name: string, target: string, uid: number, gid: number): HostInode {
    this.requireWritableDir();
    checkName(name);
    return this.fs.withDirFd(this, (dirfd) => {
      this.fs.calls.symlinkat(target, dirfd, name);
      return this.adoptCreated(dirfd, name, null, uid, gid, -1);
    });
  }

  override link(name: string, target: Inode): void {
    this.requireWritableDir();
    checkName(name);
    if (!(target instanceof HostInode) || target.fs !== this.fs) throw new SyscallError(EXDEV);
    if (isDir(target.mode)) throw new SyscallError(EPERM);
    const calls = this.fs.calls;
    this.fs.withDirFd(this, (newDirfd) =>
      target.atLocation((oldDirfd, oldName) => {
        target.statSelf(oldDirfd, oldName);
        calls.linkat(oldDirfd, oldName, newDirfd, name, 0);
        const stat = calls.statx(newDirfd, name, AT_SYMLINK_NOFOLLOW);
        if (hostKey(stat) === target.hostKey) target.applyStat(stat);
      }));
  }

  override unlink(name: string): void {
    this.removeEntry(name, false);
  }

  override rmdir(name: string): void {
    this.removeEntry(name, true);
  }

  override rename(oldName: string, newDir: Inode, newName: string, exchange: boolean): void {
    this.requireWritableDir();
    checkName(oldName);
    checkName(newName);
    if (!(newDir instanceof HostInode) || newDir.fs !== this.fs) throw new SyscallError(EXDEV);
    newDir.requireDir();
    const calls = this.fs.calls;
    this.fs.withDirFd(this, (oldDirfd) =>
      this.fs.withDirFd(newDir, (newDirfd) => {
        const moving = this.fs.known(calls.statx(oldDirfd, oldName, AT_SYMLINK_NOFOLLOW));
        let replaced: HostInode | undefined;
        try {
          replaced = this.fs.known(calls.statx(newDirfd, newName, AT_SYMLINK_NOFOLLOW));
        } catch (error) {
          if (errnoOf(error) !== ENOENT || exchange) throw error;
        }
        if (moving && isDir(moving.mode) && isAncestorOrSelf(moving, newDir)) {
          throw new SyscallError(EINVAL);
        }
        if (exchange && replaced && isDir(replaced.mode) && isAncestorOrSelf(replaced, this)) {
          throw new SyscallError(EINVAL);
        }
        if (!exchange && replaced && replaced !== moving) replaced.holdDataBeforeRemoval();
        calls.renameat2(oldDirfd, oldName, newDirfd, newName, exchange ? RENAME_EXCHANGE : 0);
        if (exchange) replaced?.relocate(this, oldName);
        else if (replaced && replaced !== moving) replaced.removedFrom(newDir, newName);
        moving?.relocate(newDir, newName);
      }));
  }

  // ---- regular files ------------------------------------------------------------------------
  override read(offset: number, buf: Uint8Array): number {
    const open = this.dataFile(false);
    let done = 0;
    while (done < buf.length) {
      const count = this.fs.calls.pread(open.fd, buf.subarray(done), offset + done);
      if (count === 0) break;
      done += count;
    }
    return done;
  }

  override write(offset: number, data: Uint8Array): number {
    if (this.fs.readOnly) throw new SyscallError(EROFS);
    const open = this.dataFile(true);
    let done = 0;
    while (done < data.length) {
      done += this.fs.calls.pwrite(open.fd, data.subarray(done), offset + done);
    }
    this.applyStat(this.fs.calls.fstat(open.fd));
    return done;
  }

  override truncate(size: number): void {
    if (this.fs.readOnly) throw new SyscallError(EROFS);
    const open = this.dataFile(true);
    this.fs.calls.ftruncate(open.fd, size);
    this.applyStat(this.fs.calls.fstat(open.fd));
  }

  override allocate(offset: number, length: number): void {
    if (this.fs.readOnly) throw new SyscallError(EROFS);
    const open = this.dataFile(true);
    this.fs.calls.fallocate(open.fd, 0, offset, length);
    this.applyStat(this.fs.calls.fstat(open.fd));
  }

  override nextData(offset: number): number {
    try {
      return this.fs.calls.lseek(this.dataFile(false).fd, offset, SEEK_DATA);
    } catch (error) {
      if (errnoOf(error) === ENXIO) return -1;
      throw error;
    }
  }

  override nextHole(offset: number): number {
    try {
      return this.fs.calls.lseek(this.dataFile(false).fd, offset, SEEK_HOLE);
    } catch (error) {
      if (errnoOf(error) === ENXIO) return this.size;
      throw error;
    }
  }

  // ---- symlinks -----------------------------------------------------------------------------
  override readlink(): string {
    if (!isLnk(this.mode)) throw new SyscallError(EINVAL);
    return this.atLocation((dirfd, name) => bytesName(this.fs.calls.readlinkat(dirfd, name)));
  }

  // ---- lifetime -----------------------------------------------------------------------------
  override sync(dataOnly: boolean): void {
    if (isReg(this.mode)) {
      this.fs.calls.fsync(this.dataFile(false).fd, dataOnly);
    } else if (isDir(this.mode)) {
      const fd = this.fs.openInode(this, O_RDONLY | O_DIRECTORY);
      try {
        this.fs.calls.fsync(fd, dataOnly);
      } finally {
        this.fs.calls.closeFd(fd);
      }
    }
  }

  override evict(): void {
    this.fs.fds.drop(this);
    this.fs.forget(this);
  }

  // ---- helpers ------------------------------------------------------------------------------
  /** Run `fn` with (parent directory fd, name) of this inode; (root fd, ".") for the root. */
  atLocation<T>(fn: (dirfd: number, name: string) => T): T {
    if (this === this.fs.root) return fn(this.fs.rootFd, ".");
    const location = this.location;
    if (!location) throw new SyscallError(ESTALE);
    return this.fs.withDirFd(location.parent, (dirfd) => fn(dirfd, location.name));
  }

  /** statx of `name` in `dirfd`, which must still be this inode (ESTALE otherwise). */
  statSelf(dirfd: number, name: string): HostStat {
    let stat: HostStat;
    try {
      stat = this.fs.calls.statx(dirfd, name, AT_SYMLINK_NOFOLLOW);
    } catch (error) {
      throw errnoOf(error) === ENOENT ? new SyscallError(ESTALE) : error;
    }
    if (hostKey(stat) !== this.hostKey || (stat.mode & S_IFMT) !== (this.mode & S_IFMT)) {
      throw new SyscallError(ESTALE);
    }
    return stat;
  }

  /** The cached data descriptor, opened read-write when possible (read-only if `write` is false). */
  private dataFile(write: boolean): OpenHostFile {
    if (!isReg(this.mode)) throw new SyscallError(isDir(this.mode) ? EISDIR : EINVAL);
    if (write && this.fs.readOnly) throw new SyscallError(EROFS);
    const cached = this.fs.fds.get(this);
    if (cached && (cached.writable || !write)) return cached;
    if (this.fs.readOnly) return this.fs.fds.put(this, this.fs.openInode(this, O_RDONLY), false);
    try {
      return this.fs.fds.put(this, this.fs.openInode(this, O_RDWR), true);
    } catch (error) {
      const errno = errnoOf(error);
      if (write || (errno !== EACCES && errno !== EPERM && errno !== ETXTBSY && errno !== EROFS)) {
        throw error;
      }
    }
    return this.fs.fds.put(this, this.fs.openInode(this, O_RDONLY), false);
  }

  /** The guest still has this open and its name is going: keep a descriptor to its data. */
  private holdDataBeforeRemoval(): void {
    if (this.users <= 0 || !isReg(this.mode)) return;
    try {
      this.dataFile(false);
      this.fs.fds.setPinned(this, true);
    } catch {
      // Its data stays reachable only by name; reads after the removal will fail with ESTALE.
    }
  }

  /** Entry `name` of `parent`, which was this inode, has been removed or replaced. */
  private removedFrom(parent: HostInode, name: string): void {
    if (this.location?.parent === parent && this.location.name === name) this.location = null;
    const open = this.fs.fds.get(this);
    if (open) this.applyStat(this.fs.calls.fstat(open.fd));
    else this.nlink = isDir(this.mode) ? 0 : Math.max(0, this.nlink - 1);
    // A descriptor nobody needs would keep a deleted file's blocks allocated on the host.
    if (this.users <= 0 && this.nlink === 0) this.fs.fds.drop(this);
  }

  private removeEntry(name: string, directory: boolean): void {
    this.requireWritableDir();
    checkName(name);
    const calls = this.fs.calls;
    this.fs.withDirFd(this, (dirfd) => {
      const stat = calls.statx(dirfd, name, AT_SYMLINK_NOFOLLOW);
      if (!directory && isDir(stat.mode)) throw new SyscallError(EISDIR);
      if (directory && !isDir(stat.mode)) throw new SyscallError(ENOTDIR);
      const victim = this.fs.known(stat);
      victim?.holdDataBeforeRemoval();
      calls.unlinkat(dirfd, name, directory ? AT_REMOVEDIR : 0);
      victim?.removedFrom(this, name);
    });
  }

  /**
   * Give a just-created host entry the guest's owner and exact permissions (the host applied its
   * umask and maybe a set-group-id parent) and return its inode. A host that may not give files
   * away (not root) keeps its own owner: the guest then sees the owner the host reports.
   */
  private adoptCreated(
    dirfd: number,
    name: string,
    perms: number | null,
    uid: number,
    gid: number,
    fd: number,
  ): HostInode {
    const calls = this.fs.calls;
    const statNow = () => fd >= 0 ? calls.fstat(fd) : calls.statx(dirfd, name, AT_SYMLINK_NOFOLLOW);
    let stat = statNow();
    if (stat.uid !== uid || stat.gid !== gid) {
      try {
        if (fd >= 0) calls.fchownat(fd, "", uid, gid, AT_EMPTY_PATH);
        else calls.fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW);
      } catch (error) {
        if (errnoOf(error) !== EPERM) throw error;
      }
      stat = statNow();
    }
    if (perms !== null && (stat.mode & 0o7777) !== perms) {
      if (fd >= 0) calls.fchmod(fd, perms);
      else this.fs.chmodAt(dirfd, name, perms);
      stat = statNow();
    }
    const inode = this.fs.inodeAt(stat, this, name);
    if (fd >= 0) this.fs.fds.put(inode, fd, true);
    return inode;
  }

  private restoreHostAttributes(): void {
    this.mode = this.host.mode;
    this.uid = this.host.uid;
    this.gid = this.host.gid;
    this.size = this.host.size;
    this.atime = this.host.atime;
    this.mtime = this.host.mtime;
  }

  private requireDir(): void {
    if (!isDir(this.mode)) throw new SyscallError(ENOTDIR);
  }

  private requireWritableDir(): void {
    this.requireDir();
    if (this.fs.readOnly) throw new SyscallError(EROFS);
  }
}
