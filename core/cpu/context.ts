// Saving and restoring the user-visible CPU state, for the kernel's context switches and for
// tests: general registers, RIP, RFLAGS, FS/GS bases, and the x87/MMX/SSE state as the
// 512-byte FXSAVE image (the same format signal frames use).

import type { Cpu } from "./cpu.ts";
import { getFlags, setFlags } from "./flags.ts";
import { loadFxsave, storeFxsave } from "./ops/sse-state.ts";

export interface CpuContext {
  gprs: Uint32Array; // 32 halves
  rip: number;
  rflags: number;
  fsBase: number;
  gsBase: number;
  /** FXSAVE64 image: x87 environment and registers, MXCSR, XMM0-15. */
  fpu: Uint8Array;
}

/** Save the CPU's state, into `into`'s buffers when given (no allocation on a context switch). */
export function saveContext(cpu: Cpu, into?: CpuContext): CpuContext {
  const fpu = into?.fpu ?? new Uint8Array(512);
  storeFxsave(cpu, fpu, true);
  let gprs = into?.gprs;
  if (gprs === undefined) gprs = cpu.r.slice();
  else gprs.set(cpu.r);
  const ctx = into ?? { gprs, rip: 0, rflags: 0, fsBase: 0, gsBase: 0, fpu };
  ctx.rip = cpu.rip;
  ctx.rflags = getFlags(cpu);
  ctx.fsBase = cpu.fsBase;
  ctx.gsBase = cpu.gsBase;
  return ctx;
}

export function loadContext(cpu: Cpu, ctx: CpuContext): void {
  cpu.r.set(ctx.gprs);
  cpu.rip = ctx.rip;
  setFlags(cpu, ctx.rflags);
  cpu.fsBase = ctx.fsBase;
  cpu.gsBase = ctx.gsBase;
  loadFxsave(cpu, ctx.fpu, true);
}
