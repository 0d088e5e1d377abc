// Conversions between XMM and the MMX registers (aliased on the x87 data registers):
// CVTPI2PS, CVTPI2PD, CVTPS2PI, CVTTPS2PI, CVTPD2PI, CVTTPD2PI. Touching an MMX register
// switches the x87 unit to MMX mode (TOP = 0, every tag valid; a pending x87 exception raises
// #MF first); the memory-source CVTPI2PS/PD do not (checked on the host). Writing an MMX
// register sets its exponent word to all ones. REX.R/REX.B do not extend MMX register numbers.

import type { Cpu } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { VEC_MF } from "../exceptions.ts";
import { fp, fpBegin, RC_ZERO } from "../../fpu/ieee.ts";
import { intToFloat } from "../../fpu/ieee-convert.ts";
import {
  commitLow64,
  finish,
  loadW128,
  loadW64,
  rF32,
  rF64,
  rU32,
  sF32,
  sF64,
} from "./sse-float-common.ts";
import { f32ToI32, f64ToI32 } from "./sse-convert-lanes.ts";

function enterMmxMode(cpu: Cpu): void {
  if (cpu.fpu.pending) cpu.raise(VEC_MF);
  cpu.fpu.enterMmx();
}

/** The Q operand (MMX register or m64) as two 32-bit words in words[0..1]. */
const words = new Uint32Array(2);
function loadQ(cpu: Cpu, i: Insn): void {
  if (i.isMem) {
    words[0] = cpu.read64(cpu.ea(i));
    words[1] = cpu.hi;
    return;
  }
  enterMmxMode(cpu);
  const n = i.rm & 7;
  words[0] = cpu.fpu.regs32[4 * n];
  words[1] = cpu.fpu.regs32[4 * n + 1];
}
function writeP(cpu: Cpu, i: Insn, lo: number, hi: number): void {
  const n = i.reg & 7;
  cpu.fpu.regs32[4 * n] = lo;
  cpu.fpu.regs32[4 * n + 1] = hi;
  cpu.fpu.regs[8 * n + 4] = 0xffff;
}

function cvtpi2ps(cpu: Cpu, i: Insn) {
  loadQ(cpu, i);
  fpBegin(cpu.mxcsr);
  rF32[0] = intToFloat(words[0], words[0] >> 31, true);
  rF32[1] = intToFloat(words[1], words[1] >> 31, true);
  finish(cpu);
  commitLow64(cpu, i.reg);
}
function cvtpi2pd(cpu: Cpu, i: Insn) {
  loadQ(cpu, i);
  rF64[0] = words[0] | 0;
  rF64[1] = words[1] | 0;
  cpu.xmm32.set(rU32, i.reg * 4);
}

function cvtps2pi(truncate: boolean) {
  return (cpu: Cpu, i: Insn): void => {
    if (cpu.fpu.pending) cpu.raise(VEC_MF); // before any memory fault
    loadW64(cpu, i);
    enterMmxMode(cpu);
    fpBegin(cpu.mxcsr);
    const mode = truncate ? RC_ZERO : fp.rc;
    f32ToI32(0, sF32[0], mode);
    f32ToI32(1, sF32[1], mode);
    finish(cpu);
    writeP(cpu, i, rU32[0], rU32[1]);
  };
}
function cvtpd2pi(truncate: boolean) {
  return (cpu: Cpu, i: Insn): void => {
    if (cpu.fpu.pending) cpu.raise(VEC_MF);
    loadW128(cpu, i);
    enterMmxMode(cpu);
    fpBegin(cpu.mxcsr);
    const mode = truncate ? RC_ZERO : fp.rc;
    f64ToI32(0, sF64[0], mode);
    f64ToI32(1, sF64[1], mode);
    finish(cpu);
    writeP(cpu, i, rU32[0], rU32[1]);
  };
}

export const SSE_CONVERT_MMX_FORMS: FormSpec[] = [
  { op: "NP 0F 2A /r", mnem: "cvtpi2ps", args: "Vps,Qpi", fn: cvtpi2ps },
  { op: "66 0F 2A /r", mnem: "cvtpi2pd", args: "Vpd,Qpi", fn: cvtpi2pd },
  { op: "NP 0F 2D /r", mnem: "cvtps2pi", args: "Ppi,Wps", fn: cvtps2pi(false) },
  { op: "NP 0F 2C /r", mnem: "cvttps2pi", args: "Ppi,Wps", fn: cvtps2pi(true) },
  {
    op: "66 0F 2D /r",
    mnem: "cvtpd2pi",
    args: "Ppi,Wpd",
    fn: cvtpd2pi(false),
    test: { mem: "aligned16" },
  },
  {
    op: "66 0F 2C /r",
    mnem: "cvttpd2pi",
    args: "Ppi,Wpd",
    fn: cvtpd2pi(true),
    test: { mem: "aligned16" },
  },
];
