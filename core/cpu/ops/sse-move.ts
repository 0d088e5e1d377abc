// SSE data movement on XMM registers: full-register moves (aligned, unaligned, non-temporal),
// scalar and half-register moves, MOVD/MOVQ to and from general registers, sign masks
// (MOVMSKPS/PD, PMOVMSKB), MOVNTI and MASKMOVDQU. The shuffles, inserts, extracts and
// PMOVSX/ZX rows are in sse-move-shuffle.ts and the MMX moves in mmx-move.ts; all of them are
// exported from here.

import type { Cpu } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { readE, writeE } from "../operands.ts";
import {
  ALIGNED16,
  copy128,
  ea16,
  maskedStore,
  maskStoreAddress,
  write128,
} from "./sse-int-lanes.ts";
import { pmovmskbXmm } from "./sse-int-fast.ts";
import { SSE_SHUFFLE_FORMS } from "./sse-move-shuffle.ts";
import { MMX_MOVE_FORMS } from "./mmx-move.ts";

// ---- full 128-bit moves ------------------------------------------------------------------

function load128(cpu: Cpu, i: Insn, aligned: boolean) {
  const x = cpu.xmm32, d = i.reg << 2;
  if (i.isMem) {
    cpu.read128(ea16(cpu, i, aligned), x, d);
    return;
  }
  copy128(x, d, x, i.rm << 2);
}
function store128(cpu: Cpu, i: Insn, aligned: boolean) {
  const x = cpu.xmm32, s = i.reg << 2;
  if (i.isMem) {
    write128(cpu, ea16(cpu, i, aligned), x, s);
    return;
  }
  copy128(x, i.rm << 2, x, s);
}
const loadAligned = (cpu: Cpu, i: Insn) => load128(cpu, i, true);
const loadUnaligned = (cpu: Cpu, i: Insn) => load128(cpu, i, false);
const storeAligned = (cpu: Cpu, i: Insn) => store128(cpu, i, true);
const storeUnaligned = (cpu: Cpu, i: Insn) => store128(cpu, i, false);

// ---- scalar and half moves ---------------------------------------------------------------

/** MOVSS load: from memory the upper lanes are zeroed, from a register they are kept. */
function movssLoad(cpu: Cpu, i: Insn) {
  const x = cpu.xmm32, d = i.reg << 2;
  if (i.isMem) {
    x[d] = cpu.read32(cpu.ea(i));
    x[d + 1] = x[d + 2] = x[d + 3] = 0;
  } else x[d] = x[i.rm << 2];
}
function movssStore(cpu: Cpu, i: Insn) {
  const x = cpu.xmm32, s = i.reg << 2;
  if (i.isMem) cpu.write32(cpu.ea(i), x[s]);
  else x[i.rm << 2] = x[s];
}
function movsdLoad(cpu: Cpu, i: Insn) {
  const x = cpu.xmm32, d = i.reg << 2;
  if (i.isMem) {
    x[d] = cpu.read64(cpu.ea(i));
    x[d + 1] = cpu.hi;
    x[d + 2] = x[d + 3] = 0;
  } else {
    const s = i.rm << 2;
    x[d] = x[s];
    x[d + 1] = x[s + 1];
  }
}
function movsdStore(cpu: Cpu, i: Insn) {
  const x = cpu.xmm32, s = i.reg << 2;
  if (i.isMem) cpu.write64(cpu.ea(i), x[s], x[s + 1]);
  else {
    const d = i.rm << 2;
    x[d] = x[s];
    x[d + 1] = x[s + 1];
  }
}
/** MOVLPS/MOVLPD load (m64 into the low qword) and MOVHPS/MOVHPD load (into the high one). */
function movLowLoad(cpu: Cpu, i: Insn) {
  const x = cpu.xmm32, d = i.reg << 2;
  x[d] = cpu.read64(cpu.ea(i));
  x[d + 1] = cpu.hi;
}
function movHighLoad(cpu: Cpu, i: Insn) {
  const x = cpu.xmm32, d = i.reg << 2;
  x[d + 2] = cpu.read64(cpu.ea(i));
  x[d + 3] = cpu.hi;
}
function movLowStore(cpu: Cpu, i: Insn) {
  const x = cpu.xmm32, s = i.reg << 2;
  cpu.write64(cpu.ea(i), x[s], x[s + 1]);
}
function movHighStore(cpu: Cpu, i: Insn) {
  const x = cpu.xmm32, s = i.reg << 2;
  cpu.write64(cpu.ea(i), x[s + 2], x[s + 3]);
}
function movhlps(cpu: Cpu, i: Insn) {
  const x = cpu.xmm32, d = i.reg << 2, s = i.rm << 2;
  x[d] = x[s + 2];
  x[d + 1] = x[s + 3];
}
function movlhps(cpu: Cpu, i: Insn) {
  const x = cpu.xmm32, d = i.reg << 2, s = i.rm << 2;
  x[d + 2] = x[s];
  x[d + 3] = x[s + 1];
}

// ---- MOVD / MOVQ -------------------------------------------------------------------------

/** 66 0F 6E: MOVD/MOVQ xmm, r/m32/64 (upper lanes zeroed). */
function movdToXmm(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const lo = readE(cpu, i, s);
  const x = cpu.xmm32, d = i.reg << 2;
  x[d] = lo;
  x[d + 1] = s === 8 ? cpu.hi : 0;
  x[d + 2] = x[d + 3] = 0;
}
/** 66 0F 7E: MOVD/MOVQ r/m32/64, xmm. */
function movdFromXmm(cpu: Cpu, i: Insn) {
  const x = cpu.xmm32, s = i.reg << 2;
  writeE(cpu, i, i.opsize, x[s], x[s + 1]);
}
/** F3 0F 7E: MOVQ xmm, xmm/m64 (upper qword zeroed). */
function movqLoad(cpu: Cpu, i: Insn) {
  const x = cpu.xmm32, d = i.reg << 2;
  let lo: number, hi: number;
  if (i.isMem) {
    lo = cpu.read64(cpu.ea(i));
    hi = cpu.hi;
  } else {
    lo = x[i.rm << 2];
    hi = x[(i.rm << 2) + 1];
  }
  x[d] = lo;
  x[d + 1] = hi;
  x[d + 2] = x[d + 3] = 0;
}
/** 66 0F D6: MOVQ xmm/m64, xmm (a register destination gets its upper qword zeroed). */
function movqStore(cpu: Cpu, i: Insn) {
  const x = cpu.xmm32, s = i.reg << 2;
  if (i.isMem) {
    cpu.write64(cpu.ea(i), x[s], x[s + 1]);
    return;
  }
  const d = i.rm << 2;
  x[d] = x[s];
  x[d + 1] = x[s + 1];
  x[d + 2] = x[d + 3] = 0;
}

// ---- sign masks --------------------------------------------------------------------------

function movmskps(cpu: Cpu, i: Insn) {
  const x = cpu.xmm32, s = i.rm << 2;
  cpu.setReg32(
    i.reg,
    (x[s] >>> 31) | ((x[s + 1] >>> 31) << 1) | ((x[s + 2] >>> 31) << 2) | ((x[s + 3] >>> 31) << 3),
  );
}
function movmskpd(cpu: Cpu, i: Insn) {
  const x = cpu.xmm32, s = i.rm << 2;
  cpu.setReg32(i.reg, (x[s + 1] >>> 31) | ((x[s + 3] >>> 31) << 1));
}

// ---- non-temporal and masked stores ------------------------------------------------------

function movnti(cpu: Cpu, i: Insn) {
  const v = cpu.getReg(i.reg, i.opsize, i);
  cpu.writeMem(cpu.ea(i), i.opsize, v, cpu.hi);
}

function maskmovdqu(cpu: Cpu, i: Insn) {
  const a = maskStoreAddress(cpu, i);
  maskedStore(cpu, a, cpu.xmm8, i.reg << 4, cpu.xmm8, i.rm << 4, 16);
}

export const SSE_MOVE_FORMS: FormSpec[] = [
  { op: "NP 0F 10 /r", mnem: "movups", args: "Vps,Wps", fn: loadUnaligned },
  { op: "66 0F 10 /r", mnem: "movupd", args: "Vpd,Wpd", fn: loadUnaligned },
  { op: "NP 0F 11 /r", mnem: "movups", args: "Wps,Vps", fn: storeUnaligned },
  { op: "66 0F 11 /r", mnem: "movupd", args: "Wpd,Vpd", fn: storeUnaligned },
  { op: "F3 0F 6F /r", mnem: "movdqu", args: "Vx,Wx", fn: loadUnaligned },
  { op: "F3 0F 7F /r", mnem: "movdqu", args: "Wx,Vx", fn: storeUnaligned },
  { op: "F2 0F F0 /r", mnem: "lddqu", args: "Vx,Mx", fn: loadUnaligned, attrs: "mem" },
  { op: "NP 0F 28 /r", mnem: "movaps", args: "Vps,Wps", fn: loadAligned, test: ALIGNED16 },
  { op: "66 0F 28 /r", mnem: "movapd", args: "Vpd,Wpd", fn: loadAligned, test: ALIGNED16 },
  { op: "NP 0F 29 /r", mnem: "movaps", args: "Wps,Vps", fn: storeAligned, test: ALIGNED16 },
  { op: "66 0F 29 /r", mnem: "movapd", args: "Wpd,Vpd", fn: storeAligned, test: ALIGNED16 },
  { op: "66 0F 6F /r", mnem: "movdqa", args: "Vx,Wx", fn: loadAligned, test: ALIGNED16 },
  { op: "66 0F 7F /r", mnem: "movdqa", args: "Wx,Vx", fn: storeAligned, test: ALIGNED16 },
  {
    op: "66 0F 38 2A /r",
    mnem: "movntdqa",
    args: "Vx,Mx",
    fn: loadAligned,
    attrs: "mem",
    test: ALIGNED16,
  },
  {
    op: "NP 0F 2B /r",
    mnem: "movntps",
    args: "Mps,Vps",
    fn: storeAligned,
    attrs: "mem",
    test: ALIGNED16,
  },
  {
    op: "66 0F 2B /r",
    mnem: "movntpd",
    args: "Mpd,Vpd",
    fn: storeAligned,
    attrs: "mem",
    test: ALIGNED16,
  },
  {
    op: "66 0F E7 /r",
    mnem: "movntdq",
    args: "Mx,Vx",
    fn: storeAligned,
    attrs: "mem",
    test: ALIGNED16,
  },
  { op: "NP 0F C3 /r", mnem: "movnti", args: "My,Gy", fn: movnti, attrs: "mem" },

  { op: "F3 0F 10 /r", mnem: "movss", args: "Vss,Wss", fn: movssLoad },
  { op: "F3 0F 11 /r", mnem: "movss", args: "Wss,Vss", fn: movssStore },
  { op: "F2 0F 10 /r", mnem: "movsd", args: "Vsd,Wsd", fn: movsdLoad },
  { op: "F2 0F 11 /r", mnem: "movsd", args: "Wsd,Vsd", fn: movsdStore },
  { op: "NP 0F 12 /r", mnem: "movlps", args: "Vq,Mq", fn: movLowLoad, attrs: "mem" },
  { op: "NP 0F 12 /r", mnem: "movhlps", args: "Vq,Uq", fn: movhlps, attrs: "reg" },
  { op: "66 0F 12 /r", mnem: "movlpd", args: "Vq,Mq", fn: movLowLoad, attrs: "mem" },
  { op: "NP 0F 13 /r", mnem: "movlps", args: "Mq,Vq", fn: movLowStore, attrs: "mem" },
  { op: "66 0F 13 /r", mnem: "movlpd", args: "Mq,Vq", fn: movLowStore, attrs: "mem" },
  { op: "NP 0F 16 /r", mnem: "movhps", args: "Vq,Mq", fn: movHighLoad, attrs: "mem" },
  { op: "NP 0F 16 /r", mnem: "movlhps", args: "Vq,Uq", fn: movlhps, attrs: "reg" },
  { op: "66 0F 16 /r", mnem: "movhpd", args: "Vq,Mq", fn: movHighLoad, attrs: "mem" },
  { op: "NP 0F 17 /r", mnem: "movhps", args: "Mq,Vq", fn: movHighStore, attrs: "mem" },
  { op: "66 0F 17 /r", mnem: "movhpd", args: "Mq,Vq", fn: movHighStore, attrs: "mem" },

  { op: "66 0F 6E /r", mnem: "movd", args: "Vy,Ey", fn: movdToXmm },
  { op: "66 0F 7E /r", mnem: "movd", args: "Ey,Vy", fn: movdFromXmm },
  { op: "F3 0F 7E /r", mnem: "movq", args: "Vx,Wq", fn: movqLoad },
  { op: "66 0F D6 /r", mnem: "movq", args: "Wq,Vq", fn: movqStore },

  { op: "NP 0F 50 /r", mnem: "movmskps", args: "Gy,Ups", fn: movmskps, attrs: "reg" },
  { op: "66 0F 50 /r", mnem: "movmskpd", args: "Gy,Upd", fn: movmskpd, attrs: "reg" },
  { op: "66 0F D7 /r", mnem: "pmovmskb", args: "Gy,Ux", fn: pmovmskbXmm, attrs: "reg" },
  {
    op: "66 0F F7 /r",
    mnem: "maskmovdqu",
    args: "Vdq,Udq",
    fn: maskmovdqu,
    attrs: "reg",
  },

  ...SSE_SHUFFLE_FORMS,
  ...MMX_MOVE_FORMS,
];
