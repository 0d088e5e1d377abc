// The base of every tmpfs inode, and itself the inode of device nodes, FIFOs and sockets (which
// hold nothing but attributes): creation times, the time stamps changes set, and eviction that
// gives the inode's slot (and its subclass's storage) back to the filesystem.

import { currentTime, Inode, type Timespec } from "../inode.ts";
import type { TmpFileSystem } from "../tmpfs.ts";

export class TmpInode extends Inode {
  declare readonly fs: TmpFileSystem;
  private evicted = false;

  constructor(fs: TmpFileSystem, ino: number, mode: number, uid: number, gid: number) {
    super(fs, ino);
    this.mode = mode;
    this.uid = uid;
    this.gid = gid;
    const now = currentTime();
    this.atime = { ...now };
    this.mtime = { ...now };
    this.ctime = { ...now };
    this.btime = { ...now };
  }

  get blocks(): number {
    return 0;
  }

  /** Attributes or link count changed: ctime. */
  touchChange(now: Timespec = currentTime()): void {
    this.ctime = { ...now };
  }

  /** Contents changed (data or directory entries): mtime and ctime. */
  touchModify(now: Timespec = currentTime()): void {
    this.mtime = { ...now };
    this.ctime = { ...now };
  }

  /** Free the inode once it has no links left; later calls do nothing. */
  override evict(): void {
    if (this.evicted || this.nlink > 0) return;
    this.evicted = true;
    this.releaseStorage();
    this.fs.releaseInodeSlot();
  }

  /** Give back what the inode holds besides its slot (pages). */
  protected releaseStorage(): void {}
}
