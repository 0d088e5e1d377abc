// Block and inode allocation over the per-group bitmaps, which it keeps loaded once read. Every
// allocation and free updates the bitmap, the group descriptor counts and the filesystem totals
// together, so they stay exact.

import { EIO, ENOSPC } from "../../errno.ts";
import { SyscallError } from "../../syscall-error.ts";
import type { BlockCache } from "./block-cache.ts";
import type { GroupDescriptor } from "./group-descriptors.ts";
import { blocksInGroup, type Geometry } from "./superblock.ts";

/** Index of the first clear bit in [from, limit), or -1. */
export function findClearBit(bitmap: Uint8Array, from: number, limit: number): number {
  let bit = from;
  while (bit < limit && (bit & 7) !== 0) {
    if (!(bitmap[bit >>> 3] & (1 << (bit & 7)))) return bit;
    bit++;
  }
  while (bit < limit) {
    const byte = bitmap[bit >>> 3];
    if (byte !== 0xff) {
      for (let k = 0; k < 8 && bit + k < limit; k++) {
        if (!(byte & (1 << k))) return bit + k;
      }
    }
    bit += 8;
  }
  return -1;
}

export const testBit = (bitmap: Uint8Array, bit: number) =>
  (bitmap[bit >>> 3] & (1 << (bit & 7))) !== 0;
const setBit = (bitmap: Uint8Array, bit: number) => bitmap[bit >>> 3] |= 1 << (bit & 7);
const clearBit = (bitmap: Uint8Array, bit: number) => bitmap[bit >>> 3] &= ~(1 << (bit & 7));

export interface Counters {
  freeBlocks: number;
  freeInodes: number;
}

export class Allocator {
  private readonly blockBitmaps: (Uint8Array | undefined)[] = [];
  private readonly inodeBitmaps: (Uint8Array | undefined)[] = [];
  private readonly dirtyBitmaps = new Set<number>();
  /** First inode bit per group that may be clear (all below are known used). */
  private readonly inodeHint: number[];
  descriptorsDirty = false;
  /** Set when a bitmap disagreed with a free (the filesystem has errors). */
  inconsistent = false;
  /** Put new directories in the emptiest groups (off: keep them near the parent, as mkfs does). */
  spreadDirectories = true;

  constructor(
    private readonly cache: BlockCache,
    private readonly geo: Geometry,
    readonly groups: GroupDescriptor[],
    readonly totals: Counters,
  ) {
    this.inodeHint = groups.map(() => 0);
  }

  blockBitmap(g: number): Uint8Array {
    let bm = this.blockBitmaps[g];
    if (!bm) {
      bm = this.cache.read(this.groups[g].blockBitmap);
      this.blockBitmaps[g] = bm;
    }
    return bm;
  }

  inodeBitmap(g: number): Uint8Array {
    let bm = this.inodeBitmaps[g];
    if (!bm) {
      bm = this.cache.read(this.groups[g].inodeBitmap);
      this.inodeBitmaps[g] = bm;
    }
    return bm;
  }

  groupOfBlock(block: number): number {
    return Math.floor((block - this.geo.firstDataBlock) / this.geo.blocksPerGroup);
  }

  private takeBlock(g: number, bit: number): number {
    setBit(this.blockBitmap(g), bit);
    this.dirtyBitmaps.add(this.groups[g].blockBitmap);
    this.groups[g].freeBlocks--;
    this.totals.freeBlocks--;
    this.descriptorsDirty = true;
    return this.geo.firstDataBlock + g * this.geo.blocksPerGroup + bit;
  }

  /** Allocate one block, preferring `goal` and then the blocks after it. */
  allocBlock(goal: number): number {
    const geo = this.geo;
    if (!(goal >= geo.firstDataBlock && goal < geo.blocksCount)) goal = geo.firstDataBlock;
    const startGroup = this.groupOfBlock(goal);
    for (let n = 0; n <= geo.groupCount; n++) {
      const g = (startGroup + n) % geo.groupCount;
      const gd = this.groups[g];
      if (gd.freeBlocks === 0) continue;
      const limit = blocksInGroup(geo, g);
      const bm = this.blockBitmap(g);
      const from = n === 0 ? goal - geo.firstDataBlock - g * geo.blocksPerGroup : 0;
      let bit = findClearBit(bm, from, limit);
      if (bit < 0 && from > 0) bit = findClearBit(bm, 0, from);
      if (bit >= 0) return this.takeBlock(g, bit);
      this.inconsistent = true;
    }
    throw new SyscallError(ENOSPC);
  }

  isBlockInUse(block: number): boolean {
    const geo = this.geo;
    if (!(block >= geo.firstDataBlock && block < geo.blocksCount)) return false;
    const g = this.groupOfBlock(block);
    return testBit(this.blockBitmap(g), block - geo.firstDataBlock - g * geo.blocksPerGroup);
  }

  freeBlock(block: number): void {
    const geo = this.geo;
    if (!(block >= geo.firstDataBlock && block < geo.blocksCount)) throw new SyscallError(EIO);
    const g = this.groupOfBlock(block);
    const bit = block - geo.firstDataBlock - g * geo.blocksPerGroup;
    const bm = this.blockBitmap(g);
    this.cache.discard(block);
    if (!testBit(bm, bit)) {
      this.inconsistent = true;
      return;
    }
    clearBit(bm, bit);
    this.dirtyBitmaps.add(this.groups[g].blockBitmap);
    this.groups[g].freeBlocks++;
    this.totals.freeBlocks++;
    this.descriptorsDirty = true;
  }

  /** Group for a new inode: directories spread out, other inodes stay near their parent. */
  private chooseGroup(parentGroup: number, isDir: boolean): number {
    const groups = this.groups;
    const count = groups.length;
    if (isDir && this.spreadDirectories) {
      const average = this.totals.freeInodes / count;
      let best = -1;
      for (let g = 0; g < count; g++) {
        const gd = groups[g];
        if (gd.freeInodes === 0 || gd.freeInodes < average) continue;
        if (best < 0 || gd.freeBlocks > groups[best].freeBlocks) best = g;
      }
      if (best >= 0) return best;
    } else {
      const parent = groups[parentGroup];
      if (parent.freeInodes > 0 && parent.freeBlocks > 0) return parentGroup;
      for (let step = 1, g = parentGroup; step < count; step <<= 1) {
        g = (g + step) % count;
        if (groups[g].freeInodes > 0 && groups[g].freeBlocks > 0) return g;
      }
    }
    for (let n = 0; n < count; n++) {
      const g = (parentGroup + n) % count;
      if (groups[g].freeInodes > 0) return g;
    }
    return -1;
  }

  allocInode(parentIno: number, isDir: boolean): number {
    const geo = this.geo;
    const parentGroup = Math.floor((parentIno - 1) / geo.inodesPerGroup) % geo.groupCount;
    for (let attempt = 0; attempt < geo.groupCount; attempt++) {
      const g = attempt === 0
        ? this.chooseGroup(parentGroup, isDir)
        : this.chooseGroup((parentGroup + attempt) % geo.groupCount, false);
      if (g < 0) break;
      const bm = this.inodeBitmap(g);
      let bit = findClearBit(bm, this.inodeHint[g], geo.inodesPerGroup);
      while (bit >= 0 && g * geo.inodesPerGroup + bit + 1 < geo.firstIno) {
        bit = findClearBit(bm, bit + 1, geo.inodesPerGroup);
      }
      if (bit < 0) {
        // The count said free but the bitmap is full: trust the bitmap.
        this.inconsistent = true;
        this.groups[g].freeInodes = 0;
        this.descriptorsDirty = true;
        continue;
      }
      setBit(bm, bit);
      this.inodeHint[g] = bit + 1;
      this.dirtyBitmaps.add(this.groups[g].inodeBitmap);
      const gd = this.groups[g];
      gd.freeInodes--;
      this.totals.freeInodes--;
      if (isDir) gd.usedDirs++;
      this.descriptorsDirty = true;
      return g * geo.inodesPerGroup + bit + 1;
    }
    throw new SyscallError(ENOSPC);
  }

  freeInode(ino: number, isDir: boolean): void {
    const geo = this.geo;
    if (!(ino >= 1 && ino <= geo.inodesCount)) throw new SyscallError(EIO);
    const g = Math.floor((ino - 1) / geo.inodesPerGroup);
    const bit = (ino - 1) % geo.inodesPerGroup;
    const bm = this.inodeBitmap(g);
    if (!testBit(bm, bit)) {
      this.inconsistent = true;
      return;
    }
    clearBit(bm, bit);
    if (bit < this.inodeHint[g]) this.inodeHint[g] = bit;
    this.dirtyBitmaps.add(this.groups[g].inodeBitmap);
    const gd = this.groups[g];
    gd.freeInodes++;
    this.totals.freeInodes++;
    if (isDir && gd.usedDirs > 0) gd.usedDirs--;
    this.descriptorsDirty = true;
  }

  /** Put changed bitmaps back into the cache as dirty blocks. */
  writeBack(): void {
    for (let g = 0; g < this.groups.length; g++) {
      const gd = this.groups[g];
      const bb = this.blockBitmaps[g];
      if (bb && this.dirtyBitmaps.has(gd.blockBitmap)) this.cache.markDirty(gd.blockBitmap, bb);
      const ib = this.inodeBitmaps[g];
      if (ib && this.dirtyBitmaps.has(gd.inodeBitmap)) this.cache.markDirty(gd.inodeBitmap, ib);
    }
    this.dirtyBitmaps.clear();
  }
}
