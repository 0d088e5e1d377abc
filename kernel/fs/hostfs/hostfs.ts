// hostfs: a host directory mounted as a NexaOS filesystem and confined like a chroot. The mount
// holds an O_PATH descriptor for the directory; every host operation re-resolves its path from
// that descriptor with openat2(RESOLVE_BENEATH | NO_SYMLINKS | NO_MAGICLINKS | NO_XDEV) and acts
// on the final name with a no-follow *at call, so no name, symlink, mount point or concurrent
// host rename reaches anything outside the directory. Guest symlinks are stored as host
// symlinks but never followed by the host: the VFS reads and resolves them itself.
// Deliberately not registered as a mount(2) type: only the command line can expose a host path.

import {
  EINVAL,
  EIO,
  ENOENT,
  ENOSYS,
  ENOTDIR,
  EOPNOTSUPP,
  errnoMessage,
  ESTALE,
} from "../../errno.ts";
import { SyscallError } from "../../syscall-error.ts";
import { anonymousDevice, type FileSystem, MountError, type StatFs } from "../filesystem.ts";
import { bytesName, isDir, S_IFMT, S_IFREG } from "../inode.ts";
import {
  AT_FDCWD,
  AT_SYMLINK_NOFOLLOW,
  type HostCalls,
  hostCalls,
  type HostStat,
  O_CLOEXEC,
  O_DIRECTORY,
  O_NOCTTY,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_PATH,
  O_RDONLY,
  RESOLVE_CONFINED,
} from "./host-calls.ts";
import { HostFdCache } from "./host-fd-cache.ts";
import { HostInode, hostKey, isAncestorOrSelf } from "./host-inode.ts";

const ST_RDONLY = 1;

export class HostFileSystem implements FileSystem {
  readonly type = "hostfs";
  readonly dev = anonymousDevice();
  readonly cacheable = false;
  readonly root: HostInode;
  /** Open descriptors for regular-file data, at most 64 besides pinned ones. */
  readonly fds: HostFdCache<HostInode>;
  /** Host identity "major:minor:ino" to the one HostInode for it, while anything holds it. */
  private readonly inodes = new Map<string, WeakRef<HostInode>>();
  private readonly finalizer = new FinalizationRegistry<string>((key) => {
    if (!this.inodes.get(key)?.deref()) this.inodes.delete(key);
  });
  private rootDescriptor: number;

  constructor(
    readonly source: string,
    readonly readOnly: boolean,
    readonly calls: HostCalls,
    rootFd: number,
  ) {
    this.rootDescriptor = rootFd;
    this.fds = new HostFdCache(calls);
    const stat = calls.fstat(rootFd);
    this.root = new HostInode(this, hostKey(stat), stat, null);
    this.remember(this.root);
  }

  /** The O_PATH descriptor of the mounted directory; EIO once unmounted. */
  get rootFd(): number {
    if (this.rootDescriptor < 0) throw new SyscallError(EIO);
    return this.rootDescriptor;
  }

  statfs(): StatFs {
    const host = this.calls.fstatfs(this.rootFd);
    return { ...host, flags: host.flags | (this.readOnly ? ST_RDONLY : 0) };
  }

  sync(): void {
    const fd = this.calls.openat2(
      this.rootFd,
      ".",
      O_RDONLY | O_DIRECTORY | O_CLOEXEC,
      0,
      RESOLVE_CONFINED,
    );
    try {
      this.calls.syncfs(fd);
    } finally {
      this.calls.closeFd(fd);
    }
  }

  unmount(): void {
    if (this.rootDescriptor < 0) return;
    this.fds.closeAll();
    this.calls.closeFd(this.rootDescriptor);
    this.rootDescriptor = -1;
    this.inodes.clear();
  }

  /**
   * Run `fn` with an O_PATH descriptor of directory `dir`, resolved beneath the root now and
   * checked to still be the same host directory (ESTALE if the host replaced it).
   */
  withDirFd<T>(dir: HostInode, fn: (dirfd: number) => T): T {
    if (dir === this.root) return fn(this.rootFd);
    const fd = this.openInode(dir, O_PATH | O_DIRECTORY);
    try {
      return fn(fd);
    } finally {
      this.calls.closeFd(fd);
    }
  }

  /**
   * Open `inode` by its path beneath the root with `flags` (never following a link) and check the
   * result is that inode. Non-O_PATH opens of anything but directories first check through an
   * O_PATH descriptor that the file is regular, so no FIFO or device node is ever opened.
   */
  openInode(inode: HostInode, flags: number): number {
    const path = inode.relPath();
    // openat2 refuses O_PATH with any flag but O_DIRECTORY, O_NOFOLLOW and O_CLOEXEC.
    const openFlags = flags & O_PATH
      ? flags | O_NOFOLLOW | O_CLOEXEC
      : flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    if (!(flags & (O_PATH | O_DIRECTORY))) {
      this.closeIfNot(
        inode,
        this.calls.openat2(this.rootFd, path, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, RESOLVE_CONFINED),
        true,
      );
    }
    const fd = this.calls.openat2(this.rootFd, path, openFlags, 0, RESOLVE_CONFINED);
    this.closeIfNot(inode, fd, false);
    return fd;
  }

  /** Close `fd` with ESTALE unless it is `inode`; with `always`, close it either way. */
  private closeIfNot(inode: HostInode, fd: number, always: boolean): void {
    let stat: HostStat;
    try {
      stat = this.calls.fstat(fd);
    } catch (error) {
      this.calls.closeFd(fd);
      throw error;
    }
    const same = hostKey(stat) === inode.hostKey && (stat.mode & S_IFMT) === (inode.mode & S_IFMT);
    if (!same || always) this.calls.closeFd(fd);
    if (!same) throw new SyscallError(ESTALE);
  }

  /** The HostInode a lookup found as `name` in `parent`: the known one (moved there) or a new one. */
  inodeAt(stat: HostStat, parent: HostInode, name: string): HostInode {
    const key = hostKey(stat);
    const known = this.inodes.get(key)?.deref();
    if (known && (known.mode & S_IFMT) === (stat.mode & S_IFMT)) {
      // A directory already above `parent` cannot also be below it: our picture is stale.
      if (known === this.root || (isDir(known.mode) && isAncestorOrSelf(known, parent))) {
        throw new SyscallError(ESTALE);
      }
      known.relocate(parent, name);
      known.applyStat(stat);
      return known;
    }
    const inode = new HostInode(this, key, stat, { parent, name });
    this.remember(inode);
    return inode;
  }

  /** The HostInode for a host identity, if one is alive. */
  known(stat: HostStat): HostInode | undefined {
    const inode = this.inodes.get(hostKey(stat))?.deref();
    return inode && (inode.mode & S_IFMT) === (stat.mode & S_IFMT) ? inode : undefined;
  }

  forget(inode: HostInode): void {
    if (this.inodes.get(inode.hostKey)?.deref() === inode) this.inodes.delete(inode.hostKey);
  }

  /**
   * chmod of `name` in `dirfd` without following a symlink: fchmodat2 (Linux 6.6+), else an
   * O_NOFOLLOW open of a regular file or directory and fchmod.
   */
  chmodAt(dirfd: number, name: string, perms: number): void {
    try {
      this.calls.fchmodat2(dirfd, name, perms, AT_SYMLINK_NOFOLLOW);
      return;
    } catch (error) {
      if (!(error instanceof SyscallError) || error.errno !== ENOSYS) throw error;
    }
    const probe = this.calls.openat2(
      dirfd,
      name,
      O_PATH | O_NOFOLLOW | O_CLOEXEC,
      0,
      RESOLVE_CONFINED,
    );
    let type: number;
    try {
      type = this.calls.fstat(probe).mode & S_IFMT;
    } finally {
      this.calls.closeFd(probe);
    }
    if (type !== S_IFREG && !isDir(type)) throw new SyscallError(EOPNOTSUPP);
    const flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY |
      (isDir(type) ? O_DIRECTORY : 0);
    const fd = this.calls.openat2(dirfd, name, flags, 0, RESOLVE_CONFINED);
    try {
      if ((this.calls.fstat(fd).mode & S_IFMT) !== type) throw new SyscallError(ESTALE);
      this.calls.fchmod(fd, perms);
    } finally {
      this.calls.closeFd(fd);
    }
  }

  private remember(inode: HostInode): void {
    this.inodes.set(inode.hostKey, new WeakRef(inode));
    this.finalizer.register(inode, inode.hostKey);
  }
}

/**
 * Mount host directory `dir` (resolved by the host, symlinks allowed, once) as a confined
 * hostfs. MountError: the directory is missing or not one, or the host cannot confine paths
 * (not x86-64 Linux, no FFI permission, no openat2).
 */
export function mountHostDirectory(dir: string, readOnly: boolean): HostFileSystem {
  let calls: HostCalls;
  try {
    calls = hostCalls();
  } catch (error) {
    throw new MountError((error as Error).message, ENOSYS);
  }
  let rootFd: number;
  try {
    const hostPath = bytesName(new TextEncoder().encode(dir));
    rootFd = calls.openat(AT_FDCWD, hostPath, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  } catch (error) {
    if (!(error instanceof SyscallError)) throw error;
    const reason = error.errno === ENOENT
      ? "No such file or directory"
      : error.errno === ENOTDIR
      ? "Not a directory"
      : errnoMessage(error.errno);
    throw new MountError(`${dir}: ${reason}`, error.errno === EINVAL ? ENOENT : error.errno);
  }
  try {
    calls.probeOpenat2(rootFd);
    return new HostFileSystem(dir, readOnly, calls, rootFd);
  } catch (error) {
    calls.closeFd(rootFd);
    if (!(error instanceof SyscallError)) throw error;
    if (error.errno === ENOSYS) {
      throw new MountError("hostfs needs openat2 (Linux 5.6 or newer) to confine paths", ENOSYS);
    }
    throw new MountError(`${dir}: ${errnoMessage(error.errno)}`, error.errno);
  }
}

/** The command line's `--root DIR[:ro]` (also accepts `:rw`). */
export function parseHostRoot(spec: string): { dir: string; readOnly: boolean } {
  const match = /^(.*):(ro|rw)$/s.exec(spec);
  if (match && match[1] !== "") return { dir: match[1], readOnly: match[2] === "ro" };
  return { dir: spec, readOnly: false };
}
