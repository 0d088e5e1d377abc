// Multiplication and division: MUL, IMUL (one-operand F6/F7 /5, two-operand 0F AF,
// three-operand 69/6B), DIV and IDIV at every operand size. Division raises #DE on a zero
// divisor and on a quotient that does not fit (including INT_MIN / -1).
//
// Flags: MUL/IMUL set CF = OF = "the result needed the high half"; Intel leaves SF ZF AF PF
// undefined and the reference host (AMD Zen) leaves them unchanged, as we do. After DIV/IDIV
// every status flag is undefined; the host clears SF ZF PF, sets AF and keeps CF OF, as we do.

import type { Cpu } from "../cpu.ts";
import { RAX, RDX } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { AF, CF, OF, PF, setStatus, SF, ZF } from "../flags.ts";
import { VEC_DE } from "../exceptions.ts";
import { readE } from "../operands.ts";
import { divU128by64, divU64by32, mulS32, mulS64, mulU32, mulU64, wide } from "./wide-arith.ts";

const MUL_UNDEF = SF | ZF | AF | PF;
const TWO32 = 4294967296;
const INV32 = 1 / TWO32;
const DIV_UNDEF = CF | PF | AF | ZF | SF | OF;

function setOverflow(cpu: Cpu, overflow: boolean) {
  setStatus(cpu, CF | OF, overflow ? CF | OF : 0);
}
function divFlags(cpu: Cpu) {
  setStatus(cpu, SF | ZF | AF | PF, AF);
}

// ---- one-operand MUL / IMUL: rDX:rAX = rAX * E -----------------------------------------------

function mul(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const b = readE(cpu, i, s);
  switch (s) {
    case 1: {
      const p = cpu.r8[0] * b;
      cpu.r16[0] = p;
      return setOverflow(cpu, p > 0xff);
    }
    case 2: {
      const p = cpu.r16[0] * b;
      cpu.r16[0] = p;
      cpu.r16[RDX * 4] = p >>> 16;
      return setOverflow(cpu, p > 0xffff);
    }
    case 4:
      mulU32(cpu.r[0], b);
      cpu.setReg32(RAX, wide[0]);
      cpu.setReg32(RDX, wide[1]);
      return setOverflow(cpu, wide[1] !== 0);
    default: {
      mulU64(cpu.r[0], cpu.r[1], b, cpu.hi);
      cpu.setReg64(RAX, wide[0], wide[1]);
      cpu.setReg64(RDX, wide[2], wide[3]);
      return setOverflow(cpu, (wide[2] | wide[3]) !== 0);
    }
  }
}

function imul1(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const b = readE(cpu, i, s);
  switch (s) {
    case 1: {
      const p = ((cpu.r8[0] << 24) >> 24) * ((b << 24) >> 24);
      cpu.r16[0] = p;
      return setOverflow(cpu, p !== (p << 24) >> 24);
    }
    case 2: {
      const p = ((cpu.r16[0] << 16) >> 16) * ((b << 16) >> 16);
      cpu.r16[0] = p;
      cpu.r16[RDX * 4] = p >>> 16;
      return setOverflow(cpu, p !== (p << 16) >> 16);
    }
    case 4:
      mulS32(cpu.r[0], b);
      cpu.setReg32(RAX, wide[0]);
      cpu.setReg32(RDX, wide[1]);
      return setOverflow(cpu, wide[1] !== ((wide[0] | 0) >> 31) >>> 0);
    default: {
      mulS64(cpu.r[0], cpu.r[1], b, cpu.hi);
      cpu.setReg64(RAX, wide[0], wide[1]);
      cpu.setReg64(RDX, wide[2], wide[3]);
      const fill = ((wide[1] | 0) >> 31) >>> 0;
      return setOverflow(cpu, wide[2] !== fill || wide[3] !== fill);
    }
  }
}

// ---- two- and three-operand IMUL: G = E * (G or immediate), truncated --------------------------

/** IMUL with the product truncated to the operand size; `b`/`bHi` the second factor's bits. */
function imulTruncated(cpu: Cpu, i: Insn, b: number, bHi: number) {
  const s = i.opsize;
  const a = readE(cpu, i, s);
  switch (s) {
    case 2: {
      const p = ((a << 16) >> 16) * ((b << 16) >> 16);
      cpu.r16[i.reg * 4] = p;
      return setOverflow(cpu, p !== (p << 16) >> 16);
    }
    case 4:
      cpu.setReg32(i.reg, Math.imul(a, b));
      return imulFlags32(cpu, a, b);
    default: {
      const aHi = cpu.hi;
      cpu.setReg64(i.reg, Math.imul(a, b), mulLow64High(a, aHi, b, bHi));
      return imulFlags64(cpu, a, aHi, b, bHi);
    }
  }
}

/** Bits 32-63 of the 64x64 product of (aHi:a) and (bHi:b) (the low 32 are Math.imul(a, b)). */
export function mulLow64High(a: number, aHi: number, b: number, bHi: number): number {
  const low = Math.imul(a, b) >>> 0;
  const carry = Math.round((a * b - low) * INV32); // as mulHigh32 in wide-arith.ts
  return (carry + Math.imul(a, bHi) + Math.imul(aHi, b)) >>> 0;
}

/** Truncating 32-bit IMUL flags: CF = OF = the signed product does not fit in 32 bits. */
export function imulFlags32(cpu: Cpu, a: number, b: number): void {
  // Exact below 2^53 in magnitude, and far from any int32 above it.
  setOverflow(cpu, (a | 0) * (b | 0) !== Math.imul(a, b));
}

/** |product| below this certainly fits in 64 signed bits, above FITS_NOT certainly not. */
const FITS = 2 ** 63 - 2 ** 23, FITS_NOT = 2 ** 63 + 2 ** 23;

/**
 * Truncating 64-bit IMUL flags: CF = OF = the signed product does not fit in 64 bits. The
 * double product of the signed operands is within a relative 2^-51 of the exact one, so only
 * products near 2^63 need the exact 128-bit product.
 */
export function imulFlags64(cpu: Cpu, a: number, aHi: number, b: number, bHi: number): void {
  const p = ((aHi | 0) * TWO32 + a) * ((bHi | 0) * TWO32 + b);
  const size = Math.abs(p);
  if (size < FITS) return setOverflow(cpu, false);
  if (size > FITS_NOT) return setOverflow(cpu, true);
  mulS64(a, aHi, b, bHi);
  const fill = ((wide[1] | 0) >> 31) >>> 0;
  setOverflow(cpu, wide[2] !== fill || wide[3] !== fill);
}
export function imulGE(cpu: Cpu, i: Insn) {
  const g = i.reg << 1;
  imulTruncated(cpu, i, cpu.r[g], cpu.r[g + 1]);
}
export function imulGEI(cpu: Cpu, i: Insn) {
  imulTruncated(cpu, i, i.imm >>> 0, i.immHi >>> 0);
}

// ---- DIV / IDIV: rAX = rDX:rAX / E, rDX = remainder --------------------------------------------

function divideError(cpu: Cpu): never {
  cpu.raise(VEC_DE);
}

function div(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const d = readE(cpu, i, s);
  switch (s) {
    case 1: {
      if (d === 0) divideError(cpu);
      const n = cpu.r16[0];
      const q = Math.floor(n / d);
      if (q > 0xff) divideError(cpu);
      cpu.r8[0] = q;
      cpu.r8[1] = n - q * d;
      break;
    }
    case 2: {
      if (d === 0) divideError(cpu);
      const n = cpu.r16[RDX * 4] * 65536 + cpu.r16[0];
      const q = Math.floor(n / d);
      if (q > 0xffff) divideError(cpu);
      cpu.r16[0] = q;
      cpu.r16[RDX * 4] = n - q * d;
      break;
    }
    case 4:
      if (d === 0 || !divU64by32(cpu.r[RDX * 2], cpu.r[0], d)) divideError(cpu);
      cpu.setReg32(RAX, wide[0]);
      cpu.setReg32(RDX, wide[2]);
      break;
    default: {
      const dHi = cpu.hi;
      if ((d | dHi) === 0) divideError(cpu);
      const r = cpu.r;
      if (!divU128by64(r[RDX * 2 + 1], r[RDX * 2], r[1], r[0], d, dHi)) divideError(cpu);
      cpu.setReg64(RAX, wide[0], wide[1]);
      cpu.setReg64(RDX, wide[2], wide[3]);
    }
  }
  divFlags(cpu);
}

function idiv(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const d = readE(cpu, i, s);
  switch (s) {
    case 1: {
      const sd = (d << 24) >> 24;
      if (sd === 0) divideError(cpu);
      const n = (cpu.r16[0] << 16) >> 16;
      const q = Math.trunc(n / sd);
      if (q > 127 || q < -128) divideError(cpu);
      cpu.r8[0] = q;
      cpu.r8[1] = n - q * sd;
      break;
    }
    case 2: {
      const sd = (d << 16) >> 16;
      if (sd === 0) divideError(cpu);
      const n = (cpu.r16[RDX * 4] << 16) | cpu.r16[0];
      const q = Math.trunc(n / sd);
      if (q > 32767 || q < -32768) divideError(cpu);
      cpu.r16[0] = q;
      cpu.r16[RDX * 4] = n - q * sd;
      break;
    }
    case 4:
      idiv32(cpu, d);
      break;
    default:
      idiv64(cpu, d, cpu.hi);
  }
  divFlags(cpu);
}

/** EDX:EAX / d (signed), all via unsigned magnitudes. */
function idiv32(cpu: Cpu, d: number) {
  if (d === 0) divideError(cpu);
  let lo = cpu.r[0], hi = cpu.r[RDX * 2];
  const negN = (hi & 0x80000000) !== 0;
  const negD = (d & 0x80000000) !== 0;
  if (negN) {
    lo = (-lo) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  const ad = negD ? (-d) >>> 0 : d >>> 0;
  if (!divU64by32(hi, lo, ad)) divideError(cpu);
  const q = wide[0], rem = wide[2];
  if (q > (negN !== negD ? 0x80000000 : 0x7fffffff)) divideError(cpu);
  cpu.setReg32(RAX, negN !== negD ? (-q) >>> 0 : q);
  cpu.setReg32(RDX, negN ? (-rem) >>> 0 : rem);
}

/** RDX:RAX / dHi:dLo (signed). */
function idiv64(cpu: Cpu, dLo: number, dHi: number) {
  if ((dLo | dHi) === 0) divideError(cpu);
  const r = cpu.r;
  let n0 = r[0], n1 = r[1], n2 = r[RDX * 2], n3 = r[RDX * 2 + 1];
  const negN = (n3 & 0x80000000) !== 0;
  const negD = (dHi & 0x80000000) !== 0;
  if (negN) {
    // 128-bit two's complement negation, word by word.
    n0 = (-n0) >>> 0;
    let borrow = n0 !== 0 ? 1 : 0;
    n1 = (-n1 - borrow) >>> 0;
    borrow = borrow || n1 !== 0 ? 1 : 0;
    n2 = (-n2 - borrow) >>> 0;
    borrow = borrow || n2 !== 0 ? 1 : 0;
    n3 = (-n3 - borrow) >>> 0;
  }
  if (negD) {
    dLo = (-dLo) >>> 0;
    dHi = (-dHi - (dLo !== 0 ? 1 : 0)) >>> 0;
  }
  if (!divU128by64(n3, n2, n1, n0, dLo, dHi)) divideError(cpu);
  let qLo = wide[0], qHi = wide[1], remLo = wide[2], remHi = wide[3];
  const negQ = negN !== negD;
  // |q| must be at most 2^63 - 1, or 2^63 when the quotient is negative.
  if (qHi > 0x7fffffff && !(negQ && qHi === 0x80000000 && qLo === 0)) divideError(cpu);
  if (negQ) {
    qLo = (-qLo) >>> 0;
    qHi = (-qHi - (qLo !== 0 ? 1 : 0)) >>> 0;
  }
  if (negN) {
    remLo = (-remLo) >>> 0;
    remHi = (-remHi - (remLo !== 0 ? 1 : 0)) >>> 0;
  }
  cpu.setReg64(RAX, qLo, qHi);
  cpu.setReg64(RDX, remLo, remHi);
}

export const MULDIV_FORMS: FormSpec[] = [
  { op: "F6 /4", mnem: "mul", args: "Eb", fn: mul, undef: MUL_UNDEF },
  { op: "F7 /4", mnem: "mul", args: "Ev", fn: mul, undef: MUL_UNDEF },
  { op: "F6 /5", mnem: "imul", args: "Eb", fn: imul1, undef: MUL_UNDEF },
  { op: "F7 /5", mnem: "imul", args: "Ev", fn: imul1, undef: MUL_UNDEF },
  { op: "0F AF /r", mnem: "imul", args: "Gv,Ev", fn: imulGE, undef: MUL_UNDEF },
  { op: "69 /r", mnem: "imul", args: "Gv,Ev,Iz", fn: imulGEI, undef: MUL_UNDEF },
  { op: "6B /r", mnem: "imul", args: "Gv,Ev,Ib", fn: imulGEI, undef: MUL_UNDEF },
  { op: "F6 /6", mnem: "div", args: "Eb", fn: div, undef: DIV_UNDEF },
  { op: "F7 /6", mnem: "div", args: "Ev", fn: div, undef: DIV_UNDEF },
  { op: "F6 /7", mnem: "idiv", args: "Eb", fn: idiv, undef: DIV_UNDEF },
  { op: "F7 /7", mnem: "idiv", args: "Ev", fn: idiv, undef: DIV_UNDEF },
];
