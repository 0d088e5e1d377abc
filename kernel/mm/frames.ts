// The physical frame allocator: hands out 4 KiB frames of guest RAM to page tables and user
// memory, zeroed, with a reference count per frame so frames can later be shared (copy-on-write,
// shared mappings). Frame 0 and any range reserved at start-up are never handed out.

import { PAGE_SHIFT, PAGE_SIZE, type PhysicalMemory } from "../../core/memory.ts";

export class OutOfMemory extends Error {
  constructor() {
    super("out of guest physical memory");
  }
}

export class FrameAllocator {
  /** Free frame numbers, used as a stack (the most recently freed frame is reused first). */
  private readonly freeStack: Int32Array;
  private freeCount = 0;
  /** References held on each frame; 0 means free. */
  readonly refs: Uint16Array;
  readonly totalFrames: number;

  constructor(readonly mem: PhysicalMemory, reservedBytes = PAGE_SIZE) {
    this.totalFrames = mem.size >>> PAGE_SHIFT;
    this.freeStack = new Int32Array(this.totalFrames);
    this.refs = new Uint16Array(this.totalFrames);
    const firstFree = Math.ceil(reservedBytes / PAGE_SIZE);
    for (let f = this.totalFrames - 1; f >= firstFree; f--) this.freeStack[this.freeCount++] = f;
    for (let f = 0; f < firstFree; f++) this.refs[f] = 1;
  }

  get freeFrames(): number {
    return this.freeCount;
  }

  /** A zeroed frame with one reference; returns its physical address. */
  alloc(): number {
    if (this.freeCount === 0) throw new OutOfMemory();
    const frame = this.freeStack[--this.freeCount];
    this.refs[frame] = 1;
    const paddr = frame * PAGE_SIZE;
    this.mem.fill(paddr, PAGE_SIZE, 0);
    return paddr;
  }

  /** Take another reference on an allocated frame. */
  share(paddr: number): void {
    const frame = paddr >>> PAGE_SHIFT;
    if (this.refs[frame] === 0) throw new Error(`share of free frame ${frame}`);
    if (this.refs[frame] === 0xffff) throw new OutOfMemory();
    this.refs[frame]++;
  }

  /** Drop a reference; the frame returns to the free list when none remain. */
  release(paddr: number): void {
    const frame = paddr >>> PAGE_SHIFT;
    const refs = this.refs[frame];
    if (refs === 0) throw new Error(`double free of frame ${frame}`);
    this.refs[frame] = refs - 1;
    if (refs === 1) this.freeStack[this.freeCount++] = frame;
  }
}
