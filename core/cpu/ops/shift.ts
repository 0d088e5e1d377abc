// Shifts and rotates: SHL/SAL SHR SAR ROL ROR RCL RCR in the C0/C1 (imm8), D0/D1 (by 1) and
// D2/D3 (by CL) groups at every operand size, plus SHLD/SHRD (shift-double.ts). None of them
// accepts LOCK.
//
// The count is masked to 5 bits (6 with REX.W); a masked count of 0 changes no flags (but a
// 32-bit register destination is still written, which zeroes its upper half). Where Intel
// leaves OF undefined (counts other than 1) we do what the reference host (AMD Zen) does, so
// unit tests can pin it: after a shift it is computed as for the last single-bit step, after a
// rotate as for a rotate by one. AF, undefined after a shift, is cleared (the host sets it).
// The differential tests mask all of these (`undef`).

import type { Cpu } from "../cpu.ts";
import { RCX } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import {
  AF,
  CF,
  getCF,
  LF_AUX,
  OF,
  OP_SAR,
  OP_SHL,
  OP_SHR,
  setLazy,
  setLazy64,
  setStatus,
} from "../flags.ts";
import { rmwAddress, rmwRead, rmwWrite } from "../operands.ts";
import { SHIFT_DOUBLE_FORMS } from "./shift-double.ts";

/** Mask of a `bits`-wide value (8, 16 or 32). */
function widthMask(bits: number): number {
  return bits === 32 ? 0xffffffff : (1 << bits) - 1;
}

// ---- shifts ----------------------------------------------------------------------------------

function shl32(cpu: Cpu, bits: number, a: number, c: number): number {
  const r = ((a << c) & widthMask(bits)) >>> 0;
  setLazy(cpu, OP_SHL, bits, a, 0, r);
  cpu.lf[LF_AUX] = c <= bits ? (a >>> (bits - c)) & 1 : 0;
  return r;
}
function shl64(cpu: Cpu, lo: number, hi: number, c: number): number {
  let rLo: number, rHi: number, carry: number;
  if (c < 32) {
    rHi = ((hi << c) | (lo >>> (32 - c))) >>> 0;
    rLo = (lo << c) >>> 0;
    carry = (hi >>> (32 - c)) & 1;
  } else {
    rHi = (lo << (c - 32)) >>> 0;
    rLo = 0;
    carry = c === 32 ? hi & 1 : (lo >>> (64 - c)) & 1;
  }
  setLazy64(cpu, OP_SHL, lo, hi, 0, 0, rLo, rHi);
  cpu.lf[LF_AUX] = carry;
  cpu.hi = rHi;
  return rLo;
}

// For SHR the lazy record keeps, as operand a, the value before the last single-bit step: its
// top bit is OF (exactly the documented OF for a count of 1).
function shr32(cpu: Cpu, bits: number, a: number, c: number): number {
  const beforeLast = a >>> (c - 1);
  const r = beforeLast >>> 1;
  setLazy(cpu, OP_SHR, bits, beforeLast, 0, r);
  cpu.lf[LF_AUX] = beforeLast & 1;
  return r;
}
function shr64(cpu: Cpu, lo: number, hi: number, c: number): number {
  let rLo: number, rHi: number, carry: number;
  if (c < 32) {
    rLo = ((lo >>> c) | (hi << (32 - c))) >>> 0;
    rHi = hi >>> c;
    carry = (lo >>> (c - 1)) & 1;
  } else {
    rLo = hi >>> (c - 32);
    rHi = 0;
    carry = c === 32 ? lo >>> 31 : (hi >>> (c - 33)) & 1;
  }
  setLazy64(cpu, OP_SHR, 0, c === 1 ? hi : 0, 0, 0, rLo, rHi);
  cpu.lf[LF_AUX] = carry;
  cpu.hi = rHi;
  return rLo;
}

function sar32(cpu: Cpu, bits: number, a: number, c: number): number {
  const signed = bits === 32 ? a | 0 : (a << (32 - bits)) >> (32 - bits);
  const beforeLast = signed >> (c - 1);
  const r = ((beforeLast >> 1) & widthMask(bits)) >>> 0;
  setLazy(cpu, OP_SAR, bits, a, 0, r);
  cpu.lf[LF_AUX] = beforeLast & 1;
  return r;
}
function sar64(cpu: Cpu, lo: number, hi: number, c: number): number {
  const shi = hi | 0;
  let rLo: number, rHi: number, carry: number;
  if (c < 32) {
    rLo = ((lo >>> c) | (shi << (32 - c))) >>> 0;
    rHi = (shi >> c) >>> 0;
    carry = (lo >>> (c - 1)) & 1;
  } else {
    rLo = (shi >> (c - 32)) >>> 0;
    rHi = (shi >> 31) >>> 0;
    carry = c === 32 ? lo >>> 31 : (shi >> (c - 33)) & 1;
  }
  setLazy64(cpu, OP_SAR, lo, hi, 0, 0, rLo, rHi);
  cpu.lf[LF_AUX] = carry;
  cpu.hi = rHi;
  return rLo;
}

// ---- rotates (CF and OF only, set eagerly) ---------------------------------------------------

function rol32(cpu: Cpu, bits: number, a: number, c: number): number {
  const m = c & (bits - 1);
  const r = m === 0 ? a : (((a << m) | (a >>> (bits - m))) & widthMask(bits)) >>> 0;
  const carry = r & 1;
  setStatus(cpu, CF | OF, carry | (((r >>> (bits - 1)) ^ carry) & 1 ? OF : 0));
  return r;
}
function rol64(cpu: Cpu, lo: number, hi: number, c: number): number {
  let rLo = lo, rHi = hi;
  if (c >= 32) {
    rLo = hi;
    rHi = lo;
  }
  const m = c & 31;
  if (m !== 0) {
    const l = rLo, h = rHi;
    rLo = ((l << m) | (h >>> (32 - m))) >>> 0;
    rHi = ((h << m) | (l >>> (32 - m))) >>> 0;
  }
  const carry = rLo & 1;
  setStatus(cpu, CF | OF, carry | (((rHi >>> 31) ^ carry) ? OF : 0));
  cpu.hi = rHi;
  return rLo;
}

function ror32(cpu: Cpu, bits: number, a: number, c: number): number {
  const m = c & (bits - 1);
  const r = m === 0 ? a : (((a >>> m) | (a << (bits - m))) & widthMask(bits)) >>> 0;
  const top = (r >>> (bits - 1)) & 1;
  setStatus(cpu, CF | OF, top | ((top ^ (r >>> (bits - 2))) & 1 ? OF : 0));
  return r;
}
function ror64(cpu: Cpu, lo: number, hi: number, c: number): number {
  let rLo = lo, rHi = hi;
  if (c >= 32) {
    rLo = hi;
    rHi = lo;
  }
  const m = c & 31;
  if (m !== 0) {
    const l = rLo, h = rHi;
    rLo = ((l >>> m) | (h << (32 - m))) >>> 0;
    rHi = ((h >>> m) | (l << (32 - m))) >>> 0;
  }
  const top = rHi >>> 31;
  setStatus(cpu, CF | OF, top | ((top ^ (rHi >>> 30)) & 1 ? OF : 0));
  cpu.hi = rHi;
  return rLo;
}

/** Effective rotate-through-carry count: mod 9 / mod 17 for bytes and words. */
function rcCount(bits: number, c: number): number {
  return bits === 8 ? c % 9 : bits === 16 ? c % 17 : c;
}

function rcl32(cpu: Cpu, bits: number, a: number, c: number): number {
  const n = rcCount(bits, c);
  let carry = getCF(cpu);
  let v = a;
  if (n !== 0) {
    // (bits+1)-bit rotate of carry:value, done as two shifts of the value plus the carry bit.
    const out = (v >>> (bits - n)) & 1;
    const low = n === 1 ? 0 : v >>> (bits + 1 - n);
    v = ((((v << (n - 1)) << 1) | (carry << (n - 1)) | low) & widthMask(bits)) >>> 0;
    carry = out;
  }
  setStatus(cpu, CF | OF, carry | (((v >>> (bits - 1)) ^ carry) & 1 ? OF : 0));
  return v;
}
function rcr32(cpu: Cpu, bits: number, a: number, c: number): number {
  const n = rcCount(bits, c);
  let carry = getCF(cpu);
  let v = a;
  if (n !== 0) {
    const out = (v >>> (n - 1)) & 1;
    const high = n === 1 ? 0 : (v << (bits + 1 - n));
    v = ((((v >>> (n - 1)) >>> 1) | (carry << (bits - n)) | high) & widthMask(bits)) >>> 0;
    carry = out;
  }
  const top = (v >>> (bits - 1)) & 1;
  setStatus(cpu, CF | OF, carry | ((top ^ (v >>> (bits - 2))) & 1 ? OF : 0));
  return v;
}

// 64-bit RCL/RCR are rare (multi-word shifts by 1): a bit loop keeps the 65-bit rotate simple.
function rcl64(cpu: Cpu, lo: number, hi: number, c: number): number {
  let carry = getCF(cpu);
  for (let k = 0; k < c; k++) {
    const out = hi >>> 31;
    hi = ((hi << 1) | (lo >>> 31)) >>> 0;
    lo = ((lo << 1) | carry) >>> 0;
    carry = out;
  }
  setStatus(cpu, CF | OF, carry | ((hi >>> 31) ^ carry ? OF : 0));
  cpu.hi = hi;
  return lo;
}
function rcr64(cpu: Cpu, lo: number, hi: number, c: number): number {
  let carry = getCF(cpu);
  for (let k = 0; k < c; k++) {
    const out = lo & 1;
    lo = ((lo >>> 1) | (hi << 31)) >>> 0;
    hi = ((hi >>> 1) | (carry << 31)) >>> 0;
    carry = out;
  }
  setStatus(cpu, CF | OF, carry | (((hi >>> 31) ^ (hi >>> 30)) & 1 ? OF : 0));
  cpu.hi = hi;
  return lo;
}

// ---- the group handler -----------------------------------------------------------------------

/** Group-2 operation `op` (ModRM.reg) on an 8/16/32-bit value by a masked count in 1..31. */
function shift32(cpu: Cpu, op: number, bits: number, a: number, c: number): number {
  switch (op) {
    case 0:
      return rol32(cpu, bits, a, c);
    case 1:
      return ror32(cpu, bits, a, c);
    case 2:
      return rcl32(cpu, bits, a, c);
    case 3:
      return rcr32(cpu, bits, a, c);
    case 5:
      return shr32(cpu, bits, a, c);
    case 7:
      return sar32(cpu, bits, a, c);
    default: // SHL and its alias /6
      return shl32(cpu, bits, a, c);
  }
}

/** The 64-bit version (count 1..63): returns the low half, high half in cpu.hi. */
function shift64(cpu: Cpu, op: number, lo: number, hi: number, c: number): number {
  switch (op) {
    case 0:
      return rol64(cpu, lo, hi, c);
    case 1:
      return ror64(cpu, lo, hi, c);
    case 2:
      return rcl64(cpu, lo, hi, c);
    case 3:
      return rcr64(cpu, lo, hi, c);
    case 5:
      return shr64(cpu, lo, hi, c);
    case 7:
      return sar64(cpu, lo, hi, c);
    default:
      return shl64(cpu, lo, hi, c);
  }
}

/** C0/C1 (by imm8), D0/D1 (by 1), D2/D3 (by CL): the operation is ModRM.reg. */
function group2(cpu: Cpu, i: Insn) {
  const op = (i.modrm >> 3) & 7;
  const s = i.opsize;
  const b = i.opByte;
  const raw = b <= 0xc1 ? i.imm : b <= 0xd1 ? 1 : cpu.r[RCX * 2];
  const c = raw & (s === 8 ? 63 : 31);
  if (s >= 4 && !i.isMem) {
    const r = cpu.r, d = i.rm << 1;
    if (s === 4) {
      if (c !== 0) r[d] = shift32(cpu, op, 32, r[d], c);
      r[d + 1] = 0; // written even for a count of 0
    } else if (c !== 0) {
      r[d] = shift64(cpu, op, r[d], r[d + 1], c);
      r[d + 1] = cpu.hi;
    }
    return;
  }
  const addr = rmwAddress(cpu, i);
  if (s === 8) {
    const lo = rmwRead(cpu, i, addr, 8), hi = cpu.hi;
    if (c === 0) rmwWrite(cpu, i, addr, 8, lo, hi);
    else {
      const r = shift64(cpu, op, lo, hi, c);
      rmwWrite(cpu, i, addr, 8, r, cpu.hi);
    }
    return;
  }
  const a = rmwRead(cpu, i, addr, s);
  rmwWrite(cpu, i, addr, s, c === 0 ? a : shift32(cpu, op, s << 3, a, c));
}

/** Mnemonics by ModRM.reg (/6 is the undocumented SAL alias of /4). */
const MNEMONICS = ["rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"];

function buildForms(): FormSpec[] {
  const forms: FormSpec[] = [];
  MNEMONICS.forEach((mnem, ext) => {
    // AF is undefined after any shift (rotates leave it alone). With a variable count OF is
    // undefined unless the count is 1, and SHL/SHR leave CF undefined once a byte/word count
    // reaches the operand width: their differential tests keep counts within the width (the
    // `count` hint of tests/cpu-diff/README.md); the unit tests cover larger counts.
    const undef1 = ext >= 4 ? AF : 0;
    const undef = undef1 | OF;
    const test = ext >= 4 && ext <= 6 ? { count: "width" } : undefined;
    const fn = group2;
    forms.push(
      { op: `D0 /${ext}`, mnem, args: "Eb,1", fn, undef: undef1 },
      { op: `D1 /${ext}`, mnem, args: "Ev,1", fn, undef: undef1 },
      { op: `C0 /${ext}`, mnem, args: "Eb,Ib", fn, undef, test },
      { op: `C1 /${ext}`, mnem, args: "Ev,Ib", fn, undef, test },
      { op: `D2 /${ext}`, mnem, args: "Eb,CL", fn, undef, test },
      { op: `D3 /${ext}`, mnem, args: "Ev,CL", fn, undef, test },
    );
  });
  return [...forms, ...SHIFT_DOUBLE_FORMS];
}

export const SHIFT_FORMS: FormSpec[] = buildForms();
