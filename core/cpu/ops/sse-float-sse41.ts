// SSE4.1 floating-point: ROUNDPS/PD/SS/SD (imm8 rounding mode or MXCSR.RC, optional precision
// suppression), DPPS/DPPD (masked multiplies summed pairwise, then broadcast), BLENDPS/PD,
// BLENDVPS/PD (mask = sign bits of the implicit XMM0), INSERTPS and EXTRACTPS.

import type { Cpu } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { add32, add64, mul32, mul64, nanResult32 } from "../../fpu/ieee-arith.ts";
import { roundToIntegral } from "../../fpu/ieee-convert.ts";
import { fp, fpBegin, fpEnd, isSNaN32, isSNaN64Hi, MX_IE } from "../../fpu/ieee.ts";
import { VEC_XM } from "../exceptions.ts";
import {
  commitLow64,
  finish,
  loadW128,
  loadW32,
  loadW64,
  rF32,
  rF64,
  rU32,
  sF32,
  sF64,
  storeNaN64,
  sU32,
} from "./sse-float-common.ts";

// ---- ROUND ---------------------------------------------------------------------------------

function roundLane32(k: number, x: number, bits: number, imm: number): void {
  if (x !== x) {
    if (isSNaN32(bits)) fp.pre |= MX_IE;
    rU32[k] = (bits | 0x400000) >>> 0;
    return;
  }
  rF32[k] = roundToIntegral(x, imm & 4 ? fp.rc : imm & 3, (imm & 8) !== 0, true);
}
function roundLane64(k: number, x: number, lo: number, hi: number, imm: number): void {
  if (x !== x) {
    if (isSNaN64Hi(hi)) fp.pre |= MX_IE;
    rU32[2 * k] = lo;
    rU32[2 * k + 1] = hi | 0x80000;
    return;
  }
  rF64[k] = roundToIntegral(x, imm & 4 ? fp.rc : imm & 3, (imm & 8) !== 0, false);
}

function roundps(cpu: Cpu, i: Insn) {
  loadW128(cpu, i);
  fpBegin(cpu.mxcsr);
  for (let k = 0; k < 4; k++) roundLane32(k, sF32[k], sU32[k], i.imm);
  finish(cpu);
  cpu.xmm32.set(rU32, i.reg * 4);
}
function roundss(cpu: Cpu, i: Insn) {
  loadW32(cpu, i);
  fpBegin(cpu.mxcsr);
  roundLane32(0, sF32[0], sU32[0], i.imm);
  finish(cpu);
  cpu.xmm32[i.reg * 4] = rU32[0];
}
function roundpd(cpu: Cpu, i: Insn) {
  loadW128(cpu, i);
  fpBegin(cpu.mxcsr);
  roundLane64(0, sF64[0], sU32[0], sU32[1], i.imm);
  roundLane64(1, sF64[1], sU32[2], sU32[3], i.imm);
  finish(cpu);
  cpu.xmm32.set(rU32, i.reg * 4);
}
function roundsd(cpu: Cpu, i: Insn) {
  loadW64(cpu, i);
  fpBegin(cpu.mxcsr);
  roundLane64(0, sF64[0], sU32[0], sU32[1], i.imm);
  finish(cpu);
  commitLow64(cpu, i.reg);
}

// ---- DP ------------------------------------------------------------------------------------

const tmpBuffer = new ArrayBuffer(32);
const tU32 = new Uint32Array(tmpBuffer);
const tF32 = new Float32Array(tmpBuffer);
const tF64 = new Float64Array(tmpBuffer);

/** t[k] = a op b as a binary32 bit pattern in tU32[k]. */
function step32(k: number, op: typeof add32, a: number, b: number, aBits: number, bBits: number) {
  const r = op(a, b, aBits, bBits);
  if (r === r) tF32[k] = r;
  else tU32[k] = nanResult32(aBits, bBits);
}

/**
 * DP runs as dependent stages (multiplies, then each level of additions); an unmasked exception
 * in a stage faults there, reporting the flags of the stages before it as well. Returns the
 * flags accumulated so far.
 */
function stage(cpu: Cpu, earlier: number): number {
  const m = fpEnd(cpu.mxcsr | earlier);
  if (m < 0) {
    cpu.mxcsr = ~m;
    cpu.raise(VEC_XM);
  }
  const all = earlier | fp.pre | fp.post;
  fp.pre = 0;
  fp.post = 0;
  return all;
}

function dpps(cpu: Cpu, i: Insn) {
  loadW128(cpu, i);
  fpBegin(cpu.mxcsr);
  const imm = i.imm, x = cpu.xmm32, xf = cpu.xmmF32, d = i.reg * 4;
  for (let k = 0; k < 4; k++) {
    if (imm & (16 << k)) step32(k, mul32, xf[d + k], sF32[k], x[d + k], sU32[k]);
    else tU32[k] = 0;
  }
  let flags = stage(cpu, 0);
  step32(4, add32, tF32[0], tF32[1], tU32[0], tU32[1]);
  step32(5, add32, tF32[2], tF32[3], tU32[2], tU32[3]);
  flags = stage(cpu, flags);
  step32(6, add32, tF32[4], tF32[5], tU32[4], tU32[5]);
  cpu.mxcsr |= stage(cpu, flags);
  for (let k = 0; k < 4; k++) x[d + k] = imm & (1 << k) ? tU32[6] : 0;
}

/** t[k] = a op b as a binary64 value in tF64[k] (bits in tU32[2k..2k+1]). */
function step64(
  k: number,
  op: typeof add64,
  a: number,
  b: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
) {
  const r = op(a, b, aHi, bHi);
  if (r === r) tF64[k] = r;
  else {
    storeNaN64(0, aLo, aHi, bLo, bHi);
    tU32[2 * k] = rU32[0];
    tU32[2 * k + 1] = rU32[1];
  }
}

function dppd(cpu: Cpu, i: Insn) {
  loadW128(cpu, i);
  fpBegin(cpu.mxcsr);
  const imm = i.imm, x = cpu.xmm32, xf = cpu.xmmF64, d = i.reg * 4;
  for (let k = 0; k < 2; k++) {
    if (imm & (16 << k)) {
      step64(
        k,
        mul64,
        xf[i.reg * 2 + k],
        sF64[k],
        x[d + 2 * k],
        x[d + 2 * k + 1],
        sU32[2 * k],
        sU32[2 * k + 1],
      );
    } else tF64[k] = 0;
  }
  const flags = stage(cpu, 0);
  step64(2, add64, tF64[0], tF64[1], tU32[0], tU32[1], tU32[2], tU32[3]);
  cpu.mxcsr |= stage(cpu, flags);
  for (let k = 0; k < 2; k++) {
    const on = imm & (1 << k);
    x[d + 2 * k] = on ? tU32[4] : 0;
    x[d + 2 * k + 1] = on ? tU32[5] : 0;
  }
}

// ---- BLEND, INSERTPS, EXTRACTPS ------------------------------------------------------------

function blendps(cpu: Cpu, i: Insn) {
  loadW128(cpu, i);
  const x = cpu.xmm32, d = i.reg * 4;
  for (let k = 0; k < 4; k++) if (i.imm & (1 << k)) x[d + k] = sU32[k];
}
function blendpd(cpu: Cpu, i: Insn) {
  loadW128(cpu, i);
  const x = cpu.xmm32, d = i.reg * 4;
  for (let k = 0; k < 2; k++) {
    if (i.imm & (1 << k)) {
      x[d + 2 * k] = sU32[2 * k];
      x[d + 2 * k + 1] = sU32[2 * k + 1];
    }
  }
}
function blendvps(cpu: Cpu, i: Insn) {
  loadW128(cpu, i);
  const x = cpu.xmm32, d = i.reg * 4;
  for (let k = 0; k < 4; k++) if (x[k] & 0x80000000) x[d + k] = sU32[k];
}
function blendvpd(cpu: Cpu, i: Insn) {
  loadW128(cpu, i);
  const x = cpu.xmm32, d = i.reg * 4;
  for (let k = 0; k < 2; k++) {
    if (x[2 * k + 1] & 0x80000000) {
      x[d + 2 * k] = sU32[2 * k];
      x[d + 2 * k + 1] = sU32[2 * k + 1];
    }
  }
}

function insertps(cpu: Cpu, i: Insn) {
  const imm = i.imm;
  const v = i.isMem ? cpu.read32(cpu.ea(i)) : cpu.xmm32[i.rm * 4 + ((imm >> 6) & 3)];
  const x = cpu.xmm32, d = i.reg * 4;
  x[d + ((imm >> 4) & 3)] = v;
  for (let k = 0; k < 4; k++) if (imm & (1 << k)) x[d + k] = 0;
}
function extractps(cpu: Cpu, i: Insn) {
  const v = cpu.xmm32[i.reg * 4 + (i.imm & 3)];
  if (i.isMem) cpu.write32(cpu.ea(i), v);
  else cpu.setReg32(i.rm, v);
}

const A16 = { mem: "aligned16" } as const;

export const SSE_FLOAT_SSE41_FORMS: FormSpec[] = [
  { op: "66 0F 3A 08 /r", mnem: "roundps", args: "Vps,Wps,Ib", fn: roundps, test: A16 },
  { op: "66 0F 3A 09 /r", mnem: "roundpd", args: "Vpd,Wpd,Ib", fn: roundpd, test: A16 },
  { op: "66 0F 3A 0A /r", mnem: "roundss", args: "Vss,Wss,Ib", fn: roundss },
  { op: "66 0F 3A 0B /r", mnem: "roundsd", args: "Vsd,Wsd,Ib", fn: roundsd },
  { op: "66 0F 3A 0C /r", mnem: "blendps", args: "Vps,Wps,Ib", fn: blendps, test: A16 },
  { op: "66 0F 3A 0D /r", mnem: "blendpd", args: "Vpd,Wpd,Ib", fn: blendpd, test: A16 },
  { op: "66 0F 38 14 /r", mnem: "blendvps", args: "Vps,Wps", fn: blendvps, test: A16 },
  { op: "66 0F 38 15 /r", mnem: "blendvpd", args: "Vpd,Wpd", fn: blendvpd, test: A16 },
  { op: "66 0F 3A 40 /r", mnem: "dpps", args: "Vps,Wps,Ib", fn: dpps, test: A16 },
  { op: "66 0F 3A 41 /r", mnem: "dppd", args: "Vpd,Wpd,Ib", fn: dppd, test: A16 },
  { op: "66 0F 3A 21 /r", mnem: "insertps", args: "Vps,Wss,Ib", fn: insertps },
  { op: "66 0F 3A 17 /r", mnem: "extractps", args: "Ed,Vps,Ib", fn: extractps },
];
