// What stat(2) reports for an inode of a mounted filesystem.

import type { FileStat } from "../files/open-file.ts";
import type { Inode } from "./inode.ts";

const STATX_ATTR_MOUNT_ROOT = 0x2000;
const PAGE_SIZE = 4096;

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
    blksize: inode.fs.blockSize ?? PAGE_SIZE,
    blocks: inode.blocks,
    atime: inode.atime,
    mtime: inode.mtime,
    ctime: inode.ctime,
    btime: inode.btime,
    attributes: mountRoot ? STATX_ATTR_MOUNT_ROOT : 0,
    mountId,
  };
}
