// Virtual memory areas: the sorted, non-overlapping list of what a process has mapped (start,
// end, protection, kind, name, and for file mappings which file from which offset). The page
// tables hold only what has been touched; this list is the truth about what may be touched, and
// what /proc/<pid>/maps prints. Every file-backed piece holds one reference on its page cache:
// splitting takes another, merging and removal give one back.

import type { OpenFile } from "../files/open-file.ts";
import type { Inode } from "../fs/inode.ts";
import type { CacheMapper, PageCache } from "../fs/page-cache.ts";

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

/** The mapping is shared (MAP_SHARED): writes are seen by every mapper. */
export const VMA_SHARED = 1;
/** The area grows down on faults below it (the stack, MAP_GROWSDOWN). */
export const VMA_GROWSDOWN = 2;
/** mprotect may not add PROT_WRITE (a shared mapping of a file not opened for writing). */
export const VMA_NO_MAYWRITE = 4;
/** mprotect may not add PROT_EXEC (a file on a noexec mount). */
export const VMA_NO_MAYEXEC = 8;

/** What a file-backed area maps (Linux's vm_file and vm_pgoff). */
export interface VmaFile {
  inode: Inode;
  /** The inode's pages; each area piece holds one reference on it. */
  cache: PageCache;
  /** Byte offset in the file of the area's first page (page aligned). */
  offset: number;
  /** The open file it was mapped through (its path, for /proc/<pid>/maps). */
  file: OpenFile;
  /** st_dev and st_ino of the inode, as /proc/<pid>/maps prints them. */
  dev: number;
  ino: number;
}

export interface Vma {
  start: number;
  end: number;
  prot: number;
  flags: number;
  /** What /proc/<pid>/maps prints in the last column: a path, "[heap]", "[stack]" or "". */
  name: string;
  /** Set for file mappings (MAP_SHARED or MAP_PRIVATE of a file). */
  file?: VmaFile;
}

/** The file reference a piece starting `delta` bytes into an area of `file` needs. */
export function fileAt(file: VmaFile, delta: number): VmaFile {
  return { ...file, offset: file.offset + delta };
}

/** Whether `b` continues `a` in the same file at the next offset (both anonymous counts too). */
function continuesBacking(a: Vma, b: Vma): boolean {
  if (a.file === undefined || b.file === undefined) return a.file === b.file;
  return a.file.cache === b.file.cache && a.file.offset + (a.end - a.start) === b.file.offset;
}

export class VmaList {
  /** Sorted by start; areas never overlap. */
  readonly areas: Vma[] = [];

  /** `owner` is the address space the page caches of file pieces are told about. */
  constructor(private readonly owner: CacheMapper | null = null) {}

  /** A file piece came into being (a split): it holds its own cache reference. */
  private retain(vma: Vma): void {
    if (vma.file !== undefined && this.owner !== null) vma.file.cache.retain(this.owner);
  }

  /** Give back the cache reference of a piece that is gone (merged away or unmapped). */
  release(vma: Vma): void {
    if (vma.file !== undefined && this.owner !== null) vma.file.cache.release(this.owner);
  }

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
    if (a.file !== undefined) tail.file = fileAt(a.file, addr - a.start);
    this.retain(tail);
    a.end = addr;
    this.areas.splice(i + 1, 0, tail);
  }

  /** Remove [start, end) from the list; returns the removed pieces (the caller releases them). */
  remove(start: number, end: number): Vma[] {
    this.splitAt(start);
    this.splitAt(end);
    const i = this.indexAfter(start);
    let j = i;
    while (j < this.areas.length && this.areas[j].start < end) j++;
    return this.areas.splice(i, j - i);
  }

  /**
   * Insert an area over a range known to be free, merging with compatible neighbours. A file
   * area brings the cache reference its creator took.
   */
  insert(vma: Vma): void {
    const i = this.indexAfter(vma.start);
    this.areas.splice(i, 0, vma);
    this.mergeAround(i);
  }

  /**
   * Merge the area at index `i` with equal neighbours (same prot, flags and name, and the same
   * file at contiguous offsets). Shared anonymous areas are each their own object: never merged.
   */
  mergeAround(i: number): void {
    const same = (a: Vma, b: Vma) =>
      a.end === b.start && a.prot === b.prot && a.flags === b.flags && a.name === b.name &&
      continuesBacking(a, b) && (a.file !== undefined || !(a.flags & VMA_SHARED));
    if (i + 1 < this.areas.length && same(this.areas[i], this.areas[i + 1])) {
      this.areas[i].end = this.areas[i + 1].end;
      this.release(this.areas.splice(i + 1, 1)[0]);
    }
    if (i > 0 && same(this.areas[i - 1], this.areas[i])) {
      this.areas[i - 1].end = this.areas[i].end;
      this.release(this.areas.splice(i, 1)[0]);
    }
  }

  /** Merge every run of compatible neighbours (after protection changes). */
  normalize(): void {
    for (let i = this.areas.length - 1; i >= 0; i--) {
      if (i < this.areas.length) this.mergeAround(i);
    }
  }
}
