// BMI1/BMI2 general-register instructions (VEX-encoded): ANDN, BEXTR, BLSI, BLSMSK, BLSR, BZHI,
// PDEP, PEXT, RORX, SARX, SHLX, SHRX, MULX. Operand size 32/64 comes from VEX.W; VEX.vvvv names
// the third register (i.vvvv). Re-exported by bits.ts.

import type { Cpu } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { AF, CF, OP_LOGIC, PF, setLazy, setLazy64, SF, ZF } from "../flags.ts";
import { readE } from "../operands.ts";
import { replaceStatus } from "./bits-util.ts";

/** High half of the last 64-bit result from the helpers below. */
let resultHi = 0;

function shr64(lo: number, hi: number, n: number): number {
  if (n === 0) {
    resultHi = hi;
    return lo;
  }
  if (n >= 32) {
    resultHi = 0;
    return hi >>> (n - 32);
  }
  resultHi = hi >>> n;
  return ((lo >>> n) | (hi << (32 - n))) >>> 0;
}

function shl64(lo: number, hi: number, n: number): number {
  if (n === 0) {
    resultHi = hi;
    return lo;
  }
  if (n >= 32) {
    resultHi = (lo << (n - 32)) >>> 0;
    return 0;
  }
  resultHi = ((hi << n) | (lo >>> (32 - n))) >>> 0;
  return (lo << n) >>> 0;
}

function sar64(lo: number, hi: number, n: number): number {
  if (n === 0) {
    resultHi = hi;
    return lo;
  }
  if (n >= 32) {
    resultHi = (hi >> 31) >>> 0;
    return (hi >> (n - 32)) >>> 0;
  }
  resultHi = (hi >> n) >>> 0;
  return ((lo >>> n) | (hi << (32 - n))) >>> 0;
}

/** Keep the low `n` bits (0-63) of a 64-bit value. */
function lowBits64(lo: number, hi: number, n: number): number {
  if (n >= 32) {
    resultHi = n === 32 ? 0 : (hi & (0xffffffff >>> (64 - n))) >>> 0;
    return lo;
  }
  resultHi = 0;
  return n === 0 ? 0 : (lo & (0xffffffff >>> (32 - n))) >>> 0;
}

/** Unsigned 32x32 -> 64 multiply: returns the low half, high half in resultHi. */
function mul32(a: number, b: number): number {
  const aL = a & 0xffff, aH = a >>> 16, bL = b & 0xffff, bH = b >>> 16;
  const ll = aL * bL, lh = aL * bH, hl = aH * bL;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  resultHi = (aH * bH + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) >>> 0;
  return ((mid << 16) | (ll & 0xffff)) >>> 0;
}

function setReg(cpu: Cpu, n: number, s: number, lo: number, hi: number): void {
  cpu.r[n * 2] = lo;
  cpu.r[n * 2 + 1] = s === 8 ? hi : 0;
}

/** SF/ZF of a 32- or 64-bit result. */
function signZero(s: number, lo: number, hi: number): number {
  const top = s === 8 ? hi : lo;
  return (top >>> 31 ? SF : 0) | ((s === 8 ? lo | hi : lo) === 0 ? ZF : 0);
}

function logicResult(cpu: Cpu, s: number, lo: number, hi: number): void {
  if (s === 8) setLazy64(cpu, OP_LOGIC, 0, 0, 0, 0, lo, hi);
  else setLazy(cpu, OP_LOGIC, 32, 0, 0, lo);
}

/** ANDN Gy,By,Ey: G = ~B & E. */
function andn(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const eLo = readE(cpu, i, s), eHi = cpu.hi;
  const v = i.vvvv;
  const lo = (~cpu.r[v * 2] & eLo) >>> 0;
  const hi = s === 8 ? (~cpu.r[v * 2 + 1] & eHi) >>> 0 : 0;
  setReg(cpu, i.reg, s, lo, hi);
  logicResult(cpu, s, lo, hi);
}

/** BEXTR Gy,Ey,By: the field of E starting at B[7:0], B[15:8] bits long. */
function bextr(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const eLo = readE(cpu, i, s), eHi = s === 8 ? cpu.hi : 0;
  const control = cpu.r[i.vvvv * 2];
  const start = control & 0xff, len = (control >>> 8) & 0xff;
  let lo = 0, hi = 0;
  if (start < s * 8) {
    lo = shr64(eLo, eHi, start);
    hi = resultHi;
    if (len < 64) {
      lo = lowBits64(lo, hi, len);
      hi = resultHi;
    }
  }
  setReg(cpu, i.reg, s, lo, hi);
  logicResult(cpu, s, lo, hi);
}

/** BLSI By,Ey: isolate the lowest set bit. */
function blsi(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const lo = readE(cpu, i, s), hi = s === 8 ? cpu.hi : 0;
  const negLo = (-lo) >>> 0;
  const negHi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  const rLo = (lo & negLo) >>> 0, rHi = s === 8 ? (hi & negHi) >>> 0 : 0;
  setReg(cpu, i.vvvv, s, rLo, rHi);
  replaceStatus(cpu, signZero(s, rLo, rHi) | ((lo | hi) !== 0 ? CF : 0));
}

/** Source minus one, as halves (low returned, high in resultHi). */
function minusOne(lo: number, hi: number): number {
  resultHi = lo === 0 ? (hi - 1) >>> 0 : hi;
  return (lo - 1) >>> 0;
}

/** BLSMSK By,Ey: mask up to and including the lowest set bit. */
function blsmsk(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const lo = readE(cpu, i, s), hi = s === 8 ? cpu.hi : 0;
  const mLo = minusOne(lo, hi), mHi = resultHi;
  const rLo = (lo ^ mLo) >>> 0, rHi = s === 8 ? (hi ^ mHi) >>> 0 : 0;
  setReg(cpu, i.vvvv, s, rLo, rHi);
  replaceStatus(cpu, (signZero(s, rLo, rHi) & SF) | ((lo | hi) === 0 ? CF : 0));
}

/** BLSR By,Ey: clear the lowest set bit. */
function blsr(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const lo = readE(cpu, i, s), hi = s === 8 ? cpu.hi : 0;
  const mLo = minusOne(lo, hi), mHi = resultHi;
  const rLo = (lo & mLo) >>> 0, rHi = s === 8 ? (hi & mHi) >>> 0 : 0;
  setReg(cpu, i.vvvv, s, rLo, rHi);
  replaceStatus(cpu, signZero(s, rLo, rHi) | ((lo | hi) === 0 ? CF : 0));
}

/** BZHI Gy,Ey,By: clear the bits of E from index B[7:0] up. */
function bzhi(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  let lo = readE(cpu, i, s), hi = s === 8 ? cpu.hi : 0;
  const n = cpu.r[i.vvvv * 2] & 0xff;
  const out = n >= s * 8;
  if (!out) {
    lo = lowBits64(lo, hi, n);
    hi = resultHi;
  }
  setReg(cpu, i.reg, s, lo, hi);
  replaceStatus(cpu, signZero(s, lo, hi) | (out ? CF : 0));
}

/** PDEP Gy,By,Ey: scatter the low bits of B to the set bit positions of the mask E. */
function pdep(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const mLo = readE(cpu, i, s), mHi = s === 8 ? cpu.hi : 0;
  const srcLo = cpu.r[i.vvvv * 2], srcHi = s === 8 ? cpu.r[i.vvvv * 2 + 1] : 0;
  let k = 0, rLo = 0, rHi = 0;
  for (let m = mLo; m !== 0; k++) {
    const low = m & -m;
    if ((srcLo >>> k) & 1) rLo |= low;
    m ^= low;
  }
  for (let m = mHi; m !== 0; k++) {
    const low = m & -m;
    if (((k < 32 ? srcLo >>> k : srcHi >>> (k - 32)) & 1) !== 0) rHi |= low;
    m ^= low;
  }
  setReg(cpu, i.reg, s, rLo >>> 0, rHi >>> 0);
}

/** PEXT Gy,By,Ey: gather the bits of B at the set bit positions of the mask E. */
function pext(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const mLo = readE(cpu, i, s), mHi = s === 8 ? cpu.hi : 0;
  const srcLo = cpu.r[i.vvvv * 2], srcHi = s === 8 ? cpu.r[i.vvvv * 2 + 1] : 0;
  let k = 0, rLo = 0, rHi = 0;
  for (let m = mLo; m !== 0; k++) {
    const low = m & -m;
    if (srcLo & low) rLo |= 1 << k;
    m ^= low;
  }
  for (let m = mHi; m !== 0; k++) {
    const low = m & -m;
    if (srcHi & low) {
      if (k < 32) rLo |= 1 << k;
      else rHi |= 1 << (k - 32);
    }
    m ^= low;
  }
  setReg(cpu, i.reg, s, rLo >>> 0, rHi >>> 0);
}

/** RORX Gy,Ey,Ib: rotate right without touching flags. */
function rorx(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  let lo = readE(cpu, i, s), hi = s === 8 ? cpu.hi : 0;
  if (s === 4) {
    const n = i.imm & 31;
    setReg(cpu, i.reg, 4, n ? ((lo >>> n) | (lo << (32 - n))) >>> 0 : lo, 0);
    return;
  }
  let n = i.imm & 63;
  if (n >= 32) {
    [lo, hi] = [hi, lo];
    n -= 32;
  }
  if (n) [lo, hi] = [((lo >>> n) | (hi << (32 - n))) >>> 0, ((hi >>> n) | (lo << (32 - n))) >>> 0];
  setReg(cpu, i.reg, 8, lo, hi);
}

function shiftX(cpu: Cpu, i: Insn, kind: number) {
  const s = i.opsize;
  const lo = readE(cpu, i, s), hi = s === 8 ? cpu.hi : 0;
  const n = cpu.r[i.vvvv * 2] & (s * 8 - 1);
  let rLo: number, rHi = 0;
  if (s === 4) rLo = kind === 0 ? lo << n : kind === 1 ? lo >>> n : lo >> n;
  else {
    rLo = kind === 0 ? shl64(lo, hi, n) : kind === 1 ? shr64(lo, hi, n) : sar64(lo, hi, n);
    rHi = resultHi;
  }
  setReg(cpu, i.reg, s, rLo >>> 0, rHi);
}
const shlx = (cpu: Cpu, i: Insn) => shiftX(cpu, i, 0);
const shrx = (cpu: Cpu, i: Insn) => shiftX(cpu, i, 1);
const sarx = (cpu: Cpu, i: Insn) => shiftX(cpu, i, 2);

/** MULX Gy,By,Ey: rDX * E unsigned; high half to G, low half to B (G wins if they coincide). */
function mulx(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const bLo = readE(cpu, i, s), bHi = cpu.hi;
  const aLo = cpu.r[4]; // RDX
  if (s === 4) {
    const lo = mul32(aLo, bLo);
    setReg(cpu, i.vvvv, 4, lo, 0);
    setReg(cpu, i.reg, 4, resultHi, 0);
    return;
  }
  const aHi = cpu.r[5];
  const p0 = mul32(aLo, bLo), p0h = resultHi;
  const p1 = mul32(aLo, bHi), p1h = resultHi;
  const p2 = mul32(aHi, bLo), p2h = resultHi;
  const p3 = mul32(aHi, bHi), p3h = resultHi;
  const t1 = p0h + p1 + p2;
  const t2 = p1h + p2h + p3 + Math.floor(t1 / 4294967296);
  const w3 = (p3h + Math.floor(t2 / 4294967296)) >>> 0;
  setReg(cpu, i.vvvv, 8, p0, t1 >>> 0);
  setReg(cpu, i.reg, 8, t2 >>> 0, w3);
}

const BMI_UNDEF = AF | PF;

export const BMI_FORMS: FormSpec[] = [
  { op: "VEX.LZ.0F38 F2 /r", mnem: "andn", args: "Gy,By,Ey", fn: andn, undef: BMI_UNDEF },
  { op: "VEX.LZ.0F38 F7 /r", mnem: "bextr", args: "Gy,Ey,By", fn: bextr, undef: AF | SF | PF },
  { op: "VEX.LZ.0F38 F3 /3", mnem: "blsi", args: "By,Ey", fn: blsi, undef: BMI_UNDEF },
  { op: "VEX.LZ.0F38 F3 /2", mnem: "blsmsk", args: "By,Ey", fn: blsmsk, undef: BMI_UNDEF },
  { op: "VEX.LZ.0F38 F3 /1", mnem: "blsr", args: "By,Ey", fn: blsr, undef: BMI_UNDEF },
  { op: "VEX.LZ.0F38 F5 /r", mnem: "bzhi", args: "Gy,Ey,By", fn: bzhi, undef: BMI_UNDEF },
  { op: "VEX.LZ.F2.0F38 F5 /r", mnem: "pdep", args: "Gy,By,Ey", fn: pdep },
  { op: "VEX.LZ.F3.0F38 F5 /r", mnem: "pext", args: "Gy,By,Ey", fn: pext },
  { op: "VEX.LZ.F2.0F3A F0 /r", mnem: "rorx", args: "Gy,Ey,Ib", fn: rorx },
  { op: "VEX.LZ.F3.0F38 F7 /r", mnem: "sarx", args: "Gy,Ey,By", fn: sarx },
  { op: "VEX.LZ.66.0F38 F7 /r", mnem: "shlx", args: "Gy,Ey,By", fn: shlx },
  { op: "VEX.LZ.F2.0F38 F7 /r", mnem: "shrx", args: "Gy,Ey,By", fn: shrx },
  { op: "VEX.LZ.F2.0F38 F6 /r", mnem: "mulx", args: "Gy,By,Ey", fn: mulx },
];
