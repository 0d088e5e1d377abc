// Bit instructions: BT/BTS/BTR/BTC (register and immediate bit offsets, memory bit strings),
// BSF/BSR, POPCNT, LZCNT, TZCNT. The VEX-encoded BMI1/BMI2 forms live in bits-bmi.ts and are
// re-exported here.

import type { Cpu } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { AF, CF, OF, PF, setStatus, SF, ZF } from "../flags.ts";
import { readE, rmwRead, rmwWrite } from "../operands.ts";
import { BMI_FORMS } from "./bits-bmi.ts";
import { ctz32, popcount32, replaceStatus } from "./bits-util.ts";

const CANON_LIMIT = 0x800000000000; // 2^47

// ---- BT / BTS / BTR / BTC ---------------------------------------------------------------------

const OP_TEST = 0, OP_SET = 1, OP_RESET = 2, OP_COMPLEMENT = 3;

/** Apply a bit operation to bit `bit` (0-31) of `word`; CF gets the old bit. */
function applyBit(cpu: Cpu, kind: number, word: number, bit: number): number {
  const mask = 1 << bit;
  setStatus(cpu, CF, (word & mask) !== 0 ? CF : 0);
  switch (kind) {
    case OP_SET:
      return (word | mask) >>> 0;
    case OP_RESET:
      return (word & ~mask) >>> 0;
    case OP_COMPLEMENT:
      return (word ^ mask) >>> 0;
    default:
      return word;
  }
}

/** Operate on bit `bit` (already reduced modulo the operand width) of the E operand at `a`. */
function bitOnOperand(cpu: Cpu, i: Insn, kind: number, a: number, bit: number): void {
  const s = i.opsize;
  // A read-modify-write operand is checked for writing first (a #PF reports a write).
  if (i.isMem && kind !== OP_TEST) cpu.probeWrite(a, s);
  const v = rmwRead(cpu, i, a, s);
  if (s === 8) {
    const hi = cpu.hi;
    if (bit >= 32) {
      const r = applyBit(cpu, kind, hi, bit - 32);
      if (kind !== OP_TEST) rmwWrite(cpu, i, a, 8, v, r);
    } else {
      const r = applyBit(cpu, kind, v, bit);
      if (kind !== OP_TEST) rmwWrite(cpu, i, a, 8, r, hi);
    }
    return;
  }
  const r = applyBit(cpu, kind, v, bit);
  if (kind !== OP_TEST) rmwWrite(cpu, i, a, s, s === 2 ? r & 0xffff : r);
}

/**
 * Address of the operand-sized word `wordIndex` words away from the memory operand: with a
 * register bit offset the offset is signed, so the word may lie before or far after the operand.
 * With a 32-bit address size the offset part wraps around 2^32 (the segment base is added after).
 */
function bitStringAddress(cpu: Cpu, i: Insn, wordIndex: number): number {
  const ea = cpu.ea(i);
  if (i.asize === 4) {
    const segBase = cpu.segmentBase(i);
    return ((ea - segBase + wordIndex * i.opsize) >>> 0) + segBase;
  }
  const a = ea + wordIndex * i.opsize;
  if (a < -CANON_LIMIT || a >= CANON_LIMIT) cpu.nonCanonical(i);
  return a;
}

/** BT/BTS/BTR/BTC Ev,Gv: the bit offset comes from a register. */
function bitByRegister(cpu: Cpu, i: Insn, kind: number): void {
  const s = i.opsize;
  const lo = cpu.r[i.reg * 2];
  if (!i.isMem) {
    bitOnOperand(cpu, i, kind, 0, lo & (s * 8 - 1));
    return;
  }
  let wordIndex: number;
  if (s === 2) wordIndex = (lo << 16) >> 20;
  else if (s === 4) wordIndex = (lo | 0) >> 5;
  else {
    // Exact below 2^53; beyond that the address is non-canonical whatever the rounding.
    wordIndex = Math.floor(((cpu.r[i.reg * 2 + 1] | 0) * 4294967296 + lo) / 64);
  }
  bitOnOperand(cpu, i, kind, bitStringAddress(cpu, i, wordIndex), lo & (s * 8 - 1));
}

/** BT/BTS/BTR/BTC Ev,Ib: the offset is the immediate modulo the operand width. */
function bitByImmediate(cpu: Cpu, i: Insn, kind: number): void {
  bitOnOperand(cpu, i, kind, i.isMem ? cpu.ea(i) : 0, i.imm & (i.opsize * 8 - 1));
}

const bt = (cpu: Cpu, i: Insn) => bitByRegister(cpu, i, OP_TEST);
const bts = (cpu: Cpu, i: Insn) => bitByRegister(cpu, i, OP_SET);
const btr = (cpu: Cpu, i: Insn) => bitByRegister(cpu, i, OP_RESET);
const btc = (cpu: Cpu, i: Insn) => bitByRegister(cpu, i, OP_COMPLEMENT);
const btI = (cpu: Cpu, i: Insn) => bitByImmediate(cpu, i, OP_TEST);
const btsI = (cpu: Cpu, i: Insn) => bitByImmediate(cpu, i, OP_SET);
const btrI = (cpu: Cpu, i: Insn) => bitByImmediate(cpu, i, OP_RESET);
const btcI = (cpu: Cpu, i: Insn) => bitByImmediate(cpu, i, OP_COMPLEMENT);

// ---- bit scans and counts ---------------------------------------------------------------------

/**
 * BSF/BSR: the index of the lowest/highest set bit. On a zero source ZF is set and the
 * destination is left untouched (all 64 bits).
 */
function bitScan(cpu: Cpu, i: Insn, reverse: boolean) {
  const s = i.opsize;
  const lo = readE(cpu, i, s);
  const hi = s === 8 ? cpu.hi : 0;
  if ((lo | hi) === 0) {
    replaceStatus(cpu, ZF);
    return;
  }
  replaceStatus(cpu, 0);
  let index: number;
  if (reverse) index = hi !== 0 ? 63 - Math.clz32(hi) : 31 - Math.clz32(lo);
  else index = lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
  cpu.setReg(i.reg, s, i, index, 0);
}
const bsf = (cpu: Cpu, i: Insn) => bitScan(cpu, i, false);
const bsr = (cpu: Cpu, i: Insn) => bitScan(cpu, i, true);

/** TZCNT: the count of trailing zero bits; CF when the source is zero, ZF when the count is. */
function tzcnt(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const lo = readE(cpu, i, s);
  const hi = s === 8 ? cpu.hi : 0;
  let n: number;
  if (lo !== 0) n = ctz32(lo);
  else if (s === 8 && hi !== 0) n = 32 + ctz32(hi);
  else n = s * 8;
  cpu.setReg(i.reg, s, i, n, 0);
  setStatus(cpu, CF | ZF, (n === s * 8 ? CF : 0) | (n === 0 ? ZF : 0));
}

function lzcnt(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const lo = readE(cpu, i, s);
  let n: number;
  if (s === 8) n = cpu.hi !== 0 ? Math.clz32(cpu.hi) : 32 + Math.clz32(lo);
  else n = Math.clz32(lo) - (32 - s * 8);
  cpu.setReg(i.reg, s, i, n, 0);
  setStatus(cpu, CF | ZF, (n === s * 8 ? CF : 0) | (n === 0 ? ZF : 0));
}

function popcnt(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const lo = readE(cpu, i, s);
  const n = popcount32(lo) + (s === 8 ? popcount32(cpu.hi) : 0);
  cpu.setReg(i.reg, s, i, n, 0);
  replaceStatus(cpu, n === 0 ? ZF : 0);
}

const BT_UNDEF = OF | SF | AF | PF;

export const BITS_FORMS: FormSpec[] = [
  { op: "0F A3 /r", mnem: "bt", args: "Ev,Gv", fn: bt, undef: BT_UNDEF },
  { op: "0F AB /r", mnem: "bts", args: "Ev,Gv", fn: bts, attrs: "lock", undef: BT_UNDEF },
  { op: "0F B3 /r", mnem: "btr", args: "Ev,Gv", fn: btr, attrs: "lock", undef: BT_UNDEF },
  { op: "0F BB /r", mnem: "btc", args: "Ev,Gv", fn: btc, attrs: "lock", undef: BT_UNDEF },
  { op: "0F BA /4", mnem: "bt", args: "Ev,Ib", fn: btI, undef: BT_UNDEF },
  { op: "0F BA /5", mnem: "bts", args: "Ev,Ib", fn: btsI, attrs: "lock", undef: BT_UNDEF },
  { op: "0F BA /6", mnem: "btr", args: "Ev,Ib", fn: btrI, attrs: "lock", undef: BT_UNDEF },
  { op: "0F BA /7", mnem: "btc", args: "Ev,Ib", fn: btcI, attrs: "lock", undef: BT_UNDEF },
  { op: "0F BC /r", mnem: "bsf", args: "Gv,Ev", fn: bsf, undef: CF | OF | SF | AF | PF },
  { op: "0F BD /r", mnem: "bsr", args: "Gv,Ev", fn: bsr, undef: CF | OF | SF | AF | PF },
  { op: "F3 0F BC /r", mnem: "tzcnt", args: "Gv,Ev", fn: tzcnt, undef: OF | SF | AF | PF },
  { op: "F3 0F BD /r", mnem: "lzcnt", args: "Gv,Ev", fn: lzcnt, undef: OF | SF | AF | PF },
  { op: "F3 0F B8 /r", mnem: "popcnt", args: "Gv,Ev", fn: popcnt },
  ...BMI_FORMS,
];
