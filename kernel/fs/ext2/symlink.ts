// Symlink targets: "fast" symlinks keep a target shorter than 60 bytes inside i_block; longer
// ones ("slow") use one data block. A symlink is fast when it owns no blocks besides an
// extended-attribute block, as Linux decides.

import { EIO, ENAMETOOLONG } from "../../errno.ts";
import { SyscallError } from "../../syscall-error.ts";
import { bytesName } from "../inode.ts";
import type { BlockCache } from "./block-cache.ts";
import type { BlockMap, MappedInode } from "./block-map.ts";
import { IBLOCK_BYTES } from "./inode-record.ts";

export interface SymlinkInode extends MappedInode {
  size: number;
  iblock: Uint8Array;
  fileAcl: number;
}

export function isFastSymlink(inode: SymlinkInode, blockSize: number): boolean {
  const eaSectors = inode.fileAcl ? blockSize / 512 : 0;
  return inode.blocks512 - eaSectors === 0;
}

export function readSymlink(
  inode: SymlinkInode,
  blockSize: number,
  map: BlockMap,
  cache: BlockCache,
): string {
  if (isFastSymlink(inode, blockSize)) {
    if (inode.size >= IBLOCK_BYTES) throw new SyscallError(EIO);
    return bytesName(inode.iblock.subarray(0, inode.size));
  }
  if (inode.size >= blockSize) throw new SyscallError(EIO);
  const phys = map.lookup(inode, 0);
  if (!phys) throw new SyscallError(EIO);
  return bytesName(cache.read(phys).subarray(0, inode.size));
}

/** Store `target` (a latin1 byte string) in a new, empty symlink inode. */
export function writeSymlink(
  inode: SymlinkInode,
  target: string,
  blockSize: number,
  map: BlockMap,
  cache: BlockCache,
  goal: number,
): void {
  const length = target.length;
  if (length + 1 > blockSize) throw new SyscallError(ENAMETOOLONG);
  if (length < IBLOCK_BYTES) {
    inode.iblock.fill(0);
    for (let i = 0; i < length; i++) inode.iblock[i] = target.charCodeAt(i);
  } else {
    const { phys } = map.ensure(inode, 0, goal);
    const data = cache.zeroed(phys);
    for (let i = 0; i < length; i++) data[i] = target.charCodeAt(i);
  }
  inode.size = length;
}
