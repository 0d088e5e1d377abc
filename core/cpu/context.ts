// Saving and restoring the user-visible CPU state, for the kernel's context switches and for
// tests: general registers, RIP, RFLAGS, FS/GS bases, and the x87/MMX/SSE state copied raw (the
// x87 register file, the XMM registers and the FPU's control words as they are held inside the
// CPU, not as an FXSAVE image: a switch is then a few memcpys and restores the state exactly).

import type { Cpu } from "./cpu.ts";
import { getFlags, setFlags } from "./flags.ts";

/** Bytes of the raw FPU image: the x87 register file (8 x 16) then XMM0-15 (16 x 16). */
const X87_BYTES = 128;
const FPU_BYTES = X87_BYTES + 256;
/** cw, sw, top, tags, fop, fip, fipHi, fcs, fdp, fdpHi, fds, mxcsr. */
const FPU_WORDS = 12;

export interface CpuContext {
  gprs: Uint32Array; // 32 halves
  rip: number;
  rflags: number;
  fsBase: number;
  gsBase: number;
  /** The x87 register file, then XMM0-15. */
  fpu: Uint8Array;
  /** The x87 control, status, tag and last-instruction words, then MXCSR. */
  fpuWords: Uint32Array;
}

/** Save the CPU's state, into `into`'s buffers when given (no allocation on a context switch). */
export function saveContext(cpu: Cpu, into?: CpuContext): CpuContext {
  const ctx = into ?? {
    gprs: new Uint32Array(cpu.r.length),
    rip: 0,
    rflags: 0,
    fsBase: 0,
    gsBase: 0,
    fpu: new Uint8Array(FPU_BYTES),
    fpuWords: new Uint32Array(FPU_WORDS),
  };
  ctx.gprs.set(cpu.r);
  ctx.rip = cpu.rip;
  ctx.rflags = getFlags(cpu);
  ctx.fsBase = cpu.fsBase;
  ctx.gsBase = cpu.gsBase;
  const fpu = cpu.fpu;
  ctx.fpu.set(fpu.regs8);
  ctx.fpu.set(cpu.xmm8, X87_BYTES);
  const w = ctx.fpuWords;
  w[0] = fpu.cw;
  w[1] = fpu.sw;
  w[2] = fpu.top;
  w[3] = fpu.tags;
  w[4] = fpu.fop;
  w[5] = fpu.fip;
  w[6] = fpu.fipHi;
  w[7] = fpu.fcs;
  w[8] = fpu.fdp;
  w[9] = fpu.fdpHi;
  w[10] = fpu.fds;
  w[11] = cpu.mxcsr;
  return ctx;
}

export function loadContext(cpu: Cpu, ctx: CpuContext): void {
  cpu.r.set(ctx.gprs);
  cpu.rip = ctx.rip;
  setFlags(cpu, ctx.rflags);
  cpu.fsBase = ctx.fsBase;
  cpu.gsBase = ctx.gsBase;
  const fpu = cpu.fpu;
  fpu.regs8.set(ctx.fpu.subarray(0, X87_BYTES));
  cpu.xmm8.set(ctx.fpu.subarray(X87_BYTES, FPU_BYTES));
  const w = ctx.fpuWords;
  fpu.cw = w[0];
  fpu.sw = w[1];
  fpu.top = w[2];
  fpu.tags = w[3];
  fpu.fop = w[4];
  fpu.fip = w[5];
  fpu.fipHi = w[6];
  fpu.fcs = w[7];
  fpu.fdp = w[8];
  fpu.fdpHi = w[9];
  fpu.fds = w[10];
  cpu.mxcsr = w[11];
}
