// The contents of one tmpfs regular file: 4 KiB pages in a Map keyed by page index, so a hole
// costs nothing and reads as zeros. Every page is charged to the filesystem through a
// PageAccount, so size= limits and statfs see real usage. Invariant: no byte at or past the
// file size is non-zero and no page lies wholly past it, so growing a file exposes only zeros.
// As in Linux, a page fallocate() added stays a hole for SEEK_DATA/SEEK_HOLE (while counting
// in st_blocks) until something is written to it.

import { ENOSPC } from "../../errno.ts";
import { SyscallError } from "../../syscall-error.ts";

export const PAGE_SIZE = 4096;

export interface PageAccount {
  /** Charge `count` new pages; false (nothing charged) when the filesystem is full. */
  chargePages(count: number): boolean;
  releasePages(count: number): void;
}

export class PageStore {
  private readonly pages = new Map<number, Uint8Array>();
  /** Page indexes in ascending order for SEEK_DATA; rebuilt lazily after pages come or go. */
  private sortedIndexes: number[] | null = null;
  /** Pages allocate() added that nothing has been written to yet. */
  private readonly unwritten = new Set<number>();

  constructor(private readonly account: PageAccount) {}

  get pageCount(): number {
    return this.pages.size;
  }

  /** Copy [offset, min(size, offset + buf.length)) into buf; holes read as zeros. */
  read(offset: number, buf: Uint8Array, size: number): number {
    if (offset >= size) return 0;
    const length = Math.min(buf.length, size - offset);
    let done = 0;
    while (done < length) {
      const position = offset + done;
      const index = Math.floor(position / PAGE_SIZE);
      const inPage = position - index * PAGE_SIZE;
      const count = Math.min(PAGE_SIZE - inPage, length - done);
      const page = this.pages.get(index);
      if (page === undefined) buf.fill(0, done, done + count);
      else if (count === PAGE_SIZE) buf.set(page, done);
      else buf.set(page.subarray(inPage, inPage + count), done);
      done += count;
    }
    return length;
  }

  /**
   * Store data at offset, allocating pages as it goes. Returns the bytes stored: fewer than
   * data.length when the filesystem filled up part way (as Linux's write does); ENOSPC when
   * not even the first byte fit.
   */
  write(offset: number, data: Uint8Array): number {
    let done = 0;
    while (done < data.length) {
      const position = offset + done;
      const index = Math.floor(position / PAGE_SIZE);
      const inPage = position - index * PAGE_SIZE;
      const count = Math.min(PAGE_SIZE - inPage, data.length - done);
      const page = this.pages.get(index);
      if (page !== undefined) {
        if (this.unwritten.size > 0) this.unwritten.delete(index);
        page.set(count === data.length ? data : data.subarray(done, done + count), inPage);
      } else {
        if (!this.account.chargePages(1)) break;
        this.sortedIndexes = null;
        if (count === PAGE_SIZE) {
          this.pages.set(index, data.slice(done, done + PAGE_SIZE));
        } else {
          const fresh = new Uint8Array(PAGE_SIZE);
          fresh.set(data.subarray(done, done + count), inPage);
          this.pages.set(index, fresh);
        }
      }
      done += count;
    }
    if (done === 0 && data.length > 0) throw new SyscallError(ENOSPC);
    return done;
  }

  /** The file shrinks from oldSize to newSize: drop pages past it and zero the tail of the last. */
  shrink(newSize: number): void {
    const firstGone = Math.ceil(newSize / PAGE_SIZE);
    let released = 0;
    for (const index of this.pages.keys()) {
      if (index >= firstGone) {
        this.pages.delete(index);
        this.unwritten.delete(index);
        released++;
      }
    }
    if (released > 0) {
      this.sortedIndexes = null;
      this.account.releasePages(released);
    }
    const tail = newSize % PAGE_SIZE;
    if (tail !== 0) this.pages.get(firstGone - 1)?.fill(0, tail);
  }

  /** Give every page overlapping [offset, end) backing (zeros); ENOSPC before allocating any. */
  allocate(offset: number, end: number): void {
    const first = Math.floor(offset / PAGE_SIZE);
    const last = Math.ceil(end / PAGE_SIZE) - 1;
    const missing = last - first + 1 - this.countPagesIn(first, last);
    if (missing === 0) return;
    if (!this.account.chargePages(missing)) throw new SyscallError(ENOSPC);
    this.sortedIndexes = null;
    for (let index = first; index <= last; index++) {
      if (!this.pages.has(index)) {
        this.pages.set(index, new Uint8Array(PAGE_SIZE));
        this.unwritten.add(index);
      }
    }
  }

  /** SEEK_DATA: the first offset >= `offset` and < size inside a written page, or -1. */
  nextData(offset: number, size: number): number {
    if (offset >= size) return -1;
    const index = Math.floor(offset / PAGE_SIZE);
    if (this.holdsData(index)) return offset;
    const sorted = this.sorted();
    let low = 0, high = sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sorted[middle] <= index) low = middle + 1;
      else high = middle;
    }
    while (low < sorted.length && this.unwritten.has(sorted[low])) low++;
    if (low === sorted.length) return -1;
    const start = sorted[low] * PAGE_SIZE;
    return start < size ? start : -1;
  }

  /** SEEK_HOLE: the first offset >= `offset` in a page without data, or size (EOF is a hole). */
  nextHole(offset: number, size: number): number {
    if (offset >= size) return size;
    let index = Math.floor(offset / PAGE_SIZE);
    if (!this.holdsData(index)) return offset;
    while (this.holdsData(index)) index++;
    return Math.min(index * PAGE_SIZE, size);
  }

  /** Free every page (the inode is being evicted). */
  clear(): void {
    const count = this.pages.size;
    this.pages.clear();
    this.unwritten.clear();
    this.sortedIndexes = null;
    if (count > 0) this.account.releasePages(count);
  }

  private holdsData(index: number): boolean {
    return this.pages.has(index) && !this.unwritten.has(index);
  }

  private countPagesIn(first: number, last: number): number {
    let count = 0;
    if (last - first + 1 > this.pages.size) {
      for (const index of this.pages.keys()) if (index >= first && index <= last) count++;
    } else {
      for (let index = first; index <= last; index++) if (this.pages.has(index)) count++;
    }
    return count;
  }

  private sorted(): number[] {
    this.sortedIndexes ??= [...this.pages.keys()].sort((a, b) => a - b);
    return this.sortedIndexes;
  }
}
