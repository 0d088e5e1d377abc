// The x86-64 CPU: architectural state in typed arrays, memory-access fast paths through the
// software TLB, effective-address computation, and the run loop that executes decoded blocks
// until the kernel must act (syscall, exception, interrupt request or an exhausted budget).

import { PAGE_SIZE, type PhysicalMemory } from "../memory.ts";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, Mmu, TLB_SIZE } from "../mmu.ts";
import { CpuException, VEC_GP, VEC_SS } from "./exceptions.ts";
import { Decoder } from "./decoder.ts";
import { type Block, InstructionCache } from "./icache.ts";
import { BASE_RIP, type Insn, SEG_FS } from "./insn.ts";
import { LF_OP, OP_NONE } from "./flags.ts";
import { X87State } from "../fpu/x87-state.ts";
import { FORMS } from "./table.ts";
import { compileBlock, type CompiledBlock, JIT_THRESHOLD } from "./jit.ts";
import type { Bus } from "../bus.ts";

export const EXIT_BUDGET = 0;
export const EXIT_SYSCALL = 1;
export const EXIT_EXCEPTION = 2;
export const EXIT_HALT = 3;
export const EXIT_REQUESTED = 4;
/** A JS error inside core/ (a bug in NexaOS, never the guest's doing). */
export const EXIT_INTERNAL = 5;

const TWO32 = 4294967296;
/** 1/4096: multiplying by it is exact and cheaper than dividing. */
const INV_PAGE = 1 / PAGE_SIZE;
const CANON_LIMIT = 0x800000000000; // 2^47
const MAX_BLOCK = 64;
const WRITE_BASE = ACCESS_WRITE * TLB_SIZE;
const EXEC_BASE = ACCESS_EXEC * TLB_SIZE;

// GPR numbers.
export const RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;

/**
 * Where the second page of an access of `n` bytes at `a` is checked: its first byte, which is
 * what hardware reports in CR2 when that page faults (`a` itself when nothing is crossed).
 */
function secondPage(a: number, n: number): number {
  const last = a + n - 1;
  return Math.max(a, last - (last & 4095));
}

/** How many of a block's instructions retired before the one at `faultAt` raised. */
function retiredBefore(block: Block, faultAt: number): number {
  const insns = block.insns;
  let a = block.vaddr, k = 0;
  while (a !== faultAt && k < insns.length) a += insns[k++].len;
  return k;
}

let sharedDecoder: Decoder | undefined;
/** The decoder built from the one form table (built once per process). */
export function getDecoder(): Decoder {
  return sharedDecoder ??= new Decoder(FORMS);
}

export class Cpu {
  readonly mem: PhysicalMemory;
  readonly mmu: Mmu;
  readonly decoder: Decoder;
  readonly icache: InstructionCache;

  /** General registers: r[2n] low half, r[2n+1] high half of register n (RAX..R15). */
  private readonly regBuffer = new ArrayBuffer(16 * 8);
  readonly r = new Uint32Array(this.regBuffer);
  readonly r64 = new BigUint64Array(this.regBuffer);
  readonly r16 = new Uint16Array(this.regBuffer);
  readonly r8 = new Uint8Array(this.regBuffer);
  /** Linear address of the next instruction to execute (signed canonical number). */
  rip = 0;
  /** Start of the instruction being executed (faults rewind RIP here). */
  insnStart = 0;
  fsBase = 0;
  gsBase = 0;
  /** IA32_KERNEL_GS_BASE: the value SWAPGS exchanges with gsBase. */
  kernelGsBase = 0;
  /** 0 = kernel, 3 = user. */
  cpl = 3;
  /** Port I/O goes here (IN/OUT at CPL 0; CPL 3 has IOPL 0 and faults). */
  bus: Bus | null = null;

  /** RFLAGS with status bits valid only when lf[LF_OP] === OP_NONE. */
  flagsBase = 0x202;
  /** Lazy-flag record (see flags.ts). */
  readonly lf = new Int32Array(9);

  /** XMM0..XMM15, 16 bytes each, with every useful lane view. */
  private readonly xmmBuffer = new ArrayBuffer(16 * 16);
  readonly xmm8 = new Uint8Array(this.xmmBuffer);
  readonly xmm16 = new Uint16Array(this.xmmBuffer);
  readonly xmm32 = new Uint32Array(this.xmmBuffer);
  readonly xmmI32 = new Int32Array(this.xmmBuffer);
  readonly xmmF32 = new Float32Array(this.xmmBuffer);
  readonly xmmF64 = new Float64Array(this.xmmBuffer);
  readonly xmm64 = new BigUint64Array(this.xmmBuffer);
  mxcsr = 0x1f80;
  readonly fpu = new X87State();

  /** Upper half of the last 64-bit value a helper returned as its low half (read64, getReg64...). */
  hi = 0;

  /** Non-zero: leave the current block after this instruction. */
  stop = 0;
  exitReason = EXIT_BUDGET;
  exitException: CpuException | null = null;
  exitError: unknown = null;
  /** Set from outside (timer, signal) to make run() return at the next block boundary. */
  exitRequested = false;
  /** Compile hot blocks to JS functions (off: pure interpreter, for comparison and debugging). */
  jit = true;
  /** Guest instructions retired. */
  instructions = 0;
  /** Set by a compiled block that throws: how many instructions retired before the fault. */
  loopRetired = 0;
  /** Subtracted from performance.now() (ms) to give the time-stamp counter's origin. */
  tscOffset = 0;

  // Direct references to the MMU's TLB for the fast paths.
  private readonly tlbTag: Float64Array;
  private readonly tlbPhys: Uint32Array;
  private readonly u8: Uint8Array;
  private readonly dv: DataView;

  constructor(mem: PhysicalMemory) {
    this.mem = mem;
    this.mmu = new Mmu(mem);
    this.decoder = getDecoder();
    this.icache = new InstructionCache(
      mem,
      (ppn) => this.mmu.revokeWrite(ppn),
      () => this.stop = 1,
    );
    this.tlbTag = this.mmu.tlbTag;
    this.tlbPhys = this.mmu.tlbPhys;
    this.u8 = mem.u8;
    this.dv = mem.dv;
  }

  // ---- faults -----------------------------------------------------------------------------

  raise(vector: number, errorCode = 0): never {
    throw new CpuException(vector, errorCode);
  }

  // ---- general registers --------------------------------------------------------------------

  /** 8-bit register by ModRM encoding: with no REX, 4-7 are AH, CH, DH, BH. */
  getReg8(n: number, i: Insn): number {
    if (n >= 4 && n < 8 && i.rex === 0) return this.r8[(n - 4) * 8 + 1];
    return this.r8[n * 8];
  }
  setReg8(n: number, i: Insn, v: number): void {
    if (n >= 4 && n < 8 && i.rex === 0) this.r8[(n - 4) * 8 + 1] = v;
    else this.r8[n * 8] = v;
  }
  setReg16(n: number, v: number): void {
    this.r16[n * 4] = v;
  }
  getReg32(n: number): number {
    return this.r[n * 2];
  }
  /** 32-bit writes zero the upper half, as in hardware. */
  setReg32(n: number, v: number): void {
    this.r[n * 2] = v;
    this.r[n * 2 + 1] = 0;
  }
  /** Returns the low half; the high half is left in this.hi. */
  getReg64(n: number): number {
    this.hi = this.r[n * 2 + 1];
    return this.r[n * 2];
  }
  setReg64(n: number, lo: number, hi: number): void {
    this.r[n * 2] = lo;
    this.r[n * 2 + 1] = hi;
  }
  /** Read a register of `size` bytes (1/2/4); for 8 returns low half and sets this.hi. */
  getReg(n: number, size: number, i: Insn): number {
    switch (size) {
      case 1:
        return this.getReg8(n, i);
      case 2:
        return this.r16[n * 4];
      case 4:
        return this.r[n * 2];
      default:
        this.hi = this.r[n * 2 + 1];
        return this.r[n * 2];
    }
  }
  /** Write a register of `size` bytes; for 8, `hi` is the upper half. */
  setReg(n: number, size: number, i: Insn, v: number, hi = 0): void {
    switch (size) {
      case 1:
        this.setReg8(n, i, v);
        return;
      case 2:
        this.r16[n * 4] = v;
        return;
      case 4:
        this.r[n * 2] = v;
        this.r[n * 2 + 1] = 0;
        return;
      default:
        this.r[n * 2] = v;
        this.r[n * 2 + 1] = hi;
    }
  }
  /** Register as a signed JS number (exact when |value| < 2^53). */
  regNumber(n: number): number {
    return (this.r[n * 2 + 1] | 0) * TWO32 + this.r[n * 2];
  }

  // ---- effective addresses ------------------------------------------------------------------

  /** Linear address of the memory operand of `i` (signed canonical); #GP/#SS if non-canonical. */
  ea(i: Insn): number {
    if (i.asize === 8) {
      let a = i.disp;
      const b = i.base;
      if (b >= 0) {
        if (b === BASE_RIP) a += this.rip;
        else {
          const hi = this.r[b * 2 + 1] | 0;
          if (hi > 0xfffff || hi < -0x100000) return this.eaWide(i);
          a += hi * TWO32 + this.r[b * 2];
        }
      }
      const x = i.index;
      if (x >= 0) {
        const hi = this.r[x * 2 + 1] | 0;
        if (hi > 0xfffff || hi < -0x100000) return this.eaWide(i);
        a += (hi * TWO32 + this.r[x * 2]) * (1 << i.scale);
      }
      if (i.seg) a += i.seg === SEG_FS ? this.fsBase : this.gsBase;
      if (a < -CANON_LIMIT || a >= CANON_LIMIT) return this.eaWide(i);
      return a;
    }
    let a = i.disp;
    if (i.base === BASE_RIP) a += this.rip;
    else if (i.base >= 0) a += this.r[i.base * 2];
    if (i.index >= 0) a += this.r[i.index * 2] * (1 << i.scale);
    a = a >>> 0;
    if (i.seg) {
      a += i.seg === SEG_FS ? this.fsBase : this.gsBase;
      if (a < -CANON_LIMIT || a >= CANON_LIMIT) this.nonCanonical(i);
    }
    return a;
  }

  /** Exact 64-bit wrap-around address arithmetic for operands with huge register values. */
  private eaWide(i: Insn): number {
    let lo = i.disp >>> 0;
    let hi = i.disp < 0 ? 0xffffffff : 0;
    const add = (l: number, h: number) => {
      const s = lo + l;
      lo = s >>> 0;
      hi = (hi + h + (s >= TWO32 ? 1 : 0)) >>> 0;
    };
    if (i.base === BASE_RIP) add(this.rip >>> 0, Math.floor(this.rip / TWO32) >>> 0);
    else if (i.base >= 0) add(this.r[i.base * 2], this.r[i.base * 2 + 1]);
    if (i.index >= 0) {
      let l = this.r[i.index * 2], h = this.r[i.index * 2 + 1];
      for (let s = 0; s < i.scale; s++) {
        h = ((h << 1) | (l >>> 31)) >>> 0;
        l = (l << 1) >>> 0;
      }
      add(l, h);
    }
    if (i.seg) {
      const base = this.segmentBase(i);
      add(base >>> 0, Math.floor(base / TWO32) >>> 0);
    }
    const shi = hi | 0;
    if (shi < -0x8000 || shi > 0x7fff) this.nonCanonical(i);
    return shi * TWO32 + lo;
  }

  /** Base of the FS/GS override of `i`'s memory operand (0 without one). */
  segmentBase(i: Insn): number {
    return i.seg === 0 ? 0 : i.seg === SEG_FS ? this.fsBase : this.gsBase;
  }

  /** The fault for a non-canonical address of `i`'s memory operand: #SS via RSP/RBP, else #GP. */
  nonCanonical(i: Insn): never {
    const stack = (i.base === 4 || i.base === 5) && !i.seg;
    throw new CpuException(stack ? VEC_SS : VEC_GP, 0);
  }

  /** Check a 64-bit value (halves) is canonical and return it as an address number, else #GP. */
  canonical(lo: number, hi: number): number {
    const shi = hi | 0;
    if (shi < -0x8000 || shi > 0x7fff) throw new CpuException(VEC_GP, 0);
    return shi * TWO32 + (lo >>> 0);
  }

  // ---- memory: fast paths through the TLB ---------------------------------------------------

  read8(a: number): number {
    const vpn = Math.floor(a * INV_PAGE);
    const s = vpn & 4095;
    if (this.tlbTag[s] === vpn) return this.u8[this.tlbPhys[s] + (a & 4095)];
    return this.u8[this.mmu.translate(a, ACCESS_READ)];
  }
  read16(a: number): number {
    const off = a & 4095;
    if (off <= 4094) {
      const vpn = Math.floor(a * INV_PAGE);
      const s = vpn & 4095;
      if (this.tlbTag[s] === vpn) return this.dv.getUint16(this.tlbPhys[s] + off, true);
      return this.dv.getUint16(this.mmu.translate(a, ACCESS_READ), true);
    }
    return this.read8(a) | (this.read8(a + 1) << 8);
  }
  read32(a: number): number {
    const off = a & 4095;
    if (off <= 4092) {
      const vpn = Math.floor(a * INV_PAGE);
      const s = vpn & 4095;
      if (this.tlbTag[s] === vpn) return this.dv.getUint32(this.tlbPhys[s] + off, true);
      return this.dv.getUint32(this.mmu.translate(a, ACCESS_READ), true);
    }
    return this.readSplit(a, 4);
  }
  /** Returns the low half; the high half is left in this.hi. */
  read64(a: number): number {
    const off = a & 4095;
    if (off <= 4088) {
      const vpn = Math.floor(a * INV_PAGE);
      const s = vpn & 4095;
      const p = this.tlbTag[s] === vpn ? this.tlbPhys[s] + off : this.mmu.translate(a, ACCESS_READ);
      this.hi = this.dv.getUint32(p + 4, true);
      return this.dv.getUint32(p, true);
    }
    const lo = this.readSplit(a, 4);
    this.hi = this.readSplit(a + 4, 4);
    return lo;
  }
  /** Read 16 bytes at `a` into out[q..q+3] (one TLB lookup when they lie in one page). */
  read128(a: number, out: Uint32Array, q: number): void {
    const off = a & 4095;
    if (off <= 4080) {
      const vpn = Math.floor(a * INV_PAGE);
      const s = vpn & 4095;
      const p = this.tlbTag[s] === vpn ? this.tlbPhys[s] + off : this.mmu.translate(a, ACCESS_READ);
      const dv = this.dv;
      out[q] = dv.getUint32(p, true);
      out[q + 1] = dv.getUint32(p + 4, true);
      out[q + 2] = dv.getUint32(p + 8, true);
      out[q + 3] = dv.getUint32(p + 12, true);
      return;
    }
    const lo = this.read64(a), loHi = this.hi;
    const hi = this.read64(a + 8);
    out[q] = lo;
    out[q + 1] = loHi;
    out[q + 2] = hi;
    out[q + 3] = this.hi;
  }
  private readSplit(a: number, n: number): number {
    // Translate both pages first so a fault leaves nothing half-read.
    this.mmu.translate(a, ACCESS_READ);
    this.mmu.translate(secondPage(a, n), ACCESS_READ);
    let v = 0;
    for (let k = n - 1; k >= 0; k--) v = v * 256 + this.read8(a + k);
    return v;
  }

  write8(a: number, v: number): void {
    const vpn = Math.floor(a * INV_PAGE);
    const s = WRITE_BASE + (vpn & 4095);
    if (this.tlbTag[s] === vpn) this.u8[this.tlbPhys[s] + (a & 4095)] = v;
    else this.writeSlow(a, 1, v, 0);
  }
  write16(a: number, v: number): void {
    const off = a & 4095;
    const vpn = Math.floor(a * INV_PAGE);
    const s = WRITE_BASE + (vpn & 4095);
    if (off <= 4094 && this.tlbTag[s] === vpn) this.dv.setUint16(this.tlbPhys[s] + off, v, true);
    else this.writeSlow(a, 2, v, 0);
  }
  write32(a: number, v: number): void {
    const off = a & 4095;
    const vpn = Math.floor(a * INV_PAGE);
    const s = WRITE_BASE + (vpn & 4095);
    if (off <= 4092 && this.tlbTag[s] === vpn) this.dv.setUint32(this.tlbPhys[s] + off, v, true);
    else this.writeSlow(a, 4, v, 0);
  }
  write64(a: number, lo: number, hi: number): void {
    const off = a & 4095;
    const vpn = Math.floor(a * INV_PAGE);
    const s = WRITE_BASE + (vpn & 4095);
    if (off <= 4088 && this.tlbTag[s] === vpn) {
      const p = this.tlbPhys[s] + off;
      this.dv.setUint32(p, lo, true);
      this.dv.setUint32(p + 4, hi, true);
    } else this.writeSlow(a, 8, lo, hi);
  }
  /** Write path for TLB misses, page-crossing writes and pages that hold decoded code. */
  private writeSlow(a: number, n: number, lo: number, hi: number): void {
    const p0 = this.mmu.translate(a, ACCESS_WRITE);
    const a1 = secondPage(a, n);
    const p1 = this.mmu.translate(a1, ACCESS_WRITE);
    for (let k = 0; k < n; k++) {
      const byte = k < 4 ? (lo >>> (k * 8)) & 0xff : (hi >>> ((k - 4) * 8)) & 0xff;
      const p = (p0 & 4095) + k < 4096 ? p0 + k : p1 + (a + k - a1);
      this.u8[p] = byte;
    }
    if (this.mem.codePages[p0 >>> 12]) this.mem.noteWrite(p0, 1);
    if (this.mem.codePages[p1 >>> 12]) this.mem.noteWrite(p1, 1);
  }

  /** Read `size` bytes (1/2/4/8); for 8 the high half is left in this.hi. */
  readMem(a: number, size: number): number {
    switch (size) {
      case 1:
        return this.read8(a);
      case 2:
        return this.read16(a);
      case 4:
        return this.read32(a);
      default:
        return this.read64(a);
    }
  }
  writeMem(a: number, size: number, v: number, hi = 0): void {
    switch (size) {
      case 1:
        return this.write8(a, v);
      case 2:
        return this.write16(a, v);
      case 4:
        return this.write32(a, v);
      default:
        return this.write64(a, v, hi);
    }
  }

  /** Make sure `n` bytes at `a` are writable (for instructions that must not fault halfway). */
  probeWrite(a: number, n: number): void {
    this.mmu.translate(a, ACCESS_WRITE);
    if ((a & 4095) + n > 4096) this.mmu.translate(secondPage(a, n), ACCESS_WRITE);
  }
  probeRead(a: number, n: number): void {
    this.mmu.translate(a, ACCESS_READ);
    if ((a & 4095) + n > 4096) this.mmu.translate(secondPage(a, n), ACCESS_READ);
  }

  /** Fetch one code byte (decoder only). */
  readonly fetch8 = (a: number): number => {
    const vpn = Math.floor(a * INV_PAGE);
    const s = EXEC_BASE + (vpn & 4095);
    if (this.tlbTag[s] === vpn) return this.u8[this.tlbPhys[s] + (a & 4095)];
    return this.u8[this.mmu.translate(a, ACCESS_EXEC)];
  };

  // ---- stack ----------------------------------------------------------------------------------

  /** RSP + delta as a linear address; #SS when that is not canonical. */
  stackAddress(delta: number): number {
    const a = this.regNumber(RSP) + delta;
    if (a < -CANON_LIMIT || a >= CANON_LIMIT) throw new CpuException(VEC_SS, 0);
    return a;
  }
  /** Push `size` (2 or 8) bytes: memory is written before RSP changes. */
  push(size: number, lo: number, hi: number): void {
    const a = this.stackAddress(-size);
    if (size === 8) this.write64(a, lo, hi);
    else this.write16(a, lo & 0xffff);
    this.setRegFromNumber(RSP, a);
  }
  /** Pop `size` (2 or 8) bytes: returns the low half (high half in this.hi); RSP updated. */
  pop(size: number): number {
    const a = this.stackAddress(0);
    const v = size === 8 ? this.read64(a) : this.read16(a);
    const hi = size === 8 ? this.hi : 0;
    this.setRegFromNumber(RSP, a + size);
    this.hi = hi;
    return v;
  }
  /** Store a signed JS integer (|v| < 2^53) into a 64-bit register. */
  setRegFromNumber(n: number, v: number): void {
    const hi = Math.floor(v / TWO32);
    this.r[n * 2] = v - hi * TWO32;
    this.r[n * 2 + 1] = hi;
  }

  // ---- execution ------------------------------------------------------------------------------

  /**
   * Execute guest instructions until the kernel has work (syscall, exception, halt, a request
   * from outside) or about `budget` instructions have retired. Returns an EXIT_* code.
   */
  run(budget: number): number {
    this.exitReason = EXIT_BUDGET;
    this.exitException = null;
    this.exitError = null;
    let done = 0;
    let block: Block | undefined;
    let prev: Block | null = null;
    let inCompiled = false;
    const mmu = this.mmu;
    try {
      while (done < budget && !this.exitRequested) {
        const rip = this.rip;
        this.insnStart = rip;
        block = this.linkedBlock(prev, rip, mmu.generation);
        if (block === undefined) {
          block = this.findBlock(rip);
          if (prev !== null) {
            if (prev.linkGeneration !== mmu.generation) prev.next2 = null;
            else prev.next2 = prev.next;
            prev.next = block;
            prev.linkGeneration = mmu.generation;
          }
        }
        prev = block;
        if (block.compiled !== null) {
          this.stop = 0;
          inCompiled = true;
          done += block.compiled(this, budget - done);
          inCompiled = false;
        } else {
          if (++block.hits >= JIT_THRESHOLD && this.jit) block.compiled = this.compile(block);
          done += this.execBlock(block.insns);
        }
        if (this.exitReason !== EXIT_BUDGET) break;
      }
      if (this.exitRequested && this.exitReason === EXIT_BUDGET) {
        this.exitRequested = false;
        this.exitReason = EXIT_REQUESTED;
      }
    } catch (e) {
      // A compiled block counts its own retired instructions when it throws.
      if (inCompiled) done += this.loopRetired;
      else if (block !== undefined) done += retiredBefore(block, this.insnStart);
      this.exitOnThrow(e);
    }
    this.instructions += done;
    return this.exitReason;
  }

  /** The block that ran after `prev` last time, if it starts at `rip` and is still good. */
  private linkedBlock(prev: Block | null, rip: number, generation: number): Block | undefined {
    if (prev === null || prev.linkGeneration !== generation) return undefined;
    const a = prev.next;
    if (a != null && a.vaddr === rip && a.valid) return a;
    const b = prev.next2;
    if (b != null && b.vaddr === rip && b.valid) {
      prev.next2 = a;
      prev.next = b;
      return b;
    }
    return undefined;
  }

  /** Compile a hot block together with the decoded blocks of its page its branches reach. */
  private compile(entry: Block): CompiledBlock {
    const page = entry.vaddr - (entry.vaddr & 4095);
    return compileBlock(entry, (vaddr) => {
      if (vaddr - (vaddr & 4095) !== page) return undefined;
      const block = this.icache.lookup(entry.paddr + (vaddr - entry.vaddr));
      const good = block !== undefined && block.valid && block.vaddr === vaddr &&
        block.pages.length === 1;
      return good ? block : undefined;
    });
  }

  /** Translate `rip` for execution and find (or decode) the block starting there. */
  private findBlock(rip: number): Block {
    const vpn = Math.floor(rip * INV_PAGE);
    const slot = EXEC_BASE + (vpn & 4095);
    const paddr = this.tlbTag[slot] === vpn
      ? this.tlbPhys[slot] + (rip & 4095)
      : this.mmu.translate(rip, ACCESS_EXEC);
    let block = this.icache.lookup(paddr);
    if (block === undefined || block.vaddr !== rip || !this.tailStillMapped(block)) {
      block = this.buildBlock(rip, paddr);
      this.icache.insert(block);
    }
    return block;
  }

  /**
   * Execute a block's instructions until it ends or one sets `stop`; returns how many retired.
   * Kept out of run() so V8 optimizes both loops as whole functions: an inner loop compiled by
   * on-stack replacement deoptimizes every time it exits, i.e. at the end of every block.
   */
  private execBlock(insns: Insn[]): number {
    const n = insns.length;
    this.stop = 0;
    let k = 0;
    while (k < n) {
      const ins = insns[k++];
      const start = this.rip;
      this.insnStart = start;
      this.rip = start + ins.len;
      ins.fn(this, ins);
      if (this.stop !== 0) break;
    }
    return k;
  }

  /** Execute exactly one instruction (tests, single-stepping). */
  step(): number {
    const saved = this.rip;
    this.insnStart = saved;
    try {
      const insn = this.decoder.decode(this.fetch8, saved);
      this.exitReason = EXIT_BUDGET;
      this.exitException = null;
      this.exitError = null;
      this.stop = 0;
      this.rip = saved + insn.len;
      insn.fn(this, insn);
      this.instructions++;
    } catch (e) {
      this.exitOnThrow(e);
    }
    return this.exitReason;
  }

  /**
   * Turn what an instruction threw into an exit: a CpuException is the guest's fault (RIP back
   * at the faulting instruction); anything else is a bug in NexaOS, reported, never rethrown.
   */
  private exitOnThrow(e: unknown): void {
    this.rip = this.insnStart;
    if (e instanceof CpuException) {
      this.exitReason = EXIT_EXCEPTION;
      this.exitException = e;
    } else {
      this.exitReason = EXIT_INTERNAL;
      this.exitError = e;
    }
  }

  /**
   * A block whose last instruction straddles into the next page is keyed by its first page
   * only: it is still good if the next linear page maps to the frame it was decoded from.
   */
  private tailStillMapped(block: Block): boolean {
    if (block.pages.length === 1) return true;
    const next = block.vaddr - (block.vaddr & 4095) + PAGE_SIZE;
    try {
      return this.mmu.translate(next, ACCESS_EXEC) >>> 12 === block.pages[1];
    } catch {
      return false; // now unmapped: rebuilding stops before the straddling instruction
    }
  }

  private buildBlock(vaddr: number, paddr: number): Block {
    const insns: Insn[] = [];
    const pages = [paddr >>> 12];
    const pageEnd = vaddr - (vaddr & 4095) + PAGE_SIZE;
    let addr = vaddr;
    while (insns.length < MAX_BLOCK) {
      let insn: Insn;
      try {
        insn = this.decoder.decode(this.fetch8, addr);
      } catch (e) {
        if (insns.length === 0) throw e;
        break; // fault belongs to a later instruction: raise it when that one runs
      }
      insns.push(insn);
      addr += insn.len;
      if (addr > pageEnd) {
        pages.push(this.mmu.translate(addr - 1, ACCESS_EXEC) >>> 12);
        break;
      }
      if (insn.form === null || insn.form.branch || addr === pageEnd) break;
    }
    return {
      vaddr,
      paddr,
      insns,
      pages,
      valid: true,
      hits: 0,
      compiled: null,
      next: null,
      next2: null,
      linkGeneration: -1,
    };
  }

  /** Request a kernel exit at the end of the current instruction (syscall, hlt). */
  exitTo(reason: number): void {
    this.exitReason = reason;
    this.stop = 1;
  }

  /** Forget the lazy flag state (used when loading a context). */
  resetLazyFlags(): void {
    this.lf[LF_OP] = OP_NONE;
  }
}
