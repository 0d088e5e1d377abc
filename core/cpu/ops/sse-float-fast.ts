// Dedicated handlers for the hot SSE arithmetic forms (ADD SUB MUL DIV in PS/PD/SS/SD). They
// do what packed32/packed64/scalar32/scalar64 of sse-float-common.ts do, but each is its own
// function literal calling one lane kernel: V8 keeps call feedback per literal, so the kernel
// call stays monomorphic and is inlined instead of dispatching through a shared closure.

import type { Cpu } from "../cpu.ts";
import type { Insn } from "../insn.ts";
import { fpBegin } from "../../fpu/ieee.ts";
import { commitLow64, finish, loadW128, loadW32, loadW64, rU32 } from "./sse-float-common.ts";
import {
  addLanes32,
  addLanes64,
  divLanes32,
  divLanes64,
  mulLanes32,
  mulLanes64,
  subLanes32,
  subLanes64,
} from "./sse-float-kernels.ts";

/** Commit the four result dwords to XMM register `reg`. */
function commit128(cpu: Cpu, reg: number): void {
  const x = cpu.xmm32, d = reg * 4;
  x[d] = rU32[0];
  x[d + 1] = rU32[1];
  x[d + 2] = rU32[2];
  x[d + 3] = rU32[3];
}

export function addps(cpu: Cpu, i: Insn): void {
  loadW128(cpu, i);
  fpBegin(cpu.mxcsr);
  addLanes32(4, cpu.xmm32, cpu.xmmF32, i.reg * 4);
  finish(cpu);
  commit128(cpu, i.reg);
}
export function subps(cpu: Cpu, i: Insn): void {
  loadW128(cpu, i);
  fpBegin(cpu.mxcsr);
  subLanes32(4, cpu.xmm32, cpu.xmmF32, i.reg * 4);
  finish(cpu);
  commit128(cpu, i.reg);
}
export function mulps(cpu: Cpu, i: Insn): void {
  loadW128(cpu, i);
  fpBegin(cpu.mxcsr);
  mulLanes32(4, cpu.xmm32, cpu.xmmF32, i.reg * 4);
  finish(cpu);
  commit128(cpu, i.reg);
}
export function divps(cpu: Cpu, i: Insn): void {
  loadW128(cpu, i);
  fpBegin(cpu.mxcsr);
  divLanes32(4, cpu.xmm32, cpu.xmmF32, i.reg * 4);
  finish(cpu);
  commit128(cpu, i.reg);
}

export function addpd(cpu: Cpu, i: Insn): void {
  loadW128(cpu, i);
  fpBegin(cpu.mxcsr);
  addLanes64(2, cpu.xmm32, cpu.xmmF64, i.reg * 2);
  finish(cpu);
  commit128(cpu, i.reg);
}
export function subpd(cpu: Cpu, i: Insn): void {
  loadW128(cpu, i);
  fpBegin(cpu.mxcsr);
  subLanes64(2, cpu.xmm32, cpu.xmmF64, i.reg * 2);
  finish(cpu);
  commit128(cpu, i.reg);
}
export function mulpd(cpu: Cpu, i: Insn): void {
  loadW128(cpu, i);
  fpBegin(cpu.mxcsr);
  mulLanes64(2, cpu.xmm32, cpu.xmmF64, i.reg * 2);
  finish(cpu);
  commit128(cpu, i.reg);
}
export function divpd(cpu: Cpu, i: Insn): void {
  loadW128(cpu, i);
  fpBegin(cpu.mxcsr);
  divLanes64(2, cpu.xmm32, cpu.xmmF64, i.reg * 2);
  finish(cpu);
  commit128(cpu, i.reg);
}

export function addss(cpu: Cpu, i: Insn): void {
  loadW32(cpu, i);
  fpBegin(cpu.mxcsr);
  addLanes32(1, cpu.xmm32, cpu.xmmF32, i.reg * 4);
  finish(cpu);
  cpu.xmm32[i.reg * 4] = rU32[0];
}
export function subss(cpu: Cpu, i: Insn): void {
  loadW32(cpu, i);
  fpBegin(cpu.mxcsr);
  subLanes32(1, cpu.xmm32, cpu.xmmF32, i.reg * 4);
  finish(cpu);
  cpu.xmm32[i.reg * 4] = rU32[0];
}
export function mulss(cpu: Cpu, i: Insn): void {
  loadW32(cpu, i);
  fpBegin(cpu.mxcsr);
  mulLanes32(1, cpu.xmm32, cpu.xmmF32, i.reg * 4);
  finish(cpu);
  cpu.xmm32[i.reg * 4] = rU32[0];
}
export function divss(cpu: Cpu, i: Insn): void {
  loadW32(cpu, i);
  fpBegin(cpu.mxcsr);
  divLanes32(1, cpu.xmm32, cpu.xmmF32, i.reg * 4);
  finish(cpu);
  cpu.xmm32[i.reg * 4] = rU32[0];
}

export function addsd(cpu: Cpu, i: Insn): void {
  loadW64(cpu, i);
  fpBegin(cpu.mxcsr);
  addLanes64(1, cpu.xmm32, cpu.xmmF64, i.reg * 2);
  finish(cpu);
  commitLow64(cpu, i.reg);
}
export function subsd(cpu: Cpu, i: Insn): void {
  loadW64(cpu, i);
  fpBegin(cpu.mxcsr);
  subLanes64(1, cpu.xmm32, cpu.xmmF64, i.reg * 2);
  finish(cpu);
  commitLow64(cpu, i.reg);
}
export function mulsd(cpu: Cpu, i: Insn): void {
  loadW64(cpu, i);
  fpBegin(cpu.mxcsr);
  mulLanes64(1, cpu.xmm32, cpu.xmmF64, i.reg * 2);
  finish(cpu);
  commitLow64(cpu, i.reg);
}
export function divsd(cpu: Cpu, i: Insn): void {
  loadW64(cpu, i);
  fpBegin(cpu.mxcsr);
  divLanes64(1, cpu.xmm32, cpu.xmmF64, i.reg * 2);
  finish(cpu);
  commitLow64(cpu, i.reg);
}
