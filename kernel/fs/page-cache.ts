// The page cache between file I/O and memory mappings (Linux's address_space of an inode). A
// mapped inode's pages live in guest frames that every mapping shares: MAP_SHARED maps them
// directly, MAP_PRIVATE maps them copy-on-write. read(2) and write(2) go through the four functions
// at the bottom so they stay coherent with those frames; pages a shared mapping made writable are
// dirty until written back to the inode (fsync, msync, or when the last mapping goes). The cache
// exists while the inode is mapped; it holds the inode as one user and its frames as used memory.

import { PAGE_SIZE, type PhysicalMemory } from "../../core/memory.ts";
import type { FrameAllocator } from "../mm/frames.ts";
import { SyscallError } from "../syscall-error.ts";
import type { Inode } from "./inode.ts";
import { releaseInode } from "./inode-file.ts";

/** An address space as a page cache sees it: it maps some of the cache's pages. */
export interface CacheMapper {
  /** Drop every translation of file pages at index >= `firstIndex` (the file shrank). */
  unmapCachePages(cache: PageCache, firstIndex: number): void;
  /** Make its shared mappings of `cache` read-only, so the next write marks a page dirty. */
  writeProtectCache(cache: PageCache): void;
}

interface CachedPage {
  /** Physical address of the frame; the cache holds one reference on it. */
  frame: number;
  /** A shared mapping made it writable since it was last written back. */
  dirty: boolean;
}

const caches = new WeakMap<Inode, PageCache>();

export class PageCache {
  private readonly pages = new Map<number, CachedPage>();
  /** Area pieces mapping the inode, per address space. */
  private readonly mappers = new Map<CacheMapper, number>();

  constructor(
    readonly inode: Inode,
    private readonly mem: PhysicalMemory,
    private readonly frames: FrameAllocator,
  ) {}

  get cachedPages(): number {
    return this.pages.size;
  }

  get dirtyPages(): number {
    let n = 0;
    for (const page of this.pages.values()) if (page.dirty) n++;
    return n;
  }

  /**
   * The frame holding file page `index`, read from the inode on first use (bytes past EOF are
   * zero); -1 when the page lies wholly past EOF (the fault is SIGBUS). Read errors throw.
   */
  pageFrame(index: number): number {
    if (index * PAGE_SIZE >= this.inode.size) return -1;
    const cached = this.pages.get(index);
    if (cached !== undefined) return cached.frame;
    const frame = this.frames.alloc();
    try {
      const length = Math.min(PAGE_SIZE, this.inode.size - index * PAGE_SIZE);
      this.inode.read(index * PAGE_SIZE, this.mem.u8.subarray(frame, frame + length));
      this.mem.noteWrite(frame, length);
    } catch (e) {
      this.frames.release(frame);
      throw e;
    }
    this.pages.set(index, { frame, dirty: false });
    return frame;
  }

  /** A shared mapping is about to write page `index` (it must be cached). */
  markDirty(index: number): void {
    const page = this.pages.get(index);
    if (page !== undefined) page.dirty = true;
  }

  /** One more area piece of `mapper` maps the inode. */
  retain(mapper: CacheMapper): void {
    this.mappers.set(mapper, (this.mappers.get(mapper) ?? 0) + 1);
  }

  /** An area piece of `mapper` is gone; after the last one the cache writes back and frees. */
  release(mapper: CacheMapper): void {
    const left = (this.mappers.get(mapper) ?? 0) - 1;
    if (left > 0) this.mappers.set(mapper, left);
    else this.mappers.delete(mapper);
    if (this.mappers.size > 0) return;
    try {
      this.writeBack(0, Infinity);
    } catch (e) {
      // Nobody is left to report a write-back error to (Linux records it for a later fsync).
      if (!(e instanceof SyscallError)) throw e;
    }
    for (const page of this.pages.values()) this.frames.release(page.frame);
    this.pages.clear();
    caches.delete(this.inode);
    releaseInode(this.inode);
  }

  /** Copy cached bytes over `buf`, which holds file bytes read from `offset`. */
  overlay(offset: number, buf: Uint8Array): void {
    this.eachPiece(offset, buf.length, (page, inPage, at, n) => {
      buf.set(this.mem.u8.subarray(page.frame + inPage, page.frame + inPage + n), at);
    });
  }

  /** Bytes just written to the inode at `offset` must show in mapped pages too. */
  update(offset: number, data: Uint8Array): void {
    this.eachPiece(offset, data.length, (page, inPage, at, n) => {
      this.mem.writeBytes(page.frame + inPage, data.subarray(at, at + n));
    });
  }

  /** Zero cached bytes in [from, to) (they lie past an end of file). */
  zero(from: number, to: number): void {
    if (to <= from) return;
    this.eachPiece(from, to - from, (page, inPage, _at, n) => {
      this.mem.fill(page.frame + inPage, n, 0);
    });
  }

  /** The file is now `size` bytes: the tail page reads zeros past it, later pages go. */
  truncate(size: number): void {
    const firstGone = Math.ceil(size / PAGE_SIZE);
    this.zero(size, firstGone * PAGE_SIZE);
    let anyGone = false;
    for (const index of this.pages.keys()) if (index >= firstGone) anyGone = true;
    if (!anyGone) return;
    for (const mapper of this.mappers.keys()) mapper.unmapCachePages(this, firstGone);
    for (const [index, page] of this.pages) {
      if (index < firstGone) continue;
      this.frames.release(page.frame);
      this.pages.delete(index);
    }
  }

  /**
   * Write dirty pages overlapping file bytes [from, to) back to the inode, clipped to its size
   * (write-back never grows a file). Mappings are write-protected first so later writes dirty
   * the pages again.
   */
  writeBack(from: number, to: number): void {
    const dirty = [...this.pages].filter(([index, page]) =>
      page.dirty && (index + 1) * PAGE_SIZE > from && index * PAGE_SIZE < to
    );
    if (dirty.length === 0) return;
    for (const mapper of this.mappers.keys()) mapper.writeProtectCache(this);
    for (const [index, page] of dirty.sort((a, b) => a[0] - b[0])) {
      const length = Math.min(PAGE_SIZE, this.inode.size - index * PAGE_SIZE);
      if (length > 0) this.inode.write(index * PAGE_SIZE, this.mem.readBytes(page.frame, length));
      page.dirty = false;
    }
  }

  /** Visit the cached parts of file bytes [offset, offset+length), page by page. */
  private eachPiece(
    offset: number,
    length: number,
    visit: (page: CachedPage, inPage: number, at: number, n: number) => void,
  ): void {
    if (length <= 0 || this.pages.size === 0) return;
    const end = offset + length;
    for (let index = Math.floor(offset / PAGE_SIZE); index * PAGE_SIZE < end; index++) {
      const page = this.pages.get(index);
      if (page === undefined) continue;
      const start = Math.max(offset, index * PAGE_SIZE);
      const n = Math.min(end, (index + 1) * PAGE_SIZE) - start;
      visit(page, start - index * PAGE_SIZE, start - offset, n);
    }
  }
}

/** The inode's cache, created on its first mapping (the cache then counts as one inode user). */
export function mappedPageCache(
  inode: Inode,
  mem: PhysicalMemory,
  frames: FrameAllocator,
): PageCache {
  let cache = caches.get(inode);
  if (cache === undefined) {
    cache = new PageCache(inode, mem, frames);
    caches.set(inode, cache);
    inode.users++;
  }
  return cache;
}

/** The inode's cache if it is mapped now. */
export function pageCacheOf(inode: Inode): PageCache | undefined {
  return caches.get(inode);
}

/** Read file bytes at `offset` into buf: the inode's data, or its cached pages where mapped. */
export function readThroughCache(inode: Inode, offset: number, buf: Uint8Array): number {
  const n = inode.read(offset, buf);
  if (n > 0) caches.get(inode)?.overlay(offset, buf.subarray(0, n));
  return n;
}

/** Write file bytes at `offset` to the inode, and into cached pages where mapped. */
export function writeThroughCache(inode: Inode, offset: number, data: Uint8Array): number {
  const cache = caches.get(inode);
  const oldSize = inode.size;
  const n = inode.write(offset, data);
  if (cache !== undefined) {
    // Bytes a mapping wrote past the old end of file must not appear inside the file now.
    cache.zero(oldSize, offset);
    if (n > 0) cache.update(offset, data.subarray(0, n));
  }
  return n;
}

/** The file shrank or grew to `size`: cached pages past it must read as zeros. */
export function truncateCachedPages(inode: Inode, size: number): void {
  caches.get(inode)?.truncate(size);
}

/** Write pages programs changed through shared mappings back to the inode (fsync, msync). */
export function syncInodeData(inode: Inode, from = 0, to = Infinity): void {
  caches.get(inode)?.writeBack(from, to);
}
