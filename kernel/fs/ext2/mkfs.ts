// mkfs for ext2: lays out a revision 1 filesystem (sparse_super, filetype, large_file; 256- or
// 128-byte inodes; 1, 2 or 4 KiB blocks) on a BlockDevice with a root directory, then mounts it
// to create lost+found through the normal inode code.

import type { BlockDevice } from "../block-device.ts";
import { currentTime, S_IFDIR } from "../inode.ts";
import { Directory } from "./directory.ts";
import { Ext2FileSystem } from "./ext2-fs.ts";
import type { Ext2Inode } from "./ext2-inode.ts";
import {
  DESCRIPTOR_SIZE,
  type GroupDescriptor,
  writeGroupDescriptors,
} from "./group-descriptors.ts";
import { BlockCache } from "./block-cache.ts";
import {
  encodeInode,
  type InodeFields,
  inodeLocation,
  WANTED_EXTRA_ISIZE,
} from "./inode-record.ts";
import {
  EXT2_MAGIC,
  type Geometry,
  GOOD_OLD_FIRST_INO,
  groupHasSuperblock,
  INCOMPAT_FILETYPE,
  RO_COMPAT_LARGE_FILE,
  RO_COMPAT_SPARSE_SUPER,
  ROOT_INO,
  STATE_VALID,
  Superblock,
  SUPERBLOCK_OFFSET,
  SUPERBLOCK_SIZE,
} from "./superblock.ts";

export class MkfsError extends Error {}

export interface MkfsOptions {
  /** 1024, 2048 or 4096; default 1024 below 512 MiB, else 4096 (as mke2fs). */
  blockSize?: number;
  /** 128 or 256 (default). */
  inodeSize?: number;
  /** Bytes of space per inode; default 4096 below 512 MiB, else 16384. */
  bytesPerInode?: number;
  /** Percentage of blocks reserved for root (default 5). */
  reservedPercent?: number;
  /** Volume label (at most 16 bytes). */
  label?: string;
  rootUid?: number;
  rootGid?: number;
}

/** The smallest device mkfs accepts. */
export const MIN_MKFS_BYTES = 64 * 1024;
const MIN_DATA_BLOCKS_LAST_GROUP = 50;

interface Layout {
  geo: Geometry;
  groups: GroupDescriptor[];
}

function layout(blocksCount: number, bs: number, inodeSize: number, bytesPerInode: number): Layout {
  const firstDataBlock = bs === 1024 ? 1 : 0;
  const blocksPerGroup = 8 * bs;
  const groupCount = Math.ceil((blocksCount - firstDataBlock) / blocksPerGroup);
  const inodesPerBlock = bs / inodeSize;
  const wanted = Math.max(GOOD_OLD_FIRST_INO + 5, Math.floor(blocksCount * bs / bytesPerInode));
  let inodesPerGroup = Math.ceil(wanted / groupCount);
  const unit = Math.max(inodesPerBlock, 8);
  inodesPerGroup = Math.ceil(inodesPerGroup / unit) * unit;
  inodesPerGroup = Math.min(inodesPerGroup, Math.floor(8 * bs / unit) * unit);
  const gdtBlocks = Math.ceil(groupCount * DESCRIPTOR_SIZE / bs);
  const geo: Geometry = {
    blockSize: bs,
    blocksCount,
    firstDataBlock,
    blocksPerGroup,
    inodesPerGroup,
    inodesCount: inodesPerGroup * groupCount,
    inodeSize,
    firstIno: GOOD_OLD_FIRST_INO,
    groupCount,
    gdtBlocks,
    inodeTableBlocks: inodesPerGroup / inodesPerBlock,
    pointersPerBlock: bs / 4,
  };
  const groups: GroupDescriptor[] = [];
  for (let g = 0; g < groupCount; g++) {
    const start = firstDataBlock + g * blocksPerGroup;
    const size = Math.min(blocksPerGroup, blocksCount - start);
    const meta = groupHasSuperblock(g, true) ? 1 + gdtBlocks : 0;
    const bitmaps = start + meta;
    const overhead = meta + 2 + geo.inodeTableBlocks;
    groups.push({
      blockBitmap: bitmaps,
      inodeBitmap: bitmaps + 1,
      inodeTable: bitmaps + 2,
      freeBlocks: size - overhead,
      freeInodes: inodesPerGroup,
      usedDirs: 0,
      flags: 0,
    });
  }
  return { geo, groups };
}

/** Pick a geometry: drop a last group too small to be useful, as mke2fs does. */
function plan(deviceBytes: number, bs: number, inodeSize: number, bytesPerInode: number): Layout {
  let blocksCount = Math.min(Math.floor(deviceBytes / bs), 2 ** 32 - 1);
  for (;;) {
    const result = layout(blocksCount, bs, inodeSize, bytesPerInode);
    const last = result.groups[result.groups.length - 1];
    if (last.freeBlocks >= MIN_DATA_BLOCKS_LAST_GROUP || result.groups.length === 1) {
      if (last.freeBlocks < 16) throw new MkfsError(`${deviceBytes} bytes is too small for ext2`);
      return result;
    }
    const g = result.groups.length - 1;
    blocksCount = result.geo.firstDataBlock + g * result.geo.blocksPerGroup;
  }
}

function setBits(bitmap: Uint8Array, from: number, to: number): void {
  for (let bit = from; bit < to; bit++) bitmap[bit >>> 3] |= 1 << (bit & 7);
}

/** Create an empty ext2 filesystem on `device` (everything on it is lost). */
export function mkfs(device: BlockDevice, options: MkfsOptions = {}): void {
  const big = device.sizeBytes >= 512 * 1024 * 1024;
  const bs = options.blockSize ?? (big ? 4096 : 1024);
  const inodeSize = options.inodeSize ?? 256;
  if (bs !== 1024 && bs !== 2048 && bs !== 4096) {
    throw new MkfsError(`block size must be 1024, 2048 or 4096 (got ${bs})`);
  }
  if (inodeSize !== 128 && inodeSize !== 256) {
    throw new MkfsError(`inode size must be 128 or 256 (got ${inodeSize})`);
  }
  if (device.readOnly) throw new MkfsError(`${device.name}: read-only`);
  if (device.sizeBytes < MIN_MKFS_BYTES) {
    throw new MkfsError(`${device.name}: ${device.sizeBytes} bytes is too small (minimum 64K)`);
  }
  const bytesPerInode = options.bytesPerInode ?? (big ? 16384 : 4096);
  if (!(bytesPerInode >= 1024 && bytesPerInode <= 64 * 1024 * 1024)) {
    throw new MkfsError(`bytes per inode must be between 1024 and 64M (got ${bytesPerInode})`);
  }
  const { geo, groups } = plan(device.sizeBytes, bs, inodeSize, bytesPerInode);
  const cache = new BlockCache(device, bs, geo.blocksCount, Infinity);
  const now = currentTime();
  const rootUid = options.rootUid ?? 0, rootGid = options.rootGid ?? 0;

  // Bitmaps and zeroed inode tables.
  for (let g = 0; g < geo.groupCount; g++) {
    const gd = groups[g];
    const start = geo.firstDataBlock + g * geo.blocksPerGroup;
    const size = Math.min(geo.blocksPerGroup, geo.blocksCount - start);
    const blockBitmap = cache.zeroed(gd.blockBitmap);
    setBits(blockBitmap, 0, gd.inodeTable + geo.inodeTableBlocks - start);
    setBits(blockBitmap, size, 8 * bs);
    const inodeBitmap = cache.zeroed(gd.inodeBitmap);
    setBits(inodeBitmap, geo.inodesPerGroup, 8 * bs);
    if (g === 0) {
      setBits(inodeBitmap, 0, GOOD_OLD_FIRST_INO - 1);
      gd.freeInodes -= GOOD_OLD_FIRST_INO - 1;
      gd.usedDirs = 1;
    }
  }
  cache.writeBack();
  const zeros = new Uint8Array(Math.min(256, geo.inodeTableBlocks) * bs);
  for (const gd of groups) {
    for (let b = 0; b < geo.inodeTableBlocks; b += zeros.length / bs) {
      const count = Math.min(zeros.length / bs, geo.inodeTableBlocks - b);
      device.write((gd.inodeTable + b) * bs, zeros.subarray(0, count * bs));
    }
  }

  // The root directory: one block after group 0's inode table.
  const rootBlock = groups[0].inodeTable + geo.inodeTableBlocks;
  groups[0].freeBlocks--;
  const groupZeroBitmap = cache.read(groups[0].blockBitmap);
  setBits(groupZeroBitmap, rootBlock - geo.firstDataBlock, rootBlock - geo.firstDataBlock + 1);
  cache.markDirty(groups[0].blockBitmap, groupZeroBitmap);
  const host = { blockSize: bs, filetype: true, inodesCount: geo.inodesCount, cache };
  Directory.initBlock(host, cache.zeroed(rootBlock), ROOT_INO, ROOT_INO);
  const root: InodeFields = {
    mode: S_IFDIR | 0o755,
    uid: rootUid,
    gid: rootGid,
    nlink: 2,
    size: bs,
    rdev: 0,
    atime: now,
    mtime: now,
    ctime: now,
    btime: inodeSize > 128 ? now : null,
    dtime: 0,
    blocks512: bs / 512,
    flags: 0,
    iblock: new Uint8Array(60),
    generation: 0,
    fileAcl: 0,
    extraIsize: inodeSize > 128 ? WANTED_EXTRA_ISIZE : 0,
  };
  new DataView(root.iblock.buffer).setUint32(0, rootBlock, true);
  const where = inodeLocation(geo, groups, ROOT_INO);
  const table = cache.overwrite(where.block);
  table.fill(0);
  encodeInode(new DataView(table.buffer, table.byteOffset), where.offset, inodeSize, root);
  cache.markDirty(where.block, table);

  // Superblock and descriptor copies.
  const sb = new Superblock(new Uint8Array(SUPERBLOCK_SIZE));
  sb.inodesCount = geo.inodesCount;
  sb.blocksCount = geo.blocksCount;
  sb.reservedBlocksCount = Math.floor(geo.blocksCount * (options.reservedPercent ?? 5) / 100);
  sb.freeBlocksCount = groups.reduce((n, gd) => n + gd.freeBlocks, 0);
  sb.freeInodesCount = groups.reduce((n, gd) => n + gd.freeInodes, 0);
  sb.firstDataBlock = geo.firstDataBlock;
  sb.logBlockSize = Math.log2(bs) - 10;
  sb.logFragSize = Math.log2(bs) - 10;
  sb.blocksPerGroup = geo.blocksPerGroup;
  sb.fragsPerGroup = geo.blocksPerGroup;
  sb.inodesPerGroup = geo.inodesPerGroup;
  sb.writeTime = now.sec;
  sb.maxMountCount = -1;
  sb.magic = EXT2_MAGIC;
  sb.state = STATE_VALID;
  sb.errorsBehaviour = 1;
  sb.lastCheck = now.sec;
  sb.revLevel = 1;
  sb.firstIno = GOOD_OLD_FIRST_INO;
  sb.inodeSize = inodeSize;
  sb.featureIncompat = INCOMPAT_FILETYPE;
  sb.featureRoCompat = RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE;
  crypto.getRandomValues(sb.uuid);
  crypto.getRandomValues(sb.hashSeed);
  sb.defHashVersion = 1;
  sb.mkfsTime = now.sec;
  if (inodeSize > 128) {
    sb.minExtraIsize = WANTED_EXTRA_ISIZE;
    sb.wantExtraIsize = WANTED_EXTRA_ISIZE;
  }
  sb.flags = 1;
  const label = new TextEncoder().encode(options.label ?? "").subarray(0, 16);
  sb.volumeName.set(label);

  const bootSector = new Uint8Array(SUPERBLOCK_OFFSET);
  device.read(0, bootSector);
  for (let g = 0; g < geo.groupCount; g++) {
    if (!groupHasSuperblock(g, true)) continue;
    const start = g === 0 ? 0 : geo.firstDataBlock + g * geo.blocksPerGroup;
    const at = g === 0 ? SUPERBLOCK_OFFSET : 0;
    const firstBlock = g === 0 ? Math.floor(SUPERBLOCK_OFFSET / bs) : start;
    const block = cache.zeroed(firstBlock);
    if (g === 0 && bs > 1024) block.set(bootSector, 0);
    sb.blockGroupNr = g;
    block.set(sb.raw, at % bs);
    const gdtStart = (g === 0 ? geo.firstDataBlock : start) + 1;
    for (let b = 0; b < geo.gdtBlocks; b++) cache.zeroed(gdtStart + b);
    writeGroupDescriptors(cache, geo, groups, gdtStart);
  }
  cache.flush();

  // lost+found, through the inode code.
  const fs = new Ext2FileSystem(device, { readOnly: false, options: "", source: device.name });
  fs.alloc.spreadDirectories = false;
  const lostFound = fs.root.mkdir("lost+found", 0o700, rootUid, rootGid) as Ext2Inode;
  fs.alloc.spreadDirectories = true;
  lostFound.growDirectory(Math.min(12, Math.max(2, 16384 / bs)) - 1);
  fs.detach();
}
