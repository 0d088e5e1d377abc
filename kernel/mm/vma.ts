// Virtual memory areas: the sorted, non-overlapping list of what a process has mapped (start,
// end, protection, kind, name). The page tables hold only what has been touched; this list is the
// truth about what may be touched, and what /proc/<pid>/maps prints.

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

/** The mapping is shared (MAP_SHARED): writes are seen by every mapper. */
export const VMA_SHARED = 1;
/** The area grows down on faults below it (the stack, MAP_GROWSDOWN). */
export const VMA_GROWSDOWN = 2;

export interface Vma {
  start: number;
  end: number;
  prot: number;
  flags: number;
  /** What /proc/<pid>/maps prints in the last column: a path, "[heap]", "[stack]" or "". */
  name: string;
}

export class VmaList {
  /** Sorted by start; areas never overlap. */
  readonly areas: Vma[] = [];

  /** Index of the first area whose end is above `addr` (areas.length when none). */
  private indexAfter(addr: number): number {
    let lo = 0, hi = this.areas.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.areas[mid].end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The area containing `addr`, if any. */
  find(addr: number): Vma | undefined {
    const a = this.areas[this.indexAfter(addr)];
    return a !== undefined && a.start <= addr ? a : undefined;
  }

  /** The first area that ends above `addr` (it may start above it). */
  next(addr: number): Vma | undefined {
    return this.areas[this.indexAfter(addr)];
  }

  /** The last area that ends at or below `addr`. */
  previous(addr: number): Vma | undefined {
    const i = this.indexAfter(addr);
    const a = this.areas[i];
    if (a !== undefined && a.start < addr) return this.areas[i - 1];
    return this.areas[i - 1];
  }

  overlaps(start: number, end: number): boolean {
    const a = this.next(start);
    return a !== undefined && a.start < end;
  }

  /** Areas intersecting [start, end), in order. */
  within(start: number, end: number): Vma[] {
    const out: Vma[] = [];
    for (let i = this.indexAfter(start); i < this.areas.length; i++) {
      const a = this.areas[i];
      if (a.start >= end) break;
      out.push(a);
    }
    return out;
  }

  /** True when [start, end) is covered by areas with no hole. */
  covers(start: number, end: number): boolean {
    let at = start;
    for (const a of this.within(start, end)) {
      if (a.start > at) return false;
      at = a.end;
    }
    return at >= end;
  }

  /** Split areas so that `addr` is a boundary (no area strictly contains it). */
  splitAt(addr: number): void {
    const i = this.indexAfter(addr);
    const a = this.areas[i];
    if (a === undefined || a.start >= addr) return;
    const tail: Vma = { ...a, start: addr };
    a.end = addr;
    this.areas.splice(i + 1, 0, tail);
  }

  /** Remove [start, end) from the list; returns the removed pieces. */
  remove(start: number, end: number): Vma[] {
    this.splitAt(start);
    this.splitAt(end);
    const i = this.indexAfter(start);
    let j = i;
    while (j < this.areas.length && this.areas[j].start < end) j++;
    return this.areas.splice(i, j - i);
  }

  /** Insert an area over a range known to be free, merging with compatible neighbours. */
  insert(vma: Vma): void {
    const i = this.indexAfter(vma.start);
    this.areas.splice(i, 0, vma);
    this.mergeAround(i);
  }

  /** Merge the area at index `i` with equal neighbours (same prot, flags and name). */
  mergeAround(i: number): void {
    const same = (a: Vma, b: Vma) =>
      a.end === b.start && a.prot === b.prot && a.flags === b.flags && a.name === b.name &&
      !(a.flags & VMA_SHARED);
    if (i + 1 < this.areas.length && same(this.areas[i], this.areas[i + 1])) {
      this.areas[i].end = this.areas[i + 1].end;
      this.areas.splice(i + 1, 1);
    }
    if (i > 0 && same(this.areas[i - 1], this.areas[i])) {
      this.areas[i - 1].end = this.areas[i].end;
      this.areas.splice(i, 1);
    }
  }

  /** Merge every run of compatible neighbours (after protection changes). */
  normalize(): void {
    for (let i = this.areas.length - 1; i >= 0; i--) {
      if (i < this.areas.length) this.mergeAround(i);
    }
  }
}
