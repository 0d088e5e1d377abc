// SSE/SSE2 conversions: integer <-> float (CVTSI2SS/SD, CVTDQ2PS/PD), float -> integer with
// MXCSR rounding or truncation (CVTSS2SI/SD2SI, CVTT*, CVTPS2DQ, CVTPD2DQ and their truncating
// forms; NaN or out-of-range gives the integer indefinite 0x80000000... with IE), and binary32
// <-> binary64 (CVTSS2SD, CVTSD2SS, CVTPS2PD, CVTPD2PS). The MMX-register forms live in
// sse-convert-mmx.ts and are re-exported here.

import type { Cpu } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { readE } from "../operands.ts";
import { fp, fpBegin, RC_ZERO } from "../../fpu/ieee.ts";
import { hiOut, intToFloat, splitInt64, toInteger } from "../../fpu/ieee-convert.ts";
import {
  commitLow64,
  commitLow64ZeroUpper,
  finish,
  loadW128,
  loadW32,
  loadW64,
  rF32,
  rU32,
  sF32,
  sF64,
  sU32,
} from "./sse-float-common.ts";
import { f32ToF64, f32ToI32, f64ToF32, f64ToI32, INDEFINITE } from "./sse-convert-lanes.ts";
import { SSE_CONVERT_MMX_FORMS } from "./sse-convert-mmx.ts";

// ---- scalar integer <-> float ------------------------------------------------------------------

function cvtsi2ss(cpu: Cpu, i: Insn) {
  const lo = readE(cpu, i, i.opsize);
  const hi = i.opsize === 8 ? cpu.hi : lo >> 31;
  fpBegin(cpu.mxcsr);
  const r = intToFloat(lo, hi, true);
  finish(cpu);
  cpu.xmmF32[i.reg * 4] = r;
}
function cvtsi2sd(cpu: Cpu, i: Insn) {
  const lo = readE(cpu, i, i.opsize);
  const hi = i.opsize === 8 ? cpu.hi : lo >> 31;
  fpBegin(cpu.mxcsr);
  const r = intToFloat(lo, hi, false);
  finish(cpu);
  cpu.xmmF64[i.reg * 2] = r;
}

/** Write a converted integer (NaN = invalid) to the G register of opsize 4 or 8. */
function writeInt(cpu: Cpu, i: Insn, r: number): void {
  if (i.opsize === 8) {
    if (r !== r) cpu.setReg64(i.reg, 0, INDEFINITE);
    else cpu.setReg64(i.reg, splitInt64(r), hiOut);
  } else cpu.setReg32(i.reg, r === r ? r >>> 0 : INDEFINITE);
}
function cvtss2si(truncate: boolean) {
  return (cpu: Cpu, i: Insn): void => {
    loadW32(cpu, i);
    fpBegin(cpu.mxcsr);
    const r = toInteger(sF32[0], truncate ? RC_ZERO : fp.rc, i.opsize * 8, true);
    finish(cpu);
    writeInt(cpu, i, r);
  };
}
function cvtsd2si(truncate: boolean) {
  return (cpu: Cpu, i: Insn): void => {
    loadW64(cpu, i);
    fpBegin(cpu.mxcsr);
    const r = toInteger(sF64[0], truncate ? RC_ZERO : fp.rc, i.opsize * 8, false);
    finish(cpu);
    writeInt(cpu, i, r);
  };
}

// ---- packed integer <-> float ------------------------------------------------------------------

function cvtdq2ps(cpu: Cpu, i: Insn) {
  loadW128(cpu, i);
  fpBegin(cpu.mxcsr);
  for (let k = 0; k < 4; k++) rF32[k] = intToFloat(sU32[k], sU32[k] >> 31, true);
  finish(cpu);
  cpu.xmm32.set(rU32, i.reg * 4);
}
function cvtps2dq(truncate: boolean) {
  return (cpu: Cpu, i: Insn): void => {
    loadW128(cpu, i);
    fpBegin(cpu.mxcsr);
    const mode = truncate ? RC_ZERO : fp.rc;
    for (let k = 0; k < 4; k++) f32ToI32(k, sF32[k], mode);
    finish(cpu);
    cpu.xmm32.set(rU32, i.reg * 4);
  };
}
function cvtdq2pd(cpu: Cpu, i: Insn) {
  loadW64(cpu, i);
  const x = cpu.xmmF64, d = i.reg * 2;
  const a = sU32[0] | 0, b = sU32[1] | 0;
  x[d] = a;
  x[d + 1] = b;
}
function cvtpd2dq(truncate: boolean) {
  return (cpu: Cpu, i: Insn): void => {
    loadW128(cpu, i);
    fpBegin(cpu.mxcsr);
    const mode = truncate ? RC_ZERO : fp.rc;
    f64ToI32(0, sF64[0], mode);
    f64ToI32(1, sF64[1], mode);
    finish(cpu);
    commitLow64ZeroUpper(cpu, i.reg);
  };
}

// ---- binary32 <-> binary64 ---------------------------------------------------------------------

function cvtps2pd(cpu: Cpu, i: Insn) {
  loadW64(cpu, i);
  fpBegin(cpu.mxcsr);
  f32ToF64(0, sF32[0], sU32[0]);
  f32ToF64(1, sF32[1], sU32[1]);
  finish(cpu);
  cpu.xmm32.set(rU32, i.reg * 4);
}
function cvtpd2ps(cpu: Cpu, i: Insn) {
  loadW128(cpu, i);
  fpBegin(cpu.mxcsr);
  f64ToF32(0, sF64[0], sU32[0], sU32[1]);
  f64ToF32(1, sF64[1], sU32[2], sU32[3]);
  finish(cpu);
  commitLow64ZeroUpper(cpu, i.reg);
}
function cvtss2sd(cpu: Cpu, i: Insn) {
  loadW32(cpu, i);
  fpBegin(cpu.mxcsr);
  f32ToF64(0, sF32[0], sU32[0]);
  finish(cpu);
  commitLow64(cpu, i.reg);
}
function cvtsd2ss(cpu: Cpu, i: Insn) {
  loadW64(cpu, i);
  fpBegin(cpu.mxcsr);
  f64ToF32(0, sF64[0], sU32[0], sU32[1]);
  finish(cpu);
  cpu.xmm32[i.reg * 4] = rU32[0];
}

const A16 = { mem: "aligned16" } as const;

export const SSE_CONVERT_FORMS: FormSpec[] = [
  { op: "F3 0F 2A /r", mnem: "cvtsi2ss", args: "Vss,Ey", fn: cvtsi2ss },
  { op: "F2 0F 2A /r", mnem: "cvtsi2sd", args: "Vsd,Ey", fn: cvtsi2sd },
  { op: "F3 0F 2D /r", mnem: "cvtss2si", args: "Gy,Wss", fn: cvtss2si(false) },
  { op: "F3 0F 2C /r", mnem: "cvttss2si", args: "Gy,Wss", fn: cvtss2si(true) },
  { op: "F2 0F 2D /r", mnem: "cvtsd2si", args: "Gy,Wsd", fn: cvtsd2si(false) },
  { op: "F2 0F 2C /r", mnem: "cvttsd2si", args: "Gy,Wsd", fn: cvtsd2si(true) },
  { op: "NP 0F 5A /r", mnem: "cvtps2pd", args: "Vpd,Wps", fn: cvtps2pd },
  { op: "66 0F 5A /r", mnem: "cvtpd2ps", args: "Vps,Wpd", fn: cvtpd2ps, test: A16 },
  { op: "F3 0F 5A /r", mnem: "cvtss2sd", args: "Vsd,Wss", fn: cvtss2sd },
  { op: "F2 0F 5A /r", mnem: "cvtsd2ss", args: "Vss,Wsd", fn: cvtsd2ss },
  { op: "NP 0F 5B /r", mnem: "cvtdq2ps", args: "Vps,Wdq", fn: cvtdq2ps, test: A16 },
  { op: "66 0F 5B /r", mnem: "cvtps2dq", args: "Vdq,Wps", fn: cvtps2dq(false), test: A16 },
  { op: "F3 0F 5B /r", mnem: "cvttps2dq", args: "Vdq,Wps", fn: cvtps2dq(true), test: A16 },
  { op: "F3 0F E6 /r", mnem: "cvtdq2pd", args: "Vpd,Wq", fn: cvtdq2pd },
  { op: "F2 0F E6 /r", mnem: "cvtpd2dq", args: "Vdq,Wpd", fn: cvtpd2dq(false), test: A16 },
  { op: "66 0F E6 /r", mnem: "cvttpd2dq", args: "Vdq,Wpd", fn: cvtpd2dq(true), test: A16 },
  ...SSE_CONVERT_MMX_FORMS,
];
