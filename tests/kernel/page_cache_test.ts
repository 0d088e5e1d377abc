// Tests for kernel/fs/page-cache.ts against an inode whose bytes are a plain array (the oracle):
// loading pages (zero past EOF, none wholly past it), read/write coherence both ways, write-back
// of dirty pages only and never past EOF, truncation (tail zeroed, later pages unmapped and
// freed), read and write errors, and the lifetime rules (inode users, eviction, every frame
// back to the allocator). tests/kernel/file_mmap_test.ts drives the cache through mmap.

import assert from "node:assert/strict";
import { PhysicalMemory } from "../../core/memory.ts";
import { EIO } from "../../kernel/errno.ts";
import type { FileSystem } from "../../kernel/fs/filesystem.ts";
import { Inode, S_IFREG } from "../../kernel/fs/inode.ts";
import {
  type CacheMapper,
  mappedPageCache,
  type PageCache,
  pageCacheOf,
  readThroughCache,
  syncInodeData,
  truncateCachedPages,
  writeThroughCache,
} from "../../kernel/fs/page-cache.ts";
import { FrameAllocator } from "../../kernel/mm/frames.ts";
import { SyscallError } from "../../kernel/syscall-error.ts";

const PAGE = 4096;

/** A regular file held in a growable array, counting what the cache asks of it. */
class ArrayInode extends Inode {
  data = new Uint8Array(0);
  writes: [number, number][] = [];
  evicted = 0;
  failReads = false;
  failWrites = false;

  constructor(size: number) {
    super({ dev: 0x801 } as FileSystem, 12);
    this.mode = S_IFREG | 0o644;
    this.data = Uint8Array.from({ length: size }, (_, i) => pattern(i));
    this.size = size;
  }
  get blocks(): number {
    return Math.ceil(this.size / 512);
  }
  override read(offset: number, buf: Uint8Array): number {
    if (this.failReads) throw new SyscallError(EIO);
    const n = Math.max(0, Math.min(buf.length, this.size - offset));
    buf.set(this.data.subarray(offset, offset + n));
    return n;
  }
  override write(offset: number, data: Uint8Array): number {
    if (this.failWrites) throw new SyscallError(EIO);
    this.writes.push([offset, data.length]);
    if (offset + data.length > this.data.length) {
      const grown = new Uint8Array(offset + data.length);
      grown.set(this.data);
      this.data = grown;
    }
    this.data.set(data, offset);
    this.size = Math.max(this.size, offset + data.length);
    return data.length;
  }
  override truncate(size: number): void {
    const next = new Uint8Array(size);
    next.set(this.data.subarray(0, Math.min(size, this.size)));
    this.data = next;
    this.size = size;
  }
  override evict(): void {
    this.evicted++;
  }
}

function pattern(i: number): number {
  return (i * 7 + (i >> 8)) & 0xff;
}

/** A stand-in address space that records what the cache asked of it. */
class RecordingMapper implements CacheMapper {
  unmapped: number[] = [];
  protectCalls = 0;
  unmapCachePages(_cache: PageCache, firstIndex: number): void {
    this.unmapped.push(firstIndex);
  }
  writeProtectCache(): void {
    this.protectCalls++;
  }
}

function setup(size = 10000) {
  const mem = new PhysicalMemory(1024 * 1024);
  const frames = new FrameAllocator(mem);
  const free = frames.freeFrames;
  const inode = new ArrayInode(size);
  const mapper = new RecordingMapper();
  const cache = mappedPageCache(inode, mem, frames);
  cache.retain(mapper);
  return { mem, frames, free, inode, mapper, cache };
}

function frameBytes(mem: PhysicalMemory, frame: number, from: number, to: number): number[] {
  return [...mem.u8.subarray(frame + from, frame + to)];
}

Deno.test("page cache: pages load from the inode, zero past EOF, none wholly past it", () => {
  const { mem, inode, cache } = setup(10000);
  assert.equal(inode.users, 1, "the cache counts as a user of the inode");
  assert.equal(mappedPageCache(inode, mem, new FrameAllocator(mem)), cache, "one cache per inode");
  const last = cache.pageFrame(2);
  assert.deepEqual(frameBytes(mem, last, 0, 4), [0, 1, 2, 3].map((i) => pattern(2 * PAGE + i)));
  assert.deepEqual(frameBytes(mem, last, 10000 - 2 * PAGE, 10000 - 2 * PAGE + 2), [0, 0]);
  assert.equal(cache.pageFrame(2), last, "a cached page is not read again");
  assert.equal(cache.pageFrame(3), -1);
  assert.equal(cache.cachedPages, 1);
});

Deno.test("page cache: read(2) sees mapped changes and write(2) reaches mapped pages", () => {
  const { mem, inode, cache } = setup(10000);
  const frame = cache.pageFrame(1);
  mem.u8[frame + 5] = 0xaa; // a program's store through a shared mapping
  cache.markDirty(1);
  const buf = new Uint8Array(10);
  assert.equal(readThroughCache(inode, PAGE, buf), 10);
  assert.equal(buf[5], 0xaa);
  assert.equal(buf[6], pattern(PAGE + 6));
  assert.equal(inode.data[PAGE + 5], pattern(PAGE + 5), "not written back yet");

  assert.equal(writeThroughCache(inode, PAGE - 2, new Uint8Array([1, 2, 3, 4])), 4);
  assert.deepEqual(frameBytes(mem, frame, 0, 2), [3, 4]);
  assert.deepEqual([...inode.data.subarray(PAGE - 2, PAGE + 2)], [1, 2, 3, 4]);
  const across = new Uint8Array(PAGE + 100);
  assert.equal(readThroughCache(inode, 0, across), PAGE + 100);
  const p = (i: number) => pattern(PAGE + i);
  assert.deepEqual([...across.subarray(PAGE - 2, PAGE + 7)], [
    1,
    2,
    3,
    4,
    p(2),
    p(3),
    p(4),
    0xaa,
    p(6),
  ]);
});

Deno.test("page cache: a write past EOF clears what a mapping left beyond the old end", () => {
  const { mem, inode, cache } = setup(100);
  const frame = cache.pageFrame(0);
  mem.u8.fill(0x55, frame + 100, frame + 300); // stores past EOF inside the last page
  writeThroughCache(inode, 200, new Uint8Array([9]));
  const buf = new Uint8Array(201);
  assert.equal(readThroughCache(inode, 0, buf), 201);
  assert.ok(buf.subarray(100, 200).every((b) => b === 0), "the gap reads as zeros");
  assert.equal(buf[200], 9);
});

Deno.test("page cache: write-back writes dirty pages only, clipped to the file size", () => {
  const { mem, inode, mapper, cache } = setup(10000);
  const clean = cache.pageFrame(0);
  const dirty = cache.pageFrame(2);
  mem.u8[clean + 1] = 0x11; // changed without a write fault: not dirty, not written
  mem.u8[dirty + 3] = 0x22;
  mem.u8[dirty + PAGE - 1] = 0x33; // past EOF (10000 is inside page 2)
  cache.markDirty(2);
  assert.equal(cache.dirtyPages, 1);
  syncInodeData(inode);
  assert.deepEqual(inode.writes, [[2 * PAGE, 10000 - 2 * PAGE]]);
  assert.equal(inode.size, 10000, "write-back never grows the file");
  assert.equal(inode.data[2 * PAGE + 3], 0x22);
  assert.equal(inode.data[1], pattern(1));
  assert.equal(mapper.protectCalls, 1, "mappings are write-protected to catch the next write");
  assert.equal(cache.dirtyPages, 0);
  syncInodeData(inode);
  assert.equal(inode.writes.length, 1, "nothing dirty, nothing written");

  cache.markDirty(2);
  syncInodeData(inode, 0, 2 * PAGE);
  assert.equal(inode.writes.length, 1, "a range write-back skips pages outside it");
  syncInodeData(inode, 2 * PAGE + 100, 2 * PAGE + 101);
  assert.equal(inode.writes.length, 2);
});

Deno.test("page cache: truncation zeroes the new tail and unmaps and frees later pages", () => {
  const { mem, frames, inode, mapper, cache } = setup(3 * PAGE);
  const first = cache.pageFrame(0);
  cache.pageFrame(1);
  cache.pageFrame(2);
  const freeBefore = frames.freeFrames;
  inode.truncate(PAGE + 10);
  truncateCachedPages(inode, PAGE + 10);
  assert.deepEqual(mapper.unmapped, [2], "mappings drop file pages from index 2 on");
  assert.equal(cache.cachedPages, 2);
  assert.equal(frames.freeFrames, freeBefore + 1);
  const tail = cache.pageFrame(1);
  assert.equal(mem.u8[tail + 9], pattern(PAGE + 9));
  assert.ok(mem.u8.subarray(tail + 10, tail + PAGE).every((b) => b === 0));
  assert.equal(cache.pageFrame(2), -1, "now past EOF");
  assert.equal(cache.pageFrame(0), first);

  inode.truncate(5 * PAGE);
  truncateCachedPages(inode, 5 * PAGE);
  assert.deepEqual(mapper.unmapped, [2], "growing unmaps nothing");
  assert.ok(cache.pageFrame(3) > 0, "pages the file grew into load (as zeros)");
});

Deno.test("page cache: read errors free the frame; write-back errors reach fsync", () => {
  const { frames, inode, cache } = setup(10000);
  const free = frames.freeFrames;
  inode.failReads = true;
  assert.throws(() => cache.pageFrame(0), (e) => e instanceof SyscallError && e.errno === EIO);
  assert.equal(frames.freeFrames, free);
  inode.failReads = false;
  cache.pageFrame(0);
  cache.markDirty(0);
  inode.failWrites = true;
  assert.throws(() => syncInodeData(inode), (e) => e instanceof SyscallError && e.errno === EIO);
  assert.equal(cache.dirtyPages, 1, "a page that failed to write stays dirty");
});

Deno.test("page cache: the last mapping writes back, frees every frame and lets the inode go", () => {
  const { mem, frames, free, inode, mapper, cache } = setup(10000);
  const other = new RecordingMapper();
  cache.retain(other);
  cache.retain(mapper); // two pieces of one mapping
  const frame = cache.pageFrame(0);
  cache.pageFrame(1);
  mem.u8[frame] = 0x77;
  cache.markDirty(0);
  inode.nlink = 0; // unlinked while mapped
  cache.release(mapper);
  cache.release(other);
  assert.equal(pageCacheOf(inode), cache, "one piece still maps it");
  assert.equal(inode.data[0], pattern(0));
  cache.release(mapper);
  assert.equal(pageCacheOf(inode), undefined);
  assert.equal(inode.data[0], 0x77, "written back when the last mapping went");
  assert.equal(frames.freeFrames, free, "every frame is back");
  assert.equal(inode.users, 0);
  assert.equal(inode.evicted, 1, "an unlinked inode is freed with its last user");
  assert.equal(mapper.protectCalls + other.protectCalls, 0, "nobody left to write-protect");
});

Deno.test("page cache: a write-back error when the last mapping goes is not thrown", () => {
  const { mem, frames, free, inode, mapper, cache } = setup(10000);
  mem.u8[cache.pageFrame(0)] = 1;
  cache.markDirty(0);
  inode.failWrites = true;
  cache.release(mapper);
  assert.equal(frames.freeFrames, free);
  assert.equal(inode.users, 0);
});

Deno.test("page cache: unmapped inodes read and write straight through", () => {
  const inode = new ArrayInode(100);
  const buf = new Uint8Array(200);
  assert.equal(readThroughCache(inode, 50, buf), 50);
  assert.equal(writeThroughCache(inode, 100, new Uint8Array([1, 2])), 2);
  assert.equal(inode.size, 102);
  truncateCachedPages(inode, 10);
  syncInodeData(inode);
  assert.equal(pageCacheOf(inode), undefined);
});
