// MMX data movement: MOVD/MOVQ between MMX registers, general registers and memory, PSHUFW,
// PINSRW/PEXTRW, PMOVMSKB, MOVNTQ, MASKMOVQ and the MMX<->XMM moves MOVQ2DQ/MOVDQ2Q.
// Every MMX instruction leaves TOP = 0 and all tags valid (see sse-int-lanes.ts).
// Re-exported from sse-move.ts.

import type { Cpu } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { readE, writeE } from "../operands.ts";
import {
  loadQ,
  maskedStore,
  maskStoreAddress,
  MM,
  mmxCheck,
  mmxDone,
  readMm,
  readMm64,
  SRC,
  writeMm,
  writeMm64,
} from "./sse-int-lanes.ts";

/** NP 0F 6E: MOVD/MOVQ mm, r/m32/64 (zero-extended). */
function movdToMm(cpu: Cpu, i: Insn) {
  mmxCheck(cpu);
  const s = i.opsize;
  const lo = readE(cpu, i, s);
  writeMm64(cpu, i.reg & 7, lo, s === 8 ? cpu.hi : 0);
  mmxDone(cpu);
}
/** NP 0F 7E: MOVD/MOVQ r/m32/64, mm. */
function movdFromMm(cpu: Cpu, i: Insn) {
  mmxCheck(cpu);
  const lo = readMm64(cpu, i.reg & 7);
  writeE(cpu, i, i.opsize, lo, cpu.hi);
  mmxDone(cpu);
}
/** NP 0F 6F: MOVQ mm, mm/m64. */
function movqToMm(cpu: Cpu, i: Insn) {
  mmxCheck(cpu);
  loadQ(cpu, i);
  writeMm(cpu, i.reg & 7, SRC);
  mmxDone(cpu);
}
/** NP 0F 7F / NP 0F E7: MOVQ mm/m64, mm and MOVNTQ m64, mm. */
function movqFromMm(cpu: Cpu, i: Insn) {
  mmxCheck(cpu);
  const lo = readMm64(cpu, i.reg & 7), hi = cpu.hi;
  if (i.isMem) cpu.write64(cpu.ea(i), lo, hi);
  else writeMm64(cpu, i.rm & 7, lo, hi);
  mmxDone(cpu);
}
function pshufw(cpu: Cpu, i: Insn) {
  mmxCheck(cpu);
  loadQ(cpu, i);
  const s = SRC.w, w = MM.w, imm = i.imm;
  for (let k = 0; k < 4; k++) w[k] = s[(imm >> (2 * k)) & 3];
  writeMm(cpu, i.reg & 7, MM);
  mmxDone(cpu);
}
function pinsrwMm(cpu: Cpu, i: Insn) {
  mmxCheck(cpu);
  const v = i.isMem ? cpu.read16(cpu.ea(i)) : cpu.r16[i.rm * 4];
  const n = i.reg & 7;
  readMm(cpu, n, MM);
  MM.w[i.imm & 3] = v;
  writeMm(cpu, n, MM);
  mmxDone(cpu);
}
function pextrwMm(cpu: Cpu, i: Insn) {
  mmxCheck(cpu);
  readMm(cpu, i.rm & 7, MM);
  cpu.setReg32(i.reg, MM.w[i.imm & 3]);
  mmxDone(cpu);
}
function pmovmskbMm(cpu: Cpu, i: Insn) {
  mmxCheck(cpu);
  readMm(cpu, i.rm & 7, MM);
  const b = MM.b;
  let m = 0;
  for (let k = 7; k >= 0; k--) m = (m << 1) | (b[k] >>> 7);
  cpu.setReg32(i.reg, m);
  mmxDone(cpu);
}
/** MASKMOVQ: unlike the other MMX forms, it enters MMX state even when the store faults. */
function maskmovq(cpu: Cpu, i: Insn) {
  mmxCheck(cpu);
  mmxDone(cpu);
  const a = maskStoreAddress(cpu, i);
  readMm(cpu, i.reg & 7, MM);
  readMm(cpu, i.rm & 7, SRC);
  maskedStore(cpu, a, MM.b, 0, SRC.b, 0, 8);
}
/** F3 0F D6: MOVQ2DQ xmm, mm (upper qword zeroed). */
function movq2dq(cpu: Cpu, i: Insn) {
  mmxCheck(cpu);
  const lo = readMm64(cpu, i.rm & 7);
  const x = cpu.xmm32, d = i.reg << 2;
  x[d] = lo;
  x[d + 1] = cpu.hi;
  x[d + 2] = x[d + 3] = 0;
  mmxDone(cpu);
}
/** F2 0F D6: MOVDQ2Q mm, xmm (low qword). */
function movdq2q(cpu: Cpu, i: Insn) {
  mmxCheck(cpu);
  const x = cpu.xmm32, s = i.rm << 2;
  writeMm64(cpu, i.reg & 7, x[s], x[s + 1]);
  mmxDone(cpu);
}

export const MMX_MOVE_FORMS: FormSpec[] = [
  { op: "NP 0F 6E /r", mnem: "movd", args: "Pd,Ey", fn: movdToMm },
  { op: "NP 0F 7E /r", mnem: "movd", args: "Ey,Pd", fn: movdFromMm },
  { op: "NP 0F 6F /r", mnem: "movq", args: "Pq,Qq", fn: movqToMm },
  { op: "NP 0F 7F /r", mnem: "movq", args: "Qq,Pq", fn: movqFromMm },
  { op: "NP 0F E7 /r", mnem: "movntq", args: "Mq,Pq", fn: movqFromMm, attrs: "mem" },
  { op: "NP 0F 70 /r", mnem: "pshufw", args: "Pq,Qq,Ib", fn: pshufw },
  { op: "NP 0F C4 /r", mnem: "pinsrw", args: "Pq,Ry/Mw,Ib", fn: pinsrwMm },
  { op: "NP 0F C5 /r", mnem: "pextrw", args: "Gd,Nq,Ib", fn: pextrwMm, attrs: "reg" },
  { op: "NP 0F D7 /r", mnem: "pmovmskb", args: "Gd,Nq", fn: pmovmskbMm, attrs: "reg" },
  { op: "NP 0F F7 /r", mnem: "maskmovq", args: "Pq,Nq", fn: maskmovq, attrs: "reg" },
  { op: "F3 0F D6 /r", mnem: "movq2dq", args: "Vdq,Nq", fn: movq2dq, attrs: "reg" },
  { op: "F2 0F D6 /r", mnem: "movdq2q", args: "Pq,Uq", fn: movdq2q, attrs: "reg" },
];
