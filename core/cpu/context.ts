// Saving and restoring the user-visible CPU state, for the kernel's context switches and for
// tests: general registers, RIP, RFLAGS, FS/GS bases, XMM registers, MXCSR and the x87 state.

import type { Cpu } from "./cpu.ts";
import { getFlags, setFlags } from "./flags.ts";

export interface CpuContext {
  gprs: Uint32Array; // 32 halves
  rip: number;
  rflags: number;
  fsBase: number;
  gsBase: number;
  xmm: Uint32Array; // 64 words
  mxcsr: number;
  x87: { regs: Uint16Array; cw: number; sw: number; top: number; tw: number };
}

export function saveContext(cpu: Cpu): CpuContext {
  const f = cpu.fpu;
  return {
    gprs: cpu.r.slice(),
    rip: cpu.rip,
    rflags: getFlags(cpu),
    fsBase: cpu.fsBase,
    gsBase: cpu.gsBase,
    xmm: cpu.xmm32.slice(),
    mxcsr: cpu.mxcsr,
    x87: { regs: f.regs.slice(), cw: f.cw, sw: f.sw, top: f.top, tw: f.tw },
  };
}

export function loadContext(cpu: Cpu, ctx: CpuContext): void {
  cpu.r.set(ctx.gprs);
  cpu.rip = ctx.rip;
  setFlags(cpu, ctx.rflags);
  cpu.fsBase = ctx.fsBase;
  cpu.gsBase = ctx.gsBase;
  cpu.xmm32.set(ctx.xmm);
  cpu.mxcsr = ctx.mxcsr;
  const f = cpu.fpu;
  f.regs.set(ctx.x87.regs);
  f.cw = ctx.x87.cw;
  f.sw = ctx.x87.sw;
  f.top = ctx.x87.top;
  f.tw = ctx.x87.tw;
}
