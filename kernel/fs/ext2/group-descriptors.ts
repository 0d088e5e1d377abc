// Block group descriptors: where each group's bitmaps and inode table live and its free counts.
// The table follows the superblock (block firstDataBlock + 1); only the primary copy is written.

import { EINVAL } from "../../errno.ts";
import { MountError } from "../filesystem.ts";
import type { BlockCache } from "./block-cache.ts";
import { blocksInGroup, type Geometry, groupHasSuperblock } from "./superblock.ts";

export const DESCRIPTOR_SIZE = 32;
export const BG_INODE_UNINIT = 0x1;
export const BG_BLOCK_UNINIT = 0x2;

export interface GroupDescriptor {
  blockBitmap: number;
  inodeBitmap: number;
  inodeTable: number;
  freeBlocks: number;
  freeInodes: number;
  usedDirs: number;
  flags: number;
}

export function readGroupDescriptors(
  cache: BlockCache,
  geo: Geometry,
  deviceName: string,
): GroupDescriptor[] {
  const groups: GroupDescriptor[] = [];
  const perBlock = geo.blockSize / DESCRIPTOR_SIZE;
  for (let g = 0; g < geo.groupCount; g++) {
    const block = cache.read(geo.firstDataBlock + 1 + Math.floor(g / perBlock));
    const dv = new DataView(block.buffer, block.byteOffset + (g % perBlock) * DESCRIPTOR_SIZE, 32);
    const gd: GroupDescriptor = {
      blockBitmap: dv.getUint32(0, true),
      inodeBitmap: dv.getUint32(4, true),
      inodeTable: dv.getUint32(8, true),
      freeBlocks: dv.getUint16(12, true),
      freeInodes: dv.getUint16(14, true),
      usedDirs: dv.getUint16(16, true),
      flags: dv.getUint16(18, true),
    };
    checkDescriptor(gd, g, geo, deviceName);
    groups.push(gd);
  }
  return groups;
}

function checkDescriptor(gd: GroupDescriptor, g: number, geo: Geometry, deviceName: string) {
  const first = geo.firstDataBlock + g * geo.blocksPerGroup;
  const last = first + blocksInGroup(geo, g) - 1;
  const bad = (what: string, value: number): never => {
    throw new MountError(
      `${deviceName}: group ${g}: ${what} ${value} is outside the group (${first}-${last})`,
      EINVAL,
    );
  };
  if (gd.blockBitmap < first || gd.blockBitmap > last) bad("block bitmap", gd.blockBitmap);
  if (gd.inodeBitmap < first || gd.inodeBitmap > last) bad("inode bitmap", gd.inodeBitmap);
  if (gd.inodeTable < first || gd.inodeTable + geo.inodeTableBlocks - 1 > last) {
    bad("inode table", gd.inodeTable);
  }
  if (gd.freeBlocks > blocksInGroup(geo, g)) {
    throw new MountError(`${deviceName}: group ${g}: free block count too large`, EINVAL);
  }
  if (gd.freeInodes > geo.inodesPerGroup || gd.usedDirs > geo.inodesPerGroup) {
    throw new MountError(`${deviceName}: group ${g}: inode counts too large`, EINVAL);
  }
}

/** Serialize every descriptor into the primary table (through the cache). */
export function writeGroupDescriptors(
  cache: BlockCache,
  geo: Geometry,
  groups: GroupDescriptor[],
  firstGdtBlock = geo.firstDataBlock + 1,
): void {
  const perBlock = geo.blockSize / DESCRIPTOR_SIZE;
  for (let b = 0; b < geo.gdtBlocks; b++) {
    const blockNo = firstGdtBlock + b;
    const block = cache.read(blockNo);
    for (let i = 0; i < perBlock; i++) {
      const gd = groups[b * perBlock + i];
      if (!gd) break;
      const dv = new DataView(block.buffer, block.byteOffset + i * DESCRIPTOR_SIZE, 32);
      dv.setUint32(0, gd.blockBitmap, true);
      dv.setUint32(4, gd.inodeBitmap, true);
      dv.setUint32(8, gd.inodeTable, true);
      dv.setUint16(12, gd.freeBlocks, true);
      dv.setUint16(14, gd.freeInodes, true);
      dv.setUint16(16, gd.usedDirs, true);
      dv.setUint16(18, gd.flags, true);
    }
    cache.markDirty(blockNo, block);
  }
}

/**
 * Blocks of group g that hold filesystem metadata: superblock and descriptor copies (plus
 * reserved descriptor blocks, which the resize inode owns), bitmaps and the inode table.
 */
export function groupOverhead(geo: Geometry, g: number, sparseSuper: boolean, reservedGdt: number) {
  const backup = groupHasSuperblock(g, sparseSuper) ? 1 + geo.gdtBlocks + reservedGdt : 0;
  return backup + 2 + geo.inodeTableBlocks;
}
