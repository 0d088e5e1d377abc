// The classic ext2 block map: 12 direct pointers in i_block, then single, double and triple
// indirect blocks. Looks up runs of logical blocks, allocates along a path (indirect block
// first, data after it, near a goal), frees everything past a point, and scans for holes/data.

import { EIO } from "../../errno.ts";
import { SyscallError } from "../../syscall-error.ts";
import type { Allocator } from "./allocator.ts";
import type { BlockCache } from "./block-cache.ts";
import type { Geometry } from "./superblock.ts";

export const N_DIRECT = 12;
const IND_SLOT = 12, DIND_SLOT = 13, TIND_SLOT = 14;

/** The parts of an inode the block map reads and changes. */
export interface MappedInode {
  /** i_block as little-endian pointers. */
  readonly pointers: DataView;
  blocks512: number;
}

/** Where a logical block sits: a slot of a leaf (i_block or an indirect block), or a hole. */
interface Leaf {
  dv: DataView | null;
  index: number;
  /** Logical blocks from here to the end of this leaf (or of the missing subtree). */
  remaining: number;
}

export interface Run {
  /** First physical block, or 0 for a hole. */
  phys: number;
  count: number;
}

export class BlockMap {
  readonly perBlock: number;
  readonly maxLogical: number;
  private readonly sectorsPerBlock: number;

  constructor(
    private readonly cache: BlockCache,
    private readonly alloc: Allocator,
    private readonly geo: Geometry,
  ) {
    const p = geo.pointersPerBlock;
    this.perBlock = p;
    this.maxLogical = N_DIRECT + p + p * p + p * p * p;
    this.sectorsPerBlock = geo.blockSize / 512;
  }

  private valid(block: number): number {
    if (block < this.geo.firstDataBlock || block >= this.geo.blocksCount) {
      throw new SyscallError(EIO);
    }
    return block;
  }

  private view(block: number): DataView {
    const data = this.cache.read(this.valid(block));
    return new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  /** Top-level slot, depth and offset within that subtree for a logical block ≥ 12. */
  private route(logical: number): { slot: number; levels: number; offset: number } | null {
    const p = this.perBlock;
    let l = logical - N_DIRECT;
    if (l < p) return { slot: IND_SLOT, levels: 1, offset: l };
    l -= p;
    if (l < p * p) return { slot: DIND_SLOT, levels: 2, offset: l };
    l -= p * p;
    if (l < p * p * p) return { slot: TIND_SLOT, levels: 3, offset: l };
    return null;
  }

  private leaf(inode: MappedInode, logical: number): Leaf | null {
    if (logical < N_DIRECT) {
      return { dv: inode.pointers, index: logical, remaining: N_DIRECT - logical };
    }
    const r = this.route(logical);
    if (!r) return null;
    const p = this.perBlock;
    let block = inode.pointers.getUint32(r.slot * 4, true);
    let l = r.offset;
    let span = p ** r.levels;
    for (let level = r.levels; level >= 1; level--) {
      if (block === 0) return { dv: null, index: 0, remaining: span - l };
      const dv = this.view(block);
      if (level === 1) return { dv, index: l, remaining: p - l };
      span = p ** (level - 1);
      block = dv.getUint32(Math.floor(l / span) * 4, true);
      l %= span;
    }
    throw new SyscallError(EIO);
  }

  /** The physical block of `logical`, 0 for a hole. */
  lookup(inode: MappedInode, logical: number): number {
    const leaf = this.leaf(inode, logical);
    if (!leaf || !leaf.dv) return 0;
    const phys = leaf.dv.getUint32(leaf.index * 4, true);
    return phys && this.valid(phys);
  }

  /** The longest run (at most `max`) of physically contiguous blocks, or of holes, at `logical`. */
  run(inode: MappedInode, logical: number, max: number): Run {
    const leaf = this.leaf(inode, logical);
    if (!leaf) return { phys: 0, count: max };
    const limit = Math.min(leaf.remaining, max);
    if (!leaf.dv) return { phys: 0, count: limit };
    const dv = leaf.dv, at = leaf.index;
    const first = dv.getUint32(at * 4, true);
    let count = 1;
    if (first === 0) {
      while (count < limit && dv.getUint32((at + count) * 4, true) === 0) count++;
      return { phys: 0, count };
    }
    this.valid(first);
    while (count < limit && dv.getUint32((at + count) * 4, true) === first + count) count++;
    this.valid(first + count - 1);
    return { phys: first, count };
  }

  private allocate(inode: MappedInode, goal: number, zero: boolean): number {
    const block = this.alloc.allocBlock(goal);
    inode.blocks512 += this.sectorsPerBlock;
    if (zero) this.cache.zeroed(block);
    return block;
  }

  /**
   * The physical block of `logical`, allocating it (and any indirect blocks on the way) near
   * `goal` when it is a hole. `fresh` says the data block is new (its contents are undefined).
   */
  ensure(inode: MappedInode, logical: number, goal: number): { phys: number; fresh: boolean } {
    const ptrs = inode.pointers;
    if (logical < N_DIRECT) {
      const existing = ptrs.getUint32(logical * 4, true);
      if (existing) return { phys: this.valid(existing), fresh: false };
      const block = this.allocate(inode, goal, false);
      ptrs.setUint32(logical * 4, block, true);
      return { phys: block, fresh: true };
    }
    const r = this.route(logical);
    if (!r) throw new SyscallError(EIO);
    let block = ptrs.getUint32(r.slot * 4, true);
    if (block === 0) {
      block = this.allocate(inode, goal, true);
      ptrs.setUint32(r.slot * 4, block, true);
    }
    let l = r.offset;
    for (let level = r.levels; level >= 1; level--) {
      const data = this.cache.read(this.valid(block));
      const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const span = this.perBlock ** (level - 1);
      const index = Math.floor(l / span);
      l %= span;
      let child = dv.getUint32(index * 4, true);
      if (child === 0) {
        child = this.allocate(inode, goal, level > 1);
        dv.setUint32(index * 4, child, true);
        this.cache.markDirty(block, data);
        if (level === 1) return { phys: child, fresh: true };
      } else if (level === 1) return { phys: this.valid(child), fresh: false };
      block = child;
    }
    throw new SyscallError(EIO);
  }

  private release(inode: MappedInode, block: number): void {
    this.alloc.freeBlock(block);
    inode.blocks512 = Math.max(0, inode.blocks512 - this.sectorsPerBlock);
  }

  /** Free a whole subtree of `level` indirection rooted at `block`. */
  private freeTree(inode: MappedInode, block: number, level: number): void {
    this.valid(block);
    if (!this.alloc.isBlockInUse(block)) {
      // Already free: a corrupt map shares it. Do not walk (or free) it twice.
      this.alloc.inconsistent = true;
      return;
    }
    if (level > 0) {
      const dv = this.view(block);
      for (let i = 0; i < this.perBlock; i++) {
        const child = dv.getUint32(i * 4, true);
        if (child) this.freeTree(inode, child, level - 1);
      }
    }
    this.release(inode, block);
  }

  /**
   * Free the blocks of subtree `block` (covering logical [base, base + p^level)) at or after
   * `from`; returns true when the subtree block itself was freed.
   */
  private trimTree(
    inode: MappedInode,
    block: number,
    level: number,
    base: number,
    from: number,
  ): boolean {
    if (from <= base) {
      this.freeTree(inode, block, level);
      return true;
    }
    const span = this.perBlock ** (level - 1);
    if (from >= base + span * this.perBlock) return false;
    const data = this.cache.read(this.valid(block));
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let changed = false;
    for (let i = Math.floor((from - base) / span); i < this.perBlock; i++) {
      const child = dv.getUint32(i * 4, true);
      if (!child) continue;
      const childBase = base + i * span;
      let gone: boolean;
      if (level === 1) {
        gone = childBase >= from;
        if (gone) this.release(inode, this.valid(child));
      } else gone = this.trimTree(inode, child, level - 1, childBase, from);
      if (gone) {
        dv.setUint32(i * 4, 0, true);
        changed = true;
      }
    }
    if (changed) this.cache.markDirty(block, data);
    return false;
  }

  /** Free every block holding logical blocks ≥ `from`, and indirect blocks left unneeded. */
  truncate(inode: MappedInode, from: number): void {
    const ptrs = inode.pointers;
    for (let i = Math.min(from, N_DIRECT); i < N_DIRECT; i++) {
      const block = ptrs.getUint32(i * 4, true);
      if (block) {
        this.release(inode, this.valid(block));
        ptrs.setUint32(i * 4, 0, true);
      }
    }
    const p = this.perBlock;
    const tops: [number, number, number][] = [
      [IND_SLOT, 1, N_DIRECT],
      [DIND_SLOT, 2, N_DIRECT + p],
      [TIND_SLOT, 3, N_DIRECT + p + p * p],
    ];
    for (const [slot, level, base] of tops) {
      const block = ptrs.getUint32(slot * 4, true);
      if (block && this.trimTree(inode, block, level, base, from)) {
        ptrs.setUint32(slot * 4, 0, true);
      }
    }
  }

  /** The first logical block in [from, end) that is mapped (or a hole), else `end`. */
  scan(inode: MappedInode, from: number, end: number, wantMapped: boolean): number {
    let l = from;
    while (l < end) {
      const r = this.run(inode, l, end - l);
      if ((r.phys !== 0) === wantMapped) return l;
      l += r.count;
    }
    return end;
  }
}
