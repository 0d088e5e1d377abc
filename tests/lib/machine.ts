// Test machine: guest memory, a CPU in user mode and a tiny page-table builder, so tests can
// place code and data at chosen linear addresses and run single instructions or snippets.

import { PhysicalMemory } from "../../core/memory.ts";
import { Cpu, EXIT_BUDGET } from "../../core/cpu/cpu.ts";

export const PTE_P = 1, PTE_W = 2, PTE_U = 4, PTE_PS = 0x80;
export const PTE_NX_HI = 0x80000000;

export class TestMachine {
  readonly mem: PhysicalMemory;
  readonly cpu: Cpu;
  /** Next free physical page for page tables and mapped frames (bump allocator). */
  private nextFrame: number;
  readonly pml4: number;

  constructor(memBytes = 16 * 1024 * 1024) {
    this.mem = new PhysicalMemory(memBytes);
    this.cpu = new Cpu(this.mem);
    this.nextFrame = 0x1000;
    this.pml4 = this.allocFrame();
    this.cpu.mmu.cr3 = this.pml4;
  }

  allocFrame(): number {
    const f = this.nextFrame;
    this.nextFrame += 4096;
    if (this.nextFrame > this.mem.size) throw new Error("test machine out of frames");
    this.mem.u8.fill(0, f, f + 4096);
    return f;
  }

  private entry(table: number, index: number, create: boolean, flags: number): number {
    const a = table + index * 8;
    const lo = this.mem.dv.getUint32(a, true);
    if (lo & PTE_P) {
      // Intermediate entries are made permissive; leaf flags decide.
      this.mem.dv.setUint32(a, (lo | PTE_W | PTE_U) >>> 0, true);
      return lo & ~0xfff;
    }
    if (!create) return -1;
    const f = this.allocFrame();
    this.mem.dv.setUint32(a, (f | flags) >>> 0, true);
    this.mem.dv.setUint32(a + 4, 0, true);
    return f;
  }

  /**
   * Map [vaddr, vaddr+len) to fresh zeroed frames (or to `paddr` if given) with leaf flags
   * (default present+writable+user) and optional NX. Returns the first physical address.
   */
  map(vaddr: number, len: number, opts: { flags?: number; nx?: boolean; paddr?: number } = {}) {
    const flags = opts.flags ?? (PTE_P | PTE_W | PTE_U);
    const first = Math.floor(vaddr / 4096) * 4096;
    let firstPhys = -1;
    for (let v = first; v < vaddr + len; v += 4096) {
      const idx = [
        Math.floor(v / 2 ** 39) & 511,
        Math.floor(v / 2 ** 30) & 511,
        Math.floor(v / 2 ** 21) & 511,
        Math.floor(v / 2 ** 12) & 511,
      ];
      let t = this.pml4;
      for (let l = 0; l < 3; l++) t = this.entry(t, idx[l], true, PTE_P | PTE_W | PTE_U);
      const frame = opts.paddr !== undefined ? opts.paddr + (v - first) : this.allocFrame();
      if (firstPhys < 0) firstPhys = frame;
      const a = t + idx[3] * 8;
      this.mem.dv.setUint32(a, (frame | flags) >>> 0, true);
      this.mem.dv.setUint32(a + 4, opts.nx ? PTE_NX_HI : 0, true);
    }
    this.cpu.mmu.flush();
    return firstPhys;
  }

  /** Physical address of a mapped linear address (walks without setting A/D bits). */
  phys(vaddr: number): number {
    return this.cpu.mmu.walk(vaddr, 0, false, false);
  }

  writeVirt(vaddr: number, bytes: Uint8Array | number[]): void {
    const data = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
    for (let k = 0; k < data.length; k++) {
      this.mem.writeBytes(this.phys(vaddr + k), data.subarray(k, k + 1));
    }
  }

  readVirt(vaddr: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let k = 0; k < len; k++) out[k] = this.mem.u8[this.phys(vaddr + k)];
    return out;
  }

  /** Run until a non-budget exit (or `limit` instructions). Returns the exit reason. */
  run(limit = 1_000_000): number {
    let left = limit;
    while (left > 0) {
      const before = this.cpu.instructions;
      const r = this.cpu.run(Math.min(left, 100_000));
      if (r !== EXIT_BUDGET) return r;
      left -= this.cpu.instructions - before;
    }
    return EXIT_BUDGET;
  }
}
