// Double-precision shifts SHLD/SHRD (0F A4/A5/AC/AD) at 16, 32 and 64 bits, by imm8 or CL.
// The count is masked to 5 bits (6 with REX.W); 0 changes nothing but the 32-bit zero-extension.
// Flags are computed eagerly. Where Intel leaves things undefined we do what the reference host
// (AMD Zen) does: AF is set; OF is CF ^ MSB(dest << count) for SHLD and the XOR of the two top
// result bits for SHRD; a 16-bit count above 16 shifts the 48-bit string dest:src:src (SHLD) or
// src:src:dest (SHRD) and clears CF (and OF for SHLD).

import type { Cpu } from "../cpu.ts";
import { RCX } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { AF, LF_OP, OF, OP_NONE, PF, SF, STATUS_FLAGS, ZF } from "../flags.ts";
import { readG, rmwAddress, rmwRead, rmwWrite } from "../operands.ts";

const PARITY = new Uint8Array(256);
for (let v = 0; v < 256; v++) {
  let ones = 0;
  for (let b = v; b; b >>= 1) ones += b & 1;
  PARITY[v] = ones & 1 ? 0 : PF;
}

/** Replace all six status flags: SF/ZF/PF from the result, CF and OF given, AF set as AMD does. */
function setShiftFlags(cpu: Cpu, sign: number, zero: boolean, low: number, cf: number, of: number) {
  const status = cf | PARITY[low & 0xff] | AF | (zero ? ZF : 0) | (sign ? SF : 0) | (of ? OF : 0);
  cpu.flagsBase = ((cpu.flagsBase & ~STATUS_FLAGS) | status) >>> 0;
  cpu.lf[LF_OP] = OP_NONE;
}

/** Bit `n` (0..63) of a 64-bit value given as halves. */
function bit64(lo: number, hi: number, n: number): number {
  return n >= 32 ? (hi >>> (n - 32)) & 1 : (lo >>> n) & 1;
}

const TWO16 = 65536;
const TWO32 = 4294967296;

/** 16-bit SHLD of the 48-bit string a:b:b by c in 1..31. */
function shld16(cpu: Cpu, a: number, b: number, c: number): number {
  const x = a * TWO32 + b * TWO16 + b;
  const r = Math.floor(x / 2 ** (32 - c)) % TWO16;
  const cf = c <= 16 ? (a >>> (16 - c)) & 1 : 0;
  setShiftFlags(cpu, r >>> 15, r === 0, r, cf, cf ^ ((a << c) >>> 15) & 1);
  return r;
}
/** 16-bit SHRD of the 48-bit string b:b:a by c in 1..31. */
function shrd16(cpu: Cpu, a: number, b: number, c: number): number {
  const x = b * TWO32 + b * TWO16 + a;
  const r = Math.floor(x / 2 ** c) % TWO16;
  const cf = c <= 16 ? (a >>> (c - 1)) & 1 : 0;
  setShiftFlags(cpu, r >>> 15, r === 0, r, cf, ((r >>> 15) ^ (r >>> 14)) & 1);
  return r;
}

function shld32(cpu: Cpu, a: number, b: number, c: number): number {
  const r = ((a << c) | (b >>> (32 - c))) >>> 0;
  const cf = (a >>> (32 - c)) & 1;
  setShiftFlags(cpu, r >>> 31, r === 0, r, cf, cf ^ (r >>> 31));
  return r;
}
function shrd32(cpu: Cpu, a: number, b: number, c: number): number {
  const r = ((a >>> c) | (b << (32 - c))) >>> 0;
  setShiftFlags(cpu, r >>> 31, r === 0, r, (a >>> (c - 1)) & 1, ((r >>> 31) ^ (r >>> 30)) & 1);
  return r;
}

/** 64-bit SHLD by c in 1..63: returns the low half, high half in cpu.hi. */
function shld64(cpu: Cpu, aLo: number, aHi: number, bLo: number, bHi: number, c: number) {
  let rLo: number, rHi: number;
  if (c < 32) {
    rHi = ((aHi << c) | (aLo >>> (32 - c))) >>> 0;
    rLo = ((aLo << c) | (bHi >>> (32 - c))) >>> 0;
  } else if (c === 32) {
    rHi = aLo;
    rLo = bHi;
  } else {
    const d = c - 32;
    rHi = ((aLo << d) | (bHi >>> (32 - d))) >>> 0;
    rLo = ((bHi << d) | (bLo >>> (32 - d))) >>> 0;
  }
  const cf = bit64(aLo, aHi, 64 - c);
  setShiftFlags(cpu, rHi >>> 31, (rLo | rHi) === 0, rLo, cf, cf ^ (rHi >>> 31));
  cpu.hi = rHi;
  return rLo;
}
function shrd64(cpu: Cpu, aLo: number, aHi: number, bLo: number, bHi: number, c: number) {
  let rLo: number, rHi: number;
  if (c < 32) {
    rLo = ((aLo >>> c) | (aHi << (32 - c))) >>> 0;
    rHi = ((aHi >>> c) | (bLo << (32 - c))) >>> 0;
  } else if (c === 32) {
    rLo = aHi;
    rHi = bLo;
  } else {
    const d = c - 32;
    rLo = ((aHi >>> d) | (bLo << (32 - d))) >>> 0;
    rHi = ((bLo >>> d) | (bHi << (32 - d))) >>> 0;
  }
  const cf = bit64(aLo, aHi, c - 1);
  setShiftFlags(cpu, rHi >>> 31, (rLo | rHi) === 0, rLo, cf, ((rHi >>> 31) ^ (rHi >>> 30)) & 1);
  cpu.hi = rHi;
  return rLo;
}

function doubleShift(left: boolean, byCL: boolean) {
  const op16 = left ? shld16 : shrd16;
  const op32 = left ? shld32 : shrd32;
  const op64 = left ? shld64 : shrd64;
  return (cpu: Cpu, i: Insn) => {
    const s = i.opsize;
    const c = (byCL ? cpu.r[RCX * 2] : i.imm) & (s === 8 ? 63 : 31);
    const addr = rmwAddress(cpu, i);
    if (s === 8) {
      const aLo = rmwRead(cpu, i, addr, 8), aHi = cpu.hi;
      if (c === 0) return rmwWrite(cpu, i, addr, 8, aLo, aHi);
      const g = i.reg << 1;
      const r = op64(cpu, aLo, aHi, cpu.r[g], cpu.r[g + 1], c);
      return rmwWrite(cpu, i, addr, 8, r, cpu.hi);
    }
    const a = rmwRead(cpu, i, addr, s);
    if (c === 0) return rmwWrite(cpu, i, addr, s, a);
    const b = readG(cpu, i, s);
    rmwWrite(cpu, i, addr, s, s === 2 ? op16(cpu, a, b, c) : op32(cpu, a, b, c));
  };
}

// OF is defined only for a count of 1 and AF never. A 16-bit count above 16 leaves the result
// and every flag undefined, so the differential tests keep counts within the operand width.
const UNDEF = AF | OF;
const WIDTH = { count: "width" };

export const SHIFT_DOUBLE_FORMS: FormSpec[] = [
  { op: "0F A4 /r", mnem: "shld", args: "Ev,Gv,Ib", fn: doubleShift(true, false), undef: UNDEF },
  { op: "0F A5 /r", mnem: "shld", args: "Ev,Gv,CL", fn: doubleShift(true, true), undef: UNDEF },
  { op: "0F AC /r", mnem: "shrd", args: "Ev,Gv,Ib", fn: doubleShift(false, false), undef: UNDEF },
  { op: "0F AD /r", mnem: "shrd", args: "Ev,Gv,CL", fn: doubleShift(false, true), undef: UNDEF },
].map((f) => ({ ...f, test: WIDTH }));
