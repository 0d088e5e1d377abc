// Packed-integer instructions on XMM (SSE2, SSSE3, SSE4.1, SSE4.2 PCMPGTQ) and MMX registers:
// the decoding rows. Lane kernels live in sse-int-arith.ts and sse-int-shuffle.ts, operand
// plumbing in sse-int-lanes.ts. MMX data movement (MOVD/MOVQ/PSHUFW...) is in mmx-move.ts.

import type { Cpu } from "../cpu.ts";
import type { FormSpec, Handler, Insn } from "../insn.ts";
import { CF, setStatus, STATUS_FLAGS, ZF } from "../flags.ts";
import {
  ALIGNED16,
  loadQ,
  loadW,
  MM,
  mmxAndXmm,
  mmxCheck,
  mmxDone,
  mmxOp,
  readMm,
  SRC,
  writeMm,
  xmmLanes,
  xmmOnly,
} from "./sse-int-lanes.ts";
import * as A from "./sse-int-arith.ts";
import * as S from "./sse-int-shuffle.ts";
import type { ShiftKernel } from "./sse-int-shuffle.ts";
import { FAST_XMM, FAST_XMM_SHIFT_IMM } from "./sse-int-fast.ts";

// ---- shifts ------------------------------------------------------------------------------

/** Shift by the low 64 bits of an XMM register or m128. */
function xmmShift(k: ShiftKernel): Handler {
  return (cpu, i) => {
    loadW(cpu, i, true);
    k(xmmLanes(cpu), i.reg << 4, 16, SRC.d[0], SRC.d[1]);
  };
}
function mmxShift(k: ShiftKernel): Handler {
  return (cpu, i) => {
    mmxCheck(cpu);
    loadQ(cpu, i);
    const n = i.reg & 7;
    readMm(cpu, n, MM);
    k(MM, 0, 8, SRC.d[0], SRC.d[1]);
    writeMm(cpu, n, MM);
    mmxDone(cpu);
  };
}
/** 0F 71/72/73 groups: the register in ModRM.rm shifted by imm8. */
function xmmShiftImm(k: ShiftKernel): Handler {
  return (cpu, i) => k(xmmLanes(cpu), i.rm << 4, 16, i.imm & 0xff, 0);
}
function mmxShiftImm(k: ShiftKernel): Handler {
  return (cpu, i) => {
    mmxCheck(cpu);
    const n = i.rm & 7;
    readMm(cpu, n, MM);
    k(MM, 0, 8, i.imm & 0xff, 0);
    writeMm(cpu, n, MM);
    mmxDone(cpu);
  };
}
function pslldq(cpu: Cpu, i: Insn) {
  S.pslldq(xmmLanes(cpu), i.rm << 4, Math.min(i.imm & 0xff, 16));
}
function psrldq(cpu: Cpu, i: Insn) {
  S.psrldq(xmmLanes(cpu), i.rm << 4, Math.min(i.imm & 0xff, 16));
}

function shiftRows(opcode: string, mnem: string, k: ShiftKernel): FormSpec[] {
  return [
    { op: `NP 0F ${opcode} /r`, mnem, args: "Pq,Qq", fn: mmxShift(k) },
    { op: `66 0F ${opcode} /r`, mnem, args: "Vx,Wx", fn: xmmShift(k), test: ALIGNED16 },
  ];
}
function shiftImmRows(opcode: string, ext: number, mnem: string, k: ShiftKernel): FormSpec[] {
  return [
    { op: `NP 0F ${opcode} /${ext}`, mnem, args: "Nq,Ib", fn: mmxShiftImm(k), attrs: "reg" },
    { op: `66 0F ${opcode} /${ext}`, mnem, args: "Ux,Ib", fn: xmmShiftImm(k), attrs: "reg" },
  ];
}

// ---- SSE4.1 special cases ----------------------------------------------------------------

function ptest(cpu: Cpu, i: Insn) {
  loadW(cpu, i, true);
  const x = cpu.xmm32, q = i.reg << 2, s = SRC.d;
  let and = 0, andNot = 0;
  for (let k = 0; k < 4; k++) {
    and |= x[q + k] & s[k];
    andNot |= ~x[q + k] & s[k];
  }
  setStatus(cpu, STATUS_FLAGS, (and === 0 ? ZF : 0) | (andNot === 0 ? CF : 0));
}
function pblendvb(cpu: Cpu, i: Insn) {
  loadW(cpu, i, true);
  S.pblendvb(xmmLanes(cpu), i.reg << 4, SRC, cpu.xmm8.subarray(0, 16));
}
function pblendw(cpu: Cpu, i: Insn) {
  loadW(cpu, i, true);
  S.pblendw(xmmLanes(cpu), i.reg << 4, SRC, i.imm & 0xff);
}
function mpsadbw(cpu: Cpu, i: Insn) {
  loadW(cpu, i, true);
  A.mpsadbw(xmmLanes(cpu), i.reg << 4, SRC, i.imm & 0xff);
}

/** Swap in the dedicated handlers of sse-int-fast.ts for the XMM rows that have one. */
function withFastXmm(rows: FormSpec[]): FormSpec[] {
  return rows.map((row) => {
    const fast = row.args === "Vx,Wx"
      ? FAST_XMM.get(row.mnem)
      : row.args === "Ux,Ib"
      ? FAST_XMM_SHIFT_IMM.get(row.mnem)
      : undefined;
    return fast ? { ...row, fn: fast } : row;
  });
}

export const SSE_INT_FORMS: FormSpec[] = withFastXmm([
  // SSE2 / MMX arithmetic.
  ...mmxAndXmm("0F FC", "paddb", A.paddb),
  ...mmxAndXmm("0F FD", "paddw", A.paddw),
  ...mmxAndXmm("0F FE", "paddd", A.paddd),
  ...mmxAndXmm("0F D4", "paddq", A.paddq),
  ...mmxAndXmm("0F F8", "psubb", A.psubb),
  ...mmxAndXmm("0F F9", "psubw", A.psubw),
  ...mmxAndXmm("0F FA", "psubd", A.psubd),
  ...mmxAndXmm("0F FB", "psubq", A.psubq),
  ...mmxAndXmm("0F EC", "paddsb", A.paddsb),
  ...mmxAndXmm("0F ED", "paddsw", A.paddsw),
  ...mmxAndXmm("0F DC", "paddusb", A.paddusb),
  ...mmxAndXmm("0F DD", "paddusw", A.paddusw),
  ...mmxAndXmm("0F E8", "psubsb", A.psubsb),
  ...mmxAndXmm("0F E9", "psubsw", A.psubsw),
  ...mmxAndXmm("0F D8", "psubusb", A.psubusb),
  ...mmxAndXmm("0F D9", "psubusw", A.psubusw),
  ...mmxAndXmm("0F D5", "pmullw", A.pmullw),
  ...mmxAndXmm("0F E5", "pmulhw", A.pmulhw),
  ...mmxAndXmm("0F E4", "pmulhuw", A.pmulhuw),
  ...mmxAndXmm("0F F4", "pmuludq", A.pmuludq),
  ...mmxAndXmm("0F F5", "pmaddwd", A.pmaddwd),
  ...mmxAndXmm("0F F6", "psadbw", A.psadbw),
  ...mmxAndXmm("0F E0", "pavgb", A.pavgb),
  ...mmxAndXmm("0F E3", "pavgw", A.pavgw),
  ...mmxAndXmm("0F DA", "pminub", A.pminub),
  ...mmxAndXmm("0F DE", "pmaxub", A.pmaxub),
  ...mmxAndXmm("0F EA", "pminsw", A.pminsw),
  ...mmxAndXmm("0F EE", "pmaxsw", A.pmaxsw),
  ...mmxAndXmm("0F 74", "pcmpeqb", A.pcmpeqb),
  ...mmxAndXmm("0F 75", "pcmpeqw", A.pcmpeqw),
  ...mmxAndXmm("0F 76", "pcmpeqd", A.pcmpeqd),
  ...mmxAndXmm("0F 64", "pcmpgtb", A.pcmpgtb),
  ...mmxAndXmm("0F 65", "pcmpgtw", A.pcmpgtw),
  ...mmxAndXmm("0F 66", "pcmpgtd", A.pcmpgtd),
  ...mmxAndXmm("0F DB", "pand", A.pand),
  ...mmxAndXmm("0F DF", "pandn", A.pandn),
  ...mmxAndXmm("0F EB", "por", A.por),
  ...mmxAndXmm("0F EF", "pxor", A.pxor),

  // Shifts.
  ...shiftRows("F1", "psllw", S.psllw),
  ...shiftRows("F2", "pslld", S.pslld),
  ...shiftRows("F3", "psllq", S.psllq),
  ...shiftRows("D1", "psrlw", S.psrlw),
  ...shiftRows("D2", "psrld", S.psrld),
  ...shiftRows("D3", "psrlq", S.psrlq),
  ...shiftRows("E1", "psraw", S.psraw),
  ...shiftRows("E2", "psrad", S.psrad),
  ...shiftImmRows("71", 2, "psrlw", S.psrlw),
  ...shiftImmRows("71", 4, "psraw", S.psraw),
  ...shiftImmRows("71", 6, "psllw", S.psllw),
  ...shiftImmRows("72", 2, "psrld", S.psrld),
  ...shiftImmRows("72", 4, "psrad", S.psrad),
  ...shiftImmRows("72", 6, "pslld", S.pslld),
  ...shiftImmRows("73", 2, "psrlq", S.psrlq),
  ...shiftImmRows("73", 6, "psllq", S.psllq),
  { op: "66 0F 73 /3", mnem: "psrldq", args: "Ux,Ib", fn: psrldq, attrs: "reg" },
  { op: "66 0F 73 /7", mnem: "pslldq", args: "Ux,Ib", fn: pslldq, attrs: "reg" },

  // Pack and unpack. The MMX low unpacks read only 32 bits from memory.
  ...mmxAndXmm("0F 63", "packsswb", S.packsswb),
  ...mmxAndXmm("0F 6B", "packssdw", S.packssdw),
  ...mmxAndXmm("0F 67", "packuswb", S.packuswb),
  xmmOnly("0F 38 2B", "packusdw", S.packusdw),
  { op: "NP 0F 60 /r", mnem: "punpcklbw", args: "Pq,Qd", fn: mmxOp(S.punpcklbw, 4) },
  { op: "NP 0F 61 /r", mnem: "punpcklwd", args: "Pq,Qd", fn: mmxOp(S.punpcklwd, 4) },
  { op: "NP 0F 62 /r", mnem: "punpckldq", args: "Pq,Qd", fn: mmxOp(S.punpckldq, 4) },
  xmmOnly("0F 60", "punpcklbw", S.punpcklbw),
  xmmOnly("0F 61", "punpcklwd", S.punpcklwd),
  xmmOnly("0F 62", "punpckldq", S.punpckldq),
  xmmOnly("0F 6C", "punpcklqdq", S.punpcklqdq),
  ...mmxAndXmm("0F 68", "punpckhbw", S.punpckhbw),
  ...mmxAndXmm("0F 69", "punpckhwd", S.punpckhwd),
  ...mmxAndXmm("0F 6A", "punpckhdq", S.punpckhdq),
  xmmOnly("0F 6D", "punpckhqdq", S.punpckhqdq),

  // SSSE3.
  ...mmxAndXmm("0F 38 00", "pshufb", S.pshufb),
  ...mmxAndXmm("0F 38 01", "phaddw", S.phaddw),
  ...mmxAndXmm("0F 38 02", "phaddd", S.phaddd),
  ...mmxAndXmm("0F 38 03", "phaddsw", S.phaddsw),
  ...mmxAndXmm("0F 38 04", "pmaddubsw", A.pmaddubsw),
  ...mmxAndXmm("0F 38 05", "phsubw", S.phsubw),
  ...mmxAndXmm("0F 38 06", "phsubd", S.phsubd),
  ...mmxAndXmm("0F 38 07", "phsubsw", S.phsubsw),
  ...mmxAndXmm("0F 38 08", "psignb", S.psignb),
  ...mmxAndXmm("0F 38 09", "psignw", S.psignw),
  ...mmxAndXmm("0F 38 0A", "psignd", S.psignd),
  ...mmxAndXmm("0F 38 0B", "pmulhrsw", A.pmulhrsw),
  ...mmxAndXmm("0F 38 1C", "pabsb", S.pabsb),
  ...mmxAndXmm("0F 38 1D", "pabsw", S.pabsw),
  ...mmxAndXmm("0F 38 1E", "pabsd", S.pabsd),

  // SSE4.1 / SSE4.2.
  xmmOnly("0F 38 28", "pmuldq", A.pmuldq),
  xmmOnly("0F 38 29", "pcmpeqq", A.pcmpeqq),
  xmmOnly("0F 38 37", "pcmpgtq", A.pcmpgtq),
  xmmOnly("0F 38 38", "pminsb", A.pminsb),
  xmmOnly("0F 38 39", "pminsd", A.pminsd),
  xmmOnly("0F 38 3A", "pminuw", A.pminuw),
  xmmOnly("0F 38 3B", "pminud", A.pminud),
  xmmOnly("0F 38 3C", "pmaxsb", A.pmaxsb),
  xmmOnly("0F 38 3D", "pmaxsd", A.pmaxsd),
  xmmOnly("0F 38 3E", "pmaxuw", A.pmaxuw),
  xmmOnly("0F 38 3F", "pmaxud", A.pmaxud),
  xmmOnly("0F 38 40", "pmulld", A.pmulld),
  xmmOnly("0F 38 41", "phminposuw", S.phminposuw),
  { op: "66 0F 38 10 /r", mnem: "pblendvb", args: "Vx,Wx", fn: pblendvb, test: ALIGNED16 },
  { op: "66 0F 38 17 /r", mnem: "ptest", args: "Vx,Wx", fn: ptest, test: ALIGNED16 },
  { op: "66 0F 3A 0E /r", mnem: "pblendw", args: "Vx,Wx,Ib", fn: pblendw, test: ALIGNED16 },
  { op: "66 0F 3A 42 /r", mnem: "mpsadbw", args: "Vx,Wx,Ib", fn: mpsadbw, test: ALIGNED16 },
]);
