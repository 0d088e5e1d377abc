// Integer arithmetic and logic: ADD ADC SUB SBB CMP AND OR XOR TEST INC DEC NEG NOT in every
// encoding (ModRM forms, accumulator short forms, the 80/81/83, F6/F7 and FE/FF groups) and
// every operand size. Flags are recorded lazily (core/cpu/flags.ts). The shift, rotate and
// multiply/divide families live in shift.ts and muldiv.ts.

import type { Cpu } from "../cpu.ts";
import { RAX } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import {
  AF,
  getCF,
  LF_AUX,
  OP_ADC,
  OP_ADD,
  OP_DEC,
  OP_INC,
  OP_LOGIC,
  OP_SBB,
  OP_SUB,
  setLazy,
  setLazy64,
} from "../flags.ts";
import { immOf, readE, readG, rmwAddress, rmwRead, rmwWrite } from "../operands.ts";

const TWO32 = 4294967296;

/** Mask of a `bits`-wide value (8, 16 or 32). */
function widthMask(bits: number): number {
  return bits === 32 ? 0xffffffff : (1 << bits) - 1;
}

// ---- the operations ------------------------------------------------------------------------

function add32(cpu: Cpu, bits: number, a: number, b: number): number {
  const r = ((a + b) & widthMask(bits)) >>> 0;
  setLazy(cpu, OP_ADD, bits, a, b, r);
  return r;
}
function add64(cpu: Cpu, aLo: number, aHi: number, bLo: number, bHi: number): number {
  const sum = aLo + bLo;
  const rLo = sum >>> 0;
  const rHi = (aHi + bHi + (sum >= TWO32 ? 1 : 0)) >>> 0;
  setLazy64(cpu, OP_ADD, aLo, aHi, bLo, bHi, rLo, rHi);
  cpu.hi = rHi;
  return rLo;
}

function adc32(cpu: Cpu, bits: number, a: number, b: number): number {
  const carry = getCF(cpu);
  const r = ((a + b + carry) & widthMask(bits)) >>> 0;
  setLazy(cpu, OP_ADC, bits, a, b, r);
  cpu.lf[LF_AUX] = carry;
  return r;
}
function adc64(cpu: Cpu, aLo: number, aHi: number, bLo: number, bHi: number): number {
  const carry = getCF(cpu);
  const sum = aLo + bLo + carry;
  const rLo = sum >>> 0;
  const rHi = (aHi + bHi + (sum >= TWO32 ? 1 : 0)) >>> 0;
  setLazy64(cpu, OP_ADC, aLo, aHi, bLo, bHi, rLo, rHi);
  cpu.lf[LF_AUX] = carry;
  cpu.hi = rHi;
  return rLo;
}

function sub32(cpu: Cpu, bits: number, a: number, b: number): number {
  const r = ((a - b) & widthMask(bits)) >>> 0;
  setLazy(cpu, OP_SUB, bits, a, b, r);
  return r;
}
function sub64(cpu: Cpu, aLo: number, aHi: number, bLo: number, bHi: number): number {
  const diff = aLo - bLo;
  const rLo = diff >>> 0;
  const rHi = (aHi - bHi - (diff < 0 ? 1 : 0)) >>> 0;
  setLazy64(cpu, OP_SUB, aLo, aHi, bLo, bHi, rLo, rHi);
  cpu.hi = rHi;
  return rLo;
}

function sbb32(cpu: Cpu, bits: number, a: number, b: number): number {
  const borrow = getCF(cpu);
  const r = ((a - b - borrow) & widthMask(bits)) >>> 0;
  setLazy(cpu, OP_SBB, bits, a, b, r);
  cpu.lf[LF_AUX] = borrow;
  return r;
}
function sbb64(cpu: Cpu, aLo: number, aHi: number, bLo: number, bHi: number): number {
  const borrow = getCF(cpu);
  const diff = aLo - bLo - borrow;
  const rLo = diff >>> 0;
  const rHi = (aHi - bHi - (diff < 0 ? 1 : 0)) >>> 0;
  setLazy64(cpu, OP_SBB, aLo, aHi, bLo, bHi, rLo, rHi);
  cpu.lf[LF_AUX] = borrow;
  cpu.hi = rHi;
  return rLo;
}

function and32(cpu: Cpu, bits: number, a: number, b: number): number {
  const r = (a & b) >>> 0;
  setLazy(cpu, OP_LOGIC, bits, a, b, r);
  return r;
}
function and64(cpu: Cpu, aLo: number, aHi: number, bLo: number, bHi: number): number {
  const rLo = (aLo & bLo) >>> 0, rHi = (aHi & bHi) >>> 0;
  setLazy64(cpu, OP_LOGIC, aLo, aHi, bLo, bHi, rLo, rHi);
  cpu.hi = rHi;
  return rLo;
}

function or32(cpu: Cpu, bits: number, a: number, b: number): number {
  const r = (a | b) >>> 0;
  setLazy(cpu, OP_LOGIC, bits, a, b, r);
  return r;
}
function or64(cpu: Cpu, aLo: number, aHi: number, bLo: number, bHi: number): number {
  const rLo = (aLo | bLo) >>> 0, rHi = (aHi | bHi) >>> 0;
  setLazy64(cpu, OP_LOGIC, aLo, aHi, bLo, bHi, rLo, rHi);
  cpu.hi = rHi;
  return rLo;
}

function xor32(cpu: Cpu, bits: number, a: number, b: number): number {
  const r = (a ^ b) >>> 0;
  setLazy(cpu, OP_LOGIC, bits, a, b, r);
  return r;
}
function xor64(cpu: Cpu, aLo: number, aHi: number, bLo: number, bHi: number): number {
  const rLo = (aLo ^ bLo) >>> 0, rHi = (aHi ^ bHi) >>> 0;
  setLazy64(cpu, OP_LOGIC, aLo, aHi, bLo, bHi, rLo, rHi);
  cpu.hi = rHi;
  return rLo;
}

/** Group-1 operation numbers (opcode bits 5:3 of 00-3D, ModRM.reg of 80/81/83). */
const CMP = 7;
const MNEMONICS = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];

/** Apply group-1 operation `op` to 8/16/32-bit values, recording the flags. */
function compute32(cpu: Cpu, op: number, bits: number, a: number, b: number): number {
  switch (op) {
    case 0:
      return add32(cpu, bits, a, b);
    case 1:
      return or32(cpu, bits, a, b);
    case 2:
      return adc32(cpu, bits, a, b);
    case 3:
      return sbb32(cpu, bits, a, b);
    case 4:
      return and32(cpu, bits, a, b);
    case 6:
      return xor32(cpu, bits, a, b);
    default: // SUB, CMP
      return sub32(cpu, bits, a, b);
  }
}

/** The 64-bit version: returns the low half, leaves the high half in cpu.hi. */
function compute64(cpu: Cpu, op: number, aLo: number, aHi: number, bLo: number, bHi: number) {
  switch (op) {
    case 0:
      return add64(cpu, aLo, aHi, bLo, bHi);
    case 1:
      return or64(cpu, aLo, aHi, bLo, bHi);
    case 2:
      return adc64(cpu, aLo, aHi, bLo, bHi);
    case 3:
      return sbb64(cpu, aLo, aHi, bLo, bHi);
    case 4:
      return and64(cpu, aLo, aHi, bLo, bHi);
    case 6:
      return xor64(cpu, aLo, aHi, bLo, bHi);
    default:
      return sub64(cpu, aLo, aHi, bLo, bHi);
  }
}

// ---- operand shapes --------------------------------------------------------------------------

// Memory destinations go through rmwAddress, which checks them for writing before the read
// (a fault reports a write and leaves the flags alone). CMP only reads:

/** Address of a memory operand that is only read: no write check. */
function sourceAddress(cpu: Cpu, i: Insn): number {
  return i.isMem ? cpu.ea(i) : 0;
}

// One handler per operand shape; the operation comes from the opcode (00-3D) or ModRM.reg
// (80/81/83), so each call site of compute32/compute64 stays monomorphic.

/** Fast path: 32/64-bit register `dst` op= register `src`. */
function aluRegs(cpu: Cpu, op: number, s: number, dst: number, src: number) {
  const r = cpu.r, d = dst << 1, e = src << 1;
  if (s === 8) {
    const lo = compute64(cpu, op, r[d], r[d + 1], r[e], r[e + 1]);
    if (op !== CMP) {
      r[d] = lo;
      r[d + 1] = cpu.hi;
    }
  } else {
    const v = compute32(cpu, op, 32, r[d], r[e]);
    if (op !== CMP) {
      r[d] = v;
      r[d + 1] = 0;
    }
  }
}

/** E op= G (00, 01, 08, 09, ... 38, 39). */
export function aluEG(cpu: Cpu, i: Insn) {
  const op = (i.opByte >> 3) & 7;
  const s = i.opsize;
  if (s >= 4 && !i.isMem) return aluRegs(cpu, op, s, i.rm, i.reg);
  const writes = op !== CMP;
  const addr = writes ? rmwAddress(cpu, i) : sourceAddress(cpu, i);
  if (s === 8) {
    const aLo = rmwRead(cpu, i, addr, 8), aHi = cpu.hi;
    const g = i.reg << 1;
    const r = compute64(cpu, op, aLo, aHi, cpu.r[g], cpu.r[g + 1]);
    if (writes) rmwWrite(cpu, i, addr, 8, r, cpu.hi);
    return;
  }
  const a = rmwRead(cpu, i, addr, s);
  const r = compute32(cpu, op, s << 3, a, readG(cpu, i, s));
  if (writes) rmwWrite(cpu, i, addr, s, r);
}

/** G op= E (02, 03, 0A, 0B, ... 3A, 3B). */
export function aluGE(cpu: Cpu, i: Insn) {
  const op = (i.opByte >> 3) & 7;
  const s = i.opsize;
  if (s >= 4 && !i.isMem) return aluRegs(cpu, op, s, i.reg, i.rm);
  if (s === 8) {
    const bLo = readE(cpu, i, 8), bHi = cpu.hi;
    const g = i.reg << 1;
    const r = compute64(cpu, op, cpu.r[g], cpu.r[g + 1], bLo, bHi);
    if (op !== CMP) cpu.setReg64(i.reg, r, cpu.hi);
    return;
  }
  const b = readE(cpu, i, s);
  const r = compute32(cpu, op, s << 3, readG(cpu, i, s), b);
  if (op !== CMP) cpu.setReg(i.reg, s, i, r);
}

/** E op= immediate, sign-extended to the operand size by the decoder (80, 81, 83). */
export function aluEI(cpu: Cpu, i: Insn) {
  const op = (i.modrm >> 3) & 7;
  const s = i.opsize;
  const writes = op !== CMP;
  const addr = writes ? rmwAddress(cpu, i) : sourceAddress(cpu, i);
  if (s === 8) {
    const aLo = rmwRead(cpu, i, addr, 8), aHi = cpu.hi;
    const r = compute64(cpu, op, aLo, aHi, i.imm >>> 0, i.immHi >>> 0);
    if (writes) rmwWrite(cpu, i, addr, 8, r, cpu.hi);
    return;
  }
  const a = rmwRead(cpu, i, addr, s);
  const r = compute32(cpu, op, s << 3, a, immOf(i, s));
  if (writes) rmwWrite(cpu, i, addr, s, r);
}

/** AL/eAX/rAX op= immediate (04, 05, 0C, 0D, ... 3C, 3D). */
export function aluAI(cpu: Cpu, i: Insn) {
  const op = (i.opByte >> 3) & 7;
  const s = i.opsize;
  if (s === 8) {
    const r = compute64(cpu, op, cpu.r[0], cpu.r[1], i.imm >>> 0, i.immHi >>> 0);
    if (op !== CMP) cpu.setReg64(RAX, r, cpu.hi);
    return;
  }
  const r = compute32(cpu, op, s << 3, cpu.getReg(RAX, s, i), immOf(i, s));
  if (op !== CMP) cpu.setReg(RAX, s, i, r);
}

// TEST is AND without the write.
export function testEG(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  if (s === 8) {
    const aLo = readE(cpu, i, 8), aHi = cpu.hi;
    const g = i.reg << 1;
    and64(cpu, aLo, aHi, cpu.r[g], cpu.r[g + 1]);
  } else and32(cpu, s << 3, readE(cpu, i, s), readG(cpu, i, s));
}
export function testEI(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  if (s === 8) {
    const aLo = readE(cpu, i, 8);
    and64(cpu, aLo, cpu.hi, i.imm >>> 0, i.immHi >>> 0);
  } else and32(cpu, s << 3, readE(cpu, i, s), immOf(i, s));
}
export function testAI(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  if (s === 8) and64(cpu, cpu.r[0], cpu.r[1], i.imm >>> 0, i.immHi >>> 0);
  else and32(cpu, s << 3, cpu.getReg(RAX, s, i), immOf(i, s));
}

// ---- unary operations ------------------------------------------------------------------------

export function inc(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const addr = rmwAddress(cpu, i);
  const carry = getCF(cpu);
  if (s === 8) {
    const aLo = rmwRead(cpu, i, addr, 8), aHi = cpu.hi;
    const rLo = (aLo + 1) >>> 0;
    const rHi = rLo === 0 ? (aHi + 1) >>> 0 : aHi;
    rmwWrite(cpu, i, addr, 8, rLo, rHi);
    setLazy64(cpu, OP_INC, aLo, aHi, 1, 0, rLo, rHi);
  } else {
    const a = rmwRead(cpu, i, addr, s);
    const r = ((a + 1) & widthMask(s << 3)) >>> 0;
    rmwWrite(cpu, i, addr, s, r);
    setLazy(cpu, OP_INC, s << 3, a, 1, r);
  }
  cpu.lf[LF_AUX] = carry;
}

export function dec(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const addr = rmwAddress(cpu, i);
  const carry = getCF(cpu);
  if (s === 8) {
    const aLo = rmwRead(cpu, i, addr, 8), aHi = cpu.hi;
    const rLo = (aLo - 1) >>> 0;
    const rHi = aLo === 0 ? (aHi - 1) >>> 0 : aHi;
    rmwWrite(cpu, i, addr, 8, rLo, rHi);
    setLazy64(cpu, OP_DEC, aLo, aHi, 1, 0, rLo, rHi);
  } else {
    const a = rmwRead(cpu, i, addr, s);
    const r = ((a - 1) & widthMask(s << 3)) >>> 0;
    rmwWrite(cpu, i, addr, s, r);
    setLazy(cpu, OP_DEC, s << 3, a, 1, r);
  }
  cpu.lf[LF_AUX] = carry;
}

/** NOT changes no flags. */
function not(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const addr = rmwAddress(cpu, i);
  if (s === 8) {
    const lo = rmwRead(cpu, i, addr, 8);
    rmwWrite(cpu, i, addr, 8, ~lo >>> 0, ~cpu.hi >>> 0);
  } else {
    rmwWrite(cpu, i, addr, s, (~rmwRead(cpu, i, addr, s) & widthMask(s << 3)) >>> 0);
  }
}

/** NEG is 0 - x: CF is set unless x is zero. */
function neg(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const addr = rmwAddress(cpu, i);
  if (s === 8) {
    const bLo = rmwRead(cpu, i, addr, 8), bHi = cpu.hi;
    const rLo = (-bLo) >>> 0;
    const rHi = (-bHi - (bLo !== 0 ? 1 : 0)) >>> 0;
    rmwWrite(cpu, i, addr, 8, rLo, rHi);
    setLazy64(cpu, OP_SUB, 0, 0, bLo, bHi, rLo, rHi);
  } else {
    const b = rmwRead(cpu, i, addr, s);
    const r = ((-b) & widthMask(s << 3)) >>> 0;
    rmwWrite(cpu, i, addr, s, r);
    setLazy(cpu, OP_SUB, s << 3, 0, b, r);
  }
}

// ---- the table -------------------------------------------------------------------------------

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, "0");
}

function buildForms(): FormSpec[] {
  const forms: FormSpec[] = [];
  MNEMONICS.forEach((mnem, op) => {
    const base = op << 3;
    // The logical operations leave AF undefined; CMP only reads, so it takes no LOCK.
    const undef = mnem === "or" || mnem === "and" || mnem === "xor" ? AF : 0;
    const lock = op === CMP ? undefined : "lock";
    forms.push(
      { op: `${hex(base)} /r`, mnem, args: "Eb,Gb", fn: aluEG, attrs: lock, undef },
      { op: `${hex(base + 1)} /r`, mnem, args: "Ev,Gv", fn: aluEG, attrs: lock, undef },
      { op: `${hex(base + 2)} /r`, mnem, args: "Gb,Eb", fn: aluGE, undef },
      { op: `${hex(base + 3)} /r`, mnem, args: "Gv,Ev", fn: aluGE, undef },
      { op: hex(base + 4), mnem, args: "AL,Ib", fn: aluAI, undef },
      { op: hex(base + 5), mnem, args: "rAX,Iz", fn: aluAI, undef },
      { op: `80 /${op}`, mnem, args: "Eb,Ib", fn: aluEI, attrs: lock, undef },
      { op: `81 /${op}`, mnem, args: "Ev,Iz", fn: aluEI, attrs: lock, undef },
      { op: `83 /${op}`, mnem, args: "Ev,Ib", fn: aluEI, attrs: lock, undef },
    );
  });
  forms.push(
    { op: "84 /r", mnem: "test", args: "Eb,Gb", fn: testEG, undef: AF },
    { op: "85 /r", mnem: "test", args: "Ev,Gv", fn: testEG, undef: AF },
    { op: "A8", mnem: "test", args: "AL,Ib", fn: testAI, undef: AF },
    { op: "A9", mnem: "test", args: "rAX,Iz", fn: testAI, undef: AF },
    { op: "F6 /0", mnem: "test", args: "Eb,Ib", fn: testEI, undef: AF },
    { op: "F7 /0", mnem: "test", args: "Ev,Iz", fn: testEI, undef: AF },
    // /1 is an undocumented alias of /0 that every x86-64 CPU executes as TEST.
    { op: "F6 /1", mnem: "test", args: "Eb,Ib", fn: testEI, undef: AF },
    { op: "F7 /1", mnem: "test", args: "Ev,Iz", fn: testEI, undef: AF },
    { op: "F6 /2", mnem: "not", args: "Eb", fn: not, attrs: "lock" },
    { op: "F7 /2", mnem: "not", args: "Ev", fn: not, attrs: "lock" },
    { op: "F6 /3", mnem: "neg", args: "Eb", fn: neg, attrs: "lock" },
    { op: "F7 /3", mnem: "neg", args: "Ev", fn: neg, attrs: "lock" },
    { op: "FE /0", mnem: "inc", args: "Eb", fn: inc, attrs: "lock" },
    { op: "FE /1", mnem: "dec", args: "Eb", fn: dec, attrs: "lock" },
    { op: "FF /0", mnem: "inc", args: "Ev", fn: inc, attrs: "lock" },
    { op: "FF /1", mnem: "dec", args: "Ev", fn: dec, attrs: "lock" },
  );
  return forms;
}

export const ALU_FORMS: FormSpec[] = buildForms();
