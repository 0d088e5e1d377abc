// What stat(2) reports for an inode of a mounted filesystem.

import type { FileStat } from "../files/open-file.ts";
import type { FileSystem } from "./filesystem.ts";
import type { Inode } from "./inode.ts";

const blockSizes = new WeakMap<FileSystem, number>();
const STATX_ATTR_MOUNT_ROOT = 0x2000;

/** st_blksize: the filesystem's block size (ext2), else a page. */
function preferredBlockSize(fs: FileSystem): number {
  let size = blockSizes.get(fs);
  if (size === undefined) {
    size = fs.type === "ext2" ? fs.statfs().bsize : 4096;
    blockSizes.set(fs, size);
  }
  return size;
}

export function inodeStat(inode: Inode, mountId = 0, mountRoot = false): FileStat {
  inode.refresh();
  return {
    dev: inode.fs.dev,
    ino: inode.ino,
    mode: inode.mode,
    nlink: inode.nlink,
    uid: inode.uid,
    gid: inode.gid,
    rdev: inode.rdev,
    size: inode.size,
    blksize: preferredBlockSize(inode.fs),
    blocks: inode.blocks,
    atime: inode.atime,
    mtime: inode.mtime,
    ctime: inode.ctime,
    btime: inode.btime,
    attributes: mountRoot ? STATX_ATTR_MOUNT_ROOT : 0,
    mountId,
  };
}
