// A tmpfs directory: entries in a Map that keeps insertion order for readdir (as Linux 6.6+
// tmpfs lists in creation order), link counts (2 + subdirectories), Linux's bogus directory
// size (40 + 20 per entry), time stamps on every entry change, and rename with exchange.

import {
  EEXIST,
  EINVAL,
  EISDIR,
  ENAMETOOLONG,
  ENOENT,
  ENOSPC,
  ENOTDIR,
  ENOTEMPTY,
  EPERM,
  EXDEV,
} from "../../errno.ts";
import { SyscallError } from "../../syscall-error.ts";
import {
  currentTime,
  type DirEntry,
  dtypeOf,
  type Inode,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
} from "../inode.ts";
import type { TmpFileSystem } from "../tmpfs.ts";
import { PAGE_SIZE } from "./page-store.ts";
import { TmpFile } from "./tmp-file.ts";
import { TmpInode } from "./tmp-inode.ts";
import { TmpSymlink } from "./tmp-symlink.ts";

/** Linux's BOGO_DIRENT_SIZE: what one entry adds to a tmpfs directory's st_size. */
const BOGO_DIRENT_SIZE = 20;
const NAME_MAX = 255;

export class TmpDirectory extends TmpInode {
  private readonly entries = new Map<string, TmpInode>();
  /** The directory ".." names; the root's is itself. */
  parent: TmpDirectory;

  constructor(
    fs: TmpFileSystem,
    ino: number,
    mode: number,
    uid: number,
    gid: number,
    parent: TmpDirectory | null,
  ) {
    super(fs, ino, S_IFDIR | (mode & 0o7777), uid, gid);
    this.nlink = 2;
    this.size = 2 * BOGO_DIRENT_SIZE;
    this.parent = parent ?? this;
  }

  get entryCount(): number {
    return this.entries.size;
  }

  override lookup(name: string): TmpInode | null {
    checkName(name);
    return this.entries.get(name) ?? null;
  }

  override readdir(): DirEntry[] {
    const list: DirEntry[] = [];
    for (const [name, inode] of this.entries) {
      list.push({ name, ino: inode.ino, type: dtypeOf(inode.mode) });
    }
    return list;
  }

  override create(name: string, mode: number, uid: number, gid: number, rdev: number): TmpInode {
    this.checkNewName(name);
    const type = (mode & S_IFMT) || S_IFREG;
    if (type === S_IFDIR) throw new SyscallError(EPERM);
    if (![S_IFREG, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK].includes(type)) {
      throw new SyscallError(EINVAL);
    }
    const ino = this.fs.allocateInode();
    const fullMode = type | (mode & 0o7777);
    const inode = type === S_IFREG
      ? new TmpFile(this.fs, ino, fullMode, uid, gid)
      : new TmpInode(this.fs, ino, fullMode, uid, gid);
    if (type === S_IFCHR || type === S_IFBLK) inode.rdev = rdev;
    this.addEntry(name, inode);
    return inode;
  }

  override mkdir(name: string, mode: number, uid: number, gid: number): TmpDirectory {
    this.checkNewName(name);
    const directory = new TmpDirectory(this.fs, this.fs.allocateInode(), mode, uid, gid, this);
    this.addEntry(name, directory);
    this.nlink++;
    return directory;
  }

  override symlink(name: string, target: string, uid: number, gid: number): TmpSymlink {
    this.checkNewName(name);
    if (target.length === 0) throw new SyscallError(ENOENT);
    if (target.length + 1 > PAGE_SIZE) throw new SyscallError(ENAMETOOLONG);
    const ino = this.fs.allocateInode();
    if (TmpSymlink.needsPage(target) && !this.fs.chargePages(1)) {
      this.fs.releaseInodeSlot();
      throw new SyscallError(ENOSPC);
    }
    const link = new TmpSymlink(this.fs, ino, target, uid, gid);
    this.addEntry(name, link);
    return link;
  }

  override link(name: string, target: Inode): void {
    this.checkNewName(name);
    if (!(target instanceof TmpInode) || target.fs !== this.fs) throw new SyscallError(EXDEV);
    if (target instanceof TmpDirectory) throw new SyscallError(EPERM);
    // Like Linux, every extra link takes an inode slot so nr_inodes bounds the dentries too.
    this.fs.reserveInodeSlot();
    target.nlink++;
    const now = currentTime();
    target.touchChange(now);
    this.addEntry(name, target, now);
  }

  override unlink(name: string): void {
    const inode = this.existing(name);
    if (inode instanceof TmpDirectory) throw new SyscallError(EISDIR);
    this.removeEntry(name);
    dropLink(inode);
  }

  override rmdir(name: string): void {
    const inode = this.existing(name);
    if (!(inode instanceof TmpDirectory)) throw new SyscallError(ENOTDIR);
    if (inode.entries.size > 0) throw new SyscallError(ENOTEMPTY);
    this.removeEntry(name);
    this.nlink--;
    inode.nlink = 0;
    inode.touchChange();
  }

  override rename(oldName: string, newDir: Inode, newName: string, exchange: boolean): void {
    checkName(newName);
    if (!(newDir instanceof TmpDirectory) || newDir.fs !== this.fs) {
      throw new SyscallError(EXDEV);
    }
    const inode = this.existing(oldName);
    const target = newDir.entries.get(newName) ?? null;
    if (exchange) {
      if (target === null) throw new SyscallError(ENOENT);
      this.exchange(oldName, inode, newDir, newName, target);
      return;
    }
    if (target === inode) return;
    const movingDirectory = inode instanceof TmpDirectory;
    if (movingDirectory && newDir.isWithin(inode)) throw new SyscallError(EINVAL);
    if (target !== null) {
      if (target instanceof TmpDirectory) {
        if (!movingDirectory) throw new SyscallError(EISDIR);
        if (target.entries.size > 0) throw new SyscallError(ENOTEMPTY);
      } else if (movingDirectory) {
        throw new SyscallError(ENOTDIR);
      }
    }
    const now = currentTime();
    if (target !== null) {
      newDir.removeEntry(newName, now);
      if (target instanceof TmpDirectory) {
        target.nlink = 0;
        newDir.nlink--;
        target.touchChange(now);
      } else {
        dropLink(target, now);
      }
    }
    this.removeEntry(oldName, now);
    newDir.addEntry(newName, inode, now);
    if (inode instanceof TmpDirectory) {
      this.nlink--;
      newDir.nlink++;
      inode.parent = newDir;
    }
    inode.touchChange(now);
  }

  /** Whether this directory is `ancestor` or lies below it. */
  isWithin(ancestor: TmpDirectory): boolean {
    if (this === ancestor) return true;
    let directory = this.parent;
    while (directory !== ancestor) {
      if (directory.parent === directory) return false;
      directory = directory.parent;
    }
    return true;
  }

  private exchange(
    oldName: string,
    inode: TmpInode,
    newDir: TmpDirectory,
    newName: string,
    target: TmpInode,
  ): void {
    if (inode === target) return;
    if (inode instanceof TmpDirectory && newDir.isWithin(inode)) throw new SyscallError(EINVAL);
    if (target instanceof TmpDirectory && this.isWithin(target)) throw new SyscallError(EINVAL);
    this.entries.set(oldName, target);
    newDir.entries.set(newName, inode);
    const inodeIsDirectory = inode instanceof TmpDirectory;
    const targetIsDirectory = target instanceof TmpDirectory;
    if (inodeIsDirectory) inode.parent = newDir;
    if (targetIsDirectory) target.parent = this;
    if (this !== newDir && inodeIsDirectory !== targetIsDirectory) {
      const shift = inodeIsDirectory ? 1 : -1;
      this.nlink -= shift;
      newDir.nlink += shift;
    }
    const now = currentTime();
    this.touchModify(now);
    newDir.touchModify(now);
    inode.touchChange(now);
    target.touchChange(now);
  }

  private existing(name: string): TmpInode {
    checkName(name);
    const inode = this.entries.get(name);
    if (inode === undefined) throw new SyscallError(ENOENT);
    return inode;
  }

  private checkNewName(name: string): void {
    checkName(name);
    if (this.entries.has(name)) throw new SyscallError(EEXIST);
  }

  private addEntry(name: string, inode: TmpInode, now = currentTime()): void {
    this.entries.set(name, inode);
    this.size += BOGO_DIRENT_SIZE;
    this.touchModify(now);
  }

  private removeEntry(name: string, now = currentTime()): void {
    this.entries.delete(name);
    this.size -= BOGO_DIRENT_SIZE;
    this.touchModify(now);
  }
}

/** One link to a non-directory is gone; its slot goes back unless it was the last link. */
function dropLink(inode: TmpInode, now = currentTime()): void {
  if (inode.nlink > 1) inode.fs.releaseInodeSlot();
  inode.nlink--;
  inode.touchChange(now);
}

/** The VFS passes single components; refuse anything else rather than corrupt the tree. */
function checkName(name: string): void {
  if (name.length > NAME_MAX) throw new SyscallError(ENAMETOOLONG);
  if (name === "" || name === "." || name === ".." || name.includes("/")) {
    throw new SyscallError(EINVAL);
  }
}
