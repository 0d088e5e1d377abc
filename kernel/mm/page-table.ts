// One address space's x86-64 4-level page tables, kept in guest RAM where the MMU walks them.
// Leaves are 4 KiB pages; the upper levels are created on demand with permissive flags (the leaf
// decides). Knows nothing about VMAs: address-space.ts decides what to map.

import type { PhysicalMemory } from "../../core/memory.ts";
import type { FrameAllocator } from "./frames.ts";

export const PTE_PRESENT = 0x1;
export const PTE_WRITE = 0x2;
export const PTE_USER = 0x4;
export const PTE_ACCESSED = 0x20;
export const PTE_DIRTY = 0x40;
/** Software bit: the frame is shared copy-on-write; a write fault copies it. */
export const PTE_COW = 0x200;
/** NX is bit 63: bit 31 of the high word. */
export const PTE_NX_HIGH = 0x80000000;

const TABLE_FLAGS = PTE_PRESENT | PTE_WRITE | PTE_USER;
const ADDR_MASK_LOW = 0xfffff000;
const LEVEL_SPAN = [2 ** 39, 2 ** 30, 2 ** 21, 2 ** 12];

/** Index of `vaddr` in the table at `level` (0 = PML4 ... 3 = PT). */
function indexAt(vaddr: number, level: number): number {
  return Math.floor(vaddr / LEVEL_SPAN[level]) % 512;
}

export class PageTable {
  readonly root: number;
  private readonly dv: DataView;

  constructor(private readonly mem: PhysicalMemory, private readonly frames: FrameAllocator) {
    this.dv = mem.dv;
    this.root = frames.alloc();
  }

  /** Physical address of the leaf entry for `vaddr`, or -1 when a table on the way is missing. */
  slot(vaddr: number, create = false): number {
    let table = this.root;
    for (let level = 0; level < 3; level++) {
      const entry = table + indexAt(vaddr, level) * 8;
      const low = this.dv.getUint32(entry, true);
      if (low & PTE_PRESENT) {
        table = low & ADDR_MASK_LOW;
        continue;
      }
      if (!create) return -1;
      const next = this.frames.alloc();
      this.dv.setUint32(entry, next | TABLE_FLAGS, true);
      this.dv.setUint32(entry + 4, 0, true);
      table = next;
    }
    return table + indexAt(vaddr, 3) * 8;
  }

  /** Low word of the leaf entry for `vaddr` (0 when not mapped). */
  entryLow(vaddr: number): number {
    const s = this.slot(vaddr);
    return s < 0 ? 0 : this.dv.getUint32(s, true);
  }

  /** Install a leaf mapping (the caller owns the reference on `paddr`). */
  map(vaddr: number, paddr: number, flags: number, noExec: boolean): void {
    const s = this.slot(vaddr, true);
    this.dv.setUint32(s, (paddr | flags | PTE_PRESENT) >>> 0, true);
    this.dv.setUint32(s + 4, noExec ? PTE_NX_HIGH : 0, true);
  }

  /** Rewrite the permission bits of a present leaf, keeping its frame. */
  setFlags(slot: number, flags: number, noExec: boolean): void {
    const low = this.dv.getUint32(slot, true);
    const keep = low & (ADDR_MASK_LOW | PTE_ACCESSED | PTE_DIRTY);
    this.dv.setUint32(slot, (keep | flags | PTE_PRESENT) >>> 0, true);
    this.dv.setUint32(slot + 4, noExec ? PTE_NX_HIGH : 0, true);
  }

  readSlot(slot: number): number {
    return this.dv.getUint32(slot, true);
  }

  /** Store a raw low word (used for non-present entries that remember a frame). */
  writeSlotLow(slot: number, low: number): void {
    this.dv.setUint32(slot, low >>> 0, true);
    this.dv.setUint32(slot + 4, 0, true);
  }

  clearSlot(slot: number): void {
    this.dv.setUint32(slot, 0, true);
    this.dv.setUint32(slot + 4, 0, true);
  }

  /**
   * Call `visit(vaddr, slot)` for every present leaf in [start, end), skipping missing tables
   * whole, so sparse ranges (a 1 TiB reservation) cost only what is mapped.
   */
  forEachPresent(start: number, end: number, visit: (vaddr: number, slot: number) => void): void {
    this.walkRange(this.root, 0, 0, start, end, visit);
  }

  private walkRange(
    table: number,
    level: number,
    base: number,
    start: number,
    end: number,
    visit: (vaddr: number, slot: number) => void,
  ): void {
    const span = LEVEL_SPAN[level];
    const first = Math.max(0, Math.floor((start - base) / span));
    const last = Math.min(511, Math.floor((end - 1 - base) / span));
    for (let i = first; i <= last; i++) {
      const entry = table + i * 8;
      const low = this.dv.getUint32(entry, true);
      if (!(low & PTE_PRESENT)) continue;
      const vaddr = base + i * span;
      if (level === 3) visit(vaddr, entry);
      else this.walkRange(low & ADDR_MASK_LOW, level + 1, vaddr, start, end, visit);
    }
  }

  /** Release every user frame and every table, leaving nothing mapped. */
  destroy(): void {
    this.freeTable(this.root, 0);
  }

  private freeTable(table: number, level: number): void {
    for (let i = 0; i < 512; i++) {
      const entry = table + i * 8;
      const low = this.dv.getUint32(entry, true);
      if (!(low & PTE_PRESENT)) continue;
      const target = low & ADDR_MASK_LOW;
      if (level === 3) this.frames.release(target);
      else this.freeTable(target, level + 1);
    }
    this.frames.release(table);
  }
}

export function frameOf(pteLow: number): number {
  return pteLow & ADDR_MASK_LOW;
}
