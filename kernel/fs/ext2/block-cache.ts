// A write-back cache of filesystem blocks over a BlockDevice. Dirty blocks reach the device on
// flush() in sorted, coalesced runs. Eviction happens only between operations (trim()), so a
// buffer an operation holds is never dropped under it.

import { EIO } from "../../errno.ts";
import { SyscallError } from "../../syscall-error.ts";
import type { BlockDevice } from "../block-device.ts";

const MAX_RUN_BYTES = 1 << 20;
/** Block buffers are carved from slabs this big: one ArrayBuffer per block is slow in V8. */
const SLAB_BYTES = 1 << 18;

export class BlockCache {
  private readonly blocks = new Map<number, Uint8Array>();
  private readonly dirty = new Set<number>();
  private slab = new Uint8Array(0);
  private slabUsed = 0;
  private runBuffer: Uint8Array | null = null;

  constructor(
    readonly device: BlockDevice,
    readonly blockSize: number,
    readonly blocksCount: number,
    readonly capacity = 16384,
  ) {}

  private newBuffer(): Uint8Array {
    const bs = this.blockSize;
    if (this.slabUsed + bs > this.slab.length) {
      this.slab = new Uint8Array(Math.max(SLAB_BYTES, bs));
      this.slabUsed = 0;
    }
    const buffer = this.slab.subarray(this.slabUsed, this.slabUsed + bs);
    this.slabUsed += bs;
    return buffer;
  }

  private check(block: number): void {
    if (!(block >= 0 && block < this.blocksCount)) throw new SyscallError(EIO);
  }

  /** The cached contents of `block`, read from the device on a miss. */
  read(block: number): Uint8Array {
    const hit = this.blocks.get(block);
    if (hit) return hit;
    this.check(block);
    const data = this.newBuffer();
    this.device.read(block * this.blockSize, data);
    this.blocks.set(block, data);
    return data;
  }

  /** A cache entry for a block about to be overwritten whole: no device read. */
  overwrite(block: number): Uint8Array {
    const hit = this.blocks.get(block);
    if (hit) return hit;
    this.check(block);
    const data = this.newBuffer();
    this.blocks.set(block, data);
    return data;
  }

  /** A zero-filled entry for a newly allocated block, marked dirty. */
  zeroed(block: number): Uint8Array {
    const data = this.overwrite(block);
    data.fill(0);
    this.dirty.add(block);
    return data;
  }

  peek(block: number): Uint8Array | undefined {
    return this.blocks.get(block);
  }

  /** Note that `data` (the buffer read() gave for `block`) changed. */
  markDirty(block: number, data: Uint8Array): void {
    if (this.blocks.get(block) !== data) this.blocks.set(block, data);
    this.dirty.add(block);
  }

  /** A freed block: its contents no longer matter. */
  discard(block: number): void {
    this.blocks.delete(block);
    this.dirty.delete(block);
  }

  /**
   * Read `count` blocks from `first` into `out` at `outOffset`, using cached copies where present
   * and one device read per uncached run (data is not added to the cache).
   */
  readRun(first: number, count: number, out: Uint8Array, outOffset: number): void {
    this.check(first);
    this.check(first + count - 1);
    const bs = this.blockSize;
    let runStart = -1;
    const finishRun = (end: number) => {
      if (runStart < 0) return;
      const bytes = (end - runStart) * bs;
      const at = outOffset + (runStart - first) * bs;
      this.device.read(runStart * bs, out.subarray(at, at + bytes));
      runStart = -1;
    };
    for (let b = first; b < first + count; b++) {
      const hit = this.blocks.get(b);
      if (hit) {
        finishRun(b);
        out.set(hit, outOffset + (b - first) * bs);
      } else if (runStart < 0) runStart = b;
    }
    finishRun(first + count);
  }

  /** Write every dirty block to the device (no device flush). */
  writeBack(): void {
    if (this.dirty.size === 0) return;
    const order = [...this.dirty].sort((a, b) => a - b);
    const bs = this.blockSize;
    const maxRun = Math.max(1, MAX_RUN_BYTES / bs);
    let i = 0;
    while (i < order.length) {
      let j = i + 1;
      while (j < order.length && order[j] === order[j - 1] + 1 && j - i < maxRun) j++;
      const first = order[i];
      if (j - i === 1) this.device.write(first * bs, this.blocks.get(first)!);
      else {
        this.runBuffer ??= new Uint8Array(maxRun * bs);
        const run = this.runBuffer.subarray(0, (j - i) * bs);
        for (let k = i; k < j; k++) run.set(this.blocks.get(order[k])!, (k - i) * bs);
        this.device.write(first * bs, run);
      }
      i = j;
    }
    this.dirty.clear();
  }

  /** Write back and make durable. */
  flush(): void {
    this.writeBack();
    this.device.flush();
  }

  /** Between operations: when over capacity, write back and drop the oldest entries. */
  trim(): void {
    if (this.blocks.size <= this.capacity) return;
    this.writeBack();
    const target = Math.floor(this.capacity * 3 / 4);
    for (const block of this.blocks.keys()) {
      if (this.blocks.size <= target) break;
      this.blocks.delete(block);
    }
  }

  get dirtyCount(): number {
    return this.dirty.size;
  }
}
