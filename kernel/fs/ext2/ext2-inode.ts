// Ext2Inode: one ext2 inode as the VFS sees it (kernel/fs/inode.ts). Attribute changes are
// written into the cached inode table at once (markDirty), so an inode object never holds
// unsaved state; data goes through the filesystem's block cache.

import {
  EEXIST,
  EFBIG,
  EINVAL,
  EIO,
  EISDIR,
  EMLINK,
  ENAMETOOLONG,
  ENOENT,
  ENOSPC,
} from "../../errno.ts";
import { ENOTDIR, EROFS, EXDEV } from "../../errno.ts";
import { SyscallError } from "../../syscall-error.ts";
import {
  currentTime,
  type DirEntry,
  Inode,
  isDir,
  isLnk,
  isReg,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  type Timespec,
} from "../inode.ts";
import type { MappedInode } from "./block-map.ts";
import { Directory, type DirectoryBlocks, dtypeOfFileType, fileTypeOf } from "./directory.ts";
import type { Ext2FileSystem } from "./ext2-fs.ts";
import { IBLOCK_BYTES, INDEX_FL, type InodeFields } from "./inode-record.ts";
import { isFastSymlink, readSymlink, writeSymlink } from "./symlink.ts";

export const LINK_MAX = 32000;

export class Ext2Inode extends Inode implements InodeFields, MappedInode {
  dtime = 0;
  blocks512 = 0;
  flags = 0;
  readonly iblock = new Uint8Array(IBLOCK_BYTES);
  readonly pointers = new DataView(this.iblock.buffer);
  generation = 0;
  fileAcl = 0;
  extraIsize = 0;
  /** Set once evict() released it. */
  freed = false;
  private directory: Directory | null = null;

  constructor(readonly ext2: Ext2FileSystem, ino: number) {
    super(ext2, ino);
  }

  get blocks(): number {
    return this.blocks512;
  }

  override markDirty(): void {
    if (!this.freed) this.ext2.writeInode(this);
  }

  private writable(): Ext2FileSystem {
    if (this.ext2.readOnly) throw new SyscallError(EROFS);
    this.ext2.cache.trim();
    return this.ext2;
  }

  /** Whether i_block holds block pointers (not a fast symlink's text or a device number). */
  get hasBlockMap(): boolean {
    return isReg(this.mode) || isDir(this.mode) ||
      (isLnk(this.mode) && !isFastSymlink(this, this.ext2.blockSize));
  }

  // ---- directories ------------------------------------------------------------------------
  private dir(): Directory {
    if (!isDir(this.mode)) throw new SyscallError(ENOTDIR);
    this.ext2.cache.trim();
    if (!this.directory) this.directory = new Directory(this.ext2, this.directoryBlocks());
    return this.directory;
  }

  private directoryBlocks(): DirectoryBlocks {
    return new InodeDirectoryBlocks(this);
  }

  /** Where to look first for a new block of this inode at `logical`. */
  goal(logical: number): number {
    if (logical > 0) {
      const before = this.ext2.map.lookup(this, logical - 1);
      if (before) return before + 1;
    }
    return this.ext2.groupStart(this.ino);
  }

  /** Add `count` empty blocks to this directory (mkfs pre-sizes lost+found this way). */
  growDirectory(count: number): void {
    this.writable();
    const blocks = this.directoryBlocks();
    for (let i = 0; i < count; i++) {
      const phys = blocks.append();
      const data = this.ext2.cache.read(phys);
      new DataView(data.buffer, data.byteOffset).setUint16(4, this.ext2.blockSize, true);
      this.ext2.cache.markDirty(phys, data);
    }
  }

  override lookup(name: string): Inode | null {
    const entry = this.dir().lookup(name);
    return entry ? this.ext2.getInode(entry.ino) : null;
  }

  override readdir(): DirEntry[] {
    const out: DirEntry[] = [];
    for (const e of this.dir().entries()) {
      if (e.name === "." || e.name === "..") continue;
      out.push({ name: e.name, ino: e.ino, type: dtypeOfFileType(e.fileType) });
    }
    return out;
  }

  private checkName(name: string): void {
    if (name.length > 255) throw new SyscallError(ENAMETOOLONG);
    if (this.dir().lookup(name)) throw new SyscallError(EEXIST);
  }

  private touchDir(now: Timespec): void {
    this.mtime = now;
    this.ctime = now;
    this.markDirty();
  }

  /** Enter a fresh inode under `name`; on failure the inode is released again. */
  private enter(name: string, child: Ext2Inode): void {
    try {
      this.dir().add(name, child.ino, fileTypeOf(child.mode));
    } catch (e) {
      child.nlink = 0;
      child.evict();
      throw e;
    }
  }

  override create(name: string, mode: number, uid: number, gid: number, rdev: number): Inode {
    const fs = this.writable();
    this.checkName(name);
    const type = (mode & S_IFMT) || S_IFREG;
    if (type === S_IFDIR || type === S_IFLNK) throw new SyscallError(EINVAL);
    const child = fs.newInode(this, type | (mode & 0o7777), uid, gid);
    if (type === S_IFCHR || type === S_IFBLK) child.rdev = rdev;
    child.markDirty();
    this.enter(name, child);
    this.touchDir(child.ctime);
    return child;
  }

  override mkdir(name: string, mode: number, uid: number, gid: number): Inode {
    const fs = this.writable();
    this.checkName(name);
    if (this.nlink >= LINK_MAX) throw new SyscallError(EMLINK);
    const child = fs.newInode(this, S_IFDIR | (mode & 0o7777), uid, gid);
    child.nlink = 2;
    try {
      const { phys } = fs.map.ensure(child, 0, fs.groupStart(child.ino));
      Directory.initBlock(fs, fs.cache.zeroed(phys), child.ino, this.ino);
    } catch (e) {
      child.nlink = 0;
      child.evict();
      throw e;
    }
    child.size = fs.blockSize;
    child.markDirty();
    this.enter(name, child);
    this.nlink++;
    this.touchDir(child.ctime);
    return child;
  }

  override symlink(name: string, target: string, uid: number, gid: number): Inode {
    const fs = this.writable();
    this.checkName(name);
    if (target.length + 1 > fs.blockSize) throw new SyscallError(ENAMETOOLONG);
    const child = fs.newInode(this, S_IFLNK | 0o777, uid, gid);
    try {
      writeSymlink(child, target, fs.blockSize, fs.map, fs.cache, fs.groupStart(child.ino));
    } catch (e) {
      child.nlink = 0;
      child.evict();
      throw e;
    }
    child.markDirty();
    this.enter(name, child);
    this.touchDir(child.ctime);
    return child;
  }

  override link(name: string, target: Inode): void {
    const fs = this.writable();
    if (!(target instanceof Ext2Inode) || target.ext2 !== fs) throw new SyscallError(EXDEV);
    this.checkName(name);
    if (target.nlink >= LINK_MAX) throw new SyscallError(EMLINK);
    this.dir().add(name, target.ino, fileTypeOf(target.mode));
    const now = currentTime();
    target.nlink++;
    target.ctime = now;
    target.markDirty();
    fs.adopted(target);
    this.touchDir(now);
  }

  private child(name: string): Ext2Inode {
    const entry = this.dir().lookup(name);
    if (!entry) throw new SyscallError(ENOENT);
    return this.ext2.getInode(entry.ino);
  }

  /** Drop one link of `inode` (all of a directory's), noting it when none are left. */
  private dropLink(inode: Ext2Inode, now: Timespec): void {
    inode.nlink = isDir(inode.mode) ? 0 : Math.max(0, inode.nlink - 1);
    inode.ctime = now;
    inode.markDirty();
    if (inode.nlink === 0) this.ext2.orphaned(inode);
  }

  override unlink(name: string): void {
    this.writable();
    const child = this.child(name);
    if (isDir(child.mode)) throw new SyscallError(EISDIR);
    this.dir().remove(name);
    const now = currentTime();
    this.dropLink(child, now);
    this.touchDir(now);
  }

  override rmdir(name: string): void {
    this.writable();
    const child = this.child(name);
    if (!isDir(child.mode)) throw new SyscallError(ENOTDIR);
    this.dir().remove(name);
    const now = currentTime();
    this.dropLink(child, now);
    this.nlink = Math.max(2, this.nlink - 1);
    this.touchDir(now);
  }

  override rename(oldName: string, newDir: Inode, newName: string, exchange: boolean): void {
    const fs = this.writable();
    if (!(newDir instanceof Ext2Inode) || newDir.ext2 !== fs) throw new SyscallError(EXDEV);
    if (newName.length > 255) throw new SyscallError(ENAMETOOLONG);
    const src = this.child(oldName);
    if (newDir === this && oldName === newName) return;
    const existing = newDir.dir().lookup(newName);
    const dst = existing ? fs.getInode(existing.ino) : null;
    const now = currentTime();
    const moved = newDir !== this;
    if (exchange) {
      if (!dst) throw new SyscallError(ENOENT);
      this.dir().retarget(oldName, dst.ino, fileTypeOf(dst.mode));
      newDir.dir().retarget(newName, src.ino, fileTypeOf(src.mode));
      if (moved && isDir(src.mode)) {
        src.dir().setParent(newDir.ino);
        this.nlink--;
        newDir.nlink++;
      }
      if (moved && isDir(dst.mode)) {
        dst.dir().setParent(this.ino);
        newDir.nlink--;
        this.nlink++;
      }
      dst.ctime = now;
      dst.markDirty();
    } else {
      if (dst === src) return;
      if (dst) {
        newDir.dir().retarget(newName, src.ino, fileTypeOf(src.mode));
        if (isDir(dst.mode)) newDir.nlink--;
        this.dropLink(dst, now);
      } else {
        if (moved && isDir(src.mode) && newDir.nlink >= LINK_MAX) throw new SyscallError(EMLINK);
        newDir.dir().add(newName, src.ino, fileTypeOf(src.mode));
      }
      this.dir().remove(oldName);
      if (moved && isDir(src.mode)) {
        src.dir().setParent(newDir.ino);
        this.nlink--;
        newDir.nlink++;
      }
    }
    src.ctime = now;
    src.markDirty();
    newDir.touchDir(now);
    if (moved) this.touchDir(now);
  }

  // ---- regular files ----------------------------------------------------------------------
  override read(offset: number, buf: Uint8Array): number {
    if (!isReg(this.mode)) return super.read(offset, buf);
    if (!(offset >= 0)) throw new SyscallError(EINVAL);
    if (offset >= this.size || buf.length === 0) return 0;
    this.ext2.cache.trim();
    const fs = this.ext2, bs = fs.blockSize, map = fs.map;
    const total = Math.min(buf.length, this.size - offset);
    let done = 0;
    while (done < total) {
      const pos = offset + done;
      const logical = Math.floor(pos / bs);
      const within = pos % bs;
      const wantBlocks = Math.ceil((within + total - done) / bs);
      const run = map.run(this, logical, wantBlocks);
      const runBytes = Math.min(run.count * bs - within, total - done);
      if (run.phys === 0) buf.fill(0, done, done + runBytes);
      else if (within === 0 && runBytes >= bs) {
        const whole = Math.floor(runBytes / bs);
        fs.cache.readRun(run.phys, whole, buf, done);
        done += whole * bs;
        continue;
      } else {
        const data = fs.cache.read(run.phys);
        const n = Math.min(bs - within, runBytes);
        buf.set(data.subarray(within, within + n), done);
        done += n;
        continue;
      }
      done += runBytes;
    }
    return total;
  }

  override write(offset: number, data: Uint8Array): number {
    const fs = this.writable();
    if (!isReg(this.mode)) return super.write(offset, data);
    if (!(offset >= 0)) throw new SyscallError(EINVAL);
    if (data.length === 0) return 0;
    if (offset >= fs.maxFileSize) throw new SyscallError(EFBIG);
    const length = Math.min(data.length, fs.maxFileSize - offset);
    const bs = fs.blockSize, map = fs.map, cache = fs.cache;
    let done = 0;
    let goal = -1;
    try {
      while (done < length) {
        const pos = offset + done;
        const logical = Math.floor(pos / bs);
        const within = pos % bs;
        const n = Math.min(bs - within, length - done);
        if (goal < 0) goal = this.goal(logical);
        const { phys, fresh } = map.ensure(this, logical, goal);
        goal = phys + 1;
        const full = n === bs;
        const block = full ? cache.overwrite(phys) : fresh ? cache.zeroed(phys) : cache.read(phys);
        block.set(data.subarray(done, done + n), within);
        cache.markDirty(phys, block);
        done += n;
      }
    } catch (e) {
      if (!(e instanceof SyscallError && e.errno === ENOSPC && done > 0)) {
        this.finishWrite(offset, done);
        throw e;
      }
    }
    this.finishWrite(offset, done);
    return done;
  }

  private finishWrite(offset: number, done: number): void {
    if (done > 0 && offset + done > this.size) this.size = offset + done;
    this.ext2.noteFileSize(this.size);
    const now = currentTime();
    this.mtime = now;
    this.ctime = now;
    this.markDirty();
  }

  override truncate(size: number): void {
    const fs = this.writable();
    if (!isReg(this.mode)) return super.truncate(size);
    if (!(size >= 0)) throw new SyscallError(EINVAL);
    if (size > fs.maxFileSize) throw new SyscallError(EFBIG);
    const bs = fs.blockSize;
    if (size < this.size) {
      fs.map.truncate(this, Math.ceil(size / bs));
      if (size % bs) {
        const phys = fs.map.lookup(this, Math.floor(size / bs));
        if (phys) {
          const block = fs.cache.read(phys);
          block.fill(0, size % bs);
          fs.cache.markDirty(phys, block);
        }
      }
    }
    this.size = size;
    fs.noteFileSize(size);
    const now = currentTime();
    this.mtime = now;
    this.ctime = now;
    this.markDirty();
  }

  override allocate(offset: number, length: number): void {
    const fs = this.writable();
    if (!isReg(this.mode)) return super.truncate(offset + length);
    const end = offset + length;
    if (!(offset >= 0 && length > 0)) throw new SyscallError(EINVAL);
    if (end > fs.maxFileSize) throw new SyscallError(EFBIG);
    const bs = fs.blockSize;
    let goal = -1;
    try {
      for (let logical = Math.floor(offset / bs); logical * bs < end; logical++) {
        if (goal < 0) goal = this.goal(logical);
        const { phys, fresh } = fs.map.ensure(this, logical, goal);
        if (fresh) fs.cache.zeroed(phys);
        goal = phys + 1;
      }
    } finally {
      if (end > this.size) this.size = end;
      fs.noteFileSize(this.size);
      this.ctime = currentTime();
      this.markDirty();
    }
  }

  override nextData(offset: number): number {
    offset = Math.max(0, offset);
    if (!isReg(this.mode) || offset >= this.size) return -1;
    const bs = this.ext2.blockSize;
    const end = Math.ceil(this.size / bs);
    const found = this.ext2.map.scan(this, Math.floor(offset / bs), end, true);
    return found >= end ? -1 : Math.max(offset, found * bs);
  }

  override nextHole(offset: number): number {
    offset = Math.max(0, offset);
    if (!isReg(this.mode) || offset >= this.size) return this.size;
    const bs = this.ext2.blockSize;
    const end = Math.ceil(this.size / bs);
    const found = this.ext2.map.scan(this, Math.floor(offset / bs), end, false);
    return Math.max(offset, Math.min(found * bs, this.size));
  }

  // ---- symlinks ---------------------------------------------------------------------------
  override readlink(): string {
    if (!isLnk(this.mode)) return super.readlink();
    return readSymlink(this, this.ext2.blockSize, this.ext2.map, this.ext2.cache);
  }

  // ---- lifetime ---------------------------------------------------------------------------
  override sync(_dataOnly: boolean): void {
    this.ext2.sync();
  }

  override evict(): void {
    if (this.freed || this.nlink > 0 || this.ext2.readOnly) return;
    this.ext2.cache.trim();
    this.ext2.release(this);
    this.directory = null;
  }
}

/** A directory inode's data blocks, as the directory code sees them. */
class InodeDirectoryBlocks implements DirectoryBlocks {
  constructor(private readonly inode: Ext2Inode) {}

  get blockCount(): number {
    const count = this.inode.size / this.inode.ext2.blockSize;
    if (!Number.isInteger(count) || count > this.inode.ext2.geo.blocksCount) {
      throw new SyscallError(EIO);
    }
    return count;
  }

  physical(logical: number): number {
    const phys = this.inode.ext2.map.lookup(this.inode, logical);
    if (!phys) throw new SyscallError(EIO);
    return phys;
  }

  append(): number {
    const inode = this.inode, fs = inode.ext2, bs = fs.blockSize;
    const logical = inode.size / bs;
    const { phys } = fs.map.ensure(inode, logical, inode.goal(logical));
    fs.cache.zeroed(phys);
    inode.size += bs;
    inode.markDirty();
    return phys;
  }

  changed(): void {
    if (this.inode.flags & INDEX_FL) {
      this.inode.flags &= ~INDEX_FL;
      this.inode.markDirty();
    }
  }
}
