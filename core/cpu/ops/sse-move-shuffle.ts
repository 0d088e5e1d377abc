// SSE lane-moving data movement: SHUFPS/SHUFPD, UNPCK*PS/PD, PSHUFD/PSHUFHW/PSHUFLW,
// MOVDDUP/MOVSLDUP/MOVSHDUP, PINSR*/PEXTR*, PMOVSX*/PMOVZX* and PALIGNR (XMM and MMX).
// Re-exported from sse-move.ts.

import type { Cpu } from "../cpu.ts";
import type { FormSpec, Handler, Insn } from "../insn.ts";
import { readE, writeE } from "../operands.ts";
import {
  ALIGNED16,
  loadQ,
  loadW,
  loadWLow,
  MM,
  mmxCheck,
  mmxDone,
  readMm,
  SRC,
  writeMm,
  xmmLanes,
  xmmOp,
} from "./sse-int-lanes.ts";
import { palignr, punpckhdq, punpckhqdq, punpckldq, punpcklqdq } from "./sse-int-shuffle.ts";

// ---- shuffles ----------------------------------------------------------------------------

function shufps(cpu: Cpu, i: Insn) {
  loadW(cpu, i, true);
  const x = cpu.xmm32, d = i.reg << 2, s = SRC.d, imm = i.imm;
  const a0 = x[d + (imm & 3)], a1 = x[d + ((imm >> 2) & 3)];
  x[d + 2] = s[(imm >> 4) & 3];
  x[d + 3] = s[(imm >> 6) & 3];
  x[d] = a0;
  x[d + 1] = a1;
}
function shufpd(cpu: Cpu, i: Insn) {
  loadW(cpu, i, true);
  const x = cpu.xmm32, d = i.reg << 2, s = SRC.d, imm = i.imm;
  const lo = d + (imm & 1) * 2;
  const aLo = x[lo], aHi = x[lo + 1];
  const hi = (imm & 2) ? 2 : 0;
  x[d + 2] = s[hi];
  x[d + 3] = s[hi + 1];
  x[d] = aLo;
  x[d + 1] = aHi;
}
function pshufd(cpu: Cpu, i: Insn) {
  loadW(cpu, i, true);
  const x = cpu.xmm32, d = i.reg << 2, s = SRC.d, imm = i.imm;
  for (let k = 0; k < 4; k++) x[d + k] = s[(imm >> (2 * k)) & 3];
}
/** PSHUFHW (high = true) / PSHUFLW: shuffle the words of one half, copy the other half. */
function pshufHalf(high: boolean): Handler {
  return (cpu, i) => {
    loadW(cpu, i, true);
    const w = cpu.xmm16, d = i.reg << 3, s = SRC.w, imm = i.imm;
    const shuffled = high ? 4 : 0, copied = high ? 0 : 4;
    for (let k = 0; k < 4; k++) {
      w[d + shuffled + k] = s[shuffled + ((imm >> (2 * k)) & 3)];
      w[d + copied + k] = s[copied + k];
    }
  };
}
function movddup(cpu: Cpu, i: Insn) {
  loadWLow(cpu, i, 8);
  const x = cpu.xmm32, d = i.reg << 2, s = SRC.d;
  x[d] = x[d + 2] = s[0];
  x[d + 1] = x[d + 3] = s[1];
}
function movsldup(cpu: Cpu, i: Insn) {
  loadW(cpu, i, true);
  const x = cpu.xmm32, d = i.reg << 2, s = SRC.d;
  x[d] = x[d + 1] = s[0];
  x[d + 2] = x[d + 3] = s[2];
}
function movshdup(cpu: Cpu, i: Insn) {
  loadW(cpu, i, true);
  const x = cpu.xmm32, d = i.reg << 2, s = SRC.d;
  x[d] = x[d + 1] = s[1];
  x[d + 2] = x[d + 3] = s[3];
}

// ---- insert / extract --------------------------------------------------------------------

/** The low byte/word of general register rm, or memory, for PINSRB/PINSRW. */
function insertSource(cpu: Cpu, i: Insn, bytes: number): number {
  if (i.isMem) return cpu.readMem(cpu.ea(i), bytes);
  return bytes === 1 ? cpu.r8[i.rm * 8] : cpu.r16[i.rm * 4];
}
function pinsrb(cpu: Cpu, i: Insn) {
  const v = insertSource(cpu, i, 1);
  cpu.xmm8[(i.reg << 4) + (i.imm & 15)] = v;
}
function pinsrw(cpu: Cpu, i: Insn) {
  const v = insertSource(cpu, i, 2);
  cpu.xmm16[(i.reg << 3) + (i.imm & 7)] = v;
}
/** PINSRD / PINSRQ (REX.W). */
function pinsrdq(cpu: Cpu, i: Insn) {
  if (i.opsize === 8) {
    const lo = readE(cpu, i, 8);
    const q = (i.reg << 2) + (i.imm & 1) * 2;
    cpu.xmm32[q] = lo;
    cpu.xmm32[q + 1] = cpu.hi;
  } else cpu.xmm32[(i.reg << 2) + (i.imm & 3)] = readE(cpu, i, 4);
}
/** PEXTRB / PEXTRW to r32/r64 (zero-extended) or memory of the element's size. */
function extractTo(cpu: Cpu, i: Insn, v: number, bytes: number) {
  if (i.isMem) cpu.writeMem(cpu.ea(i), bytes, v);
  else cpu.setReg32(i.rm, v);
}
function pextrb(cpu: Cpu, i: Insn) {
  extractTo(cpu, i, cpu.xmm8[(i.reg << 4) + (i.imm & 15)], 1);
}
function pextrw(cpu: Cpu, i: Insn) {
  extractTo(cpu, i, cpu.xmm16[(i.reg << 3) + (i.imm & 7)], 2);
}
/** 66 0F C5: PEXTRW r32, xmm, imm8 (register in ModRM.rm, destination in ModRM.reg). */
function pextrwLegacy(cpu: Cpu, i: Insn) {
  cpu.setReg32(i.reg, cpu.xmm16[(i.rm << 3) + (i.imm & 7)]);
}
function pextrdq(cpu: Cpu, i: Insn) {
  const x = cpu.xmm32;
  if (i.opsize === 8) {
    const q = (i.reg << 2) + (i.imm & 1) * 2;
    writeE(cpu, i, 8, x[q], x[q + 1]);
  } else writeE(cpu, i, 4, x[(i.reg << 2) + (i.imm & 3)]);
}

// ---- PMOVSX / PMOVZX ---------------------------------------------------------------------

/** Widen the low elements of the source: `from`/`to` element sizes in bytes. */
function pmovx(from: number, to: number, signed: boolean): Handler {
  const count = 16 / to;
  const shift = 32 - 8 * from;
  return (cpu, i) => {
    loadWLow(cpu, i, count * from);
    const b = cpu.xmm8, d = i.reg << 4, s = SRC.b;
    for (let e = 0; e < count; e++) {
      let v = 0;
      for (let k = from - 1; k >= 0; k--) v = (v << 8) | s[e * from + k];
      const ext = signed ? (v << shift) >> shift : v >>> 0;
      for (let k = 0; k < to; k++) {
        b[d + e * to + k] = k < 4 ? ext >>> (8 * k) : ext < 0 ? 0xff : 0;
      }
    }
  };
}

// ---- PALIGNR -----------------------------------------------------------------------------

function palignrXmm(cpu: Cpu, i: Insn) {
  loadW(cpu, i, true);
  palignr(xmmLanes(cpu), i.reg << 4, SRC, 16, i.imm & 0xff);
}
function palignrMmx(cpu: Cpu, i: Insn) {
  mmxCheck(cpu);
  loadQ(cpu, i);
  const n = i.reg & 7;
  readMm(cpu, n, MM);
  palignr(MM, 0, SRC, 8, i.imm & 0xff);
  writeMm(cpu, n, MM);
  mmxDone(cpu);
}

/** [opcode of the sign-extending form, name suffix, source size letter, from, to]. */
const PMOV_SHAPES: [number, string, string, number, number][] = [
  [0x20, "bw", "q", 1, 2],
  [0x21, "bd", "d", 1, 4],
  [0x22, "bq", "w", 1, 8],
  [0x23, "wd", "q", 2, 4],
  [0x24, "wq", "d", 2, 8],
  [0x25, "dq", "q", 4, 8],
];
const hex = (n: number) => n.toString(16).toUpperCase();
const pmovRows: FormSpec[] = PMOV_SHAPES.flatMap(([op, name, src, from, to]) => [
  {
    op: `66 0F 38 ${hex(op)} /r`,
    mnem: `pmovsx${name}`,
    args: `Vx,W${src}`,
    fn: pmovx(from, to, true),
  },
  {
    op: `66 0F 38 ${hex(op + 0x10)} /r`,
    mnem: `pmovzx${name}`,
    args: `Vx,W${src}`,
    fn: pmovx(from, to, false),
  },
]);

export const SSE_SHUFFLE_FORMS: FormSpec[] = [
  { op: "NP 0F C6 /r", mnem: "shufps", args: "Vps,Wps,Ib", fn: shufps, test: ALIGNED16 },
  { op: "66 0F C6 /r", mnem: "shufpd", args: "Vpd,Wpd,Ib", fn: shufpd, test: ALIGNED16 },
  { op: "NP 0F 14 /r", mnem: "unpcklps", args: "Vps,Wps", fn: xmmOp(punpckldq), test: ALIGNED16 },
  {
    op: "66 0F 14 /r",
    mnem: "unpcklpd",
    args: "Vpd,Wpd",
    fn: xmmOp(punpcklqdq),
    test: ALIGNED16,
  },
  { op: "NP 0F 15 /r", mnem: "unpckhps", args: "Vps,Wps", fn: xmmOp(punpckhdq), test: ALIGNED16 },
  {
    op: "66 0F 15 /r",
    mnem: "unpckhpd",
    args: "Vpd,Wpd",
    fn: xmmOp(punpckhqdq),
    test: ALIGNED16,
  },
  { op: "66 0F 70 /r", mnem: "pshufd", args: "Vx,Wx,Ib", fn: pshufd, test: ALIGNED16 },
  { op: "F3 0F 70 /r", mnem: "pshufhw", args: "Vx,Wx,Ib", fn: pshufHalf(true), test: ALIGNED16 },
  { op: "F2 0F 70 /r", mnem: "pshuflw", args: "Vx,Wx,Ib", fn: pshufHalf(false), test: ALIGNED16 },
  { op: "F2 0F 12 /r", mnem: "movddup", args: "Vx,Wq", fn: movddup },
  { op: "F3 0F 12 /r", mnem: "movsldup", args: "Vx,Wx", fn: movsldup, test: ALIGNED16 },
  { op: "F3 0F 16 /r", mnem: "movshdup", args: "Vx,Wx", fn: movshdup, test: ALIGNED16 },

  { op: "66 0F C4 /r", mnem: "pinsrw", args: "Vdq,Ry/Mw,Ib", fn: pinsrw },
  { op: "66 0F C5 /r", mnem: "pextrw", args: "Gd,Udq,Ib", fn: pextrwLegacy, attrs: "reg" },
  { op: "66 0F 3A 20 /r", mnem: "pinsrb", args: "Vdq,Ry/Mb,Ib", fn: pinsrb },
  { op: "66 0F 3A 22 /r", mnem: "pinsrd", args: "Vdq,Ey,Ib", fn: pinsrdq },
  { op: "66 0F 3A 14 /r", mnem: "pextrb", args: "Rd/Mb,Vdq,Ib", fn: pextrb },
  { op: "66 0F 3A 15 /r", mnem: "pextrw", args: "Rd/Mw,Vdq,Ib", fn: pextrw },
  { op: "66 0F 3A 16 /r", mnem: "pextrd", args: "Ey,Vdq,Ib", fn: pextrdq },

  ...pmovRows,

  { op: "NP 0F 3A 0F /r", mnem: "palignr", args: "Pq,Qq,Ib", fn: palignrMmx },
  { op: "66 0F 3A 0F /r", mnem: "palignr", args: "Vx,Wx,Ib", fn: palignrXmm, test: ALIGNED16 },
];
